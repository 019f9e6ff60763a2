"""The search index follows every write: forms and other ORM writes at once, the sync's bulk
writes through the queue a run leaves, and a rebuild gives the same index."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.base import Item
from hub.pilots import services
from hub.pilots.models import Pilot
from hub.pilots.services import PilotFilters
from hub.scheduler import JOBS
from hub.search import index
from hub.search.models import SearchDocument, SearchPending, SearchState
from hub.sync.ingest import Ingest
from hub.sync.models import RunTrigger, Source
from hub.sync.services import start_run
from tests import factories


def found(session: Session, q: str, language: str = "nl") -> list[str]:
    page = services.list_pilots(session, filters=PilotFilters(q=q), language=language)
    return [row.title_nl or row.title_en for row in page.rows]


@pytest.fixture
def source(session: Session) -> Source:
    programme = factories.programme(session, "gdci")
    factories.product_group(session, "furniture")
    made: Source = factories.source(
        session, programme, "gdci-pilots", kind="tabular", options={"target": "pilot"}
    )
    session.commit()
    return made


def sync(session: Session, source: Source, *rows: dict[str, Any]) -> None:
    run = start_run(session, source=source, trigger=RunTrigger.COMMAND, owner="test")
    work = Ingest(session, source=source, run=run, target="pilot")
    defaults = {"country": "nl", "status": "running", "phase": "tender"}
    work.consume([Item(row["id"], {**defaults, **row}) for row in rows])
    work.withdraw_absent()
    session.commit()


def test_an_orm_write_is_found_at_once_and_its_old_words_are_gone(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    pilot = factories.pilot(
        session, programme, title_nl="Hergebruikte bureaustoelen", title_en="Reused desk seats"
    )
    assert found(session, "stoel") == ["Hergebruikte bureaustoelen"]
    pilot.title_nl = "Straatmeubilair uit gerecycleerd plastic"
    pilot.title_en = "Street furniture from recycled plastic"
    session.flush()
    assert found(session, "stoel") == []
    assert found(session, "meubilair") == ["Straatmeubilair uit gerecycleerd plastic"]


def test_a_renamed_party_finds_its_pilots_by_the_new_name(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    organisation = factories.organisation(session, name="Stad Gent")
    factories.pilot(session, programme, title_nl="Circulaire catering", title_en="", procurers=[organisation])
    assert found(session, "gent") == ["Circulaire catering"]
    organisation.name = "Stad Antwerpen"
    session.flush()
    assert found(session, "gent") == []
    assert found(session, "antwerpen") == ["Circulaire catering"]


def test_the_sync_queues_its_writes_and_the_catch_up_indexes_them(session: Session, source: Source) -> None:
    sync(session, source, {"id": "a", "title_nl": "Hergebruik van kantoormeubilair"})
    assert session.scalar(select(func.count()).select_from(SearchPending)) == 1
    assert found(session, "meubilair") == []  # queued, not yet indexed
    assert index.catch_up_all(session) == 1
    assert found(session, "meubilair") == ["Hergebruik van kantoormeubilair"]
    assert session.scalar(select(func.count()).select_from(SearchPending)) == 0

    sync(session, source, {"id": "a", "title_nl": "Tweedehands laptops"})
    index.catch_up_all(session)
    assert found(session, "meubilair") == []
    assert found(session, "laptop") == ["Tweedehands laptops"]

    sync(session, source, {"id": "b", "title_nl": "Circulaire catering"})  # complete, without "a"
    index.catch_up_all(session)
    assert found(session, "laptop") == []
    assert found(session, "catering") == ["Circulaire catering"]


def test_the_scheduler_catches_up_what_a_stopped_process_left(session: Session, source: Source) -> None:
    sync(session, source, {"id": "a", "title_nl": "Ledverlichting in kantoren"})
    job, _interval = JOBS["search.catch_up"]
    job(session)
    assert found(session, "verlichting") == ["Ledverlichting in kantoren"]


def test_a_rebuild_gives_the_index_the_writes_gave(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    factories.product_group(session, "furniture")
    for title in ("Hergebruikte bureaustoelen", "Circulaire catering", "Straatmeubilair"):
        factories.pilot(session, programme, title_nl=title, title_en=title.lower())
    session.flush()

    def documents() -> list[tuple[Any, ...]]:
        columns = (SearchDocument.kind, SearchDocument.record_id, SearchDocument.title, SearchDocument.about)
        return [tuple(row) for row in session.execute(select(*columns).order_by(SearchDocument.record_id))]

    written = documents()
    assert index.rebuild(session)["pilot"] == 3
    assert documents() == written
    assert session.scalar(select(SearchState.analysis_version)) == index.ANALYSIS_VERSION
    assert index.is_current(session)


def test_an_index_of_another_analysis_is_not_current(session: Session) -> None:
    factories.pilot(session, factories.programme(session, "gdca"))
    session.add(SearchState(id=1, analysis_version=index.ANALYSIS_VERSION - 1))
    session.flush()
    assert not index.is_current(session)


def test_a_withdrawn_pilot_leaves_the_index(session: Session) -> None:
    pilot = factories.pilot(session, factories.programme(session, "gdca"), title_nl="Circulaire bruggen")
    session.flush()
    assert session.scalar(select(func.count()).select_from(SearchDocument)) == 1
    pilot.withdrawn_at = pilot.updated_at
    session.flush()
    assert session.scalar(select(func.count()).select_from(SearchDocument)) == 0
    assert session.get(Pilot, pilot.id) is not None
