"""Items meet the database: added, updated, unchanged (no write), withdrawn, errors kept per item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from connectors.base import Item, ItemError
from connectors.messages import Problem
from hub.db import utcnow
from hub.news.models import NewsItem
from hub.pilots.models import Pilot
from hub.sync.ingest import Ingest
from hub.sync.models import RunTrigger, Source, SyncError, SyncRun
from hub.sync.services import start_run
from tests import factories


@pytest.fixture
def pilot_source(session: Session) -> Source:
    programme = factories.programme(session, "gdci")
    factories.product_group(session, "ict")
    source: Source = factories.source(
        session, programme, "gdci-pilots", kind="tabular", options={"target": "pilot"}
    )
    session.commit()
    return source


def pilot_item(external_id: str, **fields: Any) -> Item:
    values = {"title_nl": f"Pilot {external_id}", "country": "nl", "status": "running", "phase": "tender"}
    return Item(external_id, {**values, **fields}, url=f"https://example.org/pilots/{external_id}")


def ingest(
    session: Session, source: Source, items: list[Item | ItemError], *, complete: bool = True
) -> SyncRun:
    run = start_run(session, source=source, trigger=RunTrigger.COMMAND, owner="test")
    work = Ingest(session, source=source, run=run, target=str(source.options["target"]))
    work.consume(items)
    if complete:
        work.withdraw_absent()
    session.commit()
    return run


def pilots(session: Session, source: Source) -> dict[str, Pilot]:
    session.expire_all()
    return {
        p.external_id or "": p for p in session.scalars(select(Pilot).where(Pilot.source_id == source.id))
    }


def counts(run: SyncRun) -> tuple[int, int, int, int, int]:
    return run.added, run.updated, run.unchanged, run.deleted, run.failed


def test_first_sync_adds_then_updates_unchanged_and_withdraws(session: Session, pilot_source: Source) -> None:
    first = ingest(session, pilot_source, [pilot_item("a"), pilot_item("b"), pilot_item("c")])
    assert counts(first) == (3, 0, 0, 0, 0)
    stored = pilots(session, pilot_source)
    assert stored["a"].title_nl == "Pilot a" and stored["a"].country == "NL"
    assert stored["a"].origin_url == "https://example.org/pilots/a"
    assert stored["a"].home_hub == pilot_source.name  # read-only in the workspace

    second = ingest(session, pilot_source, [pilot_item("a", title_nl="Nieuwe titel"), pilot_item("b")])
    assert counts(second) == (0, 1, 1, 1, 0)
    stored = pilots(session, pilot_source)
    assert stored["a"].title_nl == "Nieuwe titel"
    assert stored["c"].withdrawn_at is not None and stored["b"].withdrawn_at is None

    back = ingest(
        session, pilot_source, [pilot_item("a", title_nl="Nieuwe titel"), pilot_item("b"), pilot_item("c")]
    )
    assert counts(back) == (0, 1, 2, 0, 0)  # c returns: no longer withdrawn
    assert pilots(session, pilot_source)["c"].withdrawn_at is None


def test_an_unchanged_resync_writes_nothing(session: Session, pilot_source: Source) -> None:
    items: list[Item | ItemError] = [pilot_item(str(n)) for n in range(50)]
    ingest(session, pilot_source, items)
    writes: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT INTO PILOTS", "UPDATE PILOTS")):
            writes.append(statement)

    bind = session.connection()
    event.listen(bind.engine, "before_cursor_execute", record)
    try:
        run = ingest(session, pilot_source, items)
    finally:
        event.remove(bind.engine, "before_cursor_execute", record)
    assert counts(run) == (0, 0, 50, 0, 0)
    assert writes == []


def test_fields_edited_locally_survive_the_next_sync(session: Session, pilot_source: Source) -> None:
    ingest(session, pilot_source, [pilot_item("a")])
    pilot = pilots(session, pilot_source)["a"]
    group = factories.product_group(session, "ict")
    pilot.title_en = "Translated here"
    pilot.product_group_id = group.id
    pilot.local_fields = ["title_en", "product_group_id"]
    session.commit()

    run = ingest(session, pilot_source, [pilot_item("a", title_nl="Gewijzigd", title_en="From the source")])
    assert counts(run) == (0, 1, 0, 0, 0)
    pilot = pilots(session, pilot_source)["a"]
    assert pilot.title_nl == "Gewijzigd"
    assert pilot.title_en == "Translated here"
    assert pilot.product_group_id == group.id


def test_one_bad_entry_among_a_thousand(session: Session, pilot_source: Source) -> None:
    items: list[Item | ItemError] = [pilot_item(str(n)) for n in range(1000)]
    items[500] = pilot_item("500", product_group="no-such-group")
    run = ingest(session, pilot_source, items)
    assert counts(run) == (999, 0, 0, 0, 1)
    assert len(pilots(session, pilot_source)) == 999
    error = session.scalars(select(SyncError).where(SyncError.run_id == run.id)).one()
    assert error.external_id == "500" and error.position == 501
    assert "product group" in error.message % error.message_values
    assert error.url == "https://example.org/pilots/500"


def test_an_unreadable_entry_is_not_withdrawn(session: Session, pilot_source: Source) -> None:
    ingest(session, pilot_source, [pilot_item("a"), pilot_item("b")])
    unreadable = ItemError(Problem("starts_on: not a date"), external_id="b", position=2)
    run = ingest(session, pilot_source, [pilot_item("a"), unreadable])
    assert counts(run) == (0, 0, 1, 0, 1)
    assert pilots(session, pilot_source)["b"].withdrawn_at is None


def test_duplicated_external_ids_keep_the_first(session: Session, pilot_source: Source) -> None:
    run = ingest(
        session, pilot_source, [pilot_item("a", title_nl="Eerste"), pilot_item("a", title_nl="Tweede")]
    )
    assert counts(run) == (1, 0, 0, 0, 1)
    assert pilots(session, pilot_source)["a"].title_nl == "Eerste"
    error = session.scalars(select(SyncError).where(SyncError.run_id == run.id)).one()
    assert "more than once" in error.message


def test_wrong_vocabulary_and_references_are_errors_not_crashes(
    session: Session, pilot_source: Source
) -> None:
    run = ingest(
        session,
        pilot_source,
        [
            pilot_item("status", status="dreaming"),
            pilot_item("country", country="xx"),
            pilot_item("grouping", country="eu"),  # a code Babel knows, but not a country
            pilot_item("dates", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2019, 1, 1)),
            pilot_item("long", title_nl="x" * 301),
            pilot_item("ok"),
        ],
    )
    assert counts(run) == (1, 0, 0, 0, 5)
    messages = [
        e.message % e.message_values
        for e in session.scalars(select(SyncError).where(SyncError.run_id == run.id))
    ]
    assert any("dreaming" in m for m in messages)
    assert any("country" in m for m in messages)


def test_an_empty_complete_listing_withdraws_nothing(session: Session, pilot_source: Source) -> None:
    ingest(session, pilot_source, [pilot_item("a")])
    with pytest.raises(Problem, match="listed no records"):
        ingest(session, pilot_source, [])
    session.rollback()
    assert pilots(session, pilot_source)["a"].withdrawn_at is None


def test_news_html_is_sanitised_on_ingest(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    source: Source = factories.source(session, programme, "gdca-news")
    session.commit()
    hostile = (
        '<p onclick="steal()">Nieuws <script>alert(1)</script><a href="javascript:alert(2)">klik</a>'
        '<iframe src="https://evil.example"></iframe><img src=x onerror=alert(3)><strong>vet</strong></p>'
    )
    ingest(
        session,
        source,
        [
            Item(
                "n1",
                {"title_nl": "Nieuws", "summary_nl": hostile, "published_at": utcnow()},
                "https://example.org/n1",
            )
        ],
    )
    item = session.scalars(select(NewsItem).where(NewsItem.source_id == source.id)).one()
    assert (
        item.summary_nl == '<p>Nieuws <a rel="noopener noreferrer nofollow">klik</a><strong>vet</strong></p>'
    )


def test_pilot_summaries_keep_only_text(session: Session, pilot_source: Source) -> None:
    ingest(
        session,
        pilot_source,
        [pilot_item("a", summary_nl="<p>Een <b>circulaire</b> aankoop &amp; meer<script>x()</script></p>")],
    )
    assert pilots(session, pilot_source)["a"].summary_nl == "Een circulaire aankoop & meer"


def test_synced_organisations_take_part_in_the_programme(session: Session) -> None:
    from hub.organisations.models import Organisation, Participation, Role

    programme = factories.programme(session, "gdca2")
    source: Source = factories.source(session, programme, "gdca-members", options={"target": "organisation"})
    session.commit()
    row = {"name": "Stad Gent", "sector": "public", "country": "be", "role": "procurer"}
    run = ingest(session, source, [Item("gent", row), Item("antwerpen", {**row, "name": "Stad Antwerpen"})])
    assert counts(run) == (2, 0, 0, 0, 0)
    again = ingest(session, source, [Item("gent", row), Item("antwerpen", {**row, "name": "Stad Antwerpen"})])
    assert counts(again) == (0, 0, 2, 0, 0)
    organisations = session.scalars(select(Organisation).where(Organisation.source_id == source.id)).all()
    roles = session.scalars(
        select(Participation.role).where(Participation.organisation_id.in_([o.id for o in organisations]))
    ).all()
    assert sorted(o.name for o in organisations) == ["Stad Antwerpen", "Stad Gent"]
    assert roles == [Role.PROCURER, Role.PROCURER]


def _stream(n: int) -> Iterator[Item | ItemError]:
    for i in range(n):
        yield pilot_item(str(i))


def test_a_first_fill_shows_postgresql_its_rows_after_the_first_batch(
    session: Session, pilot_source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL plans a batch's lookups by the table's statistics: those of an empty table make it
    scan every row per batch (a 100,000-row first sync took 20 times longer, ``bench/sync.py``).
    After the first batch of a first fill the table is analysed, once; a later run does not."""
    monkeypatch.setattr("hub.sync.ingest.BATCH", 20)
    analysed: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("ANALYZE"):
            analysed.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        first = ingest(session, pilot_source, [pilot_item(f"p{n}") for n in range(50)])
        again = ingest(session, pilot_source, [pilot_item(f"p{n}", title_nl="Nieuw") for n in range(50)])
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert counts(first)[0] == 50 and counts(again)[1] == 50
    if engine.dialect.name == "postgresql":
        assert analysed == ["ANALYZE pilots"]
        tuples = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'pilots'"))
        assert tuples is not None and tuples >= 20  # -1: never analysed
    else:
        assert analysed == []  # SQLite walks the unique index without statistics
