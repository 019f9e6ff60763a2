"""Public pages that cache: the micro-cache of ``deploy/nginx/hub.conf`` and the hub's 304s.

``python bench/cache.py`` (part of ``make bench``; ``--quick`` for ``make bench-quick``) loads the
demo network into a fresh SQLite database, starts one hub web process and nginx in front of it with
the very lines of hub.conf between "micro-cache: begin" and "end" (and its session-cookie map), and
measures with ``wrk``, target and baseline alternating, the rounds' medians compared:

1. ``/en/pilots`` and a pilot's page through nginx with the micro-cache against nginx serving the same
   bytes as a static file (goal ≥ 50 %): a surge served by nginx, not by the hub;
2. in the hub itself, a conditional request (``If-None-Match`` with the page's ETag: 304, no render)
   against the full page (goal ≥ 10×).

nginx runs one worker on the first CPU and the hub on the same one (the hub is idle while nginx
serves from its cache), ``wrk`` on the others. Results go to ``bench/results/cache.json`` and the
goals to the summary (``bench/goals.py``). Exit status 0 when the goals are met, 1 when not, 2 when
it cannot run (no nginx or wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import goals  # noqa: E402
from bench.run import (  # noqa: E402
    BenchError,
    Load,
    Sample,
    cpu_split,
    find_wrk,
    free_port,
    run_wrk,
    start_server,
    stop_server,
    wait_until_up,
)

RESULTS = REPO / "bench" / "results" / "cache.json"
HUB_CONF = REPO / "deploy" / "nginx" / "hub.conf"
HOST = "127.0.0.1"
APP = "hub.app:app_from_environment"
THROUGH_NGINX = 0.50  # goal: the micro-cache's rps / nginx's static file's
CONDITIONAL = 10.0  # goal: a 304's rps / the full page's, in the hub


@dataclass
class Pair:
    name: str
    target: str  # a URL
    baseline: str
    goal: float
    headers: dict[str, str] = field(default_factory=dict)  # the target's
    target_samples: list[Sample] = field(default_factory=list)
    baseline_samples: list[Sample] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [t.rps / b.rps for t, b in zip(self.target_samples, self.baseline_samples, strict=True)]

    @property
    def ratio(self) -> float:
        return statistics.median(s.rps for s in self.target_samples) / statistics.median(
            s.rps for s in self.baseline_samples
        )

    @property
    def errors(self) -> int:
        return sum(s.errors for s in (*self.target_samples, *self.baseline_samples))

    @property
    def passed(self) -> bool:
        return not self.errors and self.ratio >= self.goal


def deployed_cache(cache_dir: Path) -> tuple[str, str, str]:
    """hub.conf's cache (its path moved to ``cache_dir``), session-cookie map and micro-cache lines."""
    conf = HUB_CONF.read_text()
    path = re.search(r"^proxy_cache_path /var/cache/nginx/hub .*;$", conf, re.M)
    map_block = re.search(r"^map \$http_cookie \$hub_session \{.*?^\}", conf, re.M | re.S)
    lines = re.search(r"# micro-cache: begin.*?\n(.*?)^\s*# micro-cache: end", conf, re.M | re.S)
    if not path or not map_block or not lines:
        raise BenchError(f"{HUB_CONF} has no cache path, session-cookie map or micro-cache block")
    return path.group(0).replace("/var/cache/nginx/hub", str(cache_dir)), map_block.group(0), lines.group(1)


def nginx_config(workdir: Path, hub_port: int, port: int, cpu: int | None) -> Path:
    root = workdir / "nginx"
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "cache", "static"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    cache_path, session_map, cache_lines = deployed_cache(root / "cache")
    affinity = f"worker_cpu_affinity {1 << cpu:b};" if cpu is not None else ""
    # Started as root, nginx's worker would be "nobody", who cannot write the cache in our folder.
    user = "user root;" if os.geteuid() == 0 else ""
    config = f"""
daemon off;
{user}
worker_processes 1;
{affinity}
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    {cache_path}
    {session_map}
    upstream hub_web {{ server {HOST}:{hub_port}; keepalive 32; }}
    server {{
        listen {HOST}:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        location /bench-static/ {{ alias {root}/static/; default_type text/html; }}
        location / {{
            proxy_pass http://hub_web;
{cache_lines}
        }}
    }}
}}
"""
    path = root / "nginx.conf"
    path.write_text(config)
    return path


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:  # a 304 arrives as an "error"
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def prepare(database_url: str) -> int:
    """A migrated database with the demo network; the id of a pilot with a page to show."""
    from sqlalchemy import func, select

    from hub.db import make_engine, make_sessionmaker, refresh_statistics
    from hub.demo.generate import load_demo
    from hub.migrate import upgrade
    from hub.pilots.models import Pilot

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            load_demo(session)
            refresh_statistics(session)
            session.commit()
            return int(session.scalar(select(func.min(Pilot.id))) or 0)
    finally:
        engine.dispose()


def measure(wrk: str, pairs: list[Pair], load: Load, rounds: int, warmup: int) -> None:
    for pair in pairs:
        run_wrk(wrk, pair.target, load, seconds=warmup, headers=pair.headers)
        run_wrk(wrk, pair.baseline, load, seconds=warmup)
        for number in range(1, rounds + 1):
            for samples, url, headers in (
                (pair.target_samples, pair.target, pair.headers),
                (pair.baseline_samples, pair.baseline, {}),
            ):
                sample = run_wrk(wrk, url, load, headers=headers)
                samples.append(sample)
                print(
                    f"  {pair.name:<34} round {number}/{rounds}  {url.split('/', 3)[3]:<30}"
                    f" {sample.rps:9.0f} req/s" + (f"  {sample.errors} ERRORS" if sample.errors else ""),
                    flush=True,
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of 1 s (make bench-quick)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rounds, duration, warmup = (1, 1, 1) if args.quick else (args.rounds, args.duration, 2)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        if not Path(nginx).exists():
            raise BenchError("nginx is not installed: `apt-get install nginx` (Debian)")
        wrk = find_wrk()
    except BenchError as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return 2
    server_cpus, wrk_cpus = cpu_split(True)
    load = Load(1, args.connections, duration, server_cpus, wrk_cpus)
    with tempfile.TemporaryDirectory(prefix="hub-bench-cache-") as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'hub.sqlite3'}"
        started = time.monotonic()
        pilot = prepare(database_url)
        print(f"demo network loaded ({time.monotonic() - started:.0f} s)")
        hub_port, port = free_port(), free_port()
        hub = start_server(APP, database_url, workdir, hub_port, server_cpus)
        proxy = None
        try:
            wait_until_up(hub, f"http://{HOST}:{hub_port}", workdir / "server.log")
            config = nginx_config(workdir, hub_port, port, server_cpus[0] if server_cpus else None)
            proxy = subprocess.Popen([nginx, "-c", str(config), "-p", str(workdir / "nginx")])
            pairs = setup_pairs(workdir, hub_port, port, pilot)
            measure(wrk, pairs, load, rounds, warmup)
        finally:
            if proxy is not None:
                proxy.terminate()
                proxy.wait()
            stop_server(hub)
    return report(pairs, args, rounds, duration)


def setup_pairs(workdir: Path, hub_port: int, port: int, pilot: int) -> list[Pair]:
    """The pairs, once the pages answer; each page's bytes as nginx's static file beside it."""
    hub, proxy = f"http://{HOST}:{hub_port}", f"http://{HOST}:{port}"
    pages = {"pilots.html": "/en/pilots", "pilot.html": f"/en/pilots/{pilot}"}
    tags = {}
    for name, path in pages.items():
        status, headers, body = get(hub + path)
        if status != 200 or "etag" not in headers:
            raise BenchError(f"{path} answered {status} without an ETag: {headers}")
        tags[path] = headers["etag"]
        (workdir / "nginx" / "static" / name).write_bytes(body)
    deadline = time.monotonic() + 10
    while True:  # nginx is up and keeps the pages
        try:
            get(proxy + "/en/pilots")
            if get(proxy + "/en/pilots")[1].get("x-cache-status") == "HIT":
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BenchError("nginx does not answer, or does not keep /en/pilots")
        time.sleep(0.2)
    status, _headers, _body = get(hub + "/en/pilots", {"If-None-Match": tags["/en/pilots"]})
    if status != 304:
        raise BenchError(f"a conditional request answered {status}, not 304")
    return [
        Pair(
            "pilots list: micro-cache / static",
            proxy + "/en/pilots",
            proxy + "/bench-static/pilots.html",
            THROUGH_NGINX,
        ),
        Pair(
            "pilot page: micro-cache / static",
            proxy + pages["pilot.html"],
            proxy + "/bench-static/pilot.html",
            THROUGH_NGINX,
        ),
        Pair(
            "pilots list in the hub: 304 / full page",
            hub + "/en/pilots",
            hub + "/en/pilots",
            CONDITIONAL,
            headers={"If-None-Match": tags["/en/pilots"]},
        ),
    ]


def report(pairs: list[Pair], args: argparse.Namespace, rounds: int, duration: int) -> int:
    print()
    rows = []
    for pair in pairs:
        goal = f"≥ {pair.goal:.0%}" if pair.goal < 1 else f"≥ {pair.goal:g}×"
        figure = f"{pair.ratio:.0%}" if pair.goal < 1 else f"{pair.ratio:.1f}×"
        unit = "%" if pair.goal < 1 else "×"
        rows.append(
            goals.Goal(pair.name, goal, figure, pair.passed, "sqlite", goals.spread(pair.ratios(), unit))
        )
        print(
            f"  {'PASS' if pair.passed else 'FAIL'}  {pair.name}: {figure} (goal {goal})"
            + (f", {pair.errors} failed requests" if pair.errors else "")
        )
    goals.record("cache", rows, quick=args.quick)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "rounds": rounds,
                "seconds": duration,
                "pairs": [
                    {
                        "name": p.name,
                        "target": p.target,
                        "baseline": p.baseline,
                        "ratio": p.ratio,
                        "ratios": p.ratios(),
                        "target_rps": [s.rps for s in p.target_samples],
                        "baseline_rps": [s.rps for s in p.baseline_samples],
                        "errors": p.errors,
                        "passed": p.passed,
                    }
                    for p in pairs
                ],
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if all(p.passed for p in pairs) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"cannot run: {error}", file=sys.stderr)
        sys.exit(2)
