"""Queries behind the open data: the feeds' newest records, the programme download, OCDS.

Pilot, organisation and news downloads reuse their lists' filters and live in those domains' services.
Everything that may return many rows is streamed in chunks (``yield_per``), never read whole.
Such a stream never empties the session while it runs (``expunge_all`` would end the identity map the
query is still loading into: the download broke off after its first chunk). It need not either: the
identity map holds unchanged objects weakly, so a chunk is freed once its documents are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, false, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.lessons.models import Lesson
from hub.pilots.models import Pilot, PilotParty
from hub.programmes.models import Programme

FEED_SIZE = 50
CHUNK = 500


def _live(session: Session, model: type[Pilot] | type[Lesson]) -> ColumnElement[bool]:
    """``withdrawn_at IS NULL``, which holds for nearly every record.

    SQLite is told so (``likely()``): its statistics count the NULLs of ``ix_pilots_withdrawn_at``
    as one small group, so it would fetch every live pilot through that index and sort them all
    rather than walk the order's index and stop after the first rows.
    """
    condition = model.withdrawn_at.is_(None)
    if session.get_bind().dialect.name == "sqlite":
        return func.likely(condition, type_=Boolean)
    return condition


def feed_statement(session: Session, *, kind: str, limit: int = FEED_SIZE) -> Select[Any]:
    """The ``limit`` most recently updated live records of ``kind`` ("pilots" or "lessons").

    Mirrored records are included: the feeds show the whole network. Served by
    ``ix_pilots_updated_at`` / ``ix_lessons_updated_at`` read backwards (a test reads the plans).
    """
    model: type[Pilot] | type[Lesson] = Pilot if kind == "pilots" else Lesson
    return (
        select(model)
        .where(_live(session, model))
        .order_by(model.updated_at.desc(), model.id.desc())
        .limit(limit)
    )


def feed_pilots(session: Session, *, limit: int = FEED_SIZE) -> Sequence[Pilot]:
    statement = feed_statement(session, kind="pilots", limit=limit).options(
        joinedload(Pilot.programme), joinedload(Pilot.product_group)
    )
    return session.scalars(statement).all()


def feed_lessons(session: Session, *, limit: int = FEED_SIZE) -> Sequence[Lesson]:
    statement = feed_statement(session, kind="lessons", limit=limit).options(
        joinedload(Lesson.programme), joinedload(Lesson.product_group)
    )
    return session.scalars(statement).all()


def iter_programmes(session: Session) -> Iterator[Sequence[Programme]]:
    """Live programmes in chunks, in the list's order (there are few, but a download is streamed)."""
    statement = (
        select(Programme)
        .where(Programme.withdrawn_at.is_(None))
        .order_by(Programme.starts_on, Programme.id)
        .execution_options(yield_per=CHUNK)
    )
    yield from session.scalars(statement).partitions()


def ocds_statement(session: Session) -> Select[Any]:
    """The pilots this hub publishes (its own, live), oldest change first: ``ix_pilots_changes``."""
    return (
        select(Pilot)
        .where(Pilot.mirrored == false(), _live(session, Pilot))
        .order_by(Pilot.updated_at, Pilot.id)
    )


def iter_ocds_pilots(session: Session, *, chunk: int = CHUNK) -> Iterator[Sequence[Pilot]]:
    """The pilots of the OCDS export with their parties and strategies, in chunks.

    Each chunk is a separate batch of selectin loads; a chunk is freed once it has been written
    (see the module), so memory stays flat however many pilots there are.
    """
    statement = ocds_statement(session).options(
        joinedload(Pilot.product_group),
        selectinload(Pilot.strategies),
        selectinload(Pilot.parties).joinedload(PilotParty.organisation),
    )
    yield from session.scalars(statement.execution_options(yield_per=chunk)).partitions()


def ocds_published_date_statement(session: Session) -> Select[dt.datetime]:
    return select(func.max(Pilot.updated_at)).where(Pilot.mirrored == false(), _live(session, Pilot))


def ocds_published_date(session: Session) -> dt.datetime | None:
    """When the export's contents last changed: the newest change of a published pilot."""
    newest: dt.datetime | None = session.scalar(ocds_published_date_statement(session))
    return newest
