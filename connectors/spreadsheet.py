"""Spreadsheets (.xlsx, .ods) read row by row: for the tabular connector and the hub's upload preview.

python-calamine (Rust) parses the workbook; this module decides what reaches it and shapes what
comes out. Before calamine sees a byte, the file is checked: that it is the kind of workbook its
format says (a zip with the parts of an .xlsx or an .ods), that it has no macros and no password,
that it does not unpack to far more than it weighs (a zip bomb), and that its cells do not spread
over a grid too large to hold: calamine lays a sheet out as a dense grid, and when that grid cannot
be allocated the whole process aborts instead of raising.

Cells come out typed: text stripped, whole numbers as int (calamine gives 17.0 for 17), other
numbers as float, booleans as bool, dates and date-times as ``datetime.date`` / ``datetime.datetime``,
empty and error cells (#DIV/0!, #N/A …) as None. A formula is its value as the spreadsheet cached it
when it was saved: calamine never evaluates one. Every cell of a merged range holds the value of
the range's top-left cell.

Hidden rows and columns are read like any other: a filter hides rows that are still records. A
hidden sheet is read only when it is named.

Rows are numbered as the spreadsheet shows them (1-based), so that a coordinator finds the row an
error names. Calamine keeps its own copy of the sheet (about 55 bytes a cell); an .xlsx larger than
``STREAM_BYTES`` is read instead as a stream by openpyxl's read-only mode (slower, flat memory; its
merged cells are not filled). Python holds one row at a time either way.
"""

from __future__ import annotations

import dataclasses
import io
from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from itertools import chain, islice
from typing import IO, Any, TypeVar

import openpyxl
from python_calamine import (
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from connectors.messages import N_, Problem
from connectors.workbook_checks import (
    MAX_CELLS,
    PASSWORD,
    TOO_BIG,
    check_package,
    megabytes,
    unreadable,
)

FORMATS = ("xlsx", "ods")
MAX_ROWS = 200_000  # rows of a sheet, the header and the rows above it included
STREAM_BYTES = 2 * 2**20  # a larger .xlsx is read as a stream (openpyxl): calamine would hold it whole
MIN_UNPACKED = 200 * 2**20  # what a workbook may unpack to, at least (else 10 × the file size limit)
HEADER_SCAN = 20  # the header row is looked for in this many rows
# Error values as text (ODS files and pasted values have them; calamine gives xlsx errors as empty).
ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"})


T = TypeVar("T")
Row = tuple[int, list[Any]]
Merge = tuple[tuple[int, int], tuple[int, int]]


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: ``height`` is the number of its last row with a cell."""

    name: str
    height: int
    grid: CalamineSheet = dataclasses.field(repr=False)
    merged: tuple[Merge, ...] = ()

    def rows(self) -> Iterator[Row]:
        """``(row number, cells)`` for every row from the first, empty ones included (all as wide)."""
        first_column = (self.grid.start or (0, 0))[1]
        pending = deque(sorted(self.merged))
        active: list[tuple[int, int, int, Any]] = []  # last row, first and last index, value
        for index, raw in enumerate(self.grid.iter_rows()):
            cells = [_cell(value) for value in raw]
            if active or (pending and pending[0][0][0] <= index):
                active = [merge for merge in active if merge[0] >= index]
                while pending and pending[0][0][0] <= index:
                    (_, left), (bottom, right) = pending.popleft()
                    left, right = left - first_column, min(right - first_column, len(cells) - 1)
                    value = cells[left] if 0 <= left < len(cells) else None
                    if max(left, 0) <= right:
                        active.append((bottom, max(left, 0), right, value))
                for _, left, right, value in active:
                    cells[left : right + 1] = [value] * (right + 1 - left)
            yield index + 1, cells


@dataclasses.dataclass(frozen=True)
class StreamedSheet:
    """A sheet of a large .xlsx, read row by row from its XML (openpyxl's read-only mode) so that
    memory stays flat however long it is: calamine would hold every cell at once (about 55 bytes
    each). Its merged cells are not filled (large exports rarely have any)."""

    name: str
    height: int
    worksheet: Any = dataclasses.field(repr=False)

    def rows(self) -> Iterator[Row]:
        """``(row number, cells)`` for every row from the first, each at least as wide as those before."""
        width = 0
        for number, raw in enumerate(self.worksheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [_cell(value) for value in raw]
            width = max(width, len(cells))
            cells += [None] * (width - len(cells))
            yield number, cells


def open_sheet(
    source: IO[bytes], format: str, sheet: str | None = None, *, max_bytes: int
) -> Sheet | StreamedSheet:
    """The sheet named ``sheet`` (or at that position among the visible ones: "1", "2", …; by
    default the first visible one) of the workbook ``source`` holds, checked and ready to read.

    Raises Problem when the file is larger than ``max_bytes``, is not a readable ``format``
    workbook, or the sheet is missing, empty or longer than ``MAX_ROWS`` rows: all before a row is read.
    """
    data = _read_at_most(source, max_bytes + 1)
    if len(data) > max_bytes:
        raise Problem(
            N_("Spreadsheets larger than %(limit)s cannot be read; export CSV instead."),
            limit=megabytes(max_bytes),
        )
    check_package(data, format, max(10 * max_bytes, MIN_UNPACKED))
    if format == "xlsx" and len(data) > STREAM_BYTES:
        return _streamed(data, sheet)
    workbook = _calamine(CalamineWorkbook.from_filelike, io.BytesIO(data))
    del data
    try:
        name = _choose(workbook, sheet)
        grid = _calamine(workbook.get_sheet_by_name, name)
    finally:
        workbook.close()  # the sheet keeps its grid; the workbook's copy of the file can go
    if grid.end is None:
        raise Problem(N_("The sheet “%(sheet)s” is empty."), sheet=name)
    height = grid.end[0] + 1
    _check_height(name, height)
    # ODS gives no merged ranges (calamine reads them from .xlsx only): its merged cells stay as they are.
    merged = tuple(grid.merged_cell_ranges or ())
    _check_merged(merged, grid)
    return Sheet(name, height, grid, merged)


def _check_height(name: str, height: int) -> None:
    if height == 0:
        raise Problem(N_("The sheet “%(sheet)s” is empty."), sheet=name)
    if height > MAX_ROWS:
        raise Problem(
            N_(
                "The sheet “%(sheet)s” has %(rows)s rows; at most %(limit)s can be read: "
                "split it, or export it as CSV."
            ),
            sheet=name,
            rows=height,
            limit=MAX_ROWS,
        )


def _streamed(data: bytes, wanted: str | None) -> StreamedSheet:
    """The sheet of a large .xlsx (checked already), to be read as a stream."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise unreadable(error) from None
    every = [ws.title for ws in book.worksheets]
    name = sheet_named(wanted, every, [ws.title for ws in book.worksheets if ws.sheet_state == "visible"])
    worksheet = book[name]
    # The height its <dimension> says, else counted: either way known before the first row goes out.
    height = worksheet.max_row if worksheet.max_row else sum(1 for _ in worksheet.iter_rows(values_only=True))
    _check_height(name, height)
    return StreamedSheet(name, height, worksheet)


def header_names(cells: Sequence[Any]) -> list[str]:
    """A header row's cells as column names: text with its spaces and line breaks collapsed."""
    return [" ".join(str(cell).split()) if cell is not None else "" for cell in cells]


def find_header(rows: Sequence[Sequence[Any]], wanted: Collection[str] | None) -> int:
    """The index of the header row among the first ``HEADER_SCAN`` of ``rows`` (lists of cells).

    With ``wanted`` (column names), the first row that has them all, else the one that has most;
    without, the first row of at least two different names, all text, at least 60 % as many as
    the fullest of those rows has cells (so that a title, notes or a banner above are passed by).
    """
    rows = rows[:HEADER_SCAN]
    if wanted:
        names = set(wanted)
        found = [len(names.intersection(header_names(row))) for row in rows]
        if max(found, default=0) == 0:
            raise Problem(
                N_(
                    "None of the first %(rows)s rows of the sheet holds the column(s) %(columns)s; "
                    "check the column names, or give the number of the header row."
                ),
                rows=len(rows),
                columns=", ".join(dict.fromkeys(wanted)),
            )
        return found.index(max(found))
    filled = [[cell for cell in row if cell is not None] for row in rows]
    fullest = max(map(len, filled), default=0)
    for index, cells in enumerate(filled):
        if (
            len(set(cells)) >= 2
            and len(cells) >= 0.6 * fullest
            and all(isinstance(cell, str) for cell in cells)
        ):
            return index
    raise Problem(
        N_(
            "None of the first %(rows)s rows of the sheet looks like a header row (the names of the columns)."
        ),
        rows=len(rows),
    )


def locate_header(
    sheet: Sheet | StreamedSheet, wanted: Collection[str] | None, header_row: int | None = None
) -> tuple[int, list[str], Iterator[Row]]:
    """The header row's number and names, and the rows below it, still to be read.

    ``header_row`` (1-based) names it; without, it is found (:func:`find_header`).
    """
    rows = sheet.rows()
    if header_row is not None:
        for number, cells in rows:
            if number == header_row:
                names = header_names(cells)
                if any(names):
                    return number, names, rows
                break
        raise Problem(
            N_("Row %(row)s of the sheet “%(sheet)s” is empty; it cannot be the header row."),
            row=header_row,
            sheet=sheet.name,
        )
    head = list(islice(rows, HEADER_SCAN))
    index = find_header([cells for _, cells in head], wanted)
    number, cells = head[index]
    return number, header_names(cells), chain(head[index + 1 :], rows)


def check_unique(names: Sequence[str], used: Collection[str]) -> None:
    """Raises when a column that ``used`` needs appears more than once in the header ``names``."""
    for column in used:
        if names.count(column) > 1:
            raise Problem(
                N_(
                    "The column “%(column)s” appears twice in the header row "
                    "(or its cell is merged across columns); give each column its own name."
                ),
                column=column,
            )


def identifier(cell: Any) -> str:
    """An id cell as text: text as it is, a whole number as its digits ("17", never "17.0");
    anything else (a fraction, a date, yes/no, empty) is no id."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    return ""


# -- cells


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return text if text and text not in ERRORS else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _choose(workbook: CalamineWorkbook, wanted: str | None) -> str:
    """The name of the calamine workbook's sheet to read (see :func:`open_sheet`)."""
    sheets = workbook.sheets_metadata
    visible = [
        sheet.name
        for sheet in sheets
        if sheet.visible == SheetVisibleEnum.Visible and sheet.typ == SheetTypeEnum.WorkSheet
    ]
    return sheet_named(wanted, [sheet.name for sheet in sheets], visible)


def sheet_named(wanted: str | None, every: Sequence[str], visible: Sequence[str]) -> str:
    """The sheet ``wanted`` names (by name, or by position among the visible ones), by default the
    first visible one; a Problem naming the sheets there are if there is none such."""
    if wanted is None:
        if not visible:
            raise Problem(N_("The workbook has no visible sheet; give the name of the sheet to read."))
        return visible[0]
    if wanted in every:
        return wanted
    if wanted.isdecimal() and 1 <= int(wanted) <= len(visible):
        return visible[int(wanted) - 1]
    raise Problem(
        N_("The workbook has no sheet “%(sheet)s”; its sheets are: %(sheets)s."),
        sheet=wanted,
        sheets=", ".join(every),
    )


def _check_merged(merged: Sequence[Merge], grid: CalamineSheet) -> None:
    """Merged ranges that overlap could make filling them cost far more than the sheet's cells."""
    (top, left), (bottom, right) = grid.start or (0, 0), grid.end or (0, 0)
    area = sum(
        max(0, min(r2, bottom) - max(r1, top) + 1) * max(0, min(c2, right) - max(c1, left) + 1)
        for (r1, c1), (r2, c2) in merged
    )
    if area > MAX_CELLS:
        raise Problem(TOO_BIG, rows=bottom + 1, columns=right + 1, limit=MAX_CELLS)


def _calamine(call: Callable[..., T], *args: Any) -> T:
    """``call`` of calamine, whose errors (and Rust panics) become a Problem."""
    try:
        return call(*args)
    except PasswordError:
        raise Problem(PASSWORD) from None
    except BaseException as error:  # a Rust panic is a BaseException (pyo3's PanicException)
        if not isinstance(error, Exception) and type(error).__name__ != "PanicException":
            raise
        raise unreadable(error) from None


def _read_at_most(source: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes, read in chunks: a file's ``read(size)`` would first allocate all of ``size``."""
    chunks = []
    while size > 0 and (chunk := source.read(min(size, 2**20))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
