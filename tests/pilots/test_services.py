from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from hub.pilots import services
from hub.pilots.models import PilotStatus
from hub.pilots.services import InvalidFilter, PilotFilters, Sort
from tests import factories


@pytest.fixture
def network(session: Session) -> dict[str, object]:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc", countries=["NL", "DK"])
    furniture = factories.product_group(session, "furniture")
    ict = factories.product_group(session, "ict")
    reuse = factories.strategy(session, "reuse")
    recycle = factories.strategy(session, "recycle")
    pilots = {
        "chairs": factories.pilot(
            session,
            gdca,
            title_nl="Hergebruik van bureaustoelen",
            title_en="Reuse of office chairs",
            summary_nl="Tweedehands meubilair voor de stad",
            summary_en="Second-hand furniture for the city",
            product_group=furniture,
            strategies=[reuse],
            starts_on=dt.date(2018, 3, 1),
            status=PilotStatus.COMPLETED,
            contract_value=Decimal("120000"),
        ),
        "laptops": factories.pilot(
            session,
            gdca,
            title_nl="Laptops als dienst",
            title_en="Laptops as a service",
            product_group=ict,
            strategies=[reuse, recycle],
            starts_on=dt.date(2019, 5, 1),
            contract_value=Decimal("900000"),
        ),
        "bridge": factories.pilot(
            session,
            procirc,
            title_nl="",
            title_en="Circular bridge deck",
            source_language="en",
            country="NL",
            strategies=[recycle],
            starts_on=dt.date(2020, 9, 1),
        ),
        "withdrawn": factories.pilot(
            session,
            procirc,
            title_en="Withdrawn pilot",
            country="DK",
            withdrawn_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
        ),
    }
    return pilots


def titles(session: Session, language: str = "en", **filters: object) -> list[str]:
    page = services.list_pilots(session, filters=PilotFilters(**filters), language=language)  # type: ignore[arg-type]
    return [row.title_en for row in page.rows]


def test_lists_live_pilots_newest_first(session: Session, network: dict[str, object]) -> None:
    assert titles(session) == [
        "Circular bridge deck",
        "Laptops as a service",
        "Reuse of office chairs",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"programme": "gdca"}, ["Laptops as a service", "Reuse of office chairs"]),
        ({"country": "NL"}, ["Circular bridge deck"]),
        ({"product_group": "furniture"}, ["Reuse of office chairs"]),
        ({"strategy": "recycle"}, ["Circular bridge deck", "Laptops as a service"]),
        ({"status": PilotStatus.COMPLETED}, ["Reuse of office chairs"]),
        ({"year": 2019}, ["Laptops as a service"]),
        ({"programme": "gdca", "strategy": "reuse", "year": 2018}, ["Reuse of office chairs"]),
        ({"programme": "procirc", "product_group": "ict"}, []),
    ],
)
def test_filters(
    session: Session, network: dict[str, object], filters: dict[str, object], expected: list[str]
) -> None:
    assert titles(session, **filters) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hergebruik", ["Laptops as a service", "Reuse of office chairs"]),  # a title; a strategy
        ("chairs", ["Reuse of office chairs"]),  # English title
        ("tweedehands", ["Reuse of office chairs"]),  # Dutch summary
        ("LAPTOP", ["Laptops as a service"]),  # prefix, any case
        ("circular deck", ["Circular bridge deck"]),  # every word must match
        ("laptops chairs", []),
        ("Withdrawn", []),  # tombstones never show
        ('"; DROP TABLE pilots; --', []),  # operators and quotes are not query syntax
        ("!!! ---", ["Circular bridge deck", "Laptops as a service", "Reuse of office chairs"]),  # no words
    ],
)
def test_full_text_search_in_both_languages(
    session: Session, network: dict[str, object], query: str, expected: list[str]
) -> None:
    assert titles(session, q=query) == expected


def test_search_sees_later_edits(session: Session, network: dict[str, object]) -> None:
    chairs = network["chairs"]
    chairs.title_en = "Refurbished seating"  # type: ignore[attr-defined]
    chairs.summary_en = "Furniture for the city"  # type: ignore[attr-defined]
    session.flush()
    assert titles(session, q="refurbished") == ["Refurbished seating"]
    assert titles(session, q="office") == []


def test_sorting(session: Session, network: dict[str, object]) -> None:
    assert titles(session, sort=Sort.OLDEST)[0] == "Reuse of office chairs"
    assert titles(session, sort=Sort.VALUE) == [
        "Laptops as a service",
        "Reuse of office chairs",
        "Circular bridge deck",
    ]
    # In Dutch, the untranslated bridge pilot (no Dutch title) sorts last, not first.
    assert titles(session, language="nl", sort=Sort.TITLE) == [
        "Reuse of office chairs",
        "Laptops as a service",
        "Circular bridge deck",
    ]


def test_pagination(session: Session, network: dict[str, object]) -> None:
    page = services.list_pilots(session, filters=PilotFilters(per_page=2, page=2), language="en")
    assert page.total == 3
    assert page.pages == 2
    assert [row.title_en for row in page.rows] == ["Reuse of office chairs"]


def test_rows_carry_strategies_and_fallback_titles(session: Session, network: dict[str, object]) -> None:
    rows = {
        row.title_en: row for row in services.list_pilots(session, filters=PilotFilters(), language="nl").rows
    }
    assert rows["Laptops as a service"].strategies == ["reuse", "recycle"]
    assert rows["Circular bridge deck"].title("nl") == ("Circular bridge deck", True)
    assert rows["Laptops as a service"].title("nl") == ("Laptops als dienst", False)


def test_parse_filters_accepts_known_values(session: Session, network: dict[str, object]) -> None:
    facets = services.facets(session)
    filters = services.parse_filters(
        session,
        {
            "programme": "gdca",
            "country": "BE",
            "status": "running",
            "year": "2019",
            "sort": "title",
            "page": "2",
            "strategy": "reuse",
            "product_group": "ict",
        },
    )
    assert filters == PilotFilters(
        programme="gdca",
        country="BE",
        status=PilotStatus.RUNNING,
        year=2019,
        sort=Sort.TITLE,
        page=2,
        strategy="reuse",
        product_group="ict",
    )
    assert facets.countries == ["BE", "NL"]  # only countries with live pilots
    assert facets.years == [2020, 2019, 2018]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"programme": "nope"}, "programme"),
        ({"country": "FR"}, "country"),
        ({"country": "DK"}, "country"),  # its only pilot is withdrawn
        ({"product_group": "food"}, "product_group"),
        ({"strategy": "sharing"}, "strategy"),
        ({"status": "finished"}, "status"),
        ({"year": "twenty"}, "year"),
        ({"page": "0"}, "page"),
        ({"page": "-3"}, "page"),
        ({"per_page": "500"}, "per_page"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_parse_filters_rejects_unknown_values(
    session: Session, network: dict[str, object], params: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidFilter) as error:
        services.parse_filters(session, params)
    assert error.value.field == field


def test_get_pilot_loads_everything_a_page_shows(session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    city = factories.organisation(session, "Stad Voorbeeld")
    pilot = factories.pilot(
        session, gdca, procurers=[city], strategies=[factories.strategy(session, "reuse")]
    )
    session.expunge_all()
    loaded = services.get_pilot(session, pilot_id=pilot.id)
    assert loaded is not None
    session.expunge_all()  # detached: anything not loaded eagerly would raise now
    assert loaded.programme.code == "gdca"
    assert [p.organisation.name for p in loaded.parties] == ["Stad Voorbeeld"]
    assert [s.code for s in loaded.strategies] == ["reuse"]
    assert services.get_pilot(session, pilot_id=999_999) is None
