"""``/api/v1/pilots``, ``/healthz`` and ``/readyz``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.db import make_sessionmaker
from hub.settings import Settings
from tests import factories


def make_pilots(session: Session, n: int) -> None:
    gdca = factories.programme(session, "gdca")
    reuse = factories.strategy(session, "reuse")
    for i in range(n):
        factories.pilot(
            session,
            gdca,
            title_en=f"Pilot {i:03}",
            strategies=[reuse],
            starts_on=dt.date(2018, 1, 1) + dt.timedelta(days=i),
            contract_value=Decimal("1000.50") if i == 0 else None,
        )
    session.commit()


def test_pilots_are_paginated_with_links(client: TestClient, session: Session) -> None:
    make_pilots(session, 5)
    body = client.get("/api/v1/pilots?per_page=2&page=2&programme=gdca").json()
    assert body["meta"] == {"total": 5, "page": 2, "per_page": 2, "pages": 3}
    assert [p["title"]["en"] for p in body["data"]] == ["Pilot 002", "Pilot 001"]
    assert body["links"]["next"] == "/api/v1/pilots?per_page=2&page=3&programme=gdca"
    assert body["links"]["prev"] == "/api/v1/pilots?per_page=2&page=1&programme=gdca"


def test_pilot_document(client: TestClient, session: Session) -> None:
    make_pilots(session, 1)
    (pilot,) = client.get("/api/v1/pilots").json()["data"]
    assert pilot["programme"] == "gdca"
    assert pilot["strategies"] == ["reuse"]
    assert pilot["status"] == "running"
    assert pilot["starts_on"] == "2018-01-01"
    assert pilot["contract_value"] == {"amount": "1000.50", "currency": "EUR"}
    assert pilot["url"] == f"http://testserver/en/pilots/{pilot['id']}"
    assert len(pilot["uid"]) == 36


def test_invalid_filter_is_a_400_json_error(client: TestClient, session: Session) -> None:
    make_pilots(session, 1)
    response = client.get("/api/v1/pilots?status=done", headers={"accept-language": "nl"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_filter"
    assert error["field"] == "status"
    assert "geen geldige waarde" in error["message"]
    assert client.get("/api/v1/pilots?per_page=1000").json()["error"]["field"] == "per_page"


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").text == "ok"
    assert client.get("/readyz").status_code == 200


def test_readiness_fails_when_the_database_is_unreachable(tmp_path: Path) -> None:
    # A database file inside a directory that is a file: SQLite cannot open it.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken: sessionmaker[Session] = make_sessionmaker(create_engine(f"sqlite:///{blocker}/db.sqlite3"))
    settings = Settings.load(environ={}, secret_key="x", data_dir=tmp_path)
    with TestClient(create_app(settings, sessions=broken)) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert client.get("/healthz").status_code == 200
