"""Spreadsheets as a source, through the workspace: preview before saving (a dry run), the failed
rows back as a spreadsheet, and a downloaded list uploaded again giving back the same records."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import xlsxwriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.pilots.models import Pilot
from hub.sync.models import RunStatus, Source, SyncRun
from tests import factories
from tests.coordinators import Network, post

FORM_PAGE = "/en/coordinator/sources/new"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list[Any]]) -> bytes:
    file = io.BytesIO()
    book = xlsxwriter.Workbook(file, {"strings_to_formulas": False})
    sheet = book.add_worksheet("Pilots")
    dated = book.add_format({"num_format": "dd/mm/yyyy"})
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(number, column, value, dated)
            elif value is not None:
                sheet.write(number, column, value)
    book.close()
    return file.getvalue()


# A programme's own list: a title and a blank row above the header, Dutch headers, a column the hub
# does not know, one row with a status nobody knows.
PILOTS = workbook(
    [
        ["Pilots van de Green Deal Circulair Aankopen"],
        [],
        ["Nummer", "Titel (Nederlands)", "Land", "Status", "Fase", "Start", "Contractwaarde", "Opmerking"],
        [
            "GD-1",
            "Circulaire bureaustoelen",
            "België",
            "Lopend",
            "Aanbesteding",
            dt.date(2024, 2, 1),
            125000.5,
            "ok",
        ],
        ["GD-2", "Gerecycleerd asfalt", "BE", "Afgerond", "Gunning", dt.date(2023, 9, 15), 2400000, ""],
        [
            "GD-3",
            "Werkkleding uit gerecycleerde vezels",
            "België",
            "Bijna klaar",
            "Aanbesteding",
            None,
            None,
            "",
        ],
    ]
)


def source_form(network: Network, **changes: Any) -> dict[str, Any]:
    values = {
        "name": "GDCA pilots sheet",
        "key": "gdca-sheet",
        "programme_id": str(network.gdca.id),
        "kind": "tabular",
        "schedule": "every 60",
        "url": "",
        "format": "",
        "target": "",
        "id_column": "",
        "columns": "",
        "defaults": "",
        "complete": "1",
    }
    return {**values, **changes}


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    assert found, f"no textarea {name}"
    return found.group(1).strip()


def words(html: str) -> str:
    """The page's text, its markup and line breaks aside."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', html)
    assert found, f"no hidden {name}"
    return found.group(1)


def test_preview_proposes_the_mapping_and_lists_each_rows_problems_before_anything_is_saved(
    coordinator: TestClient, network: Network, session: Session, settings: Any
) -> None:
    page = post(
        coordinator,
        FORM_PAGE,
        {**source_form(network), "preview": "1"},
        files={"upload": ("pilots.xlsx", PILOTS, XLSX_TYPE)},
    )
    assert page.status_code == 200, page.text
    text = words(page.text)
    assert "What the hub reads of the file" in text
    assert "Header row: row 3. 3 rows read: 2 can be saved, 1 has a problem." in text
    assert "Columns no field takes (they are ignored): Opmerking" in text
    assert "6 GD-3 status: “Bijna klaar” is not one of planned, running, completed, stopped" in text
    # The mapping the header suggests is filled in for the coordinator to check.
    columns = textarea(page.text, "columns")
    assert "title_nl = Titel (Nederlands)" in columns and "contract_value = Contractwaarde" in columns
    assert 'value="Nummer"' in page.text  # the id column
    # Nothing was saved or written: no source, no pilot.
    assert session.scalar(select(func.count()).select_from(Source)) == 0
    assert session.scalar(select(func.count()).select_from(Pilot)) == 0

    # Saving the previewed file (not chosen again) keeps it as the source's upload.
    pending = hidden(page.text, "pending")
    data = {
        **source_form(network),
        "pending": pending,
        "format": "xlsx",
        "target": "pilot",
        "id_column": "Nummer",
        "columns": columns.replace("&#34;", '"'),
    }
    response = post(coordinator, FORM_PAGE, data, follow_redirects=False)
    assert response.status_code == 303, response.text
    source = session.scalar(select(Source).where(Source.key == "gdca-sheet"))
    assert source is not None and source.options["upload"] == "gdca-sheet.xlsx"
    assert (settings.uploads_dir / "gdca-sheet.xlsx").read_bytes() == PILOTS
    assert not (settings.uploads_dir / pending).exists()

    post(coordinator, f"/en/coordinator/sources/{source.id}/run", {})
    session.expire_all()
    run = session.scalar(select(SyncRun).where(SyncRun.source_id == source.id))
    assert run is not None and run.status is RunStatus.PARTIAL, run.message
    assert (run.added, run.failed) == (2, 1)
    chairs = session.scalar(select(Pilot).where(Pilot.external_id == "GD-1"))
    assert chairs is not None
    assert (chairs.country, chairs.status.value, chairs.phase.value) == ("BE", "running", "tender")
    assert chairs.starts_on == dt.date(2024, 2, 1) and chairs.contract_value == Decimal("125000.50")

    # The failed row comes back as the same spreadsheet, with what is wrong.
    download = coordinator.get(f"/en/coordinator/runs/{run.id}/failed.xlsx")
    assert download.status_code == 200, download.text
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Nummer", "Titel (Nederlands)", "Land"] and rows[0][-1] == "What is wrong"
    assert len(rows) == 2 and rows[1][0] == "GD-3"
    assert "Bijna klaar" in rows[1][-1] and "status" in rows[1][-1]


def test_a_previewed_file_that_cannot_be_read_says_why(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    page = post(
        coordinator,
        FORM_PAGE,
        {**source_form(network), "preview": "1"},
        files={"upload": ("pilots.xlsx", b"id,title\n1,not a workbook\n", XLSX_TYPE)},
    )
    assert page.status_code == 200
    assert 'class="notice notice-error" role="alert"' in page.text
    assert session.scalar(select(func.count()).select_from(Source)) == 0
    # Without a file there is nothing to preview.
    page = post(coordinator, FORM_PAGE, {**source_form(network), "preview": "1"})
    assert page.status_code == 400 and "Choose a file to preview." in page.text


def test_failed_rows_are_the_programmes_own(client: TestClient, network: Network, session: Session) -> None:
    from tests.accounts.conftest import log_in

    source = factories.source(session, network.procirc, "procirc-sheet", kind="tabular")
    run = SyncRun(
        source_id=source.id,
        status=RunStatus.SUCCEEDED,
        trigger="manual",
        started_at=dt.datetime.now(dt.UTC),
        heartbeat_at=dt.datetime.now(dt.UTC),
        failed=1,
    )
    session.add(run)
    session.commit()
    log_in(client, network.coordinator)  # of GDCA
    assert client.get(f"/en/coordinator/runs/{run.id}/failed.xlsx").status_code == 403


def test_a_downloaded_list_uploaded_as_a_source_gives_back_the_same_records(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    furniture = factories.product_group(session, "furniture", name_nl="Meubilair", name_en="Furniture")
    originals = [
        factories.pilot(
            session,
            network.procirc,
            title_nl="Herbruikte kantoorstoelen",
            title_en="Reused office chairs",
            summary_nl="Stoelen met terugname.",
            summary_en="Chairs taken back.",
            country="NL",
            product_group=furniture,
            starts_on=dt.date(2024, 3, 1),
            ends_on=dt.date(2026, 2, 28),
            contract_value=Decimal("98765.43"),
        ),
        factories.pilot(session, network.procirc, title_en="Circular catering", country="DK"),
    ]
    session.commit()
    export = coordinator.get("/nl/pilots.xlsx", params={"programme": "procirc"})
    assert export.status_code == 200, export.text
    page = post(
        coordinator,
        FORM_PAGE,
        {**source_form(network, key="again"), "preview": "1"},
        files={"upload": ("pilots.xlsx", export.content, XLSX_TYPE)},
    )
    assert "2 rows read: 2 can be saved, 0 have a problem." in words(page.text), words(page.text)
    data = {
        **source_form(network, key="again"),
        "pending": hidden(page.text, "pending"),
        "format": "xlsx",
        "target": "pilot",
        "id_column": "Nummer",
        "columns": textarea(page.text, "columns"),
    }
    assert post(coordinator, FORM_PAGE, data, follow_redirects=False).status_code == 303
    source = session.scalar(select(Source).where(Source.key == "again"))
    assert source is not None
    post(coordinator, f"/en/coordinator/sources/{source.id}/run", {})
    session.expire_all()
    fields = (
        "title_nl",
        "title_en",
        "summary_nl",
        "summary_en",
        "country",
        "status",
        "phase",
        "product_group_id",
        "starts_on",
        "ends_on",
        "contract_value",
    )
    for original in originals:
        copy = session.scalar(
            select(Pilot).where(Pilot.source_id == source.id, Pilot.external_id == str(original.id))
        )
        assert copy is not None
        assert {name: getattr(copy, name) for name in fields} == {
            name: getattr(original, name) for name in fields
        }
