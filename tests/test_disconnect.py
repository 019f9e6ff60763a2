"""A client that goes away in the middle of its request body (issue 19, item 12) is one line at
info level in the log, without a traceback: not an unhandled error anyone could fill the log with.
Against a real ``hub serve`` and a raw socket that sends the headers and half the body, then closes."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import hub_environment, run_hub, serving_hub

LINE = "client went away before its request was read"


def half_a_request(base: str, path: str, content_type: str, body: bytes) -> None:
    """Sends the headers and half of ``body``, announced whole, then closes the connection."""
    address = urlsplit(base)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(head + body[: len(body) // 2])
        time.sleep(0.3)  # the app is reading the body by now


def wait_for_lines(log: Path, text: str, count: int, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text()
        if content.count(text) >= count:
            time.sleep(0.5)  # anything logged after it (a traceback) arrives too
            return log.read_text()
        time.sleep(0.1)
    pytest.fail(f"{count} x {text!r} not logged within {timeout} s:\n{log.read_text()}")


def test_a_body_cut_short_is_one_info_line_without_a_traceback(tmp_path: Path) -> None:
    env = hub_environment(tmp_path, HUB_LOG_LEVEL="INFO")
    assert run_hub("migrate", env=env).returncode == 0
    boundary = "b0undary"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n' + "a" * 4000 + "\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    with serving_hub(tmp_path, "--no-scheduler", env=env) as base:
        half_a_request(base, "/en/newsletter", "application/x-www-form-urlencoded", b"email=" + b"a" * 4000)
        half_a_request(base, "/en/login", f"multipart/form-data; boundary={boundary}", multipart)
        log = wait_for_lines(tmp_path / "serve.log", LINE, 2)
    lines = [line for line in log.splitlines() if LINE in line]
    assert len(lines) == 2, log
    assert all("INFO" in line for line in lines), lines
    assert "POST /en/newsletter" in lines[0] and "POST /en/login" in lines[1]
    assert "Traceback" not in log and "ERROR" not in log and "unhandled" not in log
