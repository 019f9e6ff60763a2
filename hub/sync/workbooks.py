"""The spreadsheets a coordinator downloads from the sources' pages: a template to fill in per kind
of record, and the rows of an uploaded file that a run could not take, each with what is wrong.

The failed rows come back as the same columns plus one saying what is wrong, so the coordinator
fixes them and uploads the file again. They are read from the uploaded file the run read: if it
was replaced since, the rows would not be the run's, so the download is refused (409).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from connectors import spreadsheet
from connectors.messages import Problem
from connectors.targets import TARGETS
from hub.accounts.web import require_principal
from hub.i18n import gettext as _
from hub.sync import display, preview, services, templates, workspace
from hub.sync.ingest import MAX_ERRORS_KEPT
from hub.sync.models import SyncRun
from hub.web import XLSX, db, language, not_found

ROW_FORMATS = ("csv", "xlsx", "ods")  # files whose rows can be given back (a JSON file has none)


def _download(body: bytes, name: str) -> Response:
    return Response(body, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'})


def source_template(request: Request) -> Response:
    require_principal(request)
    target = request.path_params["target"]
    if target not in TARGETS:
        raise not_found(_("There is no template for “%(name)s”.", name=target))
    lang = language(request)
    with db(request) as session:
        body = templates.workbook(session, target, lang)
    return _download(body, f"{target}-template-{lang}.xlsx")


def failed_rows(request: Request) -> Response:
    with db(request) as session:
        run = workspace.run_of(session, request, require_principal(request))
        path = uploaded_file(run, request.app.state.settings.uploads_dir)
        body = workbook(session, run, path, max_bytes=request.app.state.settings.fetch_max_bytes)
    key = re.sub(r"[^A-Za-z0-9_-]", "", run.source.key) or "source"
    return _download(body, f"{key}-run-{run.id}-failed.xlsx")


def uploaded_file(run: SyncRun, uploads_dir: Path) -> Path:
    """The file ``run`` read, if it was an uploaded one with rows and is still as it was."""
    options = run.source.options or {}
    if not options.get("upload") or options.get("format") not in ROW_FORMATS or not run.failed:
        raise not_found(_("Only the failed rows of an uploaded CSV file or spreadsheet can be downloaded."))
    path = uploads_dir / str(options["upload"])
    started = run.started_at.replace(tzinfo=dt.UTC) if run.started_at.tzinfo is None else run.started_at
    if not path.is_file() or path.stat().st_mtime > started.timestamp():
        raise HTTPException(
            409, _("The file was replaced after this run; run the source again to see its failed rows.")
        )
    return path


def workbook(session: Session, run: SyncRun, path: Path, *, max_bytes: int) -> bytes:
    """The rows of ``path`` the run refused, under the file's header, each with what is wrong."""
    options = run.source.options
    errors, _total = services.list_errors(session, run_id=run.id, per_page=MAX_ERRORS_KEPT)
    by_id: dict[str, list[str]] = defaultdict(list)
    by_row: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        said = display.message(error.message, error.message_values)
        if error.external_id:
            by_id[error.external_id].append(said)
        elif error.position is not None:
            by_row[error.position].append(said)
    file = io.BytesIO()
    book = xlsxwriter.Workbook(file, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(run.source.name[:31] or "Rows")
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1})
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    try:
        with preview.table(path, options, max_bytes=max_bytes, wanted=[options["id_column"]]) as table:
            _number, header, rows = table
            last = len(header)  # the column saying what is wrong
            sheet.write_row(0, 0, [*header, _("What is wrong")], bold)
            sheet.set_column(last, last, 60)
            at = header.index(options["id_column"]) if options["id_column"] in header else None
            written = 0
            for number, cells in rows:
                external_id = spreadsheet.identifier(cells[at]) if at is not None and at < len(cells) else ""
                wrong = by_id.get(external_id) or by_row.get(number)
                if wrong:
                    written += 1
                    for column, cell in enumerate(cells):
                        _cell(sheet, written, column, cell, dated)
                    sheet.write_string(written, last, "; ".join(wrong))
    except Problem as problem:
        raise HTTPException(409, display.message(problem.message, problem.values)) from None
    sheet.freeze_panes(1, 0)
    book.close()
    return file.getvalue()


def _cell(sheet: Any, row: int, column: int, value: Any, dated: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, dated)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, str(value))


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/sources/templates/{target}.xlsx", source_template, name="ws_source_template"),
        Route("/runs/{run_id:int}/failed.xlsx", failed_rows, name="ws_run_failed"),
    ]
