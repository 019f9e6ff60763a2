"""CSV and JSON exports and spreadsheets (of pilots, organisations, ...) with a declared column mapping.

Programmes keep their records in spreadsheets and databases that export CSV or JSON; a coordinator
declares which column feeds which field, once, when adding the source. An export is the whole
list, so by default records missing from it were withdrawn. Uploaded CSV files can be very large
(100,000 rows): they are streamed row by row, with the mapping resolved to column indexes and
coercion functions once, before the first row. Spreadsheets (.xlsx, .ods) are read by
``connectors.spreadsheet`` and mapped the same way, by the names in their header row.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import urlsplit

from connectors import options as check
from connectors import spreadsheet, workbook_checks
from connectors.base import Connector, Cursor, Example, Item, ItemError, Options
from connectors.fetch import Fetcher
from connectors.messages import N_, OptionsError, Problem
from connectors.targets import TARGETS, url

FORMATS = ("csv", "json", *spreadsheet.FORMATS)
REFUSED = ("xls", "xlsm")  # old binary and macro-enabled workbooks: said so, rather than "not a format"


@dataclasses.dataclass(frozen=True)
class TabularOptions(Options):
    """Exactly one of ``url`` and ``upload`` (a file name in the uploads folder). ``columns`` maps
    target fields to column names (JSON: keys); ``defaults`` gives constants for every item.

    A spreadsheet's ``sheet`` is its name, or its position among the visible sheets ("1", "2", …;
    by default the first visible one); ``header_row`` is the number of the row of column names
    (by default the first of the first 20 rows that has the id column and the mapped columns).
    """

    target: str
    id_column: str
    format: str
    url: str | None = None
    upload: str | None = None
    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8"
    complete: bool = True
    link_column: str | None = None  # the address of each record's original page, if the export has it
    sheet: str | None = None
    header_row: int | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> TabularOptions:
        check.check_known(raw, [field.name for field in dataclasses.fields(cls)])
        address = check.web_address(raw, "url")
        upload = check.text(raw, "upload")
        if (address is None) == (upload is None):
            raise OptionsError(
                "url",
                N_("Give either the address of the export or the name of an uploaded file (one of the two)."),
            )
        if upload is not None and (
            PurePosixPath(upload).is_absolute() or ".." in PurePosixPath(upload).parts or "\\" in upload
        ):
            raise OptionsError("upload", N_("“%(name)s” is not the name of an uploaded file."), name=upload)
        target = check.target_kind(raw, "target", TARGETS)
        columns = check.field_map(raw, "columns", target)
        defaults = check.defaults(raw, "defaults", target)
        check.covered(target, {*columns, *defaults}, "columns")
        delimiter = raw.get("delimiter") or ","
        if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
            raise OptionsError("delimiter", N_("The delimiter must be one character, such as , or ;."))
        encoding = check.text(raw, "encoding", "utf-8") or "utf-8"
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise OptionsError(
                "encoding", N_("“%(encoding)s” is not a known encoding."), encoding=encoding
            ) from None
        file_format = _format(raw, "url" if address is not None else "upload", address or upload or "")
        sheet, header_row = check.text(raw, "sheet"), check.whole_number(raw, "header_row")
        for name, value in (("sheet", sheet), ("header_row", header_row)):
            if value is not None and file_format not in spreadsheet.FORMATS:
                raise OptionsError(name, N_("This option is for spreadsheets (.xlsx, .ods) only."))
        return cls(
            target=target.name,
            id_column=check.required_text(raw, "id_column"),
            format=file_format,
            url=address,
            upload=upload,
            columns=columns,
            defaults=defaults,
            delimiter=delimiter,
            encoding=encoding,
            complete=check.flag(raw, "complete", True),
            link_column=check.text(raw, "link_column"),
            sheet=sheet,
            header_row=header_row,
        )


class TabularConnector(Connector[TabularOptions]):
    kind = "tabular"
    options_type = TabularOptions

    def items(self, fetcher: Fetcher, cursor: Cursor) -> Iterator[Item | ItemError]:
        options = self.options
        with ExitStack() as stack:
            if options.upload is not None:
                source: IO[bytes] = stack.enter_context(fetcher.open_upload(options.upload))
                fetched = None
            else:
                assert options.url is not None
                fetched = fetcher.get(
                    options.url,
                    etag=cursor.state.get("etag"),
                    last_modified=cursor.state.get("last_modified"),
                )
                if fetched is None:
                    cursor.not_modified = True
                    return
                source = io.BytesIO(fetched.body)
            cursor.complete = options.complete
            if options.format == "csv":
                yield from self._csv(source)
            elif options.format == "json":
                yield from self._json(source, fetcher.max_bytes, cursor)
            else:
                yield from self._sheet(source, fetcher.max_bytes, cursor)
        if fetched is not None:
            fetched.remember(cursor.state)  # only once every row went out: a broken run fetches again

    def _csv(self, source: IO[bytes]) -> Iterator[Item | ItemError]:
        options = self.options
        text = io.TextIOWrapper(source, encoding=_decoding(options.encoding), errors="strict", newline="")
        reader = csv.reader(text, delimiter=options.delimiter)
        line = 1  # where the next record starts (a quoted cell may span lines)
        try:
            header = [name.strip() for name in next(reader, [])]
            if not any(header):
                raise Problem(N_("The file is empty: it has no header row."))
            layout = _Layout.of(header, options)
            id_index, width = layout.id_index, layout.width
            line = reader.line_num + 1
            for row in reader:
                position, line = line, reader.line_num + 1
                if len(row) < width:
                    if not row:
                        continue  # a blank line
                    row += [""] * (width - len(row))
                yield layout.item(position, row, row[id_index].strip())
        except UnicodeDecodeError:
            raise Problem(
                N_("Line %(line)s is not valid %(encoding)s text; check the file's encoding."),
                line=_bad_line(source, options.encoding),
                encoding=options.encoding,
            ) from None
        except csv.Error as error:
            raise Problem(
                N_("The CSV file cannot be read at line %(line)s (%(error)s)."), line=line, error=error
            ) from None
        finally:
            text.detach()  # the source belongs to the caller

    def _json(self, source: IO[bytes], max_bytes: int, cursor: Cursor) -> Iterator[Item | ItemError]:
        """JSON cannot be streamed with the standard library, so its size is capped like a fetch."""
        options = self.options
        body = source.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise Problem(
                N_("JSON exports larger than %(limit)s cannot be read; export CSV instead."),
                limit=f"{max_bytes / 2**20:.3g} MB",
            )
        try:
            document = json.loads(body.decode(_decoding(options.encoding)))
        except UnicodeDecodeError:
            raise Problem(
                N_("Line %(line)s is not valid %(encoding)s text; check the file's encoding."),
                line=_bad_line(io.BytesIO(body), options.encoding),
                encoding=options.encoding,
            ) from None
        except (ValueError, RecursionError) as error:  # not JSON, a number too long, nested too deep
            raise Problem(N_("The file is not valid JSON (%(error)s)."), error=error) from None
        if isinstance(document, dict) and isinstance(document.get("items"), list):
            document = document["items"]
        if not isinstance(document, list):
            raise Problem(N_("The JSON file must hold a list of records, or an object with an “items” list."))
        # JSON exports often leave out empty values, so only the id key must be there (somewhere).
        if document and not any(
            isinstance(record, dict) and options.id_column in record for record in document
        ):
            raise Problem(N_("No record has the id key “%(column)s”."), column=options.id_column)
        coerce = TARGETS[options.target].row_coercer(options.columns, options.defaults)
        cursor.expected = len(document)
        for position, record in enumerate(document, 1):
            if not isinstance(record, dict):
                yield ItemError(Problem(N_("The record is not a JSON object.")), None, position)
                continue
            value = record.get(options.id_column)
            external_id = (
                str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
            )
            if not external_id:
                yield ItemError(_empty_id(options.id_column), None, position)
                continue
            try:
                fields = coerce(_Record(record))
            except Problem as problem:
                yield ItemError(problem, external_id, position)
                continue
            yield Item(external_id, fields, _link(record.get(options.link_column or "")), position)

    def _sheet(self, source: IO[bytes], max_bytes: int, cursor: Cursor) -> Iterator[Item | ItemError]:
        """A sheet of a workbook: checked whole (size, rows, header) before its first row is yielded."""
        options = self.options
        sheet = spreadsheet.open_sheet(source, options.format, options.sheet, max_bytes=max_bytes)
        wanted = _columns(options)
        number, header, rows = spreadsheet.locate_header(sheet, wanted, options.header_row)
        layout = _Layout.of(header, options)
        spreadsheet.check_unique(header, wanted)
        cursor.expected = sheet.height - number
        for position, cells in rows:
            if any(cell is not None for cell in cells):  # else a blank row
                yield layout.item(position, cells, spreadsheet.identifier(cells[layout.id_index]))

    @classmethod
    def example(cls) -> Example:
        return Example(
            files={"/pilots.csv": ("text/csv; charset=utf-8", EXAMPLE_CSV)},
            options={
                "url": "{base}/pilots.csv",
                "target": "pilot",
                "id_column": "id",
                "columns": {
                    "title_en": "Title",
                    "country": "Country",
                    "status": "Status",
                    "product_group": "Product group",
                    "starts_on": "Start",
                    "contract_value": "Contract value (EUR)",
                },
                "defaults": {"phase": "contract"},
            },
        )


def _columns(options: TabularOptions) -> list[str]:
    """The columns a source's options read: the id, the mapped ones and the link."""
    return [
        options.id_column,
        *options.columns.values(),
        *([options.link_column] if options.link_column else []),
    ]


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Where a header row puts the columns the options read, found once before the first row."""

    id_column: str
    id_index: int
    link_index: int | None
    width: int
    coerce: Callable[[Any], dict[str, Any]]

    @classmethod
    def of(cls, header: list[str], options: TabularOptions) -> _Layout:
        indexes = _indexes(header, _columns(options))
        return cls(
            id_column=options.id_column,
            id_index=indexes[options.id_column],
            link_index=indexes[options.link_column] if options.link_column else None,
            width=max(indexes.values()) + 1,
            coerce=TARGETS[options.target].row_coercer(
                {field: indexes[column] for field, column in options.columns.items()}, options.defaults
            ),
        )

    def item(self, position: int, row: Any, external_id: str) -> Item | ItemError:
        """The row at ``position`` as an item, or the error that keeps it out."""
        if not external_id:
            return ItemError(_empty_id(self.id_column), None, position)
        try:
            fields = self.coerce(row)
        except Problem as problem:
            return ItemError(problem, external_id, position)
        return Item(
            external_id, fields, None if self.link_index is None else _link(row[self.link_index]), position
        )


def _link(value: Any) -> str | None:
    """A record's link to its original page: a web address, or none (never an error: it is extra)."""
    try:
        return url(value) if isinstance(value, str) and value.strip() else None
    except Problem:
        return None


class _Record(dict[str, Any]):
    """A JSON record for ``row_coercer``: a missing key is an empty value; lists and objects are
    not values of a field."""

    def __missing__(self, key: str) -> None:
        return None

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, list | dict):
            raise Problem(N_("“%(column)s” holds a list or an object, not a value"), column=key)
        return value


def _indexes(header: list[str], columns: list[str]) -> dict[str, int]:
    """Column name -> index, or a Problem naming every mapped column the header lacks."""
    missing = [column for column in dict.fromkeys(columns) if column not in header]
    if missing:
        raise Problem(
            N_("The header row lacks the column(s) %(columns)s; it has %(header)s."),
            columns=", ".join(missing),
            header=", ".join(name for name in header if name),
        )
    return {column: header.index(column) for column in columns}


def _empty_id(column: str) -> Problem:
    return Problem(N_("The id column “%(column)s” is empty (or not text or a whole number)."), column=column)


def _format(raw: Mapping[str, Any], location_option: str, location: str) -> str:
    """The ``format`` option, else the one the file name's extension says."""
    given = check.text(raw, "format")
    suffix = PurePosixPath(urlsplit(location).path).suffix.lower().lstrip(".")
    if (given or suffix) in REFUSED:
        raise OptionsError(
            "format" if given else location_option, workbook_checks.REFUSED, format=given or suffix
        )
    return check.choice(raw, "format", FORMATS, suffix if suffix in FORMATS else None)


def _decoding(encoding: str) -> str:
    """The codec to read with: for UTF-8, one that skips a byte order mark (Excel writes one)."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _bad_line(source: IO[bytes], encoding: str) -> int:
    """The line of the first byte that is not valid ``encoding`` (only after a decoding error)."""
    source.seek(0)
    decoder = codecs.getincrementaldecoder(_decoding(encoding))()
    line = 1
    while chunk := source.read(2**16):
        try:
            line += decoder.decode(chunk).count("\n")
        except UnicodeDecodeError:
            for byte in range(len(chunk)):  # the broken chunk again, byte by byte
                try:
                    line += decoder.decode(chunk[byte : byte + 1]).count("\n")
                except UnicodeDecodeError:
                    return line
    return line


EXAMPLE_CSV = b"""id,Title,Country,Status,Product group,Start,Contract value (EUR)
P-001,Refurbished office furniture for three municipalities,BE,running,furniture,2024-02-01,"125000.50"
P-002,Circular road works with recycled asphalt,NL,completed,infrastructure,2023-09-15,2400000
P-003,Workwear made from recycled fibres,BE,running,textiles,2024-06-01,
"""
