"""Metadata with a naming convention, the declarative base, and engine/session factories."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.orm import Session as Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def rfc3339(value: dt.datetime, *, timespec: str = "auto") -> str:
    """An aware moment as an RFC 3339 date-time in UTC ("...Z"), for feeds and APIs."""
    return value.astimezone(dt.UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment, always read back as an aware UTC datetime (SQLite returns naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.astimezone(dt.UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


class Base(DeclarativeBase):
    metadata = metadata
    # A ``Mapped[dt.datetime]`` column is a UTCDateTime unless it names another type.
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime}


# Columns many tables share, as types for ``Mapped[...]`` (``Mapped[Email | None]`` when optional;
# ``= mapped_column(unique=True)`` adds to them).
Created = Annotated[dt.datetime, mapped_column(default=utcnow)]  # when the row was written
Email = Annotated[str, mapped_column(String(254))]
LanguageCode = Annotated[str, mapped_column(String(2), default="nl")]  # "nl" or "en"
Title = Annotated[str, mapped_column(String(300), default="")]
LongText = Annotated[str, mapped_column(Text, default="")]


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over the rows ``where`` holds only, on both databases."""
    return Index(name, *columns, unique=unique, sqlite_where=text(where), postgresql_where=text(where))


def link_table(
    name: str, owner: tuple[str, str], other: tuple[str, str], *rest: Any, index: bool | None = None
) -> Table:
    """A many-to-many table: ``owner`` and ``other`` are (column, "table.id"); the rows go with
    their owner. ``index=True`` indexes ``other`` (for the way back); ``rest``: more indexes."""
    return Table(
        name,
        metadata,
        Column(owner[0], ForeignKey(owner[1], ondelete="CASCADE"), primary_key=True),
        Column(other[0], ForeignKey(other[1]), primary_key=True, index=index),
        *rest,
    )


# How long a connection waits for SQLite's write lock before it gives up ("database is locked").
# A web request waits a few seconds, then the hub answers 503 (hub.busy); background work (a
# sync's batches, mail) has no one waiting on it and waits longer.
WEB_BUSY_TIMEOUT_MS = 5_000
BACKGROUND_BUSY_TIMEOUT_MS = 30_000

# What the request this code serves does (set by hub.busy; None outside requests): on SQLite a
# request that may write ("write": an unsafe method) takes the write lock when its transactions
# begin, waiting its turn. A transaction that read first and then writes would instead fail at
# once, without waiting, when another connection holds the lock or has written since (WAL).
web_request: ContextVar[Literal["read", "write"] | None] = ContextVar("web_request", default=None)


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """An engine for SQLite (the embedded default) or PostgreSQL (production)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        _make_sqlite_transactional(engine)
        return engine
    return create_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _make_sqlite_transactional(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, decide when transactions begin.

    pysqlite's own transaction handling breaks SAVEPOINTs (which the tests' rolled-back
    transactions rely on) and defers BEGIN in surprising ways; this is SQLAlchemy's documented
    recipe. WAL lets readers proceed while a sync writes; each transaction waits for the write
    lock as long as its kind of work may (``web_request``).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        serving = web_request.get()
        timeout = BACKGROUND_BUSY_TIMEOUT_MS if serving is None else WEB_BUSY_TIMEOUT_MS
        if connection.info.get("busy_timeout") != timeout:  # info: kept with the DB-API connection
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {timeout}")
            connection.info["busy_timeout"] = timeout
        immediate = (
            serving == "write" or connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def refresh_statistics(session: Session) -> None:
    """Let the query planner see the data as it is now (after a bulk load, and daily).

    Without fresh statistics PostgreSQL mistakes 10,000 freshly loaded pilots for a handful and
    sorts the whole table instead of walking an index.
    """
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()


def refresh_table_statistics(session: Session, table: Table) -> None:
    """Let PostgreSQL's planner see the rows a transaction just wrote into a table that was empty:
    with an empty table's statistics it scans the table for lookups a unique index answers.
    (SQLite's planner walks the index without statistics: nothing to do there.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {session.get_bind().dialect.identifier_preparer.format_table(table)}"))
        session.commit()


def make_sessionmaker(bind: Any) -> sessionmaker[Session]:
    return sessionmaker(bind=bind, expire_on_commit=False)


def writer_sessions(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions whose transactions write, for background work that reads before it writes.

    SQLite refuses at once (no waiting) a transaction that read and then wants to write after
    another process wrote: BEGIN IMMEDIATE takes the write lock first, waiting its turn.
    Sessions bound to a connection (the tests' transaction) are returned as they are.
    """
    bind = sessions.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        return make_sessionmaker(bind.execution_options(sqlite_begin="IMMEDIATE"))
    return sessions
