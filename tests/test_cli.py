"""The ``hub`` command as a user runs it: a real process, real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

HUB = [sys.executable, "-m", "hub.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATABASE_URL=f"sqlite:///{tmp_path / 'hub.sqlite3'}", HUB_DATA_DIR=str(tmp_path / "var"))
    env.update(extra)
    return env


def run_hub(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HUB, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``hub serve --demo`` on an empty database, as the README's first command runs it."""
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")  # a file, not a pipe nobody reads, which could fill up
    process = subprocess.Popen(
        [*HUB, "serve", "--demo", "--port", str(port)],
        env=environment(tmp_path, HUB_SCHEDULER_TICK_SECONDS="1"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"hub serve exited early:\n{(tmp_path / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("hub serve did not become ready within 120 s")
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_serve_demo_serves_both_languages(served: str) -> None:
    root = httpx.get(f"{served}/", headers={"accept-language": "en"}, follow_redirects=True)
    assert root.url.path == "/en/"
    dutch = httpx.get(f"{served}/nl/")
    assert dutch.status_code == 200
    assert "Green Deal Circulair Aankopen" in dutch.text
    assert "Pilots in de hub" in dutch.text
    pilots = httpx.get(f"{served}/en/pilots?programme=procirc")
    assert pilots.status_code == 200
    assert "32 pilots" in pilots.text


def test_serve_demo_api_and_health(served: str) -> None:
    body = httpx.get(f"{served}/api/v1/pilots?per_page=50").json()
    assert body["meta"]["total"] == 302  # 200 GDCA + 70 GDCI + 32 ProCirc
    assert len(body["data"]) == 50
    assert httpx.get(f"{served}/healthz").text == "ok"


def test_serve_runs_the_scheduler(served: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    # The maintenance job is due at start-up; the scheduler in the serve process runs it.
    from sqlalchemy import create_engine, text

    database = next(Path(tmp_path_factory.getbasetemp()).glob("serve*/hub.sqlite3"))
    engine = create_engine(f"sqlite:///{database}")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                runs = connection.execute(text("SELECT runs FROM scheduled_jobs")).scalar()
            if runs:
                break
            time.sleep(0.5)
        assert runs == 1
    finally:
        engine.dispose()


def test_unreachable_database_is_reported_clearly(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = environment(tmp_path, HUB_DATABASE_URL=f"postgresql+psycopg://hub@127.0.0.1:{port}/hub")
    result = run_hub("serve", env=env, timeout=60)
    assert result.returncode == 2
    assert f"cannot reach the database postgresql+psycopg://hub@127.0.0.1:{port}/hub" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_reported_clearly(tmp_path: Path) -> None:
    result = run_hub("migrate", env=environment(tmp_path, HUB_DEFAULT_LANGUAGE="fr"))
    assert result.returncode == 2
    assert "HUB_DEFAULT_LANGUAGE must be 'nl' or 'en'" in result.stderr


def test_migrate_then_demo_refuses_a_second_load(tmp_path: Path) -> None:
    env = environment(tmp_path)
    assert run_hub("migrate", env=env).returncode == 0
    first = run_hub("demo", env=env)
    assert first.returncode == 0, first.stderr
    second = run_hub("demo", env=env)
    assert second.returncode == 2
    assert "already holds data" in second.stderr
