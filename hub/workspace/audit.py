"""The audit log page: who changed what and when, with the fields' values before and after, in the
coordinator's words (``audit_words``), filtered by who, what kind of record, which one and when, and
downloadable as CSV with the same filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from hub import i18n
from hub.accounts.models import AuditEntry
from hub.accounts.web import require_principal
from hub.coordinator import page_number, render_page, scope
from hub.i18n import gettext as _
from hub.opendata.downloads import cell as safe_cell
from hub.web import bad_request, check_page, db
from hub.workspace import audit_words, services
from hub.workspace.services import AuditFilters


def changes(entry: AuditEntry, names: Mapping[str, Mapping[int, str]]) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field the entry records, as the forms and pages say them."""
    before, after = entry.before or {}, entry.after or {}
    return [
        (
            audit_words.field_label(name),
            audit_words.value_shown(name, before.get(name), names),
            audit_words.value_shown(name, after.get(name), names),
        )
        for name in sorted(set(before) | set(after))
    ]


def _filters(request: Request) -> AuditFilters:
    params = request.query_params

    def number(name: str) -> int | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise bad_request(_("“%(value)s” is not a number.", value=value[:40]))
        return int(value)

    def day(name: str) -> dt.date | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise bad_request(_("“%(value)s” is not a date (YYYY-MM-DD).", value=value[:40])) from None

    return AuditFilters(
        user_id=number("user"),
        entity=params.get("kind", "").strip()[:60],
        entity_id=number("record"),
        since=day("from"),
        until=day("to"),
    )


def audit_log(request: Request) -> Response:
    principal = require_principal(request)
    filters = _filters(request)
    with db(request) as session:
        number = page_number(request)
        programmes = scope(principal)
        page = services.audit_log(session, programme_ids=programmes, filters=filters, page=number)
        check_page(number, page.pages)
        names = {"programme_id": services.programme_names(session)}
        return render_page(
            request,
            "workspace/audit.html",
            page=page,
            filters=filters,
            people=services.audit_people(session, programme_ids=programmes),
            kinds=services.audit_kinds(session, programme_ids=programmes),
            changes=lambda entry: changes(entry, names),
            words=audit_words,
        )


def audit_csv(request: Request) -> Response:
    principal = require_principal(request)
    filters = _filters(request)
    language = i18n.current_language.get()

    def rows() -> Iterator[str]:
        token = i18n.current_language.set(language)  # the stream runs after the view returned
        try:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(
                [_("When"), _("Who"), _("What"), _("Kind"), _("Record"), _("Field"), _("Before"), _("After")]
            )
            yield "\ufeff" + out.getvalue()
            with db(request) as session:
                names = {"programme_id": services.programme_names(session)}
                for chunk in services.iter_audit_log(
                    session, programme_ids=scope(principal), filters=filters
                ):
                    out = io.StringIO()
                    writer = csv.writer(out)
                    for entry in chunk:
                        writer.writerows(_csv_rows(entry, names))
                    yield out.getvalue()
        finally:
            i18n.current_language.reset(token)

    headers = {"content-disposition": 'attachment; filename="audit-log.csv"', "cache-control": "no-store"}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _csv_rows(entry: AuditEntry, names: Mapping[str, Mapping[int, str]]) -> list[list[Any]]:
    head = [
        i18n.format_local_datetime(entry.at, "yyyy-MM-dd HH:mm"),
        entry.user.name if entry.user else _("the hub"),
        audit_words.action_label(entry.action),
        audit_words.kind_label(entry.entity),
        entry.summary or (entry.entity_id if entry.entity_id is not None else ""),
    ]
    fields = changes(entry, names) or [("", "", "")]
    return [[safe_cell(cell) for cell in (*head, *field)] for field in fields]


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/audit", audit_log, name="ws_audit"),
        Route("/audit.csv", audit_csv, name="ws_audit_csv"),
    ]
