"""Structured logs: the JSON formatter's fields, one handler however often logging is configured,
and real ``hub`` processes (a scheduler, a web server run by ``hub serve``) writing JSON lines."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

from hub.logs import JsonFormatter, configure_logging
from hub.settings import Settings
from tests.servers import HUB, free_port, hub_environment, run_hub, serving_hub


def record(message: str, *args: Any, name: str = "hub.test", **extra: Any) -> logging.LogRecord:
    logger = logging.getLogger(name)
    return logger.makeRecord(name, logging.WARNING, __file__, 1, message, args, None, extra=extra)


def test_a_json_line_has_the_time_level_logger_message_and_extra_fields() -> None:
    line = JsonFormatter().format(
        record("run %d of source %s failed", 7, "gdca-news", run_id=7, source="gdca")
    )
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "hub.test"
    assert entry["message"] == "run 7 of source gdca-news failed"
    assert (entry["run_id"], entry["source"]) == (7, "gdca")
    assert entry["time"].endswith("Z")
    moment = dt.datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))
    assert moment.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < 60


def test_a_json_line_carries_the_traceback_and_values_json_cannot_hold_as_text() -> None:
    try:
        raise ValueError("the feed is not XML")
    except ValueError:
        logger = logging.getLogger("hub.test")
        entry = json.loads(
            JsonFormatter().format(
                logger.makeRecord(
                    "hub.test",
                    logging.ERROR,
                    __file__,
                    1,
                    "sync failed",
                    (),
                    sys.exc_info(),
                    extra={"path": Path("/tmp/x"), "message_id": "<a@b>", "time": "not mine"},
                )
            )
        )
    assert entry["exc_info"].startswith("Traceback (most recent call last)")
    assert "ValueError: the feed is not XML" in entry["exc_info"]
    assert entry["path"] == "/tmp/x"
    assert entry["_time"] == "not mine" and entry["time"].endswith("Z")  # a field of ours is not overwritten


def test_uvicorn_access_lines_get_their_parts_as_fields() -> None:
    line = record(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/en/pilots/3", "1.1", 200, name="uvicorn.access"
    )
    entry = json.loads(JsonFormatter().format(line))
    assert entry["message"] == '127.0.0.1:5000 - "GET /en/pilots/3 HTTP/1.1" 200'
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/en/pilots/3", 200)


def test_configuring_twice_keeps_one_handler_and_routes_uvicorn_through_it() -> None:
    root = logging.getLogger()
    level = root.level
    before = list(root.handlers)
    uvicorn_access = logging.getLogger("uvicorn.access")
    stray = logging.StreamHandler(io.StringIO())
    uvicorn_access.addHandler(stray)
    uvicorn_access.propagate = False
    stream = io.StringIO()
    try:
        configure_logging(Settings.load(environ={}, log_format="text"), stream=io.StringIO())
        configure_logging(Settings.load(environ={}, log_format="json", log_level="DEBUG"), stream=stream)
        ours = [h for h in root.handlers if h not in before]
        assert len(ours) == 1
        assert root.level == logging.DEBUG
        assert stray not in uvicorn_access.handlers and uvicorn_access.propagate
        logging.getLogger("hub.test").info("hello", extra={"issue_id": 3})
        entry = json.loads(stream.getvalue().splitlines()[-1])
        assert (entry["message"], entry["issue_id"]) == ("hello", 3)
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line parsed as JSON (a line that is not fails the test)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_hub_command_logs_json_lines(tmp_path: Path) -> None:
    env = hub_environment(tmp_path, HUB_LOG_FORMAT="json", HUB_SCHEDULER_TICK_SECONDS="1")
    assert run_hub("migrate", env=env).returncode == 0
    log_path = tmp_path / "scheduler.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([*HUB, "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while "scheduler running" not in log_path.read_text() and time.monotonic() < deadline:
                assert process.poll() is None, log_path.read_text()
                time.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    entries = json_lines(log_path.read_text())
    messages = [e["message"] for e in entries]
    assert "scheduler running; stop with Ctrl-C or SIGTERM" in messages
    assert "SIGTERM received: the scheduler stops once the work in hand is done" in messages
    assert messages[-1] == "scheduler stopped"
    assert {"time", "level", "logger", "message"} <= set(entries[0])


def test_hub_serve_logs_json_lines_uvicorn_included(tmp_path: Path) -> None:
    env = hub_environment(tmp_path, HUB_LOG_FORMAT="json")
    with serving_hub(tmp_path, "--no-scheduler", env=env) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
    entries = json_lines((tmp_path / "serve.log").read_text())
    loggers = {e["logger"] for e in entries}
    assert {"hub", "uvicorn.error", "uvicorn.access"} <= loggers
    access = [e for e in entries if e["logger"] == "uvicorn.access" and e["path"] == "/healthz"]
    assert access and access[0]["status"] == 200 and access[0]["method"] == "GET"
    assert any(e["message"].startswith("Uvicorn running on http://127.0.0.1:") for e in entries)


def test_uvicorn_run_directly_on_the_factory_logs_json_lines(tmp_path: Path) -> None:
    """``uvicorn --factory hub.app:app_from_environment`` (several web processes): uvicorn has
    configured its logging before it calls the factory, which routes it through the hub's."""
    env = hub_environment(tmp_path, HUB_LOG_FORMAT="json")
    assert run_hub("migrate", env=env).returncode == 0
    port = free_port()
    log_path = tmp_path / "uvicorn.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "hub.app:app_from_environment",
        "--port",
        str(port),
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log_path.read_text()
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    entries = json_lines(log_path.read_text())
    assert any(e["logger"] == "uvicorn.access" and e["path"] == "/healthz" for e in entries)
    assert entries[-1]["message"].startswith("Finished server process")
