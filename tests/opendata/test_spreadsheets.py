"""The public lists as spreadsheets: the page's language, typed cells, a frozen header with a
filter, links, a sheet about the download, the list's filters; and the CSV's byte-order mark."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.opendata.spreadsheets import MEDIA_TYPE
from hub.pilots.models import PilotStatus
from hub.taxonomy.models import Phase
from tests import factories
from tests.opendata.conftest import news_item


@pytest.fixture
def pilots(session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    procirc = factories.programme(session, "procirc")
    furniture = factories.product_group(session, "furniture")
    furniture.name_nl, furniture.name_en = "Meubilair", "Furniture"
    reuse = factories.strategy(session, "reuse")
    reuse.name_nl, reuse.name_en = "Hergebruik", "Reuse"
    factories.pilot(
        session,
        gdca,
        title_nl="Coördinatie van bureaustoelen",
        title_en="Office chairs",
        product_group=furniture,
        strategies=[reuse],
        phase=Phase.TENDER,
        status=PilotStatus.COMPLETED,
        country="NL",
        starts_on=dt.date(2019, 5, 1),
        contract_value=Decimal("125000.50"),
    )
    factories.pilot(session, procirc, title_en="=HYPERLINK(1)", starts_on=dt.date(2020, 1, 1))
    session.commit()


def book(response: object) -> openpyxl.Workbook:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == MEDIA_TYPE  # type: ignore[attr-defined]
    return openpyxl.load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]


def by_header(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_pilot_spreadsheet_speaks_the_pages_language_with_typed_cells(
    client: TestClient, pilots: None
) -> None:
    dutch = book(client.get("/nl/pilots.xlsx?programme=gdca"))
    sheet = dutch.worksheets[0]
    assert sheet.title == "Pilots"
    [row] = by_header(sheet)  # the filter holds: one pilot of GDCA
    assert row["Titel (Nederlands)"] == "Coördinatie van bureaustoelen"
    assert row["Titel (Engels)"] == "Office chairs"
    assert row["Productgroep"] == "Meubilair" and row["Strategieën"] == "Hergebruik"
    assert row["Land"] == "Nederland"
    assert row["Status"] == "Afgerond"
    assert row["Start"] == dt.datetime(2019, 5, 1)  # a date cell, not text
    assert row["Contractwaarde"] == 125000.5
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:S2"
    links = [cell.value for cell in sheet[2] if str(cell.value).startswith("=HYPERLINK(")]
    assert len(links) == 1 and '"http://' in links[0] and "/nl/pilots/" in links[0]
    english = by_header(book(client.get("/en/pilots.xlsx?programme=gdca")).worksheets[0])
    assert english[0]["Product group"] == "Furniture" and english[0]["Country"] == "Netherlands"


def test_the_second_sheet_names_the_hub_the_filters_the_date_and_the_licence(
    client: TestClient, pilots: None
) -> None:
    about = book(client.get("/en/pilots.xlsx?programme=gdca&page=3")).worksheets[1]
    said = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert said["Filters"] == "programme = gdca"  # paging is not a filter of a download
    assert said["Rows"] == "1"
    assert "CC BY 4.0" in said["Licence"]
    assert said["Hub"].startswith("http")


def test_a_cell_that_looks_like_a_formula_stays_text(
    client: TestClient, session: Session, pilots: None
) -> None:
    rows = by_header(book(client.get("/en/pilots.xlsx?programme=procirc")).worksheets[0])
    assert rows[0]["Title (English)"] == "=HYPERLINK(1)"
    # A website that is not a web address is text, not a link; quotes cannot end a link's formula.
    factories.organisation(session, name="A", website='javascript:alert("x")')
    factories.organisation(session, name="B", website='https://example.org/?q="x"')
    session.commit()
    organisations = {
        row["Name"]: row["Website"]
        for row in by_header(book(client.get("/en/organisations.xlsx")).worksheets[0])
    }
    assert organisations["A"] == 'javascript:alert("x")'
    assert organisations["B"] == '=HYPERLINK("https://example.org/?q=""x""")'


def test_every_list_downloads_as_a_spreadsheet(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    factories.organisation(session, name="Stad Gent", country="BE")
    news_item(session, gdca, title_en="A circular tender")
    session.commit()
    for kind, column, value in (
        ("organisations", "Name", "Stad Gent"),
        ("programmes", "Code", "gdca"),
        ("news", "Title (English)", "A circular tender"),
    ):
        rows = by_header(book(client.get(f"/en/{kind}.xlsx")).worksheets[0])
        assert value in [row[column] for row in rows], kind


def test_a_bad_filter_is_refused_before_a_spreadsheet_starts(client: TestClient) -> None:
    response = client.get("/en/pilots.xlsx?status=nonsense")
    assert response.status_code == 400
    assert "status" in response.text


def test_the_csv_starts_with_a_byte_order_mark_for_excel(client: TestClient, pilots: None) -> None:
    content = client.get("/en/pilots.csv").content
    assert content.startswith("\ufeff".encode())
    assert "Coördinatie".encode() in content
