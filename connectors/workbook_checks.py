"""What a workbook file must be before calamine reads it (the checks of ``connectors.spreadsheet``).

That it is the kind of workbook its format says (a zip with the parts of an .xlsx or an .ods), that
it has no macros and no password, that it does not unpack to far more than it weighs (a zip bomb),
and that its cells do not spread over a grid too large to hold: calamine lays a sheet out as a
dense grid, and when that grid cannot be allocated the whole process aborts instead of raising.
The sheets' XML is scanned for their extent with regular expressions, without building a tree.
"""

from __future__ import annotations

import copy
import html
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from connectors.messages import N_, Problem

T = TypeVar("T")
MAX_CELLS = 4_000_000  # calamine holds a sheet whole, empty cells included: about 55 bytes a cell
MAX_RATIO = 100  # how much larger than it is stored a part may unpack to
MAX_PARTS = 10_000  # files in the zip (a workbook has tens)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

REFUSED = N_(
    "“.%(format)s” workbooks are not read (macro-enabled or old binary Excel files); "
    "save the sheet as .xlsx or .ods."
)
NOT_FORMAT = N_(
    "The file is not a .%(format)s spreadsheet; check that it is the right file, or choose its format."
)
OTHER_FORMAT = N_("The file is an .%(found)s spreadsheet, not .%(format)s; choose the format “%(found)s”.")
UNREADABLE = N_(
    "The spreadsheet cannot be read (%(error)s); it may be damaged or incomplete: save it again and retry."
)
PASSWORD = N_("The workbook is protected with a password; save a copy without the password and use that.")
TOO_BIG = N_(
    "The sheet is too large to read: its cells spread over %(rows)s rows and %(columns)s columns, "
    "more than %(limit)s cells; split it, or export it as CSV."
)

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: an old .xls, or an encrypted .xlsx
_CHUNK = 2**18


def unreadable(error: object) -> Problem:
    return Problem(UNREADABLE, error=str(error)[:200] or type(error).__name__)


def megabytes(size: int) -> str:
    return f"{size / 2**20:.3g} MB"


# -- the package, checked before calamine sees it


def check_package(data: bytes, format: str, cap: int) -> None:
    if data.startswith(_CFB):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Problem(PASSWORD)
        if "Workbook".encode("utf-16-le") in data:
            raise Problem(REFUSED, format="xls")
    if not data.startswith(b"PK\x03\x04"):
        raise Problem(NOT_FORMAT, format=format)
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))  # the zip's end record: its file count
    if end >= 0 and int.from_bytes(data[end + 10 : end + 12], "little") > MAX_PARTS:
        raise Problem(N_("The spreadsheet has more than %(limit)s parts; it is not read."), limit=MAX_PARTS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, format, cap)
    except Problem:
        raise
    except Exception as error:  # a truncated or damaged zip, a part that is not what it claims
        raise unreadable(error) from None


def _check_archive(archive: zipfile.ZipFile, format: str, cap: int) -> None:
    parts = archive.infolist()
    if sum(part.file_size for part in parts) > cap:
        raise _bomb(cap)
    for part in parts:
        if part.file_size > 2**20 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise Problem(
                N_(
                    "Part of the spreadsheet unpacks to over %(ratio)s times its stored size; it is not read."
                ),
                ratio=MAX_RATIO,
            )
    by_name = {_normal(part.filename): part for part in parts}
    found = _kind(archive, by_name)
    if found != format:
        raise (
            Problem(OTHER_FORMAT, found=found, format=format) if found else Problem(NOT_FORMAT, format=format)
        )
    scanned: Collection[str]
    scanner: Callable[[], _Extent]
    if format == "xlsx":
        if (
            "xl/vbaproject.bin" in by_name
            or b"macroenabled" in _read(archive, by_name, "[content_types].xml").lower()
        ):
            raise Problem(
                N_("The workbook contains macros; save it as an .xlsx workbook without macros and use that.")
            )
        scanned, scanner = _worksheet_parts(archive, by_name), _XlsxExtent
    else:
        if b"encryption-data" in _read(archive, by_name, "meta-inf/manifest.xml"):
            raise Problem(PASSWORD)
        scanned, scanner = {"content.xml"}, _OdsExtent
    _unpack(archive, parts, cap, scanned, scanner)


def _kind(archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> str | None:
    if "[content_types].xml" in by_name and "xl/workbook.xml" in by_name:
        return "xlsx"
    if _read(archive, by_name, "mimetype", 100).strip() == ODS_MIMETYPE:
        return "ods"
    return None


def _normal(name: str) -> str:
    """A part's name as calamine may find it (it looks some up regardless of case)."""
    return name.replace("\\", "/").lower()


def _read(
    archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], name: str, limit: int = 2**24
) -> bytes:
    part = by_name.get(name)
    if part is None:
        return b""
    with archive.open(part) as file:
        return file.read(limit)


_TARGET = re.compile(rb"""\bTarget\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _worksheet_parts(archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> set[str]:
    """Every part calamine may read a sheet from: what the workbook's relationships point to (read
    the ways calamine may resolve them), and whatever lies in xl/worksheets/."""
    parts = {name for name in by_name if name.startswith("xl/worksheets/")}
    for found in _TARGET.finditer(_read(archive, by_name, "xl/_rels/workbook.xml.rels")):
        target = _normal(html.unescape((found[1] or found[2]).decode("utf-8", "replace")))
        parts |= {target, target.lstrip("/"), "xl/" + target, posixpath.normpath("xl/" + target)}
    return parts


def _unpack(
    archive: zipfile.ZipFile,
    parts: list[zipfile.ZipInfo],
    cap: int,
    scanned: Collection[str],
    scanner: Callable[[], _Extent],
) -> None:
    """Unpacks every part once (not keeping it) to check what the zip declares: the sizes may lie,
    and calamine would trust them. The sheets' parts are scanned for how far their cells spread."""
    total = 0
    for part in parts:
        extent = scanner() if _normal(part.filename) in scanned else None
        unbounded = copy.copy(part)
        unbounded.file_size = cap - total + 1  # read on to the real end of its data, within the cap
        size, carry = 0, b""
        with archive.open(unbounded) as file:
            while chunk := file.read(_CHUNK):
                size += len(chunk)
                if total + size > cap:
                    raise _bomb(cap)
                if extent is not None:
                    carry = extent.feed(carry + chunk)
        if size != part.file_size:
            raise unreadable(f"{part.filename} is not the size the zip says")
        if extent is not None:
            extent.feed(carry + b"<")
            extent.close()
        total += size


def _bomb(cap: int) -> Problem:
    return Problem(
        N_(
            "The spreadsheet would unpack to more than %(limit)s; it is not read "
            "(export the sheet as CSV instead)."
        ),
        limit=megabytes(cap),
    )


# -- how far a sheet's cells spread, from its XML
#
# Conservative: a sheet may be judged larger than calamine will make it, never smaller. Tags are
# recognised by regular expressions (XML parsing in Python would cost more than calamine's own
# reading); a tag they cannot account for refuses the file rather than being overlooked.

_ATTRIBUTES = rb"""((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")


class _Extent:
    def feed(self, text: bytes) -> bytes:
        """Scans ``text`` up to its last tag start; returns the rest, to come again with more."""
        cut = text.rfind(b"<")
        if cut < 0:
            return b""  # text between tags
        if len(text) - cut > _CHUNK * 16:  # a tag or a text megabytes long: not a sheet's
            raise unreadable("a sheet has text too long between its tags")
        self.scan(text[:cut])
        return text[cut:]

    def scan(self, text: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @staticmethod
    def check(rows: int, columns: int) -> None:
        if rows * columns > MAX_CELLS:
            raise Problem(TOO_BIG, rows=rows, columns=columns, limit=MAX_CELLS)

    @staticmethod
    def matched(tags: list[Any], opened: re.Pattern[bytes], text: bytes) -> bool:
        return len(tags) == len(opened.findall(text))


class _XlsxExtent(_Extent):
    """An .xlsx worksheet: a cell's place is its reference (r="B7"), or follows the one before."""

    # Most writers give every cell a plain reference, first, and use no namespace prefix: then
    # each cell is placed by its reference alone, and the scan can stay in C (the regex module).
    PLAIN = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: (?!r=)[\w.:-]+="[^"]*")*(/?)>')
    CELL = re.compile(rb"<c[\s/>]")
    TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)" + _ATTRIBUTES)
    OPENED = re.compile(rb"<(?:[\w.-]+:)?(?:row|c)[\s/>]")
    R = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?r\s*=\s*(?:"([^"]*)"|'([^']*)')""")

    def __init__(self) -> None:
        self.rows = self.columns = 0  # the last row and column holding a value (1-based)
        self.row = self.column = 0  # where the scan is

    def scan(self, text: bytes) -> None:
        cells = self.PLAIN.findall(text)
        if b":c" in text or not self.matched(cells, self.CELL, text):
            self.scan_tags(text)
            return
        if not cells:
            return
        letters, digits, closed = zip(*cells, strict=True)
        if b"/" in closed:  # empty cells (with a style only) do not count
            valued = [(column, row) for column, row, empty in cells if not empty]
            if not valued:
                return
            letters, digits = zip(*valued, strict=True)
        self.rows = max(self.rows, max(map(int, digits)))
        self.columns = max(self.columns, max(map(_column, set(letters))))
        self.row, self.column = max(self.row, self.rows), max(self.column, self.columns)

    def scan_tags(self, text: bytes) -> None:
        tags = self.TAG.findall(text)
        if not self.matched(tags, self.OPENED, text):
            raise unreadable("a worksheet has a cell that cannot be read")
        for name, attributes, empty in tags:
            refs = [first or second for first, second in self.R.findall(attributes)]
            if name == b"row":
                self.row, self.column = self.row + 1, 0
                for ref in refs:
                    self.row = max(self.row, _number(ref))
                continue
            self.column += 1
            for ref in refs:
                found = _REF.fullmatch(ref)
                if found is None:
                    raise unreadable(f"a cell's reference {ref[:20]!r} cannot be read")
                self.row = max(self.row, int(found[2]))
                self.column = max(self.column, _column(found[1]))
            if not empty:
                self.rows, self.columns = max(self.rows, self.row), max(self.columns, self.column)

    def close(self) -> None:
        self.check(self.rows, self.columns)


class _OdsExtent(_Extent):
    """An .ods content.xml: rows and cells in order, each repeated as often as it says."""

    TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)" + _ATTRIBUTES)
    OPENED = re.compile(rb"</?table:(?:table|table-row|table-cell|covered-table-cell)[\s/>]")
    REPEATED = re.compile(
        rb"""(?:^|\s)table:number-(?:rows|columns)-repeated\s*=\s*(?:"([^"]*)"|'([^']*)')"""
    )
    VALUE = re.compile(rb"(?:^|\s)(?:office:value-type|table:formula)\s*=")

    def __init__(self) -> None:
        self.rows = self.columns = 0  # of the current table: its last row and column with a value
        self.passed = 0  # rows of the table so far, repeats included
        self.repeat = 0  # of the row being read (0: none is)
        self.at = self.extent = 0  # the row's next column, and its last with a value

    def scan(self, text: bytes) -> None:
        tags = self.TAG.findall(text)
        if not self.matched(tags, self.OPENED, text):
            raise unreadable("a table has a cell that cannot be read")
        for end, name, attributes, empty in tags:
            if name == b"table":
                if end:  # not at a start: calamine reads a table inside another as part of it
                    self.close()
            elif name == b"table-row":
                self.end_row()
                if not end:
                    self.repeat = self.repeated(attributes)
                    if empty:
                        self.end_row()
            elif not end:
                self.at += self.repeated(attributes)
                if not empty or self.VALUE.search(attributes):
                    self.extent = self.at

    def repeated(self, attributes: bytes) -> int:
        counts = [first or second for first, second in self.REPEATED.findall(attributes)]
        if not all(count.isdigit() for count in counts):
            raise unreadable("a repeat count cannot be read")
        return max([1, *map(int, counts)])

    def end_row(self) -> None:
        self.passed += self.repeat
        if self.repeat and self.extent:
            self.rows, self.columns = self.passed, max(self.columns, self.extent)
        self.repeat = self.at = self.extent = 0

    def close(self) -> None:
        self.end_row()
        self.check(self.rows, self.columns)
        self.rows = self.columns = self.passed = 0


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _number(text: bytes) -> int:
    if not text.isdigit() or len(text) > 7:
        raise unreadable(f"a row number {text[:20]!r} cannot be read")
    return int(text)
