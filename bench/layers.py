"""What each layer of the middleware stack costs ``/healthz``: the stack built up one layer at a time.

``python bench/layers.py`` calls the ASGI app in-process (no sockets, no load generator, so only the
layers' own CPU is measured) for ``GET /healthz``: first the bare Starlette app with the hub's
endpoint, then with the hub's middleware added from the innermost outwards, exactly as
``hub.app.middleware`` lists them. Rounds alternate the stacks; each figure is the median over the
rounds of microseconds per request, and the table gives what each layer adds. A guide for
``bench/run.py``'s ``/healthz`` goal (≥ 80 % of bare Starlette over HTTP), not a goal of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Route  # noqa: E402

from hub.app import create_app, middleware  # noqa: E402
from hub.health import healthz  # noqa: E402
from hub.metrics import make_registry  # noqa: E402
from hub.settings import Settings  # noqa: E402

SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/healthz",
    "raw_path": b"/healthz",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"127.0.0.1"), (b"user-agent", b"bench")],
    "client": ("127.0.0.1", 5000),
    "server": ("127.0.0.1", 8000),
}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: dict[str, Any]) -> None:
    if message["type"] == "http.response.start" and message["status"] != 200:
        raise RuntimeError(f"/healthz answered {message['status']}")


async def per_request(app: Any, requests: int) -> float:
    """Microseconds per ``GET /healthz`` through ``app``."""
    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(SCOPE), _receive, _send)
    return (time.perf_counter() - started) / requests * 1e6


def stacks(settings: Settings) -> list[tuple[str, Any]]:
    """(name, app): bare, then each layer of the hub's stack added, innermost first."""
    hub = create_app(settings)
    layers = middleware(settings, registry=make_registry(), routes=list(hub.routes))
    built = [("bare Starlette", Starlette(routes=[Route("/healthz", healthz)]))]
    for count in range(1, len(layers) + 1):
        chosen = layers[len(layers) - count :]
        if chosen[0].cls.__name__ == "LoginSessions":  # type: ignore[attr-defined]
            continue  # it reads the session the next layer out opens: measured with it
        app = Starlette(routes=[Route("/healthz", healthz)], middleware=chosen)
        app.state = hub.state  # the database sessions and settings some layers use
        built.append((f"+ {chosen[0].cls.__name__}", app))  # type: ignore[attr-defined]
    built.append(("the hub (its router too)", hub))
    return built


async def measure(settings: Settings, rounds: int, requests: int) -> list[tuple[str, float]]:
    built = stacks(settings)
    for _name, app in built:  # warm up; the lifespan is not needed by /healthz
        await per_request(app, 200)
    times: dict[str, list[float]] = {name: [] for name, _ in built}
    for _ in range(rounds):
        for name, app in built:
            times[name].append(await per_request(app, requests))
    return [(name, statistics.median(found)) for name, found in times.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(
            environ={},
            secret_key="bench-only-secret-key-of-32-characters-or-more",
            data_dir=Path(tmp),
            database_url=f"sqlite:///{Path(tmp) / 'hub.sqlite3'}",
        )
        results = asyncio.run(measure(settings, args.rounds, args.requests))
    bare = results[0][1]
    print(f"{'stack':<34} {'µs/request':>11} {'this layer':>11} {'vs bare':>8}")
    previous = bare
    for name, micros in results:
        print(f"{name:<34} {micros:>11.1f} {micros - previous:>+11.1f} {bare / micros:>8.0%}")
        previous = micros
    return 0


if __name__ == "__main__":
    sys.exit(main())
