"""Fixtures: a migrated database per backend (SQLite always, PostgreSQL when configured).

Every database test runs on both backends. PostgreSQL comes from ``HUB_TEST_POSTGRES_URL``
(an admin URL such as ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each test run
creates its own throwaway database there and drops it afterwards. Each test gets a transaction
that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub import migrate, urls
from hub.app import create_app, routes
from hub.db import make_engine
from hub.search.vocabulary import KNOWN
from hub.settings import Settings
from tests.mail import Inbox, smtp_server, smtp_settings

# The coordinators' fixtures (network, coordinator), for every domain's workspace tests.
pytest_plugins = ["tests.coordinators"]

POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def route_table() -> None:
    """The app's route table for ``url()``, as ``hub serve`` and ``hub`` commands install it: tests
    call e-mails, feeds and jobs without an app too."""
    urls.install(routes)


@pytest.fixture(autouse=True)
def fresh_known_words() -> None:
    """The search's known words as each test's database has them: the process keeps them for a
    minute (``hub.search.vocabulary``), and the tests' rows change within one."""
    KNOWN.forget()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    if not POSTGRES_URL:
        if os.environ.get("HUB_TEST_REQUIRE_POSTGRES"):
            pytest.fail("HUB_TEST_REQUIRE_POSTGRES is set but HUB_TEST_POSTGRES_URL is not")
        pytest.skip(
            "PostgreSQL tests need HUB_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)"
        )
    return POSTGRES_URL


def create_database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory, admin_url: str | None
) -> tuple[str, object]:
    """A URL of a new, empty database and a handle to drop it with ``drop_database``."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "hub.sqlite3"
        return f"sqlite:///{path}", path
    assert admin_url
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), name


def drop_database(admin_url: str | None, handle: object) -> None:
    if isinstance(handle, Path) or admin_url is None:
        return
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{handle}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database at the newest migration, one per backend for the whole run."""
    admin_url = request.getfixturevalue("postgres_admin_url") if request.param == "postgresql" else None
    url, handle = create_database_url(request.param, tmp_path_factory, admin_url)
    engine = make_engine(url, pool_size=5)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    drop_database(admin_url, handle)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions that share the test's transaction; their commits become savepoints."""
    return sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=tmp_path,
        base_url="http://testserver",
    )


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1: what it received, and its port."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    """An HTTP client for the app, sharing the test's rolled-back transaction."""
    with TestClient(create_app(settings, sessions=sessions), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def mail_client(
    inbox: tuple[Inbox, int], sessions: sessionmaker[Session], tmp_path: Path
) -> Iterator[TestClient]:
    """Like ``client``, with the hub sending its mail to the ``inbox`` SMTP server."""
    settings = smtp_settings(tmp_path, inbox[1], base_url="http://testserver")
    with TestClient(create_app(settings, sessions=sessions), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(params=BACKENDS)
def empty_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A new, empty database of its own (not migrated), for tests that must not share one."""
    admin_url = request.getfixturevalue("postgres_admin_url") if request.param == "postgresql" else None
    url, handle = create_database_url(request.param, tmp_path_factory, admin_url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_database(admin_url, handle)
