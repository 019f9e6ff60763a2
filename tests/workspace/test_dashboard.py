"""The coordinator dashboard: its figures against hand-computed values, the SVG charts, the CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub import charts, i18n
from hub.organisations.models import Role
from hub.pilots.models import PilotStatus
from hub.programmes.models import Programme
from hub.web import XLSX
from hub.workspace import dashboard_charts
from hub.workspace import dashboard_services as figures
from tests import factories
from tests.accounts.conftest import log_in

SVG = "{http://www.w3.org/2000/svg}"
INJECTION = "=cmd|' /C calc'!A0"


@dataclass
class Sample:
    gdca: Programme
    other: Programme
    alpha: int
    injected: int
    gamma: int
    idle_facilitator: int


@pytest.fixture
def sample(session: Session) -> Sample:
    """A small programme whose figures are worked out by hand in the tests below.

    Pilots of "gdca" (min. 2 pilots per procurer, 1 supporting action per facilitator, no aim):
      p1 food & drink, running, 2018, by Alpha: raw 100 -> 80 t, waste 10 -> 9 t
      p2 food & drink, completed, 2019, by Alpha: raw 50 -> 45 t, CO2 20 -> 10 t
      p3 ICT, running, 2018, by the injected name: raw 0 -> 0 t (no baseline), waste 4 -> 5 t
      p4 no product group, planned, no start date
      p5 ICT, withdrawn (counts nowhere), by the injected name: raw 1000 -> 0 t
    and one pilot of another programme by Alpha (counts nowhere here): raw 10 -> 7 t.
    """
    gdca = factories.programme(session, "gdca", min_pilots_per_procurer=2, min_actions_per_facilitator=1)
    other = factories.programme(
        session, "other", reduction_target_min=Decimal("0.3"), reduction_target_max=Decimal("0.4")
    )
    food = factories.product_group(session, "dash-food", position=-2)
    food.name_en, food.name_nl = "Food & <drinks>", "Voeding"
    ict = factories.product_group(session, "dash-ict", position=-1)
    ict.name_en = ict.name_nl = "ICT"
    alpha = factories.organisation(session, "Alpha")
    injected = factories.organisation(session, INJECTION)
    gamma = factories.organisation(session, "gamma")
    busy = factories.organisation(session, "Facilitator with an action")
    idle = factories.organisation(session, "Facilitator without an action")
    for organisation in (alpha, injected, gamma):
        factories.participation(session, gdca, organisation, Role.PROCURER)
    factories.participation(session, other, alpha, Role.PROCURER)
    factories.participation(session, gdca, busy, Role.FACILITATOR)
    factories.participation(session, gdca, idle, Role.FACILITATOR)
    factories.supporting_action(session, gdca, busy)
    factories.supporting_action(session, other, idle)  # another programme's action
    factories.supporting_action(session, gdca, idle, withdrawn_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    factories.pilot(
        session,
        gdca,
        product_group=food,
        procurers=[alpha],
        starts_on=dt.date(2018, 3, 1),
        raw_materials_baseline_t=Decimal(100),
        raw_materials_result_t=Decimal(80),
        waste_baseline_t=Decimal(10),
        waste_result_t=Decimal(9),
    )
    factories.pilot(
        session,
        gdca,
        product_group=food,
        procurers=[alpha],
        status=PilotStatus.COMPLETED,
        starts_on=dt.date(2019, 5, 1),
        raw_materials_baseline_t=Decimal(50),
        raw_materials_result_t=Decimal(45),
        co2_baseline_t=Decimal(20),
        co2_result_t=Decimal(10),
    )
    factories.pilot(
        session,
        gdca,
        product_group=ict,
        procurers=[injected],
        starts_on=dt.date(2018, 9, 1),
        raw_materials_baseline_t=Decimal(0),
        raw_materials_result_t=Decimal(0),
        waste_baseline_t=Decimal(4),
        waste_result_t=Decimal(5),
    )
    factories.pilot(session, gdca, status=PilotStatus.PLANNED, starts_on=None)
    factories.pilot(
        session,
        gdca,
        product_group=ict,
        procurers=[injected],
        starts_on=dt.date(2019, 1, 1),
        withdrawn_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        raw_materials_baseline_t=Decimal(1000),
        raw_materials_result_t=Decimal(0),
    )
    factories.pilot(
        session,
        other,
        product_group=food,
        procurers=[alpha],
        raw_materials_baseline_t=Decimal(10),
        raw_materials_result_t=Decimal(7),
    )
    session.commit()
    return Sample(gdca, other, alpha.id, injected.id, gamma.id, idle.id)


def status_table(rows: list[figures.StatusCounts]) -> list[tuple[object, dict[str, int], int]]:
    return [
        (row.key.code if isinstance(row.key, figures.GroupKey) else row.key, dict(row.counts), row.total)
        for row in rows
    ]


# The figures


def test_pilots_per_product_group_and_status(session: Session, sample: Sample) -> None:
    rows = figures.pilots_by_product_group(session, programme_id=sample.gdca.id)
    assert status_table(rows) == [
        ("dash-food", {PilotStatus.RUNNING: 1, PilotStatus.COMPLETED: 1}, 2),
        ("dash-ict", {PilotStatus.RUNNING: 1}, 1),
        (None, {PilotStatus.PLANNED: 1}, 1),
    ]


def test_pilots_per_start_year_and_status(session: Session, sample: Sample) -> None:
    rows = figures.pilots_by_start_year(session, programme_id=sample.gdca.id)
    assert status_table(rows) == [
        (2018, {PilotStatus.RUNNING: 2}, 2),
        (2019, {PilotStatus.COMPLETED: 1}, 1),
        (None, {PilotStatus.PLANNED: 1}, 1),
    ]


def test_commitment_fulfilment(session: Session, sample: Sample) -> None:
    procurers, facilitators = figures.fulfilment(session, programme=sample.gdca)
    assert (procurers.role, procurers.required, procurers.meeting, procurers.short) == (
        Role.PROCURER,
        2,
        1,
        2,
    )
    assert (facilitators.required, facilitators.meeting, facilitators.short) == (1, 1, 1)
    short = figures.shortfalls(session, programme=sample.gdca, role=Role.PROCURER)
    assert [(s.organisation_id, s.name, s.count) for s in short] == [
        (sample.injected, INJECTION, 1),  # its withdrawn pilot does not count
        (sample.gamma, "gamma", 0),
    ]
    idle = figures.shortfalls(session, programme=sample.gdca, role=Role.FACILITATOR)
    assert [(s.organisation_id, s.count) for s in idle] == [(sample.idle_facilitator, 0)]


def test_a_programme_without_rules_looks_for_participants_with_none(session: Session, sample: Sample) -> None:
    procurers, facilitators = figures.fulfilment(session, programme=sample.other)
    assert (procurers.required, procurers.rule_set, procurers.meeting, procurers.short) == (1, False, 1, 0)
    assert (facilitators.meeting, facilitators.short) == (0, 0)


def test_impact_is_the_ratio_of_the_sums(session: Session, sample: Sample) -> None:
    groups = figures.impact(session, programme_id=sample.gdca.id)
    table = {
        ("all" if g.total else g.key.code if g.key else None): {
            q: (r.fraction, r.pilots) for q, r in g.reductions.items()
        }
        for g in groups
    }
    assert list(table) == ["dash-food", "dash-ict", "all"]  # p4 measured nothing: no row without a group
    # food: raw (20 + 5) / (100 + 50) t, not the mean of 20 % and 10 %
    assert table["dash-food"] == {
        "raw_materials": (Decimal(25) / Decimal(150), 2),
        "waste": (Decimal("0.1"), 1),
        "co2": (Decimal("0.5"), 1),
    }
    # ict: a zero baseline is no measurement; waste went up by a quarter
    assert table["dash-ict"] == {"raw_materials": (None, 0), "waste": (Decimal("-0.25"), 1), "co2": (None, 0)}
    assert table["all"] == {
        "raw_materials": (Decimal(25) / Decimal(150), 2),
        "waste": (Decimal(0), 2),
        "co2": (Decimal("0.5"), 1),
    }


def test_an_empty_programme_has_no_figures(session: Session) -> None:
    empty = factories.programme(session, "empty")
    assert figures.pilots_by_product_group(session, programme_id=empty.id) == []
    assert figures.pilots_by_start_year(session, programme_id=empty.id) == []
    assert figures.impact(session, programme_id=empty.id) == []
    assert [(f.meeting, f.short) for f in figures.fulfilment(session, programme=empty)] == [(0, 0), (0, 0)]


# The charts


def svgs(html: str) -> dict[str, ET.Element]:
    """Every chart on a page, parsed as XML (so it must be well-formed), by its id."""
    found = {}
    for match in re.finditer(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart".*?</svg>', html, re.S):
        root = ET.fromstring(match.group(0))
        title = root.find(f"{SVG}title")
        assert title is not None and title.text
        assert root.get("role") == "img"
        assert root.get("viewBox", "").startswith(f"0 0 {charts.WIDTH} ")
        found[title.get("id", "").removesuffix("-title")] = root
    return found


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_charts_draw_their_numbers_and_escape_text() -> None:
    svg = charts.stacked_bar_chart(
        chart_id="c",
        title='Pilots <&> "quoted"',
        description="desc",
        series=[charts.Series("A", charts.BLUE), charts.Series("B", charts.ORANGE)],
        bars=[charts.Bar("<script>alert(1)</script>", [3, 4]), charts.Bar("second", [0, 1])],
        format_value=str,
    )
    root = ET.fromstring(str(svg))
    assert root.find(f"{SVG}title").text == 'Pilots <&> "quoted"'  # type: ignore[union-attr]
    assert "<script>" not in str(svg)
    labels = texts(root)
    assert "<script>alert(1)</script>" in labels
    assert {"3", "4", "7", "1"} <= set(labels)  # segments and totals
    assert len(root.findall(f"{SVG}rect")) == 3  # a zero draws no segment


def test_grouped_chart_has_the_band_and_marks_what_is_missing() -> None:
    svg = charts.grouped_bar_chart(
        chart_id="g",
        title="Impact",
        description="desc",
        series=[charts.Series("raw", charts.BLUE), charts.Series("waste", charts.ORANGE)],
        bars=[charts.Bar("all", [Decimal("0.3"), None]), charts.Bar("ict", [Decimal("-5"), Decimal("0.1")])],
        format_value=lambda v: f"{float(v):.2f}",
        band=charts.Band(Decimal("0.2"), Decimal("0.25"), "Aim 20–25 %"),
        missing="n/a",
    )
    labels = texts(ET.fromstring(str(svg)))
    assert {"Aim 20–25 %", "n/a", "0.30", "-5.00", "0.10"} <= set(labels)


@pytest.mark.parametrize("draw", [charts.stacked_bar_chart, charts.grouped_bar_chart])
def test_both_axes_have_titles_that_take_their_own_room(draw: Any) -> None:
    def chart(**titles: str) -> ET.Element:
        drawn = draw(
            chart_id="t",
            title="T",
            description="d",
            series=[charts.Series("A", charts.BLUE)],
            bars=[charts.Bar("first", [Decimal("0.2")]), charts.Bar("second", [Decimal("0.1")])],
            format_value=str,
            **titles,
        )
        return ET.fromstring(str(drawn))

    plain = chart()
    titled = chart(category_axis="Product group", value_axis="Number of pilots")
    assert {"Product group", "Number of pilots"} <= set(texts(titled))
    assert not {"Product group", "Number of pilots"} & set(texts(plain))

    def height(root: ET.Element) -> float:
        return float(root.get("viewBox", "").split()[3])

    assert height(titled) == height(plain) + 2 * charts.TITLE_H
    ys = {t.text: float(t.get("y", 0)) for t in titled.iter(f"{SVG}text")}
    assert ys["Product group"] < ys["first"] < ys["second"] < ys["Number of pilots"] <= height(titled)


def test_the_dashboard_shows_the_charts(client: TestClient, session: Session, sample: Sample) -> None:
    factories.user(session, "coordinator@example.org", coordinator_of=["gdca"])
    session.commit()
    log_in(client, "coordinator@example.org")
    page = client.get("/en/coordinator/")
    assert page.status_code == 200
    found = svgs(page.text)
    assert set(found) == {"chart-product-groups", "chart-years", "chart-commitments", "chart-impact"}
    assert {"Food & <drinks>", "ICT", "No product group", "2"} <= set(texts(found["chart-product-groups"]))
    assert {"2018", "2019", "No start date"} <= set(texts(found["chart-years"]))
    assert {"Start year", "Number of pilots"} <= set(texts(found["chart-years"]))
    assert {"Role", "Number of organisations"} <= set(texts(found["chart-commitments"]))
    impact = set(texts(found["chart-impact"]))
    assert {"16.7%", "10.0%", "50.0%", "-25.0%", "0.0%", "All product groups"} <= impact
    assert {"Product group", "Reduction from baseline to result"} <= impact
    # GDCA sets no reduction aim: no band is drawn, least of all another programme's.
    assert not any("aim" in label.lower() or "ProCirc" in label for label in impact)
    assert "The programme sets no reduction aim, so none is drawn." in page.text
    # The lists of who falls short link to the organisations, names escaped
    assert f'<a href="/en/organisations/{sample.gamma}">gamma</a>' in page.text
    assert f"/en/organisations/{sample.idle_facilitator}" in page.text
    assert f"/en/organisations/{sample.alpha}" not in page.text
    assert "=cmd|&#39; /C calc&#39;!A0" in page.text
    # Every chart offers its numbers as a table and a CSV
    assert page.text.count("<details") == 4
    for key in ("product-groups", "years", "commitments", "impact", "shortfall"):
        assert f'href="/en/coordinator/dashboard/{key}.csv?programme=gdca"' in page.text


def read_csv(client: TestClient, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.text)))


def test_the_csvs_hold_what_the_charts_show(client: TestClient, session: Session, sample: Sample) -> None:
    factories.user(session, "coordinator@example.org", coordinator_of=["gdca"])
    session.commit()
    log_in(client, "coordinator@example.org")
    base = "/en/coordinator/dashboard/"
    assert read_csv(client, base + "product-groups.csv?programme=gdca") == [
        ["Product group", "Planned", "Running", "Completed", "Stopped", "Total"],
        ["Food & <drinks>", "0", "1", "1", "0", "2"],
        ["ICT", "0", "1", "0", "0", "1"],
        ["No product group", "1", "0", "0", "0", "1"],
    ]
    assert read_csv(client, base + "years.csv")[1:] == [  # without ?programme: the first one
        ["2018", "0", "2", "0", "0", "2"],
        ["2019", "0", "0", "1", "0", "1"],
        ["No start date", "1", "0", "0", "0", "1"],
    ]
    assert read_csv(client, base + "commitments.csv?programme=gdca") == [
        ["Role", "Required minimum", "Meeting the commitment", "Below the commitment"],
        ["Procurers", "2", "1", "2"],
        ["Facilitators", "1", "1", "1"],
    ]
    # GDCA sets no aim: the aim columns stay empty (not another programme's).
    assert read_csv(client, base + "impact.csv?programme=gdca") == [
        ["Product group", "Quantity", "Reduction (%)", "Pilots measured", "Aim from (%)", "Aim to (%)"],
        ["Food & <drinks>", "Raw materials", "16.7", "2", "", ""],
        ["Food & <drinks>", "Waste", "10.0", "1", "", ""],
        ["Food & <drinks>", "CO2 emissions", "50.0", "1", "", ""],
        ["ICT", "Raw materials", "", "0", "", ""],
        ["ICT", "Waste", "-25.0", "1", "", ""],  # a number, not neutralised
        ["ICT", "CO2 emissions", "", "0", "", ""],
        ["All product groups", "Raw materials", "16.7", "2", "", ""],
        ["All product groups", "Waste", "0.0", "2", "", ""],
        ["All product groups", "CO2 emissions", "50.0", "1", "", ""],
    ]
    assert read_csv(client, base + "shortfall.csv?programme=gdca") == [
        ["Organisation", "Role", "Pilots or supporting actions", "Required minimum"],
        ["'" + INJECTION, "Procurers", "1", "2"],  # a spreadsheet will not run it as a formula
        ["gamma", "Procurers", "0", "2"],
        ["Facilitator without an action", "Facilitators", "0", "1"],
    ]


def test_the_spreadsheets_hold_what_the_csvs_do_typed(
    client: TestClient, session: Session, sample: Sample
) -> None:
    factories.user(session, "coordinator@example.org", coordinator_of=["gdca"])
    session.commit()
    log_in(client, "coordinator@example.org")
    base = "/en/coordinator/dashboard/"
    for key in ("product-groups", "years", "commitments", "impact", "shortfall"):
        response = client.get(f"{base}{key}.xlsx?programme=gdca")
        assert response.status_code == 200, key
        assert response.headers["content-type"] == XLSX
        assert response.headers["content-disposition"] == f'attachment; filename="gdca-{key}.xlsx"'
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        spoken = [["" if cell is None else cell for cell in row] for row in rows]
        written = read_csv(client, f"{base}{key}.csv?programme=gdca")
        assert len(spoken) == len(written), key
        assert book.worksheets[0].freeze_panes == "A2"
    impact = [
        list(row)
        for row in openpyxl.load_workbook(io.BytesIO(client.get(base + "impact.xlsx?programme=gdca").content))
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    assert impact[1][:4] == ["Food & <drinks>", "Raw materials", pytest.approx(1 / 6, abs=1e-3), 2]
    assert impact[4][2] is None  # not measured: an empty cell, not a zero
    shortfall = openpyxl.load_workbook(io.BytesIO(client.get(base + "shortfall.xlsx?programme=gdca").content))
    assert shortfall.worksheets[0]["A2"].value == INJECTION  # text, never a formula
    assert shortfall.worksheets[0]["A2"].data_type == "s"
    assert client.get(base + "nonsense.xlsx").status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    cells = [
        "=1+1",
        "+31 20",
        "-x",
        "@SUM(A1)",
        "\tx",
        "plain",
        5,
        dashboard_charts.Share(Decimal("-0.5")),
        None,
    ]
    assert [dashboard_charts.csv_cell(c) for c in cells] == [
        "'=1+1",
        "'+31 20",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "5",
        "-50.0",
        "",
    ]


def test_an_unknown_chart_is_not_found(client: TestClient, session: Session, sample: Sample) -> None:
    factories.user(session, "coordinator@example.org", coordinator_of=["gdca"])
    session.commit()
    log_in(client, "coordinator@example.org")
    assert client.get("/en/coordinator/dashboard/pie.csv?programme=gdca").status_code == 404
    assert client.get("/en/coordinator/?programme=nonesuch").status_code == 404


def test_a_coordinator_sees_only_their_programme(
    client: TestClient, session: Session, sample: Sample
) -> None:
    factories.user(session, "coordinator@example.org", coordinator_of=["gdca"])
    session.commit()
    log_in(client, "coordinator@example.org")
    assert client.get("/en/coordinator/?programme=other").status_code == 403
    for key in dashboard_charts.CHARTS:
        assert client.get(f"/en/coordinator/dashboard/{key}.csv?programme=other").status_code == 403
    page = client.get("/en/coordinator/")
    assert "Programme other" not in page.text
    assert 'id="programme-picker"' not in page.text  # one programme: nothing to pick


def test_a_user_without_roles_sees_no_dashboard(client: TestClient, session: Session, sample: Sample) -> None:
    factories.user(session, "new@example.org")
    session.commit()
    log_in(client, "new@example.org")
    page = client.get("/en/coordinator/")
    assert "You have no role in a programme yet" in page.text
    assert svgs(page.text) == {}
    assert client.get("/en/coordinator/?programme=gdca").status_code == 403
    assert client.get("/en/coordinator/dashboard/years.csv").status_code == 403


def test_an_administrator_sees_every_programme(client: TestClient, session: Session, sample: Sample) -> None:
    factories.user(session, "admin@example.org", admin=True)
    session.commit()
    log_in(client, "admin@example.org")
    page = client.get("/en/coordinator/?programme=other")
    assert page.status_code == 200
    assert 'id="programme-picker"' in page.text
    assert '<option value="gdca">' in page.text
    assert '<option value="other" selected>' in page.text
    impact = set(texts(svgs(page.text)["chart-impact"]))
    assert {"Aim of the programme: 30%–40%", "30.0%"} <= impact
    assert read_csv(client, "/en/coordinator/dashboard/product-groups.csv?programme=other")[1:] == [
        ["Food & <drinks>", "0", "1", "0", "0", "1"]
    ]


def test_the_dutch_dashboard(client: TestClient, session: Session, sample: Sample) -> None:
    factories.user(session, "coordinator@example.org", coordinator_of=["gdca"])
    session.commit()
    log_in(client, "coordinator@example.org")
    page = client.get("/nl/coordinator/")
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    found = svgs(page.text)
    assert "Voeding" in texts(found["chart-product-groups"])
    for label in ("Gepland", "Lopend", "Afgerond", "Stopgezet", "Grondstoffen", "Afval", "CO2-uitstoot"):
        assert f"{label}</li>" in page.text  # in a legend
    assert {"Alle productgroepen", "16,7%", "-25,0%"} <= set(texts(found["chart-impact"]))
    assert "Aankopers (minstens 2 pilots)" in texts(found["chart-commitments"])
    header = read_csv(client, "/nl/coordinator/dashboard/product-groups.csv")[0]
    assert header[:3] == ["Productgroep", "Gepland", "Lopend"]


def test_an_empty_programme_shows_empty_states(client: TestClient, session: Session) -> None:
    factories.programme(session, "empty")
    factories.user(session, "coordinator@example.org", coordinator_of=["empty"])
    session.commit()
    log_in(client, "coordinator@example.org")
    page = client.get("/en/coordinator/")
    assert page.status_code == 200
    assert svgs(page.text) == {}
    assert "No pilots recorded for this programme yet." in page.text
    assert "No impact measured yet." in page.text
    assert "No participants recorded yet." in page.text
    assert read_csv(client, "/en/coordinator/dashboard/impact.csv") == [
        ["Product group", "Quantity", "Reduction (%)", "Pilots measured", "Aim from (%)", "Aim to (%)"]
    ]


def test_numbers_follow_the_language() -> None:
    token = i18n.current_language.set("nl")
    try:
        assert dashboard_charts.cell_text(dashboard_charts.Share(Decimal(25) / Decimal(150))) == "16,7%"
        assert dashboard_charts.cell_text(1234) == "1.234"
    finally:
        i18n.current_language.reset(token)
