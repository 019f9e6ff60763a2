"""The embedded database under a running sync: forms are answered, a busy database gives 503.

A sync fetches with no transaction open, so a slow source blocks no one's writes; a request that
writes takes SQLite's write lock when it begins (waiting a few seconds for it); a database still
busy after that answers 503 with Retry-After, a localised page that can send the form again.
"""

from __future__ import annotations

import datetime as dt
import http.server
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from hub import busy, i18n, migrate
from hub.app import create_app
from hub.communities.models import JoinRequest
from hub.db import make_sessionmaker
from hub.newsletters.models import Subscription
from hub.pilots.models import Pilot
from hub.settings import Settings
from hub.sync.models import RunStatus, RunTrigger
from hub.sync.runner import RunSettings, run_by_id
from tests import factories
from tests.servers import free_port, hub_environment, serving_hub
from tests.sync.test_runs import atom

SECRET = "busy-test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
FETCH_SECONDS = 15
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class SlowFeed:
    """A feed on 127.0.0.1 that answers after ``seconds``; ``asked`` is set once it was asked."""

    def __init__(self, body: bytes, seconds: float) -> None:
        self.asked = threading.Event()
        self.answered = threading.Event()
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                feed.asked.set()
                time.sleep(seconds)
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                feed.answered.set()

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SlowFeed:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def database(empty_engine: Engine) -> Engine:
    migrate.upgrade(empty_engine)
    return empty_engine


def csrf(client: httpx.Client, path: str) -> str:
    match = CSRF.search(client.get(path).text)
    assert match, path
    return match.group(1)


def send(client: httpx.Client, path: str, data: dict[str, str], form_page: str | None = None) -> int:
    token = csrf(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token}).status_code


def public_forms(base: str, n: int, community_id: int) -> list[int]:
    with httpx.Client(base_url=base, timeout=30) as client:
        subscribed = send(
            client, "/en/newsletter", {"email": f"s{n}@example.org", "language": "en", "consent": "yes"}
        )
        joined = send(
            client,
            f"/en/communities/{community_id}/join",
            {"name": f"Visitor {n}", "email": f"j{n}@example.org", "organisation": "Stad Gent"},
        )
        return [subscribed, joined]


def coordinator_forms(base: str, n: int, programme_id: int) -> list[int]:
    with httpx.Client(base_url=base, timeout=30) as client:
        logged_in = send(client, "/en/login", {"email": "gina@example.org", "password": factories.PASSWORD})
        created = send(
            client,
            "/en/coordinator/pilots/new",
            {
                "programme_id": str(programme_id),
                "source_language": "en",
                "title_nl": f"Pilot {n}",
                "title_en": f"Pilot {n}",
                "country": "BE",
                "phase": "tender",
                "status": "running",
                "starts_on": "2018-03-01",
            },
            form_page="/en/coordinator/pilots/new",
        )
        return [logged_in, created]


def test_forms_are_answered_while_a_sync_waits_on_a_slow_source(database: Engine, tmp_path: Path) -> None:
    sessions = make_sessionmaker(database)
    with SlowFeed(atom(("1", "Circulaire catering"), ("2", "Textiel")), FETCH_SECONDS) as feed:
        with sessions() as session:
            gdca = factories.programme(session, "gdca")
            factories.user(session, "gina@example.org", coordinator_of=["gdca"])
            community_id = factories.community(session, gdca).id
            url = f"http://127.0.0.1:{feed.port}/feed.atom"
            options = {"url": url, "language": "nl", "target": "news", "complete": True}
            source_id = factories.source(session, gdca, "slow", options=options, allow_private=True).id
            programme_id = gdca.id
            session.commit()
        url = database.url.render_as_string(hide_password=False)
        env = hub_environment(tmp_path, HUB_DATABASE_URL=url, HUB_SECRET_KEY=SECRET)
        with serving_hub(tmp_path, "--no-scheduler", env=env) as base:
            run_settings = RunSettings(timeout_seconds=60, max_seconds=60, allowed_networks=("127.0.0.1/32",))
            with ThreadPoolExecutor(max_workers=12) as pool:
                sync = pool.submit(
                    run_by_id,
                    sessions,
                    source_id=source_id,
                    owner="busy-test",
                    trigger=RunTrigger.MANUAL,
                    run_settings=run_settings,
                    lease=dt.timedelta(minutes=5),
                )
                assert feed.asked.wait(10)  # the run is fetching now
                rounds = range(4)
                answers = [pool.submit(public_forms, base, n, community_id) for n in rounds]
                answers += [pool.submit(coordinator_forms, base, n, programme_id) for n in rounds]
                statuses = [status for answer in answers for status in answer.result()]
                assert not feed.answered.is_set()  # every form was answered while the fetch went on
                run = sync.result()
    assert statuses == [303] * len(statuses), statuses
    assert run is not None and (run.status, run.added) == (RunStatus.SUCCEEDED, 2)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Subscription)) == len(rounds)
        assert session.scalar(select(func.count()).select_from(JoinRequest)) == len(rounds)
        assert session.scalar(select(func.count()).where(Pilot.title_en.like("Pilot %"))) == len(rounds)


# -- a database still busy after the wait ------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "hub.sqlite3"
    engine = migrate_file(path)
    with make_sessionmaker(engine)() as session:
        factories.community(session, factories.programme(session, "gdca"), name_en="Food network")
        session.add(Subscription(email="an@example.be", language="nl"))  # bounces are written to it
        session.commit()
    engine.dispose()
    return path


def migrate_file(path: Path) -> Engine:
    from hub.db import make_engine

    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine


@pytest.fixture
def busy_client(sqlite_file: Path, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.load(
        environ={},
        secret_key=SECRET,
        data_dir=tmp_path,
        base_url="http://testserver",
        database_url=f"sqlite:///{sqlite_file}",
        bounce_token="bounce-token",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def locked(sqlite_file: Path) -> Iterator[sqlite3.Connection]:
    """Another process's long write: SQLite's write lock held until the test releases it."""
    other = sqlite3.connect(sqlite_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_a_form_meeting_a_busy_database_gets_503_and_can_be_sent_again(
    busy_client: TestClient, locked: sqlite3.Connection, sqlite_file: Path
) -> None:
    path = "/nl/communities/1/join"
    token = CSRF.search(busy_client.get(path).text)
    assert token
    form = {"name": "An Peeters", "email": "an@example.be", "organisation": "Stad <Gent>"}
    started = time.monotonic()
    answer = busy_client.post(path, data={**form, "csrf_token": token.group(1)}, follow_redirects=False)
    assert answer.status_code == 503, answer.text
    assert 4 <= time.monotonic() - started < 15  # waited its few seconds, then gave up
    assert answer.headers["retry-after"] == "5"
    assert answer.headers["cache-control"] == "no-store"
    assert f"<h1>{i18n.translations('nl').gettext(busy.TITLE)}</h1>" in answer.text  # in the page's language
    assert '<html lang="nl">' in answer.text
    assert 'name="organisation" value="Stad &lt;Gent&gt;"' in answer.text  # what was typed, escaped
    assert f'action="{path}"' in answer.text

    locked.execute("ROLLBACK")  # the other writer is done: the same values, sent again, go in
    resent = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', answer.text))
    again = busy_client.post(path, data={**resent, "organisation": "Stad <Gent>"}, follow_redirects=False)
    assert again.status_code == 303
    with sqlite3.connect(sqlite_file) as check:
        assert check.execute("select email from join_requests").fetchall() == [("an@example.be",)]


def test_an_api_write_meeting_a_busy_database_gets_a_json_503(
    busy_client: TestClient, locked: sqlite3.Connection
) -> None:
    answer = busy_client.post(
        "/api/v1/bounces",
        json={"email": "an@example.be", "type": "hard"},
        headers={"Authorization": "Bearer bounce-token"},
    )
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["error"]["code"] == "busy"


def test_a_password_is_never_written_into_the_busy_page(
    busy_client: TestClient, locked: sqlite3.Connection
) -> None:
    token = CSRF.search(busy_client.get("/en/login").text)
    assert token
    data = {"email": "an@example.be", "password": "a secret password", "csrf_token": token.group(1)}
    answer = busy_client.post("/en/login", data=data)
    assert answer.status_code == 503
    assert "a secret password" not in answer.text
    assert "Go back to the form and send it again in a moment." in answer.text
