"""The coordinator dashboard's charts: the figures of ``dashboard_services`` as SVG, table, CSV
and spreadsheet.

One builder per chart turns the figures into a ``Chart``: its rows (raw numbers) are what the
data table shows (formatted for the language) and what the downloads hold (plain numbers in the
CSV, typed cells in the spreadsheet), so the page, its table and the downloads cannot disagree.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import xlsxwriter
from markupsafe import Markup
from sqlalchemy.orm import Session

from hub import charts, i18n
from hub.charts import Band, Bar, Series
from hub.i18n import gettext as _
from hub.i18n import ngettext
from hub.organisations.models import Role
from hub.pilots.fields import QUANTITIES
from hub.pilots.models import PilotStatus
from hub.programmes.models import Programme
from hub.workspace import dashboard_services as figures

STATUS_COLOURS = {
    PilotStatus.PLANNED: charts.SKY_BLUE,
    PilotStatus.RUNNING: charts.BLUE,
    PilotStatus.COMPLETED: charts.GREEN,
    PilotStatus.STOPPED: charts.ORANGE,
}
QUANTITY_LABELS = {
    "raw_materials": i18n.N_("Raw materials"),
    "waste": i18n.N_("Waste"),
    "co2": i18n.N_("CO2 emissions"),
}
QUANTITY_COLOURS = {"raw_materials": charts.BLUE, "waste": charts.ORANGE, "co2": charts.GREEN}


@dataclasses.dataclass(frozen=True)
class Share:
    """A fraction shown as a percentage with one decimal (0.225: '22,5 %'; in a CSV: 22.5)."""

    value: Decimal

    @property
    def percent(self) -> Decimal:
        return (self.value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


Cell = str | int | Share | None


@dataclasses.dataclass(frozen=True)
class Chart:
    key: str  # the name in the CSV address: /{lang}/coordinator/dashboard/{key}.csv
    title: str
    description: str
    empty: str  # what the page says instead of a chart when there is nothing to show
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    series: Sequence[Series] = ()
    svg: Markup | None = None  # None: nothing to draw
    note: str = ""
    csv_header: Sequence[str] = ()  # the export's header when it differs from the table's ...
    csv_extra: Sequence[Cell] = ()  # ... with these values added to every row

    @property
    def html_id(self) -> str:
        return f"chart-{self.key}"


def cell_text(cell: Cell) -> str:
    """A cell as the data table shows it, in the current language."""
    if cell is None:
        return _("not measured")
    if isinstance(cell, Share):
        return i18n.format_percentage(cell.value, 1)
    if isinstance(cell, int):
        return i18n.format_number(cell)
    return cell


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(cell: Cell) -> str:
    """A cell as the CSV holds it: plain numbers; text that a spreadsheet would take for a
    formula gets a leading apostrophe (OWASP's advice against CSV injection)."""
    if cell is None:
        return ""
    if isinstance(cell, Share):
        return str(cell.percent)
    if isinstance(cell, int):
        return str(cell)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def to_csv(chart: Chart) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in (chart.csv_header or chart.header)])
    for row in chart.rows:
        writer.writerow([csv_cell(c) for c in (*row, *chart.csv_extra)])
    return out.getvalue()


def to_xlsx(chart: Chart, *, programme: str) -> bytes:
    """The chart's numbers as a spreadsheet (a small table, made in memory): its header frozen and
    filterable, counts as numbers, shares as percentages, and a second sheet saying what it is."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    percent = book.add_format({"num_format": "0.0%"})
    sheet = book.add_worksheet(chart.key[:31])
    header = list(chart.csv_header or chart.header)
    sheet.write_row(0, 0, header, bold)
    for number, heading in enumerate(header):
        sheet.set_column(number, number, min(50, max(12, len(heading) + 2)))
    for row, cells in enumerate(chart.rows, start=1):
        for column, cell in enumerate((*cells, *chart.csv_extra)):
            if isinstance(cell, Share):
                sheet.write_number(row, column, float(cell.value), percent)
            elif isinstance(cell, int):
                sheet.write_number(row, column, cell)
            elif cell is not None:
                sheet.write_string(row, column, cell)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(chart.rows)), len(header) - 1)
    about = book.add_worksheet(_("About this download")[:31])
    about.set_column(0, 0, 20)
    about.set_column(1, 1, 80)
    lines = (
        (_("List"), chart.title),
        (_("Description"), chart.description),
        (_("Programme"), programme),
        (_("Downloaded"), i18n.local_moment(dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M")),
    )
    for number, (label, value) in enumerate(lines):
        about.write_string(number, 0, label)
        about.write_string(number, 1, value)
    book.close()
    return out.getvalue()


def _statuses() -> list[Series]:
    return [Series(status.label, STATUS_COLOURS[status]) for status in PilotStatus]


def _status_chart(
    key: str, title: str, first_column: str, labelled: Sequence[tuple[str, figures.StatusCounts]]
) -> Chart:
    series = _statuses()
    rows: list[list[Cell]] = [
        [label, *(counts.counts.get(s, 0) for s in PilotStatus), counts.total] for label, counts in labelled
    ]
    total = sum(counts.total for _label, counts in labelled)
    description = ngettext(
        "%(num)d pilot, by status (planned, running, completed, stopped).",
        "%(num)d pilots, by status (planned, running, completed, stopped).",
        total,
    )
    svg = None
    if labelled:
        svg = charts.stacked_bar_chart(
            chart_id=f"chart-{key}",
            title=title,
            description=description,
            series=series,
            bars=[Bar(label, [counts.counts.get(s, 0) for s in PilotStatus]) for label, counts in labelled],
            format_value=i18n.format_number,
            category_axis=first_column,
            value_axis=_("Number of pilots"),
        )
    return Chart(
        key=key,
        title=title,
        description=description,
        empty=_("No pilots recorded for this programme yet."),
        header=[first_column, *(s.label for s in series), _("Total")],
        rows=rows,
        series=series,
        svg=svg,
    )


def product_groups_chart(session: Session, programme: Programme) -> Chart:
    language = i18n.current_language.get()
    labelled = [
        (c.key.name(language) if isinstance(c.key, figures.GroupKey) else _("No product group"), c)
        for c in figures.pilots_by_product_group(session, programme_id=programme.id)
    ]
    return _status_chart(
        "product-groups", _("Pilots per product group and status"), _("Product group"), labelled
    )


def years_chart(session: Session, programme: Programme) -> Chart:
    labelled = [
        (str(c.key) if c.key is not None else _("No start date"), c)
        for c in figures.pilots_by_start_year(session, programme_id=programme.id)
    ]
    return _status_chart("years", _("Pilots by start year and status"), _("Start year"), labelled)


def _requirement(role: Role, required: int) -> str:
    if role == Role.PROCURER:
        return ngettext("at least %(num)d pilot", "at least %(num)d pilots", required)
    return ngettext("at least %(num)d supporting action", "at least %(num)d supporting actions", required)


def _role_label(role: Role) -> str:
    return _("Procurers") if role == Role.PROCURER else _("Facilitators")


def commitments_chart(session: Session, programme: Programme) -> Chart:
    rows = figures.fulfilment(session, programme=programme)
    title = _("Commitments fulfilled")
    series = [
        Series(_("Meeting the commitment"), charts.BLUE),
        Series(_("Below the commitment"), charts.ORANGE),
    ]
    labelled = [(f"{_role_label(f.role)} ({_requirement(f.role, f.required)})", f) for f in rows]
    description = _(
        "Procurers: %(procurers_ok)s of %(procurers)s meet the commitment. "
        "Facilitators: %(facilitators_ok)s of %(facilitators)s.",
        procurers_ok=i18n.format_number(rows[0].meeting),
        procurers=i18n.format_number(rows[0].meeting + rows[0].short),
        facilitators_ok=i18n.format_number(rows[1].meeting),
        facilitators=i18n.format_number(rows[1].meeting + rows[1].short),
    )
    notes = [
        _("The programme sets no minimum number of pilots per procurer: shown is who has none.")
        if f.role == Role.PROCURER
        else _("The programme sets no minimum number of supporting actions: shown is who has none.")
        for f in rows
        if not f.rule_set
    ]
    svg = None
    if any(f.meeting + f.short for f in rows):
        svg = charts.stacked_bar_chart(
            chart_id="chart-commitments",
            title=title,
            description=description,
            series=series,
            bars=[Bar(label, [f.meeting, f.short]) for label, f in labelled],
            format_value=i18n.format_number,
            category_axis=_("Role"),
            value_axis=_("Number of organisations"),
        )
    return Chart(
        key="commitments",
        title=title,
        description=description,
        empty=_("No participants recorded yet."),
        header=[_("Role"), _("Required minimum"), *(s.label for s in series)],
        rows=[[_role_label(f.role), f.required, f.meeting, f.short] for f in rows],
        series=series,
        svg=svg,
        note=" ".join(notes),
    )


@dataclasses.dataclass(frozen=True)
class ShortfallList:
    role: Role
    heading: str
    requirement: str
    none_short: str
    organisations: Sequence[figures.Shortfall]


def shortfall_lists(session: Session, programme: Programme) -> list[ShortfallList]:
    result = []
    for role, heading, none_short in (
        (
            Role.PROCURER,
            _("Procurers with fewer pilots than committed"),
            _("No procurer has fewer pilots than committed."),
        ),
        (
            Role.FACILITATOR,
            _("Facilitators without the supporting actions committed"),
            _("No facilitator has fewer supporting actions than committed."),
        ),
    ):
        required, _rule_set = figures.required_count(programme, role)
        organisations = figures.shortfalls(session, programme=programme, role=role)
        result.append(ShortfallList(role, heading, _requirement(role, required), none_short, organisations))
    return result


def shortfall_chart(session: Session, programme: Programme) -> Chart:
    """Not drawn: the organisations below their commitment, as a table and a CSV."""
    rows: list[list[Cell]] = [
        [o.name, _role_label(s.role), o.count, o.required]
        for s in shortfall_lists(session, programme)
        for o in s.organisations
    ]
    return Chart(
        key="shortfall",
        title=_("Participants below their commitment"),
        description="",
        empty=_("Every participant meets the commitment."),
        header=[_("Organisation"), _("Role"), _("Pilots or supporting actions"), _("Required minimum")],
        rows=rows,
    )


def target_band(programme: Programme) -> Band | None:
    """The programme's own reduction aim, if it sets one: another programme's aim is not its yardstick."""
    low, high = programme.reduction_target_min, programme.reduction_target_max
    if low is None or high is None:
        return None
    text = _(
        "Aim of the programme: %(min)s–%(max)s",
        min=i18n.format_percentage(low),
        max=i18n.format_percentage(high),
    )
    return Band(low, high, text)


def impact_chart(session: Session, programme: Programme) -> Chart:
    language = i18n.current_language.get()
    groups = figures.impact(session, programme_id=programme.id)
    band = target_band(programme)
    title = _("Measured reduction per product group")
    series = [Series(_(QUANTITY_LABELS[q]), QUANTITY_COLOURS[q]) for q in QUANTITIES]

    def label(group: figures.GroupImpact) -> str:
        if group.total:
            return _("All product groups")
        return group.key.name(language) if group.key else _("No product group")

    def share(reduction: figures.Reduction) -> Share | None:
        fraction = reduction.fraction
        return Share(fraction) if fraction is not None else None

    rows: list[list[Cell]] = [
        [label(g), _(QUANTITY_LABELS[q]), share(g.reductions[q]), g.reductions[q].pilots]
        for g in groups
        for q in QUANTITIES
    ]
    description = _(
        "Reduction of raw materials, waste and CO2 from baseline to result, summed over the pilots "
        "that measured both."
    )
    aim = band.label if band else _("The programme sets no reduction aim, so none is drawn.")
    svg = None
    if groups:

        def percent(value: charts.Number) -> str:
            return i18n.format_percentage(Share(Decimal(value)).percent / 100, 1)

        def tick(value: charts.Number) -> str:
            return i18n.format_percentage(value)

        svg = charts.grouped_bar_chart(
            chart_id="chart-impact",
            title=title,
            description=description,
            series=series,
            bars=[
                Bar(label(g), [s.value if (s := share(g.reductions[q])) else None for q in QUANTITIES])
                for g in groups
            ],
            format_value=percent,
            format_tick=tick,
            band=band,
            missing=_("not measured"),
            category_axis=_("Product group"),
            value_axis=_("Reduction from baseline to result"),
        )
    return Chart(
        key="impact",
        title=title,
        description=description,
        empty=_("No impact measured yet."),
        header=[_("Product group"), _("Quantity"), _("Reduction"), _("Pilots measured")],
        rows=rows,
        series=series,
        svg=svg,
        note=_(
            "Per quantity: the tonnes the pilots avoided (baseline minus result) over their baseline "
            "tonnes, counting the pilots that measured both. %(band)s",
            band=aim if aim.endswith(".") else aim + ".",
        ),
        csv_header=[
            _("Product group"),
            _("Quantity"),
            _("Reduction (%)"),
            _("Pilots measured"),
            _("Aim from (%)"),
            _("Aim to (%)"),
        ],
        csv_extra=[Share(Decimal(band.low)), Share(Decimal(band.high))] if band else [None, None],
    )


CHARTS: dict[str, Callable[[Session, Programme], Chart]] = {
    "product-groups": product_groups_chart,
    "years": years_chart,
    "commitments": commitments_chart,
    "shortfall": shortfall_chart,
    "impact": impact_chart,
}
