"""Every way the public list filters and sorts is served by an index, on both databases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from hub.pilots import services
from hub.pilots.models import PilotStatus
from hub.pilots.services import PilotFilters, Sort
from tests import factories

CASES = {
    "no filter": PilotFilters(),
    "programme": PilotFilters(programme="gdca"),
    "product group": PilotFilters(product_group="ict"),
    "strategy": PilotFilters(strategy="reuse"),
    "sustainable development goal": PilotFilters(sdg=12),
    "country": PilotFilters(country="BE"),
    "status": PilotFilters(status=PilotStatus.RUNNING),
    "year": PilotFilters(year=2018),
    "search": PilotFilters(q="laptop"),
    "oldest first": PilotFilters(sort=Sort.OLDEST),
    "several": PilotFilters(programme="gdca", status=PilotStatus.RUNNING, year=2018),
}


@contextmanager
def explained(session: Session) -> Iterator[list[str]]:
    """Capture the query plan of every statement the session runs, instead of running it."""
    connection = session.connection()
    dialect = connection.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    plans: list[str] = []

    def rewrite(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> tuple[str, Any]:
        return prefix + statement, parameters

    def capture(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        plans.append("\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall()))

    if dialect == "postgresql":
        # On a nearly empty table a sequential scan is cheapest; forbid it so that a missing
        # index shows up as "Seq Scan" despite the penalty.
        session.execute(text("SET LOCAL enable_seqscan = off"))
    event.listen(connection, "before_cursor_execute", rewrite, retval=True)
    event.listen(connection, "after_cursor_execute", capture)
    try:
        yield plans
    finally:
        event.remove(connection, "before_cursor_execute", rewrite)
        event.remove(connection, "after_cursor_execute", capture)


def full_scans(plan: str, dialect: str) -> list[str]:
    if dialect == "sqlite":
        # "SCAN pilots_fts VIRTUAL TABLE INDEX" is the full-text index at work, not a table scan.
        return [
            line
            for line in plan.splitlines()
            if re.search(r"SCAN pilots\b(?!_)", line) and "USING" not in line
        ]
    return [line for line in plan.splitlines() if "Seq Scan on pilots" in line]


@pytest.mark.parametrize("case", CASES)
def test_pilot_list_queries_use_an_index(session: Session, case: str) -> None:
    # Data spread over the filter values like a real network's, so that every filter is selective
    # and the planner's choice means something.
    programmes = [factories.programme(session, code) for code in ("gdca", "gdci", "procirc", "other")]
    groups = [factories.product_group(session, code) for code in ("ict", "food", "textiles", "construction")]
    strategies = [factories.strategy(session, code) for code in ("reuse", "recycle", "sharing", "bio")]
    statuses = list(PilotStatus)
    for i in range(200):
        factories.pilot(
            session,
            programmes[i % 4],
            product_group=groups[i // 4 % 4],
            strategies=[strategies[i % 3]],
            sdgs=[1 + i % 17],
            status=statuses[i // 16 % 4],
            country=("BE", "NL", "DK", "DE", "SE")[i % 5],
            starts_on=dt.date(2015 + i % 8, 1 + i % 12, 1),
            title_en=f"Laptops {i}",
            summary_en="A long summary. " * 20,
        )
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # With statistics SQLite may prefer a table scan where an unanalysed database would not
        # (the daily maintenance job analyses); inside the test's transaction, so rolled back.
        session.execute(text("ANALYZE"))
    filters = CASES[case]
    # Built first: a search's words are looked up in the index's known words (a query of its own).
    statements = [services.list_query(session, filters, "en"), services.count_query(session, filters)]
    with explained(session) as plans:
        # Plain Core execution: the rows are plans, so nothing may try to read them as pilots.
        for statement, params in statements:
            session.connection().execute(statement, params)
    assert len(plans) == 2
    for plan in plans:
        assert not full_scans(plan, dialect), plan


# The open data's queries (hub/opendata): the feeds' newest records, the OCDS export, downloads.
FEED_CASES = ["pilots feed", "lessons feed", "ocds export", "ocds published date", "pilot download"]
EXPECTED_INDEXES: dict[str, tuple[str, ...]] = {
    "pilots feed": ("ix_pilots_updated_at",),
    "lessons feed": ("ix_lessons_updated_at",),
    # Reading every published pilot: PostgreSQL may rather collect the live ones and sort them
    # (without the statistics of a cursor, which favour the ordered index).
    "ocds export": ("ix_pilots_changes", "ix_pilots_withdrawn_at"),
    "ocds published date": ("ix_pilots_changes", "ix_pilots_updated_at"),
    "pilot download": (),  # the list's own indexes (any, but no table scan)
}


def _open_data_statement(session: Session, case: str) -> tuple[Any, dict[str, Any]]:
    from hub.opendata import services as opendata

    if case == "pilots feed":
        return opendata.feed_statement(session, kind="pilots"), {}
    if case == "lessons feed":
        return opendata.feed_statement(session, kind="lessons"), {}
    if case == "ocds export":
        return opendata.ocds_statement(session), {}
    if case == "ocds published date":
        return opendata.ocds_published_date_statement(session), {}
    return services.download_query(session, PilotFilters(), "en")


@pytest.mark.parametrize("case", FEED_CASES)
def test_open_data_queries_use_an_index(session: Session, case: str) -> None:
    from hub.lessons.models import Lesson, LessonKind

    programmes = [factories.programme(session, code) for code in ("gdca", "gdci", "procirc")]
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for i in range(300):
        # Nearly every record is live and this hub's own, as in a real network; each withdrawn
        # one at a moment of its own (which makes SQLite's statistics misjudge the live ones).
        withdrawn = moment + dt.timedelta(minutes=i) if i % 20 == 0 else None
        pilot = factories.pilot(
            session,
            programmes[i % 3],
            updated_at=moment + dt.timedelta(hours=i),
            withdrawn_at=withdrawn,
            mirrored=i % 10 == 0,
        )
        session.add(
            Lesson(
                programme=programmes[i % 3],
                pilots=[pilot],
                kind=LessonKind.TIP,
                title_en=f"Lesson {i}",
                updated_at=moment + dt.timedelta(hours=i),
                withdrawn_at=withdrawn,
            )
        )
    session.flush()
    dialect = session.get_bind().dialect.name
    # Statistics, as the daily maintenance job (SQLite) and autovacuum (PostgreSQL) keep them;
    # inside the test's transaction, so rolled back.
    session.execute(text("ANALYZE"))
    with explained(session) as plans:
        session.connection().execute(*_open_data_statement(session, case))
    (plan,) = plans
    assert not full_scans(plan, dialect), plan
    assert not [
        line for line in plan.splitlines() if re.search(r"SCAN lessons\b(?! USING)|Seq Scan on lessons", line)
    ]
    indexes = EXPECTED_INDEXES[case]
    if indexes:
        assert any(index in plan for index in indexes), plan
