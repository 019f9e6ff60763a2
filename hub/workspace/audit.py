"""The audit log page: who changed what and when, with the fields' values before and after."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts.models import AuditEntry
from hub.accounts.web import require_principal
from hub.coordinator import page_number, render_page, scope
from hub.web import check_page, db
from hub.workspace import services


def changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field the entry records, in name order."""
    before, after = entry.before or {}, entry.after or {}
    return [(name, before.get(name), after.get(name)) for name in sorted(set(before) | set(after))]


def audit_log(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        number = page_number(request)
        page = services.audit_log(session, programme_ids=scope(principal), page=number)
        check_page(number, page.pages)
        return render_page(request, "workspace/audit.html", page=page, changes=changes)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/audit", audit_log, name="ws_audit"),
    ]
