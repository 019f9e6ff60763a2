"""The coordinator workspace: the dashboard (later issues add more pages here)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.accounts.web import require_principal
from hub.programmes.services import counts, list_programmes
from hub.web import db, render


def dashboard(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = [
            p for p in list_programmes(session) if principal.is_admin or p.id in principal.programme_ids
        ]
        programme_counts = counts(session)
    return render(
        request,
        "workspace/dashboard.html",
        programmes=programmes,
        counts=programme_counts,
        principal=principal,
    )
