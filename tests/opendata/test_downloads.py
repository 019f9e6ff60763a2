"""CSV and JSON downloads of the public lists: whole lists, the page's filters, safe CSV cells.

The pilot JSON download took over the use case of the former ``GET /api/v1/pilots`` (now the
federation API's path); its tests moved here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.opendata.downloads import COLUMNS, flatten
from hub.organisations.models import Role
from hub.pilots import services
from hub.pilots.models import PilotStatus
from tests import factories
from tests.opendata.conftest import T0, news_item

PILOT_COLUMNS = [
    "id", "uid", "url", "title_nl", "title_en", "summary_nl", "summary_en", "source_language",
    "programme", "country", "product_group", "strategies", "phase", "status", "starts_on", "ends_on",
    "contract_value_amount", "contract_value_currency", "home_hub", "demo", "updated_at",
]  # fmt: skip


def rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def header(response: Any) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def make_pilots(session: Session, n: int) -> None:
    gdca = factories.programme(session, "gdca")
    reuse = factories.strategy(session, "reuse")
    for i in range(n):
        factories.pilot(
            session,
            gdca,
            title_en=f"Pilot {i:03}",
            strategies=[reuse],
            starts_on=dt.date(2018, 1, 1) + dt.timedelta(days=i),
            contract_value=Decimal("1000.50") if i == 0 else None,
        )
    session.commit()


def test_the_pilot_download_is_the_whole_filtered_list_not_a_page(
    client: TestClient, session: Session
) -> None:
    make_pilots(session, services.PAGE_SIZE + 5)
    factories.pilot(session, factories.programme(session, "other"), title_en="Elsewhere")
    session.commit()
    # Paging parameters are ignored: a download is the whole list (even a per_page the page refuses).
    response = client.get("/en/pilots.json?programme=gdca&page=2&per_page=1000&sort=oldest")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    titles = [pilot["title"]["en"] for pilot in response.json()]
    assert titles == [f"Pilot {i:03}" for i in range(services.PAGE_SIZE + 5)]
    csv_rows = rows(client.get("/en/pilots.csv?programme=gdca"))
    assert len(csv_rows) == services.PAGE_SIZE + 5
    assert csv_rows[0]["title_en"] == f"Pilot {services.PAGE_SIZE + 4:03}"  # newest first, as the page


def test_pilot_document(client: TestClient, session: Session) -> None:
    make_pilots(session, 1)
    (pilot,) = client.get("/en/pilots.json").json()
    assert pilot["programme"] == "gdca"
    assert pilot["strategies"] == ["reuse"]
    assert pilot["status"] == "running"
    assert pilot["starts_on"] == "2018-01-01"
    assert pilot["contract_value"] == {"amount": "1000.50", "currency": "EUR"}
    assert pilot["url"] == f"http://testserver/en/pilots/{pilot['id']}"
    assert pilot["title"] == {"nl": pilot["title"]["nl"], "en": "Pilot 000"}
    assert len(pilot["uid"]) == 36
    assert client.get("/nl/pilots.json").json()[0]["url"] == f"http://testserver/nl/pilots/{pilot['id']}"


def test_pilot_csv_has_stable_columns_and_bilingual_text_in_two(client: TestClient, session: Session) -> None:
    make_pilots(session, 1)
    response = client.get("/nl/pilots.csv")
    assert header(response) == PILOT_COLUMNS
    (row,) = rows(response)
    assert row["title_en"] == "Pilot 000"
    assert row["strategies"] == "reuse"
    assert row["contract_value_amount"] == "1000.50"
    assert row["contract_value_currency"] == "EUR"
    assert row["demo"] == "false"
    assert row["home_hub"] == ""
    assert row["url"] == f"http://testserver/nl/pilots/{row['id']}"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="pilots-') and disposition.endswith('.csv"')


def test_the_pilot_download_uses_the_pages_filters(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    ict = factories.product_group(session, "ict")
    factories.pilot(session, gdca, title_en="Laptops", product_group=ict, status=PilotStatus.COMPLETED)
    factories.pilot(session, gdca, title_en="Chairs", status=PilotStatus.COMPLETED)
    factories.pilot(session, gdca, title_en="Laptop bags", product_group=ict, withdrawn_at=T0)
    session.commit()
    assert [p["title"]["en"] for p in client.get("/en/pilots.json?product_group=ict").json()] == ["Laptops"]
    assert [r["title_en"] for r in rows(client.get("/en/pilots.csv?q=chairs&status=completed"))] == ["Chairs"]


def test_invalid_filter_is_a_400_json_error(client: TestClient, session: Session) -> None:
    make_pilots(session, 1)
    response = client.get("/nl/pilots.json?status=done")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_filter"
    assert error["field"] == "status"
    assert "geen geldige waarde" in error["message"]
    # The CSV download is followed from a page: its error is a page too.
    page = client.get("/en/pilots.csv?programme=nope")
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "title", ['=HYPERLINK("http://evil")', "+31 6", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_csv_cells_never_start_a_formula(client: TestClient, session: Session, title: str) -> None:
    gdca = factories.programme(session, "gdca")
    factories.pilot(session, gdca, title_en=title, title_nl="Gewone titel")
    session.commit()
    (row,) = rows(client.get("/en/pilots.csv"))
    assert row["title_en"] == "'" + title
    assert row["title_nl"] == "Gewone titel"


def test_json_and_csv_give_the_same_fields(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    city = factories.organisation(session, "Stad Gent")
    factories.participation(session, gdca, city)
    factories.pilot(session, gdca, contract_value=Decimal(10))  # (no value: no contract_value object)
    news_item(session, gdca)
    session.commit()
    for kind in COLUMNS:
        documents = client.get(f"/en/{kind}.json").json()
        assert documents, kind
        assert set(flatten(documents[0])) == set(COLUMNS[kind]), kind
        assert header(client.get(f"/en/{kind}.csv")) == list(COLUMNS[kind])


def test_the_organisation_download_uses_the_pages_filters(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    procirc = factories.programme(session, "procirc")
    ghent = factories.organisation(session, "Stad Gent", city="Gent", description_nl="Een stad.")
    factories.participation(session, gdca, ghent)
    factories.participation(session, procirc, ghent, Role.PROJECT_PARTNER)
    shift = factories.organisation(session, "The Shift")
    factories.participation(session, gdca, shift, Role.FACILITATOR)
    factories.organisation(session, "Gone", withdrawn_at=T0)
    session.commit()

    everyone = client.get("/en/organisations.json").json()
    assert [o["name"] for o in everyone] == ["Stad Gent", "The Shift"]
    assert everyone[0]["participations"] == ["gdca:procurer", "procirc:project_partner"]
    assert everyone[0]["description"] == {"nl": "Een stad.", "en": None}
    assert everyone[0]["url"] == f"http://testserver/en/organisations/{ghent.id}"
    (row,) = rows(client.get("/en/organisations.csv?role=facilitator&page=3"))
    assert row["name"] == "The Shift"
    assert row["participations"] == "gdca:facilitator"
    assert client.get("/en/organisations.json?role=nobody").status_code == 400


def test_programme_and_news_downloads(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca", name_nl="Green Deal Circulair Aankopen", countries=["BE"])
    factories.programme(session, "gone", withdrawn_at=T0)
    news_item(session, gdca, title_en="Older", published_at=T0 - dt.timedelta(days=1))
    news_item(session, gdca, title_en="Newer", summary_en="<p>Desks</p>", origin_url="https://example.org/1")
    news_item(session, gdca, title_en="Withdrawn", withdrawn_at=T0)
    session.commit()

    (programme,) = rows(client.get("/nl/programmes.csv"))
    assert programme["code"] == "gdca"
    assert programme["name_nl"] == "Green Deal Circulair Aankopen"
    assert programme["countries"] == "BE"
    assert programme["url"] == "http://testserver/nl/programmes/gdca"
    news = client.get("/en/news.json").json()
    assert [item["title"]["en"] for item in news] == ["Newer", "Older"]
    assert news[0]["summary_html"] == {"nl": None, "en": "<p>Desks</p>"}
    assert news[0]["url"] == "https://example.org/1"
    assert news[0]["published_at"] == "2024-03-01T12:00:00+00:00"
    assert [row["title_en"] for row in rows(client.get("/en/news.csv"))] == ["Newer", "Older"]


def test_downloads_are_read_in_chunks(session: Session) -> None:
    make_pilots(session, 5)
    chunks = list(
        services.iter_pilot_rows(
            session, filters=services.PilotFilters(sort=services.Sort.OLDEST), language="en", chunk=2
        )
    )
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert [row.title_en for chunk in chunks for row in chunk] == [f"Pilot {i:03}" for i in range(5)]
    assert all(row.strategies == ["reuse"] for chunk in chunks for row in chunk)


def test_list_pages_link_their_downloads_with_their_filters(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    factories.participation(session, gdca, factories.organisation(session, "Stad Gent"))
    factories.pilot(session, gdca)
    news_item(session, gdca)
    session.commit()
    pilots = client.get("/en/pilots?programme=gdca&page=1").text
    assert '<a href="/en/pilots.csv?programme=gdca" type="text/csv">CSV' in pilots
    assert '<a href="/en/pilots.json?programme=gdca" type="application/json">JSON' in pilots
    organisations = client.get("/nl/organisations?q=gent&role=procurer").text
    assert 'href="/nl/organisations.csv?q=gent&amp;role=procurer"' in organisations
    assert 'href="/en/programmes.csv"' in client.get("/en/programmes").text
    assert 'href="/en/news.json"' in client.get("/en/news").text
    # No rows, nothing to download.
    assert "pilots.csv" not in client.get("/en/pilots?q=nothingatall").text
