"""Four web processes and two schedulers behind nginx, on PostgreSQL, survive a killed process of
each kind: a short run of ``bench/scale.py`` (the benchmark runs it for minutes and also measures
speed; here only the outcomes count, never timings).

Needs nginx and wrk (Debian packages). They skip without them, unless ``HUB_TEST_REQUIRE_SCALE``
is set (CI), when they fail instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import pytest

from bench import scale


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("HUB_TEST_REQUIRE_SCALE"):
            pytest.fail(f"{reason} (HUB_TEST_REQUIRE_SCALE is set)")
        pytest.skip(reason)


def test_killed_processes_lose_no_request_no_run_and_no_message(
    postgres_admin_url: str, tmp_path: Path
) -> None:
    _require(shutil.which("wrk") is not None, "wrk is not installed: apt-get install wrk")
    _require(
        shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists(),
        "nginx is not installed: apt-get install nginx",
    )
    args = argparse.Namespace(seconds=45, subscribers=400, rate=10.0, rounds=1, round_seconds=2)
    result = scale.run(args, postgres_admin_url, tmp_path)

    # A crash can only cut short the responses the killed process had begun: at most one per
    # connection of the load. Anything else (a refused connection, a timeout, a 5xx) is a fault.
    failures = result["load"]["failures"]
    assert failures["unexplained"] == 0, (result["events"], failures)
    assert failures["cut_short_by_the_kill"] <= scale.CONNECTIONS, failures
    assert any("killed scheduler1" in e and "so far" in e for e in result["events"]), result["events"]
    assert result["load"]["requests"] > 0
    syncs = result["syncs"]
    assert syncs["overlapping_runs"] == 0 and syncs["runs_before_due"] == 0, syncs
    assert syncs["sources_that_ran"] == syncs["sources"], syncs
    mailed = result["newsletter"]
    assert mailed["status"] == "sent" and mailed["missing"] == 0, mailed
    assert mailed["twice_or_more"] <= scale.BATCH, mailed
    assert result["scheduler_exits"] == {"scheduler1": 0, "scheduler2": 0}


WRK_OUTPUT = """\
  1000 requests in 45.00s, 50.00MB read
  Socket errors: connect 0, read {read}, write 0, timeout 0
  Non-2xx or 3xx responses: {statuses}
Requests/sec:     22.22
"""
CUT_SHORT = (
    "2026/11/25 12:10:48 [error] 7#7: *2 upstream prematurely closed connection while reading upstream, "
    'client: 127.0.0.1, server: , request: "GET /en/pilots HTTP/1.1", upstream: "http://127.0.0.1:{port}/en/pilots"'
)


@pytest.mark.parametrize(
    ("read", "statuses", "cut_short_on", "unexplained"),
    [
        (1, 0, [8002], 0),  # a response the killed process had begun
        (2, 0, [8002], 1),  # one read error more than nginx saw cut short
        (1, 0, [8003], 1),  # cut short, but by a process that was not killed
        (0, 1, [], 1),  # a 5xx is never the kill's doing: nginx would have tried another process
    ],
)
def test_only_responses_the_killed_process_had_begun_may_fail(
    tmp_path: Path, read: int, statuses: int, cut_short_on: list[int], unexplained: int
) -> None:
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "error.log").write_text("\n".join(CUT_SHORT.format(port=p) for p in cut_short_on))
    output = WRK_OUTPUT.format(read=read, statuses=statuses)

    assert scale.account_failures(output, tmp_path, killed_port=8002)["unexplained"] == unexplained
