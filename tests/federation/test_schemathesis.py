"""The API as a client no one here wrote sees it: schemathesis reads ``/api/v1/openapi.json`` of a
running hub with the demo network and calls every operation with generated input (valid and
invalid, then sequences that follow the links between operations), checking that nothing answers
with a server error and every answer matches the document: status, content type, headers, schema.

Its command line is used rather than its pytest plugin, which does not support pytest 9 yet.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.servers import free_port, hub_environment, serving_hub

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"


def test_the_api_keeps_every_promise_its_openapi_document_makes(tmp_path: Path) -> None:
    port = free_port()
    env = hub_environment(
        tmp_path, HUB_BASE_URL=f"http://127.0.0.1:{port}", HUB_API_SETTLE_SECONDS="0", HUB_LOG_LEVEL="WARNING"
    )
    with serving_hub(tmp_path, "--demo", "--no-scheduler", env=env, port=port) as base:
        result = subprocess.run(
            [
                SCHEMATHESIS,
                "run",
                f"{base}/api/v1/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "25",
                "--seed",
                "2017",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,  # its report and cache stay out of the checkout
        )
    summary = result.stdout[-4000:]
    assert result.returncode == 0, summary
    # Every operation was exercised: index, token, OCDS, and a list and a record per kind (12).
    assert "27/27" in result.stdout
    assert "passed" in summary and "failures" not in summary.lower().split("summary")[-1]
