"""What the public pages share: the record a path names, a page of a filtered list, the field a
bot gives itself away in, the notice whether an e-mail went, and the Atom and iCalendar answers.

Like a page, it may use several domains' services; no domain uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from email.message import EmailMessage
from typing import Any, Protocol, TypedDict, TypeVar

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from hub import freshness, mail
from hub.forms import Form
from hub.i18n import gettext
from hub.opendata import atom
from hub.web import calendar_response, check_page, flash, found, language, render

T = TypeVar("T")

HONEYPOT = "website"  # a form field hidden from people; a bot that fills every field gives itself away


class Paged(Protocol):
    """A page of a list (``hub.pagination.Page`` or a list's own): how many pages there are."""

    @property
    def pages(self) -> int: ...


class Filters(Protocol):
    """A list's filters: which page was asked for."""

    @property
    def page(self) -> int: ...


def record(request: Request, session: Session, get: Callable[..., T | None], key: str, missing: str) -> T:
    """The record the path parameter ``key`` names (``get(session, key=...)``), or a 404 saying
    ``missing``: a message id whose ``%(id)s`` (or ``%(<key>)s``) is the parameter."""
    value = request.path_params[key]
    return found(get(session, **{key: value}), gettext(missing, **{"id": value, key: value}))


class Visitor(TypedDict):
    """Who sent a public form, as the domains' write functions take it."""

    name: str
    email: str
    organisation_name: str
    language: str  # the page's: the one replies are written in


def visitor(request: Request, form: Form, *, organisation_required: bool = False) -> Visitor:
    """The name, e-mail address and organisation a public form asks of a visitor, checked alike on
    every form (errors are left in ``form``)."""
    return Visitor(
        name=form.line("name", max_length=200, required=True),
        email=form.email("email", required=True),
        organisation_name=form.line("organisation", max_length=200, required=organisation_required),
        language=language(request),
    )


def list_page(request: Request, template: str, page: Paged, filters: Filters, **context: Any) -> Response:
    """One page of a filtered list, with its filters to show again; 404 past its last page."""
    check_page(filters.page, page.pages)
    return render(request, template, page=page, filters=filters, **context)


def caught_bot(request: Request, form: Form, thanks: str) -> bool:
    """True for a form whose hidden field was filled: the bot is thanked as a person would be, and
    the caller does nothing else."""
    if not form.value(HONEYPOT):
        return False
    flash(request, thanks)
    return True


def send_and_tell(request: Request, messages: Iterable[EmailMessage], *, sent: str, unsent: str) -> None:
    """Sends ``messages`` now; the next page says ``sent``, or ``unsent`` if the mail server failed
    (what the visitor did is saved before, and stays saved)."""
    flash(request, sent if mail.send_now(request.app.state.settings, *messages) else unsent)


def feed_response(request: Request, body: bytes) -> Response:
    """An Atom feed, or 304 for a reader that has this version already (its ETag)."""
    tag = freshness.body_tag(body)
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if freshness.matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=atom.MEDIA_TYPE, headers=headers)


def calendar_page(
    request: Request,
    calendar: Callable[..., bytes],
    records: Iterable[Any],
    *,
    name: str,
    filename: str | None = None,
) -> Response:
    """``records`` as iCalendar in the page's language (``calendar(records, name=..., language=...,
    base_url=...)``): a feed to subscribe to, or (``filename``) a file to add."""
    body = calendar(
        records, name=name, language=language(request), base_url=request.app.state.settings.base_url
    )
    return calendar_response(body, filename=filename)
