"""Public pages: home (the three programmes at a glance) and a page per programme."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub import overview
from hub.calls import services as calls
from hub.db import utcnow
from hub.events import services as events
from hub.i18n import N_
from hub.news import services as news
from hub.organisations.services import participants
from hub.pilots import figures as pilots
from hub.programmes import services
from hub.public import record
from hub.web import db, render


def home(request: Request) -> Response:
    """The programmes at a glance, with what is new: pilots started last, news, events to come."""
    with db(request) as session:
        return render(
            request,
            "home.html",
            programmes=services.list_programmes(session),
            counts=overview.programme_counts(session),
            pilots=pilots.newest(session),
            news=news.latest(session),
            events=events.upcoming(session, now=utcnow()),
        )


def programme_list(request: Request) -> Response:
    return _programmes(request, "programmes/list.html")


def _programmes(request: Request, template: str) -> Response:
    """Every programme with its counted figures: the home page and the programmes' list."""
    with db(request) as session:
        programmes = services.list_programmes(session)
        counts = overview.programme_counts(session)
    return render(request, template, programmes=programmes, counts=counts)


def programme_detail(request: Request) -> Response:
    with db(request) as session:
        programme = record(
            request, session, services.get_programme, "code", N_("There is no programme “%(code)s”.")
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
