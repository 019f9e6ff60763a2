"""A spreadsheet's words: headers recognised in both languages, coded values by their names, and the
templates a coordinator fills in."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from connectors.targets import TARGETS
from hub.sync import headers
from hub.sync.kinds import KINDS, Lookups
from tests import factories
from tests.coordinators import Network


def test_headers_are_recognised_in_either_language_and_by_field_name() -> None:
    proposal = headers.recognise(
        [
            "Nummer",
            "Page",
            "Titel (Nederlands)",
            "Title (English)",
            " land ",
            "STATUS",
            "Fase *",
            "phase",
            "product_group",
            "Contractwaarde",
            "Hub",
            None,
            "Programme",
        ],
        "pilot",
    )
    assert proposal.id_column == "Nummer" and proposal.link_column == "Page"
    assert proposal.columns == {
        "title_nl": "Titel (Nederlands)",
        "title_en": "Title (English)",
        "country": "land",
        "status": "STATUS",
        "phase": "Fase *",
        "product_group": "product_group",
        "contract_value": "Contractwaarde",
    }
    # A second column for a field already taken, and columns no field takes, are left to the coordinator.
    assert proposal.unknown == ["phase", "Hub", "Programme"]
    assert headers.header("title_en", "nl") == "Titel (Engels)"
    assert headers.header("summary_nl", "en") == "Summary (Dutch)"


def test_coded_values_are_read_by_their_names_in_either_language(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    factories.product_group(session, "furniture", name_nl="Meubilair", name_en="Furniture")
    lookups = Lookups.load(session)
    fields = {"title_nl": "Stoelen", "country": "België", "status": "Lopend", "phase": "tender"}
    row = KINDS["pilot"].row({**fields, "product_group": "meubilair"}, lookups, programme_id=programme.id)
    assert (row["country"], row["status"].value, row["phase"].value) == ("BE", "running", "tender")
    assert row["product_group_id"] is not None
    english = {
        "title_en": "Chairs",
        "country": "Netherlands",
        "status": "Completed",
        "phase": "Market dialogue",
    }
    row = KINDS["pilot"].row(english, lookups, programme_id=programme.id)
    assert (row["country"], row["status"].value, row["phase"].value) == ("NL", "completed", "market_dialogue")
    # A name the hub does not know is still refused, with the codes it takes.
    try:
        KINDS["pilot"].row({**fields, "status": "Bijna klaar"}, lookups, programme_id=programme.id)
    except Exception as problem:
        assert "is not one of" in str(problem)
    else:
        raise AssertionError("an unknown status was taken")


def test_a_template_has_the_fields_drop_downs_and_an_example(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    factories.product_group(session, "furniture", name_nl="Meubilair", name_en="Furniture")
    session.commit()
    response = coordinator.get("/nl/coordinator/sources/templates/pilot.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Nummer", "Titel (Nederlands)", "Titel (Engels)"]
    assert {"Land", "Status", "Fase", "Productgroep", "Contractwaarde", "Pagina"} <= set(header)
    # The header reads back as the hub's fields: a filled template needs no mapping.
    proposal = headers.recognise(header, "pilot")
    assert set(proposal.columns) == set(TARGETS["pilot"].fields)
    assert proposal.unknown == [] and proposal.id_column == "Nummer"
    example = dict(zip(header, (cell.value for cell in sheet[2]), strict=True))
    assert example["Status"] == "Lopend" and example["Land"] == "België"
    # A drop-down on every coded column, offering the values' Dutch names (kept on a hidden sheet).
    validated = {
        header[cell.min_col - 1]
        for validation in sheet.data_validations.dataValidation
        for cell in validation.sqref.ranges
    }
    assert validated == {"Land", "Status", "Fase", "Productgroep"}
    lists = book["Lists"]
    assert lists.sheet_state == "hidden"
    offered = {cell.value for column in lists.iter_cols() for cell in column}
    assert {"Meubilair", "Lopend", "België", "Aanbesteding"} <= offered
    explained = book.worksheets[2]
    assert explained.title == "Velden"
    assert [cell.value for cell in explained[1]] == ["Kolom", "Verplicht", "Wat het bevat", "Waarden"]


def test_templates_are_for_coordinators_only(client: TestClient, network: Network) -> None:
    response = client.get("/en/coordinator/sources/templates/pilot.xlsx", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
