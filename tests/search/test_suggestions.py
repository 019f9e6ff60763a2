from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from hub.pilots.models import Pilot
from hub.search import services, suggestions, vocabulary
from hub.search.query import parse
from hub.search.services import SharedFilters
from hub.search.vocabulary import KnownWords
from tests import factories


@pytest.fixture
def network(session: Session) -> dict[str, Pilot]:
    gdca = factories.programme(session, "gdca")
    return {
        "furniture": factories.pilot(
            session,
            gdca,
            title_nl="Hergebruik van meubilair",
            title_en="Reuse of furniture",
            starts_on=dt.date(2019, 1, 1),
        ),
        "laptops": factories.pilot(
            session, gdca, title_nl="Laptops als dienst", title_en="Laptops as a service"
        ),
    }


def suggest(session: Session, typed: str, filters: SharedFilters = services.NO_FILTERS) -> str | None:
    return suggestions.spelling(session, parse(typed), filters, known=KnownWords())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("meubliair", "meubilair"),  # letters swapped
        ("hergebruk", "hergebruik"),  # a letter left out
        ("Hergebruk van meubliair!", "hergebruik van meubilair!"),  # the rest as typed
        ("furnitrue", "furniture"),
        ("laptosp", "laptops"),
    ],
)
def test_misspelt_words_are_corrected(
    session: Session, network: dict[str, Pilot], typed: str, expected: str
) -> None:
    assert not services.counts(session, parse(typed))  # the misspelling finds nothing
    assert suggest(session, typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "zonnepanelen",  # nothing close
        "meubilair",  # known already
        "xqzv",  # too far from every word
        "",
        "!!!",
    ],
)
def test_no_suggestion(session: Session, network: dict[str, Pilot], typed: str) -> None:
    assert suggest(session, typed) is None


def test_a_suggestion_that_finds_nothing_is_not_offered(session: Session, network: dict[str, Pilot]) -> None:
    assert suggest(session, "meubliair", SharedFilters(year=2019)) == "meubilair"
    assert suggest(session, "meubliair", SharedFilters(year=2020)) is None  # it would find nothing either
    assert suggest(session, "meubliair laptops") is None  # no pilot is about both


def test_without_filters(session: Session, network: dict[str, Pilot]) -> None:
    query = parse("meubilair")
    assert not services.counts(session, query, SharedFilters(year=2020))
    assert suggestions.without_filters(session, query) >= 1


def test_known_words_are_kept_and_follow_new_words(session: Session, network: dict[str, Pilot]) -> None:
    now = [0.0]
    known = KnownWords(clock=lambda: now[0])
    words = known.of(session).words
    assert {"meubilair", "hergebruik", "laptops"} <= words and "van" not in words  # 4 letters or more
    assert known.of(session).words is words  # kept
    factories.pilot(session, network["furniture"].programme, title_nl="Zonnepanelen", title_en="Solar panels")
    assert "zonnepanelen" in known.of(session).words  # the table changed
    kept = known.of(session).words
    now[0] = vocabulary.REFRESH_SECONDS + 1
    assert known.of(session).words is not kept  # read again after a minute
    assert suggestions.spelling(session, parse("zonnepanellen"), known=known) == "zonnepanelen"


def test_how_far_a_word_may_be() -> None:
    assert vocabulary.max_edits("stoel") == 1
    assert vocabulary.max_edits("meubilair") == 2
