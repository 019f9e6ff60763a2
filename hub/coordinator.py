"""What every coordinator screen shares: scope, loading records, refusing synced ones, reading
list filters, redirects."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub import changes
from hub import urls as paths
from hub.accounts.services import Principal
from hub.accounts.web import require_principal
from hub.filters import InvalidFilter, QueryFilters
from hub.forms import Form
from hub.i18n import gettext as _
from hub.programmes.models import Programme
from hub.records import Record
from hub.refusals import Refused
from hub.security import Endpoint, form_view
from hub.web import db, flash, language, not_found, render_page

R = TypeVar("R")


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


def archive_view(load: Callable[[Session, Request, Principal], Any], *, done: str, back: str) -> Endpoint:
    """The POST endpoint that archives the record ``load`` finds (it checks who may), audited; then
    says ``done`` (a msgid) and goes ``back`` to the list (a route name). A record kept elsewhere gets 409."""

    @form_view
    def archive(request: Request, _data: FormData) -> Response:
        principal = require_principal(request)
        with db(request) as session:
            record = load(session, request, principal)
            refuse_if_synced(record)
            changes.archive(
                session,
                record=record,
                user_id=principal.user_id,
                programme_id=record.programme_id,
                summary=record.title_nl or record.title_en,
            )
            session.commit()
        flash(request, _(done))
        return redirect_to(back)

    return archive


__all__ = ["flash", "render_page"]  # the workspace modules import these from here too
