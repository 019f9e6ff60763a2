"""Spreadsheets (.xlsx, .ods) as a tabular source: real workbooks, read by calamine, good and bad.

The workbooks are written here: .xlsx by xlsxwriter or openpyxl, .ods by hand (a zip of a few XML
files); the bad ones are real files damaged on purpose.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from connectors import spreadsheet, targets, workbook_checks
from connectors.base import Cursor, Item, ItemError
from connectors.fetch import Fetcher
from connectors.messages import OptionsError, Problem
from connectors.spreadsheet import Sheet, find_header, open_sheet
from connectors.tabular import TabularConnector, TabularOptions
from tests.connectors.fixture_server import File, FixtureServer
from tests.connectors.test_tabular import PILOT, items_and_peak, run, upload

MB = 2**20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ["id", "title", "country", "status", "value"]  # what PILOT maps


# -- workbooks


def xlsx(fill: Callable[[Any], None]) -> bytes:
    """A workbook written by xlsxwriter; ``fill`` gets the workbook."""
    file = io.BytesIO()
    book = xlsxwriter.Workbook(
        file, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    fill(book)
    book.close()
    return file.getvalue()


def table(*rows: list[Any], name: str = "Pilots") -> bytes:
    """A one-sheet workbook with ``rows`` from A1, each cell written as what it is."""

    def fill(book: Any) -> None:
        sheet = book.add_worksheet(name)
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        for number, row in enumerate(rows):
            for column, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(number, column, value, dates)
                elif isinstance(value, str):
                    sheet.write_string(number, column, value)
                elif value is not None:
                    sheet.write(number, column, value)

    return xlsx(fill)


def rezip(data: bytes, names: dict[str, bytes]) -> bytes:
    """``data`` (a zip) with the parts ``names`` replaced or added."""
    file = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as out:
        for part in source.infolist():
            if part.filename not in names:
                out.writestr(part.filename, source.read(part))
        for name, body in names.items():
            out.writestr(name, body)
    return file.getvalue()


def ods_cell(value: Any, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{repeated}/>"
    if isinstance(value, bool):
        kind = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, int | float):
        kind = f'office:value-type="float" office:value="{value}"'
    elif isinstance(value, dt.date):
        kind = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    else:
        kind = 'office:value-type="string"'
    return f"<table:table-cell {kind}{repeated}><text:p>{value}</text:p></table:table-cell>"


def ods_row(*cells: Any, repeat: int = 1) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated}>" + "".join(ods_cell(cell) for cell in cells) + "</table:table-row>"


def ods_table(name: str, *rows: str, hidden: bool = False) -> str:
    style = ' table:style-name="hidden"' if hidden else ""
    return f'<table:table table:name="{name}"{style}>' + "".join(rows) + "</table:table>"


def ods(*tables: str, encrypted: bool = False, mimetype: bytes = workbook_checks.ODS_MIMETYPE) -> bytes:
    """An OpenDocument spreadsheet as LibreOffice lays it out: the mimetype first and stored."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:automatic-styles><style:style style:name="hidden" style:family="table">'
        '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
        "<office:body><office:spreadsheet>" + "".join(tables) + "</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    encryption = '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/"'
        f' manifest:media-type="{workbook_checks.ODS_MIMETYPE.decode()}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f"{encryption if encrypted else ''}</manifest:file-entry></manifest:manifest>"
    )
    file = io.BytesIO()
    with zipfile.ZipFile(file, "w") as out:
        out.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        out.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        out.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return file.getvalue()


def compound(*streams: str) -> bytes:
    """An OLE compound file (what old .xls workbooks and encrypted .xlsx ones are) with empty streams."""
    free, end = 0xFFFFFFFF, 0xFFFFFFFE
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    fat = struct.pack("<II", 0xFFFFFFFD, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        fields = struct.pack(
            "<HBBIII16sIQQIQ", len(encoded), kind, 1, free, right, child, bytes(16), 0, 0, 0, end, 0
        )
        return encoded.ljust(64, b"\0") + fields

    entries = [entry("Root Entry", 5, child=1)]
    entries += [
        entry(name, 2, right=n + 2 if n + 1 < len(streams) else free) for n, name in enumerate(streams)
    ]
    return header + fat + b"".join(entries).ljust(512, b"\0")


def read(data: bytes, format: str = "xlsx", sheet: str | None = None, max_bytes: int = 20 * MB) -> Sheet:
    return open_sheet(io.BytesIO(data), format, sheet, max_bytes=max_bytes)


def cells(data: bytes, format: str = "xlsx", sheet: str | None = None) -> list[tuple[int, list[Any]]]:
    return list(read(data, format, sheet).rows())


def problem(data: bytes, format: str = "xlsx", **options: Any) -> Problem:
    with pytest.raises(Problem) as caught:
        read(data, format, **options)
    return caught.value


# -- cells


def test_typed_values_come_through_typed() -> None:
    def fill(book: Any) -> None:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["text", "whole", "fraction", "yes", "date", "moment", "empty", "error", "na"])
        sheet.write_string(1, 0, "  Desks  ")
        sheet.write_number(1, 1, 17)
        sheet.write_number(1, 2, 125000.5)
        sheet.write_boolean(1, 3, True)
        sheet.write_datetime(1, 4, dt.date(2024, 3, 31), book.add_format({"num_format": "dd/mm/yyyy"}))
        sheet.write_datetime(
            1, 5, dt.datetime(2024, 3, 31, 14, 5), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        )
        sheet.write_formula(1, 7, "=1/0", None, "#DIV/0!")  # an error cell (t="e")
        sheet.write_string(1, 8, "#N/A")  # an error, pasted as its text

    _, (number, row) = cells(xlsx(fill))

    assert number == 2
    assert row == [
        "Desks",
        17,
        125000.5,
        True,
        dt.date(2024, 3, 31),
        dt.datetime(2024, 3, 31, 14, 5),
        None,
        None,
        None,
    ]
    assert [type(cell) for cell in row[:6]] == [str, int, float, bool, dt.date, dt.datetime]


def test_formulas_are_their_cached_values_never_evaluated() -> None:
    def fill(book: Any) -> None:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["id", "sum", "link"])
        sheet.write_formula(1, 1, "=1+1", None, 99)  # evaluating it would give 2
        sheet.write_formula(1, 2, '=HYPERLINK("https://x.org/1")', None, "https://x.org/1")

    assert cells(xlsx(fill))[1][1] == [None, 99, "https://x.org/1"]

    book = openpyxl.Workbook()
    book.active.append(["id", "sum"])
    book.active.append(["P-1", "=SUM(1,2)"])  # openpyxl stores no cached value: nothing to read
    file = io.BytesIO()
    book.save(file)
    assert cells(file.getvalue())[1][1] == ["P-1", None]


def test_a_merged_range_gives_its_value_to_every_cell() -> None:
    def fill(book: Any) -> None:
        sheet = book.add_worksheet()
        sheet.merge_range("A1:E1", "Pilots of 2024")  # a banner
        sheet.write_row(1, 0, COLUMNS)
        sheet.write_row(2, 0, ["P-1", "Desks"])
        sheet.merge_range("C3:C4", "BE")  # one country for two rows
        sheet.write_row(3, 0, ["P-2", "Chairs"])

    rows = cells(xlsx(fill))

    assert rows[0][1] == ["Pilots of 2024"] * 5
    assert [row[:3] for _, row in rows[2:]] == [["P-1", "Desks", "BE"], ["P-2", "Chairs", "BE"]]


def test_an_ods_merge_is_left_as_it_is() -> None:
    # calamine gives no merged ranges for ODS: the covered cell stays empty
    merged = '<table:table-row><table:table-cell office:value-type="string" table:number-rows-spanned="2">'
    merged += "<text:p>BE</text:p></table:table-cell>" + ods_cell("Desks") + "</table:table-row>"
    covered = "<table:table-row><table:covered-table-cell/>" + ods_cell("Chairs") + "</table:table-row>"
    data = ods(ods_table("Pilots", ods_row("country", "title"), merged, covered))

    assert [row for _, row in cells(data, "ods")] == [["country", "title"], ["BE", "Desks"], [None, "Chairs"]]


def test_hidden_rows_and_columns_are_read() -> None:
    def fill(book: Any) -> None:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["id", "secret", "title"])
        sheet.write_row(1, 0, ["P-1", "kept", "Desks"])
        sheet.write_row(2, 0, ["P-2", "kept too", "Chairs"])
        sheet.set_column("B:B", None, None, {"hidden": True})
        sheet.set_row(2, None, None, {"hidden": True})  # a filter hides rows that are still records

    assert [row for _, row in cells(xlsx(fill))[1:]] == [
        ["P-1", "kept", "Desks"],
        ["P-2", "kept too", "Chairs"],
    ]


def test_rows_are_numbered_as_the_spreadsheet_shows_them() -> None:
    def fill(book: Any) -> None:
        sheet = book.add_worksheet()
        sheet.write_row(3, 2, ["id", "title"])  # C4: empty rows and columns before it
        sheet.write_row(5, 2, ["P-1", "Desks"])

    rows = cells(xlsx(fill))

    assert [number for number, _ in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[3] == (4, ["id", "title"]) and rows[5] == (6, ["P-1", "Desks"])


def test_an_ods_sheet_is_read_typed() -> None:
    data = ods(
        ods_table("Lists", ods_row("hidden"), hidden=True),
        ods_table(
            "Pilots",
            ods_row("id", "value", "start", "running", "status"),
            ods_row(17, 125000.5, dt.date(2024, 3, 31), True, "#DIV/0!"),
            ods_row("P-2", 3, None, False, "running", repeat=2),
        ),
    )

    sheet = read(data, "ods")

    assert (sheet.name, sheet.height) == ("Pilots", 4)
    assert [row for _, row in sheet.rows()][1:] == [
        [17, 125000.5, dt.date(2024, 3, 31), True, None],
        ["P-2", 3, None, False, "running"],
        ["P-2", 3, None, False, "running"],
    ]


# -- sheets


def workbook_of_sheets() -> bytes:
    def fill(book: Any) -> None:
        book.add_worksheet("Lists").write_string(0, 0, "hidden list")
        book.add_worksheet("Pilots").write_string(0, 0, "pilots")
        book.add_worksheet("Notes").write_string(0, 0, "notes")
        book.worksheets()[0].hide()
        book.worksheets()[1].activate()

    return xlsx(fill)


@pytest.mark.parametrize(
    ("wanted", "name"),
    [(None, "Pilots"), ("Notes", "Notes"), ("2", "Notes"), ("Lists", "Lists"), ("1", "Pilots")],
)
def test_the_first_visible_sheet_or_the_named_one(wanted: str | None, name: str) -> None:
    sheet = read(workbook_of_sheets(), sheet=wanted)

    assert sheet.name == name  # a position counts the visible sheets; a hidden one is read when named


def test_an_unknown_sheet_names_the_sheets_there_are() -> None:
    for wanted in ("Pilot", "3"):
        caught = problem(workbook_of_sheets(), sheet=wanted)
        assert caught.message == "The workbook has no sheet “%(sheet)s”; its sheets are: %(sheets)s."
        assert caught.values == {"sheet": wanted, "sheets": "Lists, Pilots, Notes"}


def test_an_empty_sheet_is_a_problem() -> None:
    caught = problem(xlsx(lambda book: book.add_worksheet("Empty")))

    assert (caught.message, caught.values) == ("The sheet “%(sheet)s” is empty.", {"sheet": "Empty"})


# -- the header row


def test_the_header_row_is_found_below_a_title_and_notes() -> None:
    rows: list[list[Any]] = [
        ["Pilots of the programme", None, None],
        [],
        ["Exported on 31/03/2024", None, None],
        ["id", "title", "country"],
        ["P-1", "Desks", "BE"],
    ]

    assert find_header(rows, ["id", "country"]) == 3
    assert find_header(rows, ["id", "nowhere"]) == 3  # the most: the header row then says what it lacks
    assert find_header(rows, None) == 3  # a preview that knows no mapping yet
    with pytest.raises(Problem, match="None of the first 5 rows"):
        find_header(rows, ["ref"])


def test_without_a_mapping_a_header_is_text_wide_and_varied() -> None:
    banner = ["Pilots 2024"] * 4  # a merged banner: one name four times
    numbers = ["P-1", 17, 3.5, "BE"]
    notes = ["Note", "see below", None, None]  # too narrow: fewer than 60 % of the widest row

    assert find_header([banner, notes, numbers, ["id", "title", "value", "country"]], None) == 3
    with pytest.raises(Problem, match="looks like a header row"):
        find_header([banner, numbers], None)
    with pytest.raises(Problem):
        find_header([[None]] * 20 + [["id", "title"]], None)  # only the first 20 rows are looked at


def test_a_given_header_row_is_taken_as_it_is(fetcher: Fetcher, uploads: Path) -> None:
    data = table(["id", "title", "country", "status", "value"], COLUMNS, ["P-1", "Desks", "BE", "running", 5])
    name = upload(uploads, data, "pilots.xlsx")

    (item,), errors, _ = run(fetcher, upload=name, header_row=2)

    assert item.external_id == "P-1" and errors == []
    assert [error.position for error in run(fetcher, upload=name)[1]] == [
        2
    ]  # found: row 1, and row 2 a record
    with pytest.raises(Problem) as caught:
        run(fetcher, upload=name, header_row=9)
    assert (
        caught.value.message == "Row %(row)s of the sheet “%(sheet)s” is empty; it cannot be the header row."
    )


def test_header_names_duplicates_and_blanks(fetcher: Fetcher, uploads: Path) -> None:
    header = [*COLUMNS, None, "notes", "notes", "  extra\ncolumn "]
    name = upload(uploads, table(header, ["P-1", "Desks", "BE", "running", 5, "x", "a", "b", "c"]), "a.xlsx")

    (item,), _, _ = run(fetcher, upload=name)  # blank and unused duplicate names, more columns: fine
    assert item.fields["title_en"] == "Desks"

    name = upload(
        uploads, table([*COLUMNS, "title"], ["P-1", "Desks", "BE", "running", 5, "Chairs"]), "b.xlsx"
    )
    with pytest.raises(Problem) as caught:
        run(fetcher, upload=name)
    assert caught.value.message.startswith("The column “%(column)s” appears twice in the header row")
    assert caught.value.values == {"column": "title"}

    assert spreadsheet.header_names(["  extra\ncolumn ", 2024, None]) == ["extra column", "2024", ""]


def test_a_header_row_without_the_mapped_columns_names_them(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, table(["id", "title", "state"], ["P-1", "Desks", "running"]), "a.xlsx")

    with pytest.raises(Problem) as caught:
        run(fetcher, upload=name)

    assert caught.value.message == "The header row lacks the column(s) %(columns)s; it has %(header)s."
    assert caught.value.values == {"columns": "country, status, value", "header": "id, title, state"}


# -- the connector


def pilots_workbook() -> bytes:
    def fill(book: Any) -> None:
        sheet = book.add_worksheet("Pilots")
        dates = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.merge_range("A1:G1", "Circular pilots, as of 31 March 2024")
        sheet.write_row(2, 0, [*COLUMNS, "start", "page"])
        sheet.write_row(3, 0, [17, "Refurbished desks", "BE", "running", 125000.5])
        sheet.write_datetime(3, 5, dt.date(2024, 2, 1), dates)
        sheet.write_string(3, 6, "https://example.org/pilots/17")
        sheet.write_row(4, 0, ["P-2", "=cmd|' /C calc'!A0", "NL", "completed", -5, "31/03/2024"])
        sheet.write_row(6, 0, ["P-3", "+31 6 1234", "BE", "running", "lots", "31.03.2024"])  # row 6 is blank
        sheet.write_row(7, 0, [17.5, "@SUM(A1)", "BE", "running", 1, "2024/03/31"])
        sheet.write_row(8, 0, ["P-5", "-A1", "BE", "running", 1, "31-03-2024"])
        sheet.write_row(9, 0, ["P-6", "Lamps", "BE", "running", 1, "03/31/2024"])

    return xlsx(fill)


def test_a_workbook_feeds_items_like_a_csv_export(fetcher: Fetcher, uploads: Path) -> None:
    name = upload(uploads, pilots_workbook(), "pilots.xlsx")
    columns = {**PILOT["columns"], "starts_on": "start"}

    items, errors, cursor = run(fetcher, upload=name, columns=columns, link_column="page")

    assert items[0] == Item(
        "17",  # a whole number id: its digits
        {
            "phase": "tender",
            "title_en": "Refurbished desks",
            "country": "be",
            "status": "running",
            "contract_value": Decimal("125000.5"),  # not a binary-float artefact
            "starts_on": dt.date(2024, 2, 1),
        },
        "https://example.org/pilots/17",
        4,  # its row in the sheet
    )
    assert [(item.external_id, item.fields["title_en"], item.fields["starts_on"]) for item in items[1:]] == [
        ("P-2", "'=cmd|' /C calc'!A0", dt.date(2024, 3, 31)),  # text that a spreadsheet would run: defused
        ("P-5", "'-A1", dt.date(2024, 3, 31)),
    ]
    assert items[1].fields["contract_value"] == Decimal(-5)
    assert [(error.external_id, error.position, str(error.problem)) for error in errors] == [
        ("P-3", 7, "contract_value: “lots” is not a number"),
        (None, 8, "The id column “id” is empty (or not text or a whole number)."),  # 17.5 is no id
        ("P-6", 10, "starts_on: “03/31/2024” is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
    ]
    assert cursor.complete and cursor.expected == 7  # the rows under the header (row 3)


def test_a_large_workbook_is_streamed_and_reads_the_same(
    fetcher: Fetcher, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``STREAM_BYTES`` an .xlsx is read row by row (openpyxl): the same items and errors."""
    name = upload(uploads, pilots_workbook(), "pilots.xlsx")
    options = {"upload": name, "columns": {**PILOT["columns"], "starts_on": "start"}, "link_column": "page"}
    whole = run(fetcher, **options)
    monkeypatch.setattr(spreadsheet, "STREAM_BYTES", 0)
    streamed = run(fetcher, **options)
    with (uploads / name).open("rb") as source:
        assert isinstance(spreadsheet.open_sheet(source, "xlsx", max_bytes=MB), spreadsheet.StreamedSheet)
    assert streamed[0] == whole[0]

    def said(errors: list[ItemError]) -> list[tuple[str | None, int | None, str]]:
        return [(error.external_id, error.position, str(error.problem)) for error in errors]

    assert said(streamed[1]) == said(whole[1])
    assert (streamed[2].expected, streamed[2].complete) == (whole[2].expected, whole[2].complete)


def test_a_large_workbook_is_read_with_flat_memory(
    fetcher: Fetcher, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet, "STREAM_BYTES", MB // 2)  # a smaller file than in use: a quick test
    path = uploads / "large.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Pilots")
    sheet.write_row(0, 0, COLUMNS)
    for n in range(1, 30_001):
        sheet.write_row(
            n, 0, [f"P-{n}", f"Circular pilot number {n} with a longer title", "BE", "running", n + 0.5]
        )
    book.close()
    assert path.stat().st_size > spreadsheet.STREAM_BYTES
    connector = TabularConnector(TabularOptions.parse({**PILOT, "upload": "large.xlsx"}))
    count, peak = items_and_peak(connector, fetcher)
    assert count == 30_000
    # The file itself (read whole: a zip) and a few rows: 30,000 rows held at once would be far more.
    assert peak < path.stat().st_size + 6 * MB, f"peak {peak} bytes: the sheet was not streamed"


def test_an_ods_upload_feeds_items(fetcher: Fetcher, uploads: Path) -> None:
    data = ods(
        ods_table(
            "Pilots", ods_row("Export"), ods_row(*COLUMNS), ods_row(17, "Desks", "BE", "running", 10.25)
        )
    )
    name = upload(uploads, data, "pilots.ods")

    (item,), errors, _ = run(fetcher, upload=name)

    assert (item.external_id, item.fields["contract_value"], errors) == ("17", Decimal("10.25"), [])


def test_a_workbook_over_http(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/pilots.xlsx"] = File(table(COLUMNS, ["P-1", "Desks", "BE", "running", 1]), XLSX)

    (item,), _, cursor = run(fetcher, url=server.url("/pilots.xlsx"))

    assert item.external_id == "P-1" and set(cursor.state) == {"etag", "last_modified"}


def test_too_many_rows_fail_before_any_item(
    fetcher: Fetcher, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 50)
    rows = [COLUMNS] + [[f"P-{n}", "Desks", "BE", "running", n] for n in range(50)]
    name = upload(uploads, table(*rows), "pilots.xlsx")
    connector = TabularConnector(TabularOptions.parse({**PILOT, "upload": name}))

    with pytest.raises(Problem) as caught:
        next(connector.items(fetcher, Cursor()))  # not one item out: a complete source withdraws none

    assert caught.value.message.startswith("The sheet “%(sheet)s” has %(rows)s rows; at most %(limit)s")
    assert caught.value.values == {"sheet": "Pilots", "rows": 51, "limit": 50}
    assert len(run(fetcher, upload=upload(uploads, table(*rows[:50]), "fewer.xlsx"))[0]) == 49


def test_a_large_sheet_is_read_one_row_at_a_time(fetcher: Fetcher, uploads: Path) -> None:
    path = uploads / "big.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, COLUMNS)
    for n in range(1, 30_001):
        sheet.write_row(
            n, 0, [f"P-{n}", f"Circular pilot number {n} with a longer title", "BE", "running", n + 0.5]
        )
    book.close()
    connector = TabularConnector(TabularOptions.parse({**PILOT, "upload": "big.xlsx"}))

    started = time.monotonic()
    count, peak = items_and_peak(connector, fetcher)

    assert count == 30_000
    # The file (read whole: a zip) and a chunk of a part being scanned; 30,000 rows as lists: over 10 MB.
    assert peak < path.stat().st_size + 4 * MB, f"peak {peak} bytes: the rows were not read one at a time"
    assert time.monotonic() - started < 60


# -- files that are not what they say


@pytest.mark.parametrize(
    ("data", "format", "message", "values"),
    [
        (b"id,title\nP-1,Desks\n", "xlsx", "The file is not a .%(format)s spreadsheet", {"format": "xlsx"}),
        (
            b"<!DOCTYPE html><html><body>Log in</body></html>",
            "xlsx",
            "The file is not a .%(format)s",
            {"format": "xlsx"},
        ),
        (b"PK\x05\x06" + bytes(18), "xlsx", "The file is not a .%(format)s", {"format": "xlsx"}),
        (table(COLUMNS), "ods", "The file is an .%(found)s spreadsheet", {"found": "xlsx", "format": "ods"}),
        (
            ods(ods_table("S", ods_row("id"))),
            "xlsx",
            "The file is an .%(found)s",
            {"found": "ods", "format": "xlsx"},
        ),
        (
            ods(ods_table("S"), mimetype=b"application/vnd.oasis.opendocument.text"),
            "ods",
            "The file is not a",
            None,
        ),
        (compound("Workbook"), "xlsx", "“.%(format)s” workbooks are not read", {"format": "xls"}),
    ],
)
def test_a_file_that_is_not_what_its_format_says(
    data: bytes, format: str, message: str, values: dict[str, str] | None
) -> None:
    caught = problem(data, format)

    assert caught.message.startswith(message)
    assert values is None or caught.values == values


def test_a_truncated_or_damaged_workbook_cannot_be_read() -> None:
    whole = table(COLUMNS, ["P-1", "Desks", "BE", "running", 1])
    broken_sheet = rezip(whole, {"xl/worksheets/sheet1.xml": b'<worksheet><sheetData><row r="1"><c r="A1"'})
    broken_book = rezip(
        whole, {"xl/workbook.xml": b'<workbook><sheets><sheet name="Pilots'}
    )  # calamine's error

    for data in (whole[: len(whole) // 2], whole[:-30], broken_sheet, broken_book):
        caught = problem(data)
        assert caught.message.startswith("The spreadsheet cannot be read (%(error)s)"), caught


def test_a_part_whose_size_is_not_the_declared_one_is_refused() -> None:
    data = bytearray(table(COLUMNS, ["P-1", "Desks", "BE", "running", 1]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
    at = bytes(data).rindex(b"xl/worksheets/sheet1.xml") - 46  # its entry in the central directory
    assert data[at : at + 4] == b"PK\x01\x02"
    data[at + 24 : at + 28] = struct.pack("<I", part.file_size // 2)  # it says it unpacks to half
    data[part.header_offset + 22 : part.header_offset + 26] = struct.pack("<I", part.file_size // 2)

    caught = problem(bytes(data))

    assert caught.message.startswith("The spreadsheet cannot be read")
    assert "not the size the zip says" in caught.values["error"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = table(COLUMNS)
    ratio = problem(rezip(plain, {"xl/media/image1.png": bytes(2 * MB)}))  # 2 MB of zeros pack to 2 kB
    assert ratio.message.startswith("Part of the spreadsheet unpacks to over %(ratio)s times")

    monkeypatch.setattr(spreadsheet, "MIN_UNPACKED", MB)
    parts = {f"xl/media/image{n}.png": bytes(900_000) for n in range(3)}  # each small, together over 1 MB
    total = problem(rezip(plain, parts), max_bytes=50_000)
    assert total.message.startswith("The spreadsheet would unpack to more than %(limit)s")
    assert total.values == {"limit": "1 MB"}


def test_a_file_larger_than_max_bytes_is_refused() -> None:
    caught = problem(table(COLUMNS), max_bytes=1000)

    assert caught.message == "Spreadsheets larger than %(limit)s cannot be read; export CSV instead."


MEMORY_LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
from connectors.messages import Problem
from connectors.spreadsheet import open_sheet
try:
    open_sheet(open(sys.argv[1], "rb"), sys.argv[2], None, max_bytes=2**24)
    print("read")
except Problem as problem:
    print(problem.message)
"""
FAR_APART = '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
FAR_APART += '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
NO_REFERENCES = (
    '<row><c t="inlineStr"><is><t>id</t></is></c></row><row r="1048576">'
    + "<c><v>1</v></c>" * 3000
    + "</row>"
)
PREFIXED = '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
PREFIXED += '<x:c r="A1"><x:v>1</x:v></x:c>'
PREFIXED += "<x:c t='n' r='XFD1048576'><x:v>1</x:v></x:c></x:row>"


SHEET = "xl/worksheets/sheet1.xml"
# ODS: a cell repeated along a row, and that row repeated (calamine itself refuses far larger ones)
WIDE = ods_row(1).replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated="16000" ')
REPEATED = '<table:table-row table:number-rows-repeated="50000"><table:table-cell office:value-type="float"'
REPEATED += ' office:value="1" table:number-columns-repeated="1000"/></table:table-row>'  # a value, no text


def worksheet(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


@pytest.mark.parametrize(
    ("data", "format"),
    [
        (rezip(table(["id"]), {SHEET: worksheet(FAR_APART)}), "xlsx"),
        (rezip(table(["id"]), {SHEET: worksheet(NO_REFERENCES)}), "xlsx"),
        (rezip(table(["id"]), {SHEET: worksheet(PREFIXED)}), "xlsx"),
        (ods(ods_table("S", WIDE, ods_row(repeat=5000), ods_row("x"))), "ods"),
        (ods(ods_table("S", ods_row("id"), REPEATED)), "ods"),
    ],
    ids=[
        "cells-far-apart",
        "no-references",
        "namespace-prefix",
        "ods-empty-rows-under-a-wide-one",
        "ods-repeated",
    ],
)
def test_cells_spread_too_far_are_refused_before_calamine_lays_them_out(
    data: bytes, format: str, tmp_path: Path
) -> None:
    # A few bytes that calamine would lay out as a grid of billions of cells: its allocation fails
    # and aborts the process, so the check runs in one with little memory (an abort fails the test).
    path = tmp_path / f"sparse.{format}"
    path.write_bytes(data)

    done = subprocess.run(
        [sys.executable, "-c", MEMORY_LIMITED, str(path), format],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("The sheet is too large to read"), done.stdout


def test_macros_are_refused_even_in_a_file_named_xlsx() -> None:
    def fill(book: Any) -> None:
        book.add_worksheet().write_row(0, 0, COLUMNS)
        book.add_vba_project(io.BytesIO(compound("VBA")), is_stream=True)

    plain = table(COLUMNS)
    content_types = zipfile.ZipFile(io.BytesIO(plain)).read("[Content_Types].xml")
    enabled = content_types.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")

    vba_only = rezip(plain, {"xl/vbaProject.bin": compound("VBA")})
    for data in (xlsx(fill), rezip(plain, {"[Content_Types].xml": enabled}), vba_only):
        caught = problem(data)
        assert caught.message.startswith("The workbook contains macros")


def test_a_workbook_with_a_password_is_refused() -> None:
    for data, format in (
        (compound("EncryptionInfo", "EncryptedPackage"), "xlsx"),
        (ods(ods_table("S"), encrypted=True), "ods"),
    ):
        caught = problem(data, format)
        assert caught.message.startswith("The workbook is protected with a password")


# -- options


@pytest.mark.parametrize(
    ("raw", "format", "sheet", "header_row"),
    [
        ({"upload": "Pilots.XLSX"}, "xlsx", None, None),
        ({"url": "https://x.org/export.ods?v=2"}, "ods", None, None),
        ({"upload": "export", "format": "xlsx", "sheet": " Pilots ", "header_row": 3}, "xlsx", "Pilots", 3),
        ({"upload": "a.ods", "sheet": "2", "header_row": "4"}, "ods", "2", 4),  # a form sends text
    ],
)
def test_spreadsheet_options(
    raw: dict[str, Any], format: str, sheet: str | None, header_row: int | None
) -> None:
    options = TabularOptions.parse({**PILOT, **raw})

    assert (options.format, options.sheet, options.header_row) == (format, sheet, header_row)
    assert TabularOptions.parse(json.loads(json.dumps(options.to_dict()))) == options


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"upload": "macros.xlsm"}, "upload", "“.%(format)s” workbooks are not read"),
        ({"url": "https://x.org/old.xls"}, "url", "“.%(format)s” workbooks are not read"),
        ({"upload": "export", "format": "xlsm"}, "format", "“.%(format)s” workbooks are not read"),
        ({"upload": "a.xlsx", "header_row": 0}, "header_row", "This option must be a whole number"),
        ({"upload": "a.xlsx", "header_row": "second"}, "header_row", "This option must be a whole number"),
        ({"upload": "a.xlsx", "header_row": True}, "header_row", "This option must be a whole number"),
        ({"upload": "a.xlsx", "sheet": 2}, "sheet", "This option must be text."),
        ({"upload": "a.csv", "sheet": "Pilots"}, "sheet", "This option is for spreadsheets"),
        ({"upload": "a.json", "header_row": 2}, "header_row", "This option is for spreadsheets"),
    ],
)
def test_spreadsheet_options_errors(raw: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        TabularOptions.parse({**PILOT, **raw})

    assert caught.value.field == field
    assert caught.value.message.startswith(message)


# -- dates written as text


@pytest.mark.parametrize(
    "text", ["2024-03-31", "31/03/2024", "31-03-2024", "31.03.2024", "2024/03/31", " 31/3/2024 "]
)
def test_dates_in_belgian_and_dutch_forms(text: str) -> None:
    assert targets.date(text) == dt.date(2024, 3, 31)
    assert targets.datetime(text) == dt.datetime(2024, 3, 31, tzinfo=dt.UTC)
    assert targets.datetime(text.strip() + " 14:05") == dt.datetime(2024, 3, 31, 14, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "text", ["03/31/2024", "31/02/2024", "2024.03.31", "31/03/24", "31/03-2024", "31/03/2024 10:00"]
)
def test_what_is_not_a_date(text: str) -> None:
    with pytest.raises(Problem) as caught:
        targets.date(text)

    assert caught.value.message == "“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY)"


def test_date_and_time_values() -> None:
    midnight = dt.datetime(2024, 3, 31, tzinfo=dt.UTC)
    assert targets.datetime(dt.date(2024, 3, 31)) == midnight  # a spreadsheet gives it as a date
    assert targets.datetime("31.03.2024T09:30:15") == dt.datetime(2024, 3, 31, 9, 30, 15, tzinfo=dt.UTC)
    for text in ("31/03/2024 25:00", "tomorrow"):
        with pytest.raises(Problem) as caught:
            targets.datetime(text)
        assert (
            caught.value.message
            == "“%(value)s” is not a date and time (YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM)"
        )
