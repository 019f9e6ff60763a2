"""A spreadsheet to fill in, per kind of record a source feeds (``/workspace/sources/templates/…``).

Its first sheet has the hub's fields as headers in the coordinator's language (``hub.sync.headers``,
recognised again in either language when the file is uploaded), one example row, and a drop-down on
every coded field (status, phase, country, product group, …) offering the values' names; a second
sheet says what each field takes. A name typed in the other language is still read, so a value
outside the list only warns.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import xlsxwriter
from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import targets as coerce
from connectors.targets import TARGETS
from hub import i18n
from hub.i18n import N_
from hub.records import LANGUAGES
from hub.sync import display, headers
from hub.taxonomy.models import ProductGroup, Strategy

ROWS = 5_000  # rows with drop-downs under the header
# What each kind of value takes, as the second sheet says it.
TAKES: dict[Callable[[Any], Any], str] = {
    coerce.text: N_("Text (one line)"),
    coerce.long_text: N_("Text of any length"),
    coerce.date: N_("A date (YYYY-MM-DD or DD/MM/YYYY)"),
    coerce.datetime: N_("A date and time (YYYY-MM-DD HH:MM)"),
    coerce.decimal: N_("A number (an amount in euros, without the € sign)"),
    coerce.integer: N_("A whole number"),
    coerce.code: N_("One of the values of the drop-down (in either language)"),
    coerce.url: N_("A web address (http:// or https://)"),
    coerce.references: N_("The numbers of this source's pilots, separated by commas"),
}
# The example row, by field: bilingual texts are examples in their own language.
EXAMPLE: dict[str, Any] = {
    "title_nl": "Circulair kantoormeubilair voor drie gemeenten",
    "title_en": "Circular office furniture for three municipalities",
    "summary_nl": "Hergebruikte en gerenoveerde meubels, met terugname na tien jaar.",
    "summary_en": "Reused and refurbished furniture, taken back after ten years.",
    "name": "Stad Voorbeeldegem",
    "city": "Gent",
    "location": "Brussel",
    "website": "https://www.example.org",
    "online_url": "https://www.example.org/meeting",
    "country": "BE",
    "status": "running",
    "phase": "tender",
    "sector": "public",
    "role": "procurer",
    "kind": "tip",
    "mode": "in_person",
    "source_language": "nl",
    "starts_on": dt.date(2025, 3, 1),
    "ends_on": dt.date(2027, 2, 28),
    "joined_on": dt.date(2025, 1, 15),
    "published_at": dt.datetime(2025, 3, 1, 9, 0),
    "starts_at": dt.datetime(2025, 6, 12, 14, 0),
    "ends_at": dt.datetime(2025, 6, 12, 16, 0),
    "timezone": "Europe/Brussels",
    "capacity": 40,
    "contract_value": Decimal("125000"),
}


def columns(target: str) -> list[str]:
    """The template's columns: the id, the target's fields, the link to the record's page."""
    return ["<id>", *TARGETS[target].fields, "<link>"]


def workbook(session: Session, target: str, language: str) -> bytes:
    """The template of ``target`` as an .xlsx, in ``language``."""
    values = _values(session, language)
    spoken = headers.spoken_codes(session)
    file = io.BytesIO()
    book = xlsxwriter.Workbook(file, {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1, "text_wrap": True})
    dated = {
        coerce.date: book.add_format({"num_format": "yyyy-mm-dd"}),
        coerce.datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    sheet = book.add_worksheet(headers.said(display.TARGETS[target], language)[:31])
    lists = book.add_worksheet("Lists")
    fields = TARGETS[target].fields
    for number, column in enumerate(columns(target)):
        title = _header(column, language)
        sheet.write_string(0, number, title, bold)
        sheet.set_column(number, number, min(40, max(12, len(title) + 4)))
        convert = fields.get(column)
        example = _example(column, values, spoken)
        if example is not None:
            sheet.write(1, number, example, dated.get(convert))  # type: ignore[arg-type]
        if column in values:
            _drop_down(sheet, lists, number, values[column], title)
    sheet.freeze_panes(1, 0)
    lists.hide()
    _explained(book, target, language, values)
    book.close()
    return file.getvalue()


def _header(column: str, language: str) -> str:
    if column == "<id>":
        return headers.said(headers.ID, language)
    if column == "<link>":
        return headers.said(headers.LINK, language)
    return headers.header(column, language)


def _values(session: Session, language: str) -> dict[str, list[str]]:
    """Each coded field's values as ``language`` names them (what its drop-down offers)."""
    locale = Locale(language)
    names: dict[str, list[str]] = {
        field: [headers.said(member.msgid, language) for member in enum]
        for field, enum in headers.ENUMS.items()
    }
    for field, model in (("product_group", ProductGroup), ("strategy", Strategy)):
        names[field] = list(session.scalars(select(getattr(model, f"name_{language}")).order_by(model.code)))
    names["country"] = sorted(
        (str(locale.territories.get(code, code)) for code in i18n.country_codes()), key=str.casefold
    )
    names["source_language"] = [str(locale.languages[code]) for code in LANGUAGES]
    return names


def _example(column: str, values: dict[str, list[str]], spoken: dict[str, dict[str, str]]) -> Any:
    """The example row's cell: a coded value by its name in the sheet's language."""
    if column == "<id>":
        return "EX-1"
    example = EXAMPLE.get(column)
    if values.get(column):
        codes = spoken.get(column, {})
        named = [name for name in values[column] if codes.get(headers.folded(name)) == example]
        return named[0] if named else values[column][0]
    return example


def _drop_down(sheet: Any, lists: Any, number: int, names: list[str], title: str) -> None:
    if not names:
        return
    lists.write_string(0, number, title)
    for row, name in enumerate(names, start=1):
        lists.write_string(row, number, name)
    letter = xlsxwriter.utility.xl_col_to_name(number)
    sheet.data_validation(
        1,
        number,
        ROWS,
        number,
        {
            "validate": "list",
            "source": f"=Lists!${letter}$2:${letter}${len(names) + 1}",
            "error_type": "warning",
        },
    )


def _explained(book: Any, target: str, language: str, values: dict[str, list[str]]) -> None:
    """The second sheet: each column's header, whether it is required, and what it takes."""
    said = headers.said
    sheet = book.add_worksheet(said(N_("Fields"), language)[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    for number, (title, width) in enumerate(
        ((N_("Column"), 28), (N_("Required"), 12), (N_("What it takes"), 50), (N_("Values"), 60))
    ):
        sheet.write_string(0, number, said(title, language), bold)
        sheet.set_column(number, number, width)
    spec = TARGETS[target]
    either = {field for group in spec.one_of for field in group}
    for row, column in enumerate(columns(target), start=1):
        if column == "<id>":
            required, takes = N_("Yes"), N_("Your own number or code for the record; it must not change.")
        elif column == "<link>":
            required, takes = N_("No"), N_("The address of the record's own page, if it has one.")
        else:
            required = (
                N_("Yes")
                if column in spec.required
                else N_("One of the titles")
                if column in either
                else N_("No")
            )
            takes = TAKES[spec.fields[column]]
        sheet.write_string(row, 0, _header(column, language), wrapped)
        sheet.write_string(row, 1, said(required, language), wrapped)
        sheet.write_string(row, 2, said(takes, language), wrapped)
        sheet.write_string(row, 3, "; ".join(values.get(column, ()))[:2000], wrapped)
    sheet.write_string(
        len(columns(target)) + 2,
        0,
        said(
            N_("Row 2 of the first sheet is an example: replace it or delete it before uploading."), language
        ),
    )
