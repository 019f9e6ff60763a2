"""What every view needs: a database session, template rendering, localised errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hub.db import writer_sessions
from hub.filters import InvalidFilter
from hub.forms import Form
from hub.i18n import gettext

T = TypeVar("T")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # a spreadsheet download


@contextmanager
def db(request: Request) -> Iterator[Session]:
    """A session for one request; views pass it to services and never build queries themselves."""
    with request.app.state.sessions() as session:
        yield session


@contextmanager
def writer_db(request: Request) -> Iterator[Session]:
    """A session for a request that reads, then writes what it read depends on (``writer_sessions``)."""
    with writer_sessions(request.app.state.sessions)() as session:
        yield session


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    response: Response = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


def flash(request: Request, message: str) -> None:
    """A one-time notice for the page the next redirect leads to ("Saved.")."""
    request.session["flash"] = message


def render_page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A page with the notice left by the previous request (if any)."""
    notice = request.session.pop("flash", None) if status_code == 200 else None
    return render(request, template, status_code=status_code, flash=notice, **context)


def page_with_form(
    load: Callable[[Session, Request], T], show: Callable[[Request, Session, T, Form], Response]
) -> Callable[[Request], Response]:
    """The GET endpoint of a record's page that has a form to fill in (a registration, an interest):
    the record ``load(session, request)`` finds, shown by ``show(request, session, record, form)``
    with the form empty; the form's POST shows the page again with what was typed."""

    def page(request: Request) -> Response:
        with db(request) as session:
            return show(request, session, load(session, request), Form())

    return page


def not_found(detail: str = "") -> HTTPException:
    return HTTPException(404, detail=detail or None)


def found(record: T | None, detail: str) -> T:
    """``record``, or a 404 saying ``detail`` when there is none."""
    if record is None:
        raise not_found(detail)
    return record


def bad_request(detail: str) -> HTTPException:
    return HTTPException(400, detail=detail)


def invalid_value(field: str, value: str) -> InvalidFilter:
    """400: a filter or query parameter with a value the hub does not know (``hub.filters``)."""
    return InvalidFilter(field, value)


def check_page(number: int, pages: int) -> None:
    """404 for a page past a list's last one (a stale link), saying how many there are."""
    if number > pages:
        raise not_found(
            gettext("There is no page %(page)d: the list has %(pages)d.", page=number, pages=pages)
        )


def language(request: Request) -> str:
    lang: str = request.path_params["lang"]
    return lang


def calendar_response(body: bytes, *, filename: str | None = None) -> Response:
    """iCalendar: a feed for a calendar program to subscribe to, or (``filename``) a file to add."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else None
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def post(path: str, endpoint: Callable[[Request], Awaitable[Response]], *, name: str) -> Route:
    """A route that takes a form: POST only (the GET of the same path, if any, is its own route)."""
    return Route(path, endpoint, methods=["POST"], name=name)
