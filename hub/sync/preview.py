"""See an uploaded export before saving its source: its first rows, the mapping, each row's problems.

A preview reads the file as the source would (the same connector, options and checks of every
field and reference: a dry run that writes nothing), and proposes a column mapping from its header
row (``hub.sync.headers``) for the fields the coordinator left empty.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from connectors import registry, spreadsheet
from connectors.base import Cursor, ItemError
from connectors.fetch import Fetcher
from connectors.messages import N_, Problem
from connectors.targets import TARGETS
from hub.sync import display, headers
from hub.sync.kinds import KINDS, Lookups, participation_role

SHOWN_ROWS = 20
SHOWN_PROBLEMS = 100


@dataclasses.dataclass
class Preview:
    """What the hub reads of a file: its header row, the first rows under it, the mapping it
    proposes, and the rows it would refuse (all of them read, none written)."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]
    proposal: headers.Proposal
    problems: list[tuple[int | None, str | None, str]] = dataclasses.field(default_factory=list)
    read: int = 0
    refused: int = 0
    columns: dict[str, str] = dataclasses.field(default_factory=dict)  # the mapping read with
    id_column: str | None = None
    problem: str = ""  # what stopped the whole file from being read, translated

    @property
    def fine(self) -> int:
        return self.read - self.refused


# --- reading it ---


@contextmanager
def table(
    path: Path, options: Mapping[str, Any], *, max_bytes: int, wanted: list[str] | None = None
) -> Iterator[tuple[int, list[str], Iterator[tuple[int, list[Any]]]]]:
    """The file's header row (its number and names) and the rows under it, as the connector reads
    them (CSV, or a sheet of a workbook). Raises Problem when the file cannot be read."""
    with path.open("rb") as source:
        if options.get("format") == "csv":
            rows = _csv_rows(
                source, str(options.get("encoding") or "utf-8"), str(options.get("delimiter") or ",")
            )
            first = next(rows, None)
            if first is None:
                raise Problem(N_("The file is empty: it has no header row."))
            yield first[0], spreadsheet.header_names(first[1]), rows
            return
        sheet = spreadsheet.open_sheet(
            source, str(options["format"]), options.get("sheet"), max_bytes=max_bytes
        )
        number, header, rows = spreadsheet.locate_header(sheet, wanted, options.get("header_row"))
        yield number, header, (row for row in rows if any(cell is not None for cell in row[1]))


def _csv_rows(source: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    except LookupError:
        raise Problem(N_("“%(encoding)s” is not a known encoding."), encoding=encoding) from None
    text = io.TextIOWrapper(source, encoding=codec, errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    line = 1
    try:
        for row in reader:
            position, line = line, reader.line_num + 1
            if any(cell.strip() for cell in row):
                yield position, row
    except csv.Error as error:
        raise Problem(
            N_("The CSV file cannot be read at line %(line)s (%(error)s)."), line=line, error=error
        ) from None


# --- the preview ---


def preview(
    session: Session,
    path: Path,
    options: dict[str, Any],
    *,
    programme_id: int | None,
    max_bytes: int,
) -> Preview:
    """Reads the file at ``path`` with ``options`` (the form's, with the proposed mapping added
    where the form left it empty) and checks every row as a run would, writing nothing.

    ``options`` is completed in place with what the header row proposes.
    """
    if options.get("format") == "json":  # records, not rows: only the dry run says what it reads
        result = Preview([], 0, [], headers.Proposal({}, None, None, []), columns=options["columns"])
        options["target"] = options.get("target") or "pilot"
        _dry_run(
            session,
            path,
            options,
            result,
            target=options["target"],
            programme_id=programme_id,
            max_bytes=max_bytes,
        )
        return result
    wanted = [options["id_column"]] if options.get("id_column") else None
    try:
        with table(path, options, max_bytes=max_bytes, wanted=wanted) as (number, header, rows):
            shown = [
                (row, [_shown(cell) for cell in cells]) for row, cells in itertools.islice(rows, SHOWN_ROWS)
            ]
    except Problem as problem:
        return Preview([], 0, [], headers.Proposal({}, None, None, []), problem=_said(problem))
    if not options.get("target"):  # the kind of record whose fields the header names most
        options["target"] = max(TARGETS, key=lambda name: len(headers.recognise(header, name).columns))
    target = str(options["target"])
    proposal = headers.recognise(header, target)
    if not options.get("columns"):
        options["columns"] = proposal.columns
    if not options.get("id_column") and proposal.id_column:
        options["id_column"] = proposal.id_column
    if not options.get("link_column") and proposal.link_column:
        options["link_column"] = proposal.link_column
    mapped = {*options["columns"].values(), options.get("id_column"), options.get("link_column")}
    result = Preview(
        header=header,
        header_row=number,
        rows=shown,
        proposal=dataclasses.replace(
            proposal, unknown=[name for name in header if name and name not in mapped]
        ),
        columns=dict(options["columns"]),
        id_column=options.get("id_column"),
    )
    _dry_run(session, path, options, result, target=target, programme_id=programme_id, max_bytes=max_bytes)
    return result


def _dry_run(
    session: Session,
    path: Path,
    options: dict[str, Any],
    result: Preview,
    *,
    target: str,
    programme_id: int | None,
    max_bytes: int,
) -> None:
    """Every row through the connector and the kind's checks, as a run takes them; nothing written."""
    raw = {name: value for name, value in options.items() if value not in (None, "", {})}
    raw["upload"] = path.name
    raw.pop("url", None)
    try:
        connector = registry.build("tabular", raw)
    except Problem as problem:
        result.problem = _said(problem)
        return
    kind = KINDS[target]
    lookups = Lookups.load(session)
    seen: set[str] = set()
    fetcher = Fetcher(None, uploads_dir=path.parent, max_bytes=max_bytes)  # type: ignore[arg-type]
    try:
        for entry in connector.items(fetcher, Cursor()):
            result.read += 1
            if isinstance(entry, ItemError):
                _refuse(result, entry.position, entry.external_id, entry.problem)
                continue
            try:
                if entry.external_id in seen:
                    raise Problem(
                        N_("the id “%(id)s” appears more than once in the source; the first was kept"),
                        id=entry.external_id,
                    )
                seen.add(entry.external_id)
                kind.row(entry.fields, lookups, programme_id=programme_id or 0)
                if target == "organisation":
                    participation_role(entry.fields, lookups)
            except Problem as problem:
                _refuse(result, entry.position, entry.external_id, problem)
    except Problem as problem:
        result.problem = _said(problem)


def _shown(cell: Any) -> str:
    """A cell as the preview shows it: a date without a time of midnight, nothing for empty."""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def _refuse(result: Preview, position: int | None, external_id: str | None, problem: Problem) -> None:
    result.refused += 1
    if len(result.problems) < SHOWN_PROBLEMS:
        result.problems.append((position, external_id, _said(problem)))


def _said(problem: Problem) -> str:
    return display.message(problem.message, problem.values)
