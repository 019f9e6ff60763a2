"""Public pages: home (the three programmes at a glance) and a page per programme."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub import overview
from hub.calls import services as calls
from hub.i18n import gettext as _
from hub.organisations.services import participants
from hub.programmes import services
from hub.web import db, found, render


def home(request: Request) -> Response:
    with db(request) as session:
        programmes = services.list_programmes(session)
        counts = overview.programme_counts(session)
    return render(request, "home.html", programmes=programmes, counts=counts)


def programme_list(request: Request) -> Response:
    with db(request) as session:
        programmes = services.list_programmes(session)
        counts = overview.programme_counts(session)
    return render(request, "programmes/list.html", programmes=programmes, counts=counts)


def programme_detail(request: Request) -> Response:
    code = request.path_params["code"]
    with db(request) as session:
        programme = found(
            services.get_programme(session, code=code), _("There is no programme “%(code)s”.", code=code)
        )
        counts = overview.programme_counts(session).get(programme.id, overview.Counts())
        members = participants(session, programme_id=programme.id)
        open_calls = calls.open_calls(session, today=calls.today(), programme_id=programme.id)
        return render(
            request,
            "programmes/detail.html",
            programme=programme,
            counts=counts,
            participants=members,
            open_calls=open_calls,
        )
