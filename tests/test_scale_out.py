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

    assert result["load"]["failed"] == 0, (result["events"], result["load"].get("failures"))
    assert any("killed scheduler1" in e and "so far" in e for e in result["events"]), result["events"]
    assert result["load"]["requests"] > 0
    syncs = result["syncs"]
    assert syncs["overlapping_runs"] == 0 and syncs["runs_before_due"] == 0, syncs
    assert syncs["sources_that_ran"] == syncs["sources"], syncs
    mailed = result["newsletter"]
    assert mailed["status"] == "sent" and mailed["missing"] == 0, mailed
    assert mailed["twice_or_more"] <= scale.BATCH, mailed
    assert result["scheduler_exits"] == {"scheduler1": 0, "scheduler2": 0}
