"""Real processes for end-to-end tests: the hub served by ``hub serve`` on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

HUB = [sys.executable, "-m", "hub.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def hub_environment(directory: Path, **extra: str) -> dict[str, str]:
    """The environment of a hub process with its own SQLite database in ``directory``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATABASE_URL=f"sqlite:///{directory / 'hub.sqlite3'}", HUB_DATA_DIR=str(directory / "var"))
    env.update(extra)
    return env


def run_hub(
    *args: str, env: dict[str, str], timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUB, *args], env=env, capture_output=True, text=True, timeout=timeout, input=stdin
    )


@contextmanager
def hub_process(
    directory: Path, *args: str, env: dict[str, str], port: int | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``hub serve ARGS`` until the block ends (SIGINT, unless it stopped already): the process and
    its base URL, once it is ready. Its output goes to ``directory / "serve.log"``."""
    port = port or free_port()
    log_path = directory / "serve.log"
    with log_path.open("w") as log:  # a file, not a pipe nobody reads, which could fill up
        process = subprocess.Popen(
            [*HUB, "serve", "--port", str(port), *args], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"hub serve exited early:\n{log_path.read_text()}")
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"hub serve was not ready within 120 s:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield process, base
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def serving_hub(directory: Path, *args: str, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """``hub serve ARGS`` until the block ends; yields its base URL once it is ready.

    ``port``: when the URL must be known before (e.g. to register it at an OpenID Connect provider).
    """
    with hub_process(directory, *args, env=env, port=port) as (_process, base):
        yield base
