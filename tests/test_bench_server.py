"""The benchmark server keeps working as the hub changes (bench/ is not run in CI, this is)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bench.server import make_bench_app
from hub import migrate
from hub.db import make_engine


def test_bench_server_serves_targets_and_baselines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    monkeypatch.setenv("HUB_SECRET_KEY", "bench-only-secret-key-of-32-characters-or-more")
    with TestClient(make_bench_app()) as client:
        for path in ("/bare/healthz", "/healthz", "/bench/core-json", "/api/v1/pilots?limit=50"):
            assert client.get(path).status_code == 200, path
        for path in ("/en/bench-list-from-memory", "/en/pilots"):
            assert "Pilots" in client.get(path).text
