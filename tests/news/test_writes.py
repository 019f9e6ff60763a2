"""A news item's fields are declared once (hub.news.writes), held against the sync and the connector
target; and its rules hold on its one path, a source's sync."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Item
from connectors.messages import Problem
from connectors.targets import TARGETS
from hub.news.models import NewsItem
from hub.news.writes import FIELDS, NewsItemInput, check_row, errors_of
from hub.sync.kinds import KINDS as SYNCED
from hub.sync.kinds import Lookups
from hub.sync.models import SyncError
from tests import factories
from tests.fields import NOT_FIELDS, input_fields, own_columns
from tests.sync.test_ingest import ingest

PUBLISHED = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def test_the_fields_are_declared_once() -> None:
    assert own_columns(NewsItem) == set(FIELDS)
    assert input_fields(NewsItemInput) == set(FIELDS)
    # A sync clears what a source leaves out, but the date: then it is when the hub first saw it.
    assert set(SYNCED["news"].blank) - NOT_FIELDS == set(FIELDS) - {"published_at"}
    # A source feeds one programme, its own, and tells its language by the titles it gives.
    assert set(TARGETS["news"].fields) == set(FIELDS) - {"programme_id", "source_language"}


def test_the_rules() -> None:
    item = {"source_language": "nl", "title_nl": "Nieuwe deelnemers", "published_at": PUBLISHED}
    assert errors_of(item) == {}
    assert list(errors_of({**item, "title_nl": ""})) == ["title_nl"]
    assert list(errors_of({**item, "source_language": "en", "title_en": ""})) == ["title_en"]
    assert errors_of({"title_nl": ""}) == {}  # not checked without a source language
    with pytest.raises(Problem) as problem:
        check_row({**item, "title_nl": ""})
    assert str(problem.value) == "title_nl: Enter the title in the source language."
    check_row(item)


def test_a_source_gives_its_language_by_the_titles_it_gives_and_needs_one() -> None:
    build, lookups = SYNCED["news"].build, Lookups(product_groups={}, community_ids=set())
    assert build({"title_en": "News", "summary_nl": "<p>Nieuws</p>"}, lookups)["source_language"] == "en"
    assert build({"title_nl": "Nieuws", "title_en": "News"}, lookups)["source_language"] == "en"
    with pytest.raises(Problem, match="title_nl: Enter the title in the source language"):
        build({"summary_nl": "<p>Zonder titel</p>", "published_at": PUBLISHED}, lookups)


def test_a_sync_refuses_an_item_that_breaks_a_rule_and_keeps_the_others(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    source = factories.source(session, programme, "gdca-news", kind="tabular", options={"target": "news"})
    session.commit()
    items = [
        Item("n1", {"title_nl": "Nieuwe deelnemers", "published_at": PUBLISHED}),
        Item("n2", {"summary_nl": "<p>Zonder titel</p>"}),  # a connector lets none such through
    ]
    run = ingest(session, source, list(items))
    assert (run.added, run.failed) == (1, 1)
    error = session.scalars(select(SyncError).where(SyncError.run_id == run.id)).one()
    problem = {"message": "Enter the title in the source language.", "values": {}}
    assert (error.external_id, error.message_values) == ("n2", {"field": "title_nl", "problem": problem})
    stored = session.scalars(select(NewsItem).where(NewsItem.source_id == source.id)).one()
    assert (stored.external_id, stored.source_language, stored.published_at) == ("n1", "nl", PUBLISHED)
