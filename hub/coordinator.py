"""What every coordinator screen shares: scope, loading records, refusing synced ones, reading
list filters, redirects, and the endpoints of a record's page and of a one-step change to it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import mail
from hub import urls as paths
from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.communities.models import Decision
from hub.db import utcnow
from hub.filters import InvalidFilter, QueryFilters
from hub.forms import Form
from hub.i18n import gettext as _
from hub.programmes.models import Programme
from hub.records import Record
from hub.refusals import Refused
from hub.security import Endpoint, form_view
from hub.web import db, flash, language, not_found, render_page

R = TypeVar("R")


class InProgramme(Protocol):
    """A record of one programme (a call, an entry, an invitation …)."""

    @property
    def programme_id(self) -> int: ...


P = TypeVar("P", bound=InProgramme)
Loader = Callable[[Session, Request, Principal], R]  # finds the URL's record, checking who may


def scope(principal: Principal) -> frozenset[int] | None:
    """The programmes whose records this person sees in the workspace (None: all, an administrator)."""
    return None if principal.is_admin else principal.programme_ids


def forbid_unless_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise HTTPException(403, _("Only a hub administrator may do this."))


def found(record: R | None, message: str) -> R:
    if record is None:
        raise not_found(message)
    return record


def editable(principal: Principal, record: P | None, missing: str) -> P:
    """``record`` (404 saying ``missing`` when there is none), if ``principal`` may change the
    records of its programme (403 otherwise)."""
    present = found(record, missing)
    forbid_unless(principal.may_edit_programme(present.programme_id))
    return present


def kept_elsewhere(record: Record) -> str:
    """The notice on a record synced from another hub or source ('' for one kept here)."""
    if record.home_hub is None:
        return ""
    return _("This record is kept by %(home)s and edited there.", home=record.home_hub)


def refuse_if_synced(*records: Record) -> None:
    """409 for a change to a record whose home is another hub or source (it would be overwritten)."""
    for record in records:
        if record.home_hub is not None:
            raise HTTPException(409, kept_elsewhere(record))


def new_record_form(request: Request, programmes: Sequence[Programme], **initial: str) -> Form:
    """A new record's form: written in the page's language, and in the coordinator's programme when
    they have only one."""
    sole = str(programmes[0].id) if len(programmes) == 1 else ""
    return Form({"source_language": language(request), "programme_id": sole, **initial})


class ListFilters(QueryFilters):
    """The public lists' reader (``hub.filters``), saying "not a valid page number" for a bad page
    as the workspace and the other paged pages always have."""

    def page(self) -> int:
        try:
            return super().page()
        except InvalidFilter as error:
            raise Refused(
                _("“%(value)s” is not a valid page number.", value=error.value), status=400, field="page"
            ) from None


def list_filters(request: Request, session: Session | None = None) -> ListFilters:
    """The reader of a list's filters (``?programme=…&status=…&archived=1&q=…&page=…``); an unknown
    value answers 400 naming the filter. ``session`` is needed only for ``code()``."""
    return ListFilters(session, request.query_params)


def page_number(request: Request) -> int:
    """The list's page (400 if ``?page=`` is not a page number)."""
    return list_filters(request).page()


def redirect_to(name: str, /, **params: Any) -> RedirectResponse:
    """POST-redirect-GET: 303 to the page of route ``name`` in the current language."""
    return RedirectResponse(paths.url(name, **params), status_code=303)


def record_page(
    load: Loader[R], show: Callable[[Request, Session, R], Response]
) -> Callable[[Request], Response]:
    """The GET endpoint of one record's page: the record ``load`` finds (it checks who may), shown
    by ``show(request, session, record)``."""

    def page(request: Request) -> Response:
        principal = require_principal(request)
        with db(request) as session:
            return show(request, session, load(session, request, principal))

    return page


def action_view(
    load: Loader[R],
    change: Callable[[Session, R, Principal], object],
    *,
    done: str | Callable[[R], str],
    back: Callable[[R], Response],
    who: Callable[[Request], Principal] = require_principal,
) -> Endpoint:
    """The POST endpoint of a one-step change to one record (a button, nothing to fill in).

    ``who(request)`` is the person asking (a coordinator, by default), ``load(session, request,
    principal)`` the record (404/403/409 as it checks), ``change(session, record, principal)`` makes
    the change (raising for one it refuses); once committed, the next page says ``done`` (a msgid, or
    a function of the record giving the message) and the answer is ``back(record)``, a
    ``redirect_to``. A change with a form to show again with its errors is not one of these.
    """

    @form_view
    def action(request: Request, _data: FormData) -> Response:
        principal = who(request)
        with db(request) as session:
            record = load(session, request, principal)
            change(session, record, principal)
            session.commit()
            flash(request, done(record) if callable(done) else _(done))
            return back(record)

    return action


def decision_of(form: Form, *, note_max: int) -> tuple[bool | None, str]:
    """What an accept-or-decline form says: True to accept, False to decline, None when neither was
    chosen; and the note (a field error on ``form`` when longer than ``note_max``)."""
    decision = form.key("decision", ("accept", "decline"))
    note = form.text("note", max_length=note_max)
    return (None if decision is None else decision == "accept"), note


def tell_decision(request: Request, session: Session, decided: Decision, message: EmailMessage) -> None:
    """Mails a saved decision (on a request, a proposal, an interest) to the person who asked, and
    says on the next page whether it went; the decision stands either way."""
    if mail.send_now(request.app.state.settings, message):
        decided.notified_at = utcnow()
        session.commit()
        flash(request, _("Decision saved; %(name)s was told by e-mail.", name=decided.name))
    else:
        flash(
            request, _("Decision saved, but the e-mail to %(email)s could not be sent.", email=decided.email)
        )


__all__ = ["flash", "render_page"]  # the workspace modules import these from here too
