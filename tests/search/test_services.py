from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from hub.filters import InvalidFilter
from hub.pilots.models import Pilot
from hub.search import services
from hub.search.query import parse
from hub.search.services import SharedFilters
from tests import factories
from tests.search.conftest import Notes


@pytest.fixture
def network(session: Session) -> dict[str, Pilot]:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc", countries=["NL", "DK"])
    furniture = factories.product_group(session, "furniture")
    return {
        "chairs": factories.pilot(
            session,
            gdca,
            title_nl="Hergebruik van bureaustoelen",
            title_en="Reuse of office chairs",
            summary_nl="Tweedehands meubilair voor de stad",
            summary_en="Second-hand furniture for the city",
            product_group=furniture,
            starts_on=dt.date(2018, 3, 1),
        ),
        "tables": factories.pilot(
            session,
            procirc,
            title_nl="Circulaire tafels",
            title_en="Circular tables",
            summary_nl="Gerecycleerd hout",
            summary_en="Recycled wood",
            product_group=furniture,
            country="NL",
            starts_on=dt.date(2020, 9, 1),
        ),
        "laptops": factories.pilot(
            session,
            gdca,
            title_nl="Laptops als dienst",
            title_en="Laptops as a service",
            summary_en="Devices leased, not bought, and refurbished with reused parts",
            starts_on=dt.date(2019, 5, 1),
        ),
    }


def found(session: Session, q: str, **options: object) -> list[tuple[str, str]]:
    results = services.search(session, parse(q), language="en", **options)  # type: ignore[arg-type]
    return [(result.kind.name, result.card.title) for result in results.items]


def test_counts_per_kind_and_results_of_every_kind(
    session: Session, network: dict[str, Pilot], notes: Notes
) -> None:
    notes.add(session, 1, "Furniture notes", "What the buyers said")
    notes.add(session, 2, "Laptop notes")
    results = services.search(session, parse("furniture"), language="en")
    assert results.counts["pilot"] == 2 and results.counts["note"] == 1
    assert results.total == results.found == sum(results.counts.values())
    assert ("note", "Furniture notes") in [(r.kind.name, r.card.title) for r in results.items]
    assert services.counts(session, parse("laptop"))["note"] == 1


def test_a_kind_chosen(session: Session, network: dict[str, Pilot], notes: Notes) -> None:
    notes.add(session, 1, "Furniture notes")
    results = services.search(session, parse("furniture"), language="en", kind="note")
    assert [r.card.title for r in results.items] == ["Furniture notes"]
    assert results.total == 1 and results.counts["pilot"] == 2  # the other kinds still counted


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SharedFilters(programme="gdca"), ["Reuse of office chairs"]),
        (SharedFilters(programme="procirc"), ["Circular tables"]),
        (SharedFilters(product_group="furniture", country="NL"), ["Circular tables"]),
        (SharedFilters(year=2018), ["Reuse of office chairs"]),
        (SharedFilters(country="DK"), []),
    ],
)
def test_shared_filters(
    session: Session, network: dict[str, Pilot], filters: SharedFilters, expected: list[str]
) -> None:
    assert (
        sorted(title for _kind, title in found(session, "furniture", filters=filters, kind="pilot"))
        == expected
    )
    assert services.counts(session, parse("furniture"), filters).get("pilot", 0) == len(expected)


def test_filters_apply_to_every_kind(session: Session, network: dict[str, Pilot], notes: Notes) -> None:
    notes.add(session, 1, "Furniture notes", year=2020, country="NL")
    notes.add(session, 2, "Furniture notes of 2018", year=2018)
    assert sorted(found(session, "furniture", filters=SharedFilters(year=2020))) == [
        ("note", "Furniture notes"),
        ("pilot", "Circular tables"),
    ]
    in_nl = services.counts(session, parse("furniture"), SharedFilters(country="NL"))
    assert (in_nl["note"], in_nl["pilot"]) == (1, 1)


def test_pagination(session: Session, network: dict[str, Pilot], notes: Notes) -> None:
    for n in range(1, 6):
        notes.add(session, n, f"Bench number {n}")
    pages = [
        services.search(session, parse("bench"), language="en", page=page, per_page=2) for page in (1, 2, 3)
    ]
    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert all(page.total == 5 and page.pages == 3 for page in pages)
    titles = [result.card.title for page in pages for result in page.items]
    assert sorted(titles) == [f"Bench number {n}" for n in range(1, 6)]  # each once
    assert services.search(session, parse("bench"), language="en", page=4, per_page=2).items == []


def test_title_matches_rank_first(session: Session, network: dict[str, Pilot]) -> None:
    # "reused" is in the laptops' summary; the chairs have "reuse" in their title.
    assert found(session, "reused", kind="pilot") == [
        ("pilot", "Reuse of office chairs"),
        ("pilot", "Laptops as a service"),
    ]


def test_order_is_rank_then_kind_then_id(session: Session, notes: Notes) -> None:
    for n in (3, 1, 2):
        notes.add(session, n, "Same words")
    assert [r.record_id for r in services.search(session, parse("same words"), language="en").items] == [
        1,
        2,
        3,
    ]


def test_a_record_without_a_card_is_left_out(session: Session, notes: Notes) -> None:
    notes.add(session, 1, "Compost one")
    notes.add(session, 2, "Compost two")
    notes.gone.add(1)
    assert [r.card.title for r in services.search(session, parse("compost"), language="en").items] == [
        "Compost two"
    ]


def test_no_words_no_results(session: Session, network: dict[str, Pilot]) -> None:
    for typed in ("", "   ", "!!! --- ()", "de het the"):
        results = services.search(session, parse(typed), language="en")
        assert results.items == [] and results.counts == {} and results.total == 0


def test_query_syntax_is_text(session: Session, network: dict[str, Pilot]) -> None:
    for typed in ('"furniture', "furniture OR laptops", "furn*", "NEAR(a b)", "a:b ^c -d % _ \\ \x00 🪑"):
        services.search(session, parse(typed), language="en", filters=SharedFilters(country="NL"))


def test_parse_filters(session: Session, network: dict[str, Pilot]) -> None:
    filters = services.parse_filters(
        session,
        {
            "q": "stoel",
            "programme": "gdca",
            "product_group": "furniture",
            "country": "NL",
            "year": "2020",
            "kind": "pilot",
            "page": "2",
        },
    )
    assert filters.q == "stoel" and filters.query
    assert filters.shared == SharedFilters("gdca", "furniture", "NL", 2020) and filters.shared.active
    assert filters.kind == "pilot" and filters.page == 2
    assert services.parse_filters(session, {}) == services.SearchFilters()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("programme", "nope"),
        ("product_group", "nope"),
        ("country", "XX"),
        ("year", "20x0"),
        ("year", "99999"),
        ("kind", "secrets"),
        ("page", "0"),
    ],
)
def test_parse_filters_refuses_unknown_values(
    session: Session, network: dict[str, Pilot], field: str, value: str
) -> None:
    with pytest.raises(InvalidFilter) as refused:
        services.parse_filters(session, {field: value})
    assert refused.value.field == field and refused.value.status == 400
