"""What every view needs: a database session, template rendering, localised errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.db import writer_sessions
from hub.i18n import N_, gettext


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


def not_found(detail: str = "") -> HTTPException:
    return HTTPException(404, detail=detail or None)


def bad_request(detail: str) -> HTTPException:
    return HTTPException(400, detail=detail)


# Query parameters as people know them, for error messages.
FIELD_LABELS = {
    "programme": N_("Programme"),
    "country": N_("Country"),
    "product_group": N_("Product group"),
    "strategy": N_("Circular strategy"),
    "kind": N_("Kind"),
    "phase": N_("Procurement phase"),
    "sdg": N_("Sustainable Development Goal"),
    "status": N_("Status"),
    "year": N_("Year"),
    "role": N_("Role"),
    "q": N_("Search"),
    "sort": N_("Sort by"),
    "page": N_("Page"),
    "per_page": N_("Results per page"),
}


def invalid_value(field: str, value: str) -> HTTPException:
    """400: a filter or query parameter with a value the hub does not know."""
    return bad_request(
        gettext(
            "“%(value)s” is not a valid value for the filter “%(field)s”.",
            value=value,
            field=gettext(FIELD_LABELS.get(field, field)),
        )
    )


def check_page(number: int, pages: int) -> None:
    """404 for a page past a list's last one (a stale link), saying how many there are."""
    if number > pages:
        raise not_found(
            gettext("There is no page %(page)d: the list has %(pages)d.", page=number, pages=pages)
        )


def language(request: Request) -> str:
    lang: str = request.path_params["lang"]
    return lang
