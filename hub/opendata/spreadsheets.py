"""The public lists as spreadsheets (``.xlsx``): the downloads' rows in the page's language, typed.

Headers and coded values (status, phase, sector, product group, strategies, country) are written
as the page's language says them; dates are dates, amounts euros, web addresses links. The first sheet has
a frozen header row, an autofilter and widths to fit; a second one says which hub, which filters,
when, and under which licence. xlsxwriter writes in constant-memory mode to a temporary file (each
row is flushed as it is written, the workbook zipped at the end), which is then streamed: memory
stays flat however long the list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

import xlsxwriter
from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import i18n
from hub.i18n import N_, LabelledEnum
from hub.opendata.downloads import Document, flatten
from hub.organisations.models import Sector
from hub.pilots.models import PilotStatus
from hub.taxonomy.models import Phase, ProductGroup, Strategy
from hub.web import XLSX

MEDIA_TYPE = XLSX
LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"  # the hub's open data
_CHUNK = 64 * 1024
_ZONE = ZoneInfo(i18n.TIMEZONE)
_MAX_WIDTH = 60


class Words:
    """How the page's language says the hub's codes: labels, vocabulary names, countries."""

    def __init__(self, session: Session, language: str) -> None:
        self.language = language
        self._translations = i18n.translations(language)
        self._locale = Locale(language)
        self._names: dict[type[Any], dict[str, str]] = {
            model: {
                code: name
                for code, name in session.execute(select(model.code, getattr(model, f"name_{language}")))
            }
            for model in (ProductGroup, Strategy)
        }

    def __call__(self, msgid: str, **values: Any) -> str:
        text = str(self._translations.ugettext(msgid))
        return text % values if values else text

    def label(self, enum: type[LabelledEnum], value: str | None) -> str | None:
        return self(enum(value).msgid) if value else None

    def name(self, model: type[Any], codes: str | Sequence[str] | None) -> str | None:
        if not codes:
            return None
        names = self._names[model]
        if isinstance(codes, str):
            return str(names.get(codes, codes))
        return "; ".join(str(names.get(code, code)) for code in codes)

    def country(self, codes: str | Sequence[str] | None) -> str | None:
        if not codes:
            return None
        found = [codes] if isinstance(codes, str) else list(codes)
        return "; ".join(str(self._locale.territories.get(code.upper(), code)) for code in found)

    def language_name(self, code: str) -> str:
        return str(self._locale.languages.get(code, code))


Show = Callable[[Any, Words], Any]


@dataclasses.dataclass(frozen=True)
class Column:
    """A column: the flattened document's field, its header (a msgid), how its cells are typed
    (text, number, euro, date, moment, link, yes/no) and, for a code, how the page says it."""

    key: str
    header: str
    kind: str = "text"
    show: Show | None = None
    language: str | None = None  # the language of a bilingual field's column


def _both(key: str, header: str) -> tuple[Column, Column]:
    return Column(f"{key}_nl", header, language="nl"), Column(f"{key}_en", header, language="en")


_STATUS: Show = lambda value, words: words.label(PilotStatus, value)  # noqa: E731
_PHASE: Show = lambda value, words: words.label(Phase, value)  # noqa: E731
_SECTOR: Show = lambda value, words: words.label(Sector, value)  # noqa: E731
_GROUP: Show = lambda value, words: words.name(ProductGroup, value)  # noqa: E731
_STRATEGIES: Show = lambda value, words: words.name(Strategy, value)  # noqa: E731
_COUNTRY: Show = lambda value, words: words.country(value)  # noqa: E731
_LANGUAGE: Show = lambda value, words: words.language_name(value) if value else None  # noqa: E731
_RECORD_END = (
    Column("home_hub", N_("Hub")),
    Column("demo", N_("Demo data"), "yes/no"),
    Column("updated_at", N_("Updated"), "moment"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "pilots": (
        Column("id", N_("Number"), "number"),
        Column("url", N_("Page"), "link"),
        *_both("title", N_("Title")),
        *_both("summary", N_("Summary")),
        Column("source_language", N_("Source language"), show=_LANGUAGE),
        Column("programme", N_("Programme")),
        Column("country", N_("Country"), show=_COUNTRY),
        Column("product_group", N_("Product group"), show=_GROUP),
        Column("strategies", N_("Strategies"), show=_STRATEGIES),
        Column("phase", N_("Phase"), show=_PHASE),
        Column("status", N_("Status"), show=_STATUS),
        Column("starts_on", N_("Start"), "date"),
        Column("ends_on", N_("End"), "date"),
        Column("contract_value_amount", N_("Contract value"), "euro"),
        *_RECORD_END,
    ),
    "organisations": (
        Column("id", N_("Number"), "number"),
        Column("url", N_("Page"), "link"),
        Column("name", N_("Name")),
        Column("sector", N_("Sector"), show=_SECTOR),
        Column("country", N_("Country"), show=_COUNTRY),
        Column("city", N_("City")),
        Column("website", N_("Website"), "link"),
        *_both("description", N_("Description")),
        Column("participations", N_("Participations")),
        *_RECORD_END,
    ),
    "programmes": (
        Column("url", N_("Page"), "link"),
        Column("code", N_("Code")),
        Column("short_name", N_("Short name")),
        *_both("name", N_("Name")),
        *_both("description", N_("Description")),
        *_both("region", N_("Region")),
        Column("countries", N_("Countries"), show=_COUNTRY),
        Column("starts_on", N_("Start"), "date"),
        Column("ends_on", N_("End"), "date"),
        Column("website", N_("Website"), "link"),
        *_RECORD_END,
    ),
    "news": (
        Column("url", N_("Page"), "link"),
        Column("programme", N_("Programme")),
        *_both("title", N_("Title")),
        *_both("summary_html", N_("Summary")),
        Column("source_language", N_("Source language"), show=_LANGUAGE),
        Column("published_at", N_("Published"), "moment"),
        Column("demo", N_("Demo data"), "yes/no"),
        Column("updated_at", N_("Updated"), "moment"),
    ),
}

# What the second sheet says of the download.
ABOUT = N_("About this download")


def workbook(
    kind: str,
    chunks: Iterable[Iterable[Document]],
    words: Words,
    *,
    title: str,
    filters: Mapping[str, str],
    hub: str,
) -> Iterator[bytes]:
    """The list as an .xlsx, written to a temporary file row by row, then read back in pieces."""
    with tempfile.TemporaryFile() as file:
        _write(file, COLUMNS[kind], chunks, words, title=title, filters=filters, hub=hub)
        file.seek(0)
        while piece := file.read(_CHUNK):
            yield piece


def _write(
    file: IO[bytes],
    columns: Sequence[Column],
    chunks: Iterable[Iterable[Document]],
    words: Words,
    *,
    title: str,
    filters: Mapping[str, str],
    hub: str,
) -> None:
    book = xlsxwriter.Workbook(
        file, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1, "text_wrap": True}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "moment": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "euro": book.add_format({"num_format": "[$€-x-euro2] #,##0.00"}),
        "link": book.add_format({"font_color": "#1F4E79", "underline": 1}),
    }
    sheet = book.add_worksheet(title[:31])
    headers = [_header(column, words) for column in columns]
    widths = [min(_MAX_WIDTH, max(10, len(header) + 2)) for header in headers]
    # Widths before any row: in constant-memory mode a row is written out as soon as the next starts.
    for number, width in enumerate(widths):
        sheet.set_column(number, number, width)
    sheet.write_row(0, 0, headers, formats["header"])
    sheet.freeze_panes(1, 0)
    row = 0
    for documents in chunks:
        for document in documents:
            row += 1
            flat = flatten(document)
            for number, column in enumerate(columns):
                _cell(sheet, row, number, column, flat.get(column.key), words, formats)
    sheet.autofilter(0, 0, max(row, 1), len(columns) - 1)
    _about(book, words, title=title, filters=filters, hub=hub, rows=row)
    book.close()


def _header(column: Column, words: Words) -> str:
    header = words(column.header)
    if column.language:
        return words(
            N_("%(field)s (%(language)s)"), field=header, language=words.language_name(column.language)
        )
    return header


def _cell(
    sheet: Any, row: int, number: int, column: Column, value: Any, words: Words, formats: Mapping[str, Any]
) -> None:
    if column.show is not None:
        value = column.show(value, words)
    if value is None or value == "":
        return
    kind = column.kind
    if kind == "number":
        sheet.write_number(row, number, value)
    elif kind == "euro":
        sheet.write_number(row, number, float(Decimal(value)), formats["euro"])
    elif kind == "date":
        sheet.write_datetime(row, number, dt.date.fromisoformat(value), formats["date"])
    elif kind == "moment":
        local = dt.datetime.fromisoformat(value).astimezone(_ZONE).replace(tzinfo=None)
        sheet.write_datetime(row, number, local, formats["moment"])
    elif kind == "link" and str(value).startswith(("https://", "http://")):
        # A HYPERLINK formula, not a stored link: Excel takes 65,530 of those a sheet, and the
        # writer keeps each in memory until the end.
        quoted = str(value).replace('"', '""')
        sheet.write_formula(row, number, f'=HYPERLINK("{quoted}")', formats["link"], value)
    elif kind == "yes/no":
        sheet.write_string(row, number, words(N_("Yes") if value else N_("No")))
    else:
        text = "; ".join(str(item) for item in value) if isinstance(value, list | tuple) else str(value)
        sheet.write_string(row, number, text)


def _about(book: Any, words: Words, *, title: str, filters: Mapping[str, str], hub: str, rows: int) -> None:
    sheet = book.add_worksheet(words(ABOUT)[:31])
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 70)
    chosen = "; ".join(f"{name} = {value}" for name, value in filters.items()) or words(N_("None"))
    lines = (
        (N_("Hub"), hub),
        (N_("List"), title),
        (N_("Filters"), chosen),
        (N_("Rows"), str(rows)),
        (N_("Downloaded"), dt.datetime.now(_ZONE).strftime("%Y-%m-%d %H:%M")),
        (N_("Licence"), LICENCE),
    )
    for number, (label, value) in enumerate(lines):
        sheet.write_string(number, 0, words(label))
        sheet.write_string(number, 1, value)
