"""A search of a word most records have stays bounded: each kind is counted up to COUNT_CAP
("more than") and its RANKED most recent matches are ranked and shown; below the bounds every
match is counted and ranked. The bounds are lowered here, so that a few notes cross them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.search import query, services
from hub.search.models import KIND_SPAN, SearchDocument, document_id
from hub.search.query import best_first, completed, from_the_index, parse
from hub.search.snippets import snippet
from hub.search.vocabulary import Vocabulary
from tests import factories
from tests.search.conftest import Notes


@pytest.fixture
def low_bounds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(query, "COUNT_CAP", 3)
    monkeypatch.setattr(query, "RANKED", 2)
    services._count_statement.cache_clear()
    services._page_statement.cache_clear()
    yield
    services._count_statement.cache_clear()
    services._page_statement.cache_clear()


@pytest.fixture
def oaks(session: Session, notes: Notes) -> Notes:
    notes.add(session, 1, "Oak oak oak table")  # the best match, but the oldest
    for record_id in range(2, 6):
        notes.add(session, record_id, "Oak table")
    notes.add(session, 6, "Oak table of oak")  # better than 7, among the two most recent
    notes.add(session, 7, "Oak table")
    notes.add(session, 8, "Beech table")
    session.flush()
    return notes


def test_a_documents_id_tells_its_kind_and_record(session: Session, oaks: Notes) -> None:
    ids = session.scalars(select(SearchDocument.id).where(SearchDocument.kind == "note")).all()
    assert sorted(ids) == [document_id(99, n) for n in range(1, 9)]
    assert divmod(document_id(99, 7), KIND_SPAN) == (99, 7)


@pytest.mark.usefixtures("low_bounds")
def test_beyond_the_cap_a_kind_is_counted_as_more_and_its_most_recent_are_ranked(
    session: Session, oaks: Notes
) -> None:
    results = services.search(session, parse("oak"), language="en", per_page=1)
    assert results.counts["note"] == 4  # COUNT_CAP + 1: more than 3
    assert results.beyond == {"note"} and results.more
    assert (results.total, results.found, results.count_of("note")) == (3, 3, 3)
    assert (results.shown, results.pages) == (2, 2)
    assert [r.record_id for r in results.items] == [6]
    second = services.search(session, parse("oak"), language="en", per_page=1, page=2)
    assert [r.record_id for r in second.items] == [7]


@pytest.mark.usefixtures("low_bounds")
def test_within_the_bounds_every_match_is_counted_and_ranked(session: Session, oaks: Notes) -> None:
    results = services.search(session, parse("beech"), language="en")
    assert results.counts["note"] == 1 and not results.more and not results.beyond
    assert [r.record_id for r in results.items] == [8]


def test_without_bounds_the_best_match_comes_first_whatever_its_age(session: Session, oaks: Notes) -> None:
    results = services.search(session, parse("oak"), language="en")
    assert results.counts["note"] == 7 and not results.more
    assert [r.record_id for r in results.items][:2] == [1, 6]


def test_both_ways_of_reading_a_kinds_newest_matches_agree(session: Session, oaks: Notes) -> None:
    """A kind with many matches is read from its newest document (``dense``); one with few from
    the index and sorted: the same matches either way."""
    connection = session.connection()
    dialect = connection.dialect.name
    params = {"search": parse("oak").expression(dialect), "limit": 10, "offset": 0}
    found = {}
    for dense in (frozenset(), frozenset({99})):
        with from_the_index(connection, newest_first=True):
            rows = connection.execute(best_first(dialect, (99,), dense=dense), params).all()
        found[dense] = [row.id - document_id(99, 0) for row in rows]
    assert found[frozenset()] == found[frozenset({99})]
    assert sorted(found[frozenset()]) == list(range(1, 8))


def test_a_complete_word_is_not_also_a_prefix_but_a_word_being_typed_is() -> None:
    assert not parse("materiaal").words[-1].prefix
    assert not parse("hergebruik").words[-1].prefix
    assert parse("rijkswat").words[-1].prefix
    assert parse("dienst i").words[-1].prefix


@pytest.mark.usefixtures("low_bounds")
def test_the_page_says_more_than_the_cap_and_why_only_some_are_shown(
    client: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    for number in range(5):
        factories.pilot(session, gdca, title_nl=f"Houten brug {number}", title_en=f"Wooden bridge {number}")
    session.commit()
    english = client.get("/en/search", params={"q": "bridge"}).text
    assert "3+ results" in english and "Pilots (3+)" in english
    assert "the 2 most recent of each kind are ranked and shown" in english
    dutch = client.get("/nl/search", params={"q": "brug"}).text
    assert "3+ resultaten" in dutch
    # The two shown fill one page: there is no second.
    assert client.get("/en/search", params={"q": "bridge", "page": "2"}).status_code == 404


@pytest.mark.usefixtures("low_bounds")
def test_the_pilots_list_bounds_a_search_by_relevance_and_counts_all_otherwise(
    client: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    for number in range(5):
        factories.pilot(session, gdca, title_nl=f"Houten brug {number}", title_en=f"Wooden bridge {number}")
    session.commit()
    relevance = client.get("/en/pilots", params={"q": "bridge"}).text
    assert "3+ pilots" in relevance
    assert "the 2 most recent are ranked and shown" in relevance
    newest = client.get("/en/pilots", params={"q": "bridge", "sort": "newest"}).text
    assert "5 pilots" in newest and "most recent are ranked" not in newest


def test_a_compound_the_glossary_knows_is_not_split_into_parts() -> None:
    """Its concept says what the parts would; "aankoop" alone would match every record."""
    known = parse("tweedehandsaankoop").words[0]
    assert known.parts == () and "secondhand" in known.stems
    assert parse("kantoormeubilair").words[0].parts  # unknown to the glossary: split


def test_a_last_word_in_its_own_right_is_completed_with_the_known_longer_words(
    session: Session, notes: Notes
) -> None:
    """Not a prefix (which merges every term it begins) but the index's words of titles and names
    that begin with it: "voorbeeld" finds "Voorbeeldegem", "rijkswat" is still a prefix."""
    notes.add(session, 1, "Stad Voorbeeldegem")
    notes.add(session, 2, "Rijkswaterstaat")
    notes.add(session, 3, "Een voorbeeld")
    session.flush()
    assert {r.record_id for r in services.search(session, parse("voorbeeld"), language="en").items} == {1, 3}
    assert [r.record_id for r in services.search(session, parse("rijkswat"), language="en").items] == [2]
    assert not services.search(session, parse("voorbeeld stad"), language="en").items  # the last word only


def test_the_snippet_marks_the_words_a_completed_last_word_found() -> None:
    searched = completed(parse("voorbeeld"), Vocabulary.of(["voorbeeldegem", "stad"]))
    assert "<mark>Voorbeeldegem</mark>" in snippet("Stad Voorbeeldegem, een voorbeeld", searched)
    assert "<mark>Voorbeeldegem</mark>" not in snippet("Stad Voorbeeldegem", parse("voorbeeld"))
