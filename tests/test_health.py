"""``/healthz`` and ``/readyz`` (moved here from the former tests/test_api.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.db import make_sessionmaker
from hub.settings import Settings


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").text == "ok"
    assert client.get("/readyz").status_code == 200


def test_readiness_fails_when_the_database_is_unreachable(tmp_path: Path) -> None:
    # A database file inside a directory that is a file: SQLite cannot open it.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken: sessionmaker[Session] = make_sessionmaker(create_engine(f"sqlite:///{blocker}/db.sqlite3"))
    settings = Settings.load(
        environ={}, secret_key="test-secret-of-at-least-32-characters", data_dir=tmp_path
    )
    with TestClient(create_app(settings, sessions=broken)) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert client.get("/healthz").status_code == 200
