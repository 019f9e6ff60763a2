"""The search page over HTTP, in both languages, and the search field in every page's header."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.pilots.models import Pilot
from hub.searchable import KINDS
from tests import factories


@pytest.fixture
def pilots(session: Session) -> dict[str, Pilot]:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc")
    found = {
        "chairs": factories.pilot(
            session,
            gdca,
            title_nl="Hergebruik van bureaustoelen",
            title_en="Reuse of office chairs",
            summary_nl="Tweedehands meubilair voor <de> stad",
            summary_en="Second-hand furniture for the city",
            starts_on=dt.date(2018, 3, 1),
        ),
        "bridge": factories.pilot(
            session,
            procirc,
            title_nl="",
            title_en="Circular bridge deck",
            summary_en="A bridge deck of reused steel",
            source_language="en",
            country="NL",
            starts_on=dt.date(2020, 9, 1),
        ),
    }
    session.commit()
    return found


def results_of(html: str) -> str:
    return html.split('class="search-results"', 1)[1].split("</ol>", 1)[0]


def test_results_in_english_link_to_the_records(client: TestClient, pilots: dict[str, Pilot]) -> None:
    response = client.get("/en/search?q=chairs")
    assert response.status_code == 200
    assert "<title>Search: chairs" in response.text
    results = results_of(response.text)
    assert f'href="/en/pilots/{pilots["chairs"].id}"' in results
    assert "Reuse of office <mark>chairs</mark>" not in results  # the title is a link, not a snippet
    assert "Second-hand furniture for the city" in results  # the snippet of its summary
    assert "Pilots</span>" in results  # the kind
    assert "1 result" in response.text
    assert 'aria-current="page">Everything (1)' in response.text


def test_results_in_dutch(client: TestClient, pilots: dict[str, Pilot]) -> None:
    response = client.get("/nl/search?q=meubilair")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    results = results_of(response.text)
    assert f'href="/nl/pilots/{pilots["chairs"].id}"' in results
    assert "Tweedehands <mark>meubilair</mark> voor" in results
    assert "&lt;de&gt;" in results  # escaped
    assert "Zoeken" in response.text  # the catalog's word for the button


def test_not_yet_translated_is_marked(client: TestClient, pilots: dict[str, Pilot]) -> None:
    response = client.get("/nl/search?q=bridge")
    results = results_of(response.text)
    assert 'lang="en">Circular bridge deck</a>' in results
    assert "badge-untranslated" in results


def test_counts_per_kind_link_to_the_kind(client: TestClient, pilots: dict[str, Pilot]) -> None:
    response = client.get("/en/search?q=reuse&kind=pilot")
    assert response.status_code == 200
    assert 'href="/en/search?q=reuse&amp;kind=pilot" aria-current="page">Pilots (2)' in response.text
    assert 'href="/en/search?q=reuse">Everything (2)' in response.text
    for kind in KINDS[1:]:  # none found: nothing to go to
        assert f'<li class="meta">{kind.label} (0)</li>' in response.text


def test_filters_and_pagination(client: TestClient, session: Session, pilots: dict[str, Pilot]) -> None:
    programme = pilots["chairs"].programme
    for n in range(25):
        factories.pilot(session, programme, title_en=f"Compost bin {n}", title_nl=f"Compostbak {n}")
    session.commit()
    first = client.get("/en/search?q=compost&programme=gdca")
    assert "25 results" in first.text and "page 1 of 2" in first.text
    assert 'href="/en/search?q=compost&amp;programme=gdca&amp;page=2" rel="next"' in first.text
    second = client.get("/en/search?q=compost&programme=gdca&page=2")
    assert second.status_code == 200 and results_of(second.text).count("<li") == 5
    assert client.get("/en/search?q=compost&programme=gdca&page=3").status_code == 404
    assert "0 results" in client.get("/en/search?q=compost&programme=procirc").text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("programme=xyz", "“xyz” is not a valid value for the filter “Programme”."),
        ("country=XX", "“XX” is not a valid value for the filter “Country”."),
        ("year=soon", "“soon” is not a valid value for the filter “Year”."),
        ("kind=secrets", "“secrets” is not a valid value for the filter “Kind”."),
    ],
)
def test_an_unknown_filter_is_a_400_saying_which(client: TestClient, query: str, message: str) -> None:
    response = client.get(f"/en/search?q=reuse&{query}")
    assert response.status_code == 400
    assert message in response.text


def test_an_empty_query_explains(client: TestClient, pilots: dict[str, Pilot]) -> None:
    for path in ("/en/search", "/en/search?q=", "/en/search?q=%21%21%21"):
        response = client.get(path)
        assert response.status_code == 200
        assert "What are you looking for?" in response.text
        assert "search-results" not in response.text
    assert client.get("/nl/search").status_code == 200


def test_nothing_found_suggests_a_spelling_and_the_query_without_filters(
    client: TestClient, pilots: dict[str, Pilot]
) -> None:
    response = client.get("/en/search?q=chiars")
    assert "Nothing was found for “chiars”." in response.text
    assert 'Did you mean: <a href="/en/search?q=chairs">chairs</a>' in response.text
    filtered = client.get("/en/search?q=furniture&country=NL")
    assert "Nothing was found" in filtered.text
    assert re.search(r'<a href="/en/search\?q=furniture">Without the filters: 1 result</a>', filtered.text)


@pytest.mark.parametrize("path", ["/nl/", "/en/", "/nl/pilots", "/en/lessons"])
def test_every_page_has_the_search_field_in_its_header(client: TestClient, path: str) -> None:
    html = client.get(path).text
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    form = re.search(r'<form class="site-search" method="get" action="/(nl|en)/search" role="search"', header)
    assert form and form.group(1) == path[1:3]
    assert re.search(r'<input type="search" name="q" aria-label="[^"]+"', header)


def test_the_pilots_list_shows_a_snippet_of_the_summary(client: TestClient, pilots: dict[str, Pilot]) -> None:
    html = client.get("/en/pilots?q=furniture").text
    assert "Second-hand <mark>furniture</mark> for the city" in html
    assert "<mark>" not in client.get("/en/pilots").text
