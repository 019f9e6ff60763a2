"""The coordinator workspace: the dashboard of a programme, with its charts and their CSV exports."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.calls import services as calls
from hub.coordinator import scope
from hub.i18n import gettext as _
from hub.overview import programme_counts
from hub.participants import services as participant_entries
from hub.programmes.models import Programme
from hub.web import XLSX, db, not_found, render
from hub.workspace import dashboard_charts, dashboard_services

# The charts of the dashboard, in the order of the page.
DASHBOARD_CHARTS = ("product-groups", "years", "commitments", "impact")


def _visible_programmes(session: Session, principal: Principal) -> Sequence[Programme]:
    return dashboard_services.programmes_visible_to(session, programme_ids=scope(principal))


def _selected_programme(
    request: Request, session: Session, programmes: Sequence[Programme]
) -> Programme | None:
    """The programme named by ``?programme=code`` (404 if there is none, 403 if it is not one of
    ``programmes``), else the first of ``programmes``."""
    code = request.query_params.get("programme", "").strip()
    if not code:
        return programmes[0] if programmes else None
    for programme in programmes:
        if programme.code == code:
            return programme
    if dashboard_services.find_programme(session, code=code) is None:
        raise not_found(_("There is no programme “%(code)s”.", code=code[:40]))
    raise HTTPException(403, _("You may not see the dashboard of this programme."))


def dashboard(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = _visible_programmes(session, principal)
        selected = _selected_programme(request, session, programmes)
        figures_of_programmes = programme_counts(session)
        waiting_interests = calls.pending_total(session, programme_ids=scope(principal))
        logged = participant_entries.counts(session, programme_ids=scope(principal))
        charts = []
        shortfalls = []
        if selected is not None:
            charts = [dashboard_charts.CHARTS[key](session, selected) for key in DASHBOARD_CHARTS]
            shortfalls = dashboard_charts.shortfall_lists(session, selected)
    return render(
        request,
        "workspace/dashboard.html",
        programmes=programmes,
        counts=figures_of_programmes,
        principal=principal,
        selected=selected,
        charts=charts,
        shortfalls=shortfalls,
        cell_text=dashboard_charts.cell_text,
        waiting_interests=waiting_interests,
        logged=logged,
    )


def dashboard_download(request: Request) -> Response:
    """``/{lang}/coordinator/dashboard/{chart}.csv`` (or ``.xlsx``) ``?programme=code``: what one
    chart shows."""
    principal = require_principal(request)
    build = dashboard_charts.CHARTS.get(request.path_params["chart"])
    if build is None:
        raise not_found()
    with db(request) as session:
        programme = _selected_programme(request, session, _visible_programmes(session, principal))
        if programme is None:
            raise HTTPException(403, _("You may not see the dashboard of this programme."))
        chart = build(session, programme)
    name = re.sub(r"[^A-Za-z0-9_-]", "", f"{programme.code}-{chart.key}") or chart.key
    if request.url.path.endswith(".xlsx"):
        body: str | bytes = dashboard_charts.to_xlsx(chart, programme=programme.short_name or programme.code)
        media_type = XLSX
    else:
        body, media_type = dashboard_charts.to_csv(chart), "text/csv; charset=utf-8"
    extension = request.url.path.rsplit(".", 1)[-1]
    disposition = f'attachment; filename="{name}.{extension}"'
    return Response(body, media_type=media_type, headers={"content-disposition": disposition})


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/", dashboard, name="dashboard"),
        Route("/dashboard/{chart:str}.csv", dashboard_download, name="dashboard_csv"),
        Route("/dashboard/{chart:str}.xlsx", dashboard_download, name="dashboard_xlsx"),
    ]
