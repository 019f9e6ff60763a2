"""The coordinators' screens of one kind of record, written once: its list, the new and edit forms
(each shown again with what was typed when it is refused), and archiving.

A domain's workspace subclasses ``RecordScreens`` and says only what differs: how a record is
found, what its form offers, how the form becomes the domain's typed input and how the domain saves
it. The class gives the endpoints and their routes; every write goes through the domain's own
functions, so the rules and the audit trail are the same whichever screen a change comes from. A
write the domain refuses at a field (``Refused`` with ``field``, raised before it writes) shows the
form again with the refusal at that field.

Paths and route names follow one pattern, from the record's name (``record_name = "pilot"``): the
list ``/pilots`` named ``ws_pilots``, a record's form ``/pilots/{pilot_id:int}`` named ``ws_pilot``,
and ``ws_pilot_new``/``_create``/``_update``/``_archive``. A kind whose names differ sets them
(``ws_library`` at ``/library``, ``ws_library_item``, and ``name_prefix`` ``ws_library`` for
``ws_library_new`` …).

The pieces serve other screens too: ``record_loader`` (the record a path names, if this person may
change it), ``archive_view`` (archiving, audited), ``paged_list`` (a list a page at a time),
``searched_list`` and ``programme_list`` (one also filtered by programme and archived).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hub import changes
from hub.accounts.services import Principal
from hub.accounts.web import forbid_unless, require_principal
from hub.coordinator import (
    ListFilters,
    Loader,
    P,
    action_view,
    editable,
    flash,
    kept_elsewhere,
    list_filters,
    new_record_form,
    redirect_to,
    refuse_if_synced,
    render_page,
    scope,
)
from hub.forms import Form, as_raw
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.pagination import Page
from hub.programmes.models import Programme
from hub.programmes.services import editable_programmes
from hub.records import Record
from hub.refusals import Refused
from hub.security import Endpoint, form_view
from hub.web import check_page, db, post

R = TypeVar("R", bound=Record)
V = TypeVar("V")  # the domain's typed input for a record of this kind
A = TypeVar("A", bound=Record)  # a record archived (of any kind, on a screen or not)


def record_loader(get: Callable[..., P | None], key: str, missing: str) -> Loader[P]:
    """The loader of the record the path parameter ``key`` names (``get(session, key=...)``): 404
    saying ``missing`` (a msgid whose ``%(id)s`` is the parameter) when there is none, 403 unless
    this person may change the records of its programme."""

    def load(session: Session, request: Request, principal: Principal) -> P:
        value = request.path_params[key]
        return editable(principal, get(session, **{key: value}), _(missing, id=value))

    return load


def archive_view(
    load: Callable[[Session, Request, Principal], A],
    *,
    filed: Callable[[Session, Principal, A], tuple[int | None, str]],
    done: str,
    back: Callable[[A], Response],
) -> Endpoint:
    """The POST endpoint that archives the record ``load`` finds (it checks who may; a record kept
    elsewhere gets 409), audited under the programme and with the summary ``filed`` gives; then says
    ``done`` (a msgid) and goes ``back`` (``hub.coordinator.action_view``)."""

    def archive(session: Session, record: A, principal: Principal) -> None:
        refuse_if_synced(record)
        programme_id, summary = filed(session, principal, record)
        changes.archive(
            session, record=record, user_id=principal.user_id, programme_id=programme_id, summary=summary
        )

    return action_view(load, archive, done=done, back=back)


def paged_list(
    request: Request, read: ListFilters, template: str, query: Callable[[int], Page[Any]], **context: Any
) -> Response:
    """A workspace list: the page ``query`` gives for the page asked (read after the list's other
    filters; 404 past the last page), shown with those filters again (``form``)."""
    number = read.page()
    page = query(number)
    check_page(number, page.pages)
    return render_page(request, template, page=page, form=read, **context)


def searched_list(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    template: str,
    query: Callable[..., Page[Any]],
) -> Response:
    """The list of a kind of record in this person's programmes, with a search; ``query`` takes
    ``programme_ids``, ``q`` and ``page``."""
    read = list_filters(request)  # 400 naming the filter for a value it does not know
    q = read.search()
    return paged_list(
        request,
        read,
        template,
        lambda number: query(session, programme_ids=scope(principal), q=q, page=number),
    )


def programme_list(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    template: str,
    query: Callable[..., Page[Any]],
    filters: Callable[[ListFilters], dict[str, Any]],
    **context: Any,
) -> Response:
    """The list of a kind of record in this person's programmes: filtered by programme (of those they
    may edit), by the kind's own ``filters``, a search and archived or not. ``query`` takes them all
    as keywords; a value the list does not know answers 400 naming its filter."""
    programmes = editable_programmes(session, programme_ids=scope(principal))
    read = list_filters(request)
    programme = read.key("programme", {str(p.id) for p in programmes})
    own = filters(read)
    q = read.search()
    archived = read.flag("archived")
    where = {"programme_id": int(programme) if programme else None, "q": q, "archived": archived, **own}
    return paged_list(
        request,
        read,
        template,
        lambda number: query(session, programme_ids=scope(principal), page=number, **where),
        programmes=programmes,
        archived=archived,
        **context,
    )


class RecordScreens(Generic[R, V]):
    """List, new, create, edit, update and archive for records of one kind (see the module doc)."""

    record_name: ClassVar[str]  # the record's name in the form template: "pilot"
    path: ClassVar[str]  # "/pilots": this and the next three follow from record_name unless set
    id_param: ClassVar[str]  # "pilot_id"
    list_name: ClassVar[str]  # "ws_pilots"
    item_name: ClassVar[str]  # "ws_pilot"
    name_prefix: ClassVar[str] = ""  # of ws_pilot_new/_create/_update/_archive; item_name if empty
    form_template: ClassVar[str]
    fields: ClassVar[Sequence[str]]  # what the edit form shows of a stored record
    multi: ClassVar[Sequence[str]] = ()  # fields that may repeat (checkboxes)
    missing: ClassVar[str]  # msgid: "There is no pilot with number %(id)s."
    created: ClassVar[str]  # msgid: "The pilot was created."
    saved: ClassVar[str] = N_("Your changes were saved.")
    archived: ClassVar[str]  # msgid: "The pilot was archived: …"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The paths and route names a kind does not set, from its ``record_name`` (module doc)."""
        super().__init_subclass__(**kwargs)
        name = cls.record_name
        named = {
            "path": f"/{name}s",
            "id_param": f"{name}_id",
            "list_name": f"ws_{name}s",
            "item_name": f"ws_{name}",
        }
        for attribute, value in named.items():
            if not hasattr(cls, attribute):
                setattr(cls, attribute, value)

    # --- what a domain fills in ---

    def get(self, session: Session, record_id: int) -> R | None:
        raise NotImplementedError

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        """What the form offers; ``programmes`` are those this person may write in."""
        return {"programmes": editable_programmes(session, programme_ids=scope(principal))}

    def parse(self, form: Form, choices: dict[str, Any]) -> V | None:
        """The typed input, or None with the errors left in ``form.errors``."""
        raise NotImplementedError

    def create(self, session: Session, values: V, principal: Principal) -> R:
        raise NotImplementedError

    def update(self, session: Session, record: R, values: V, principal: Principal) -> None:
        raise NotImplementedError

    def list_page(self, request: Request, session: Session, principal: Principal) -> Response:
        raise NotImplementedError

    def initial(self, request: Request, programmes: Sequence[Programme]) -> Form:
        """A new record's form: in the page's language and the coordinator's only programme."""
        return new_record_form(request, programmes)

    def current(self, record: R) -> Form:
        """A stored record as its edit form shows it."""
        return Form({name: as_raw(getattr(record, name)) for name in self.fields})

    def context(self, session: Session, principal: Principal, record: R | None, form: Form) -> dict[str, Any]:
        """More for the form template (beyond the choices; it may replace what ``form_page`` gives)."""
        return {}

    def read(
        self, session: Session, form: Form, choices: dict[str, Any], record: R | None, principal: Principal
    ) -> V | None:
        """The typed input of a new record (``record`` None) or of an edit of ``record``: by default
        ``parse``'s; where reading needs the database (records the form names by number), the
        record edited (links it may keep) or who creates it (what a new record's form adds)."""
        return self.parse(form, choices)

    def shown(self, session: Session, request: Request, principal: Principal) -> R:
        """The record whose form the edit page shows: by default ``load``'s (403 unless this person
        may change it)."""
        return self.load(session, request, principal)

    def next_page(self, record: R) -> Response:
        """Where a saved form goes: by default the record's form."""
        return redirect_to(self.item_name, **{self.id_param: record.id})  # type: ignore[attr-defined]

    def filed(self, session: Session, principal: Principal, record: R) -> tuple[int | None, str]:
        """The programme a record's archiving is audited under, and its summary: by default the
        record's programme and title."""
        return record.programme_id, record.title_nl or record.title_en  # type: ignore[attr-defined]

    def archived_page(self, record: R) -> Response:
        """Where archiving goes: by default the list."""
        return redirect_to(self.list_name)

    def archive_endpoint(self) -> Endpoint:
        """The archiving POST, audited as ``filed`` says; then ``archived_page``."""
        return archive_view(self.load, filed=self.filed, done=self.archived, back=self.archived_page)

    # --- the screens ---

    def load(self, session: Session, request: Request, principal: Principal) -> R:
        """The record of the URL (404), if this person may edit its programme (403)."""
        record_id = request.path_params[self.id_param]
        return editable(principal, self.get(session, record_id), _(self.missing, id=record_id))  # type: ignore[arg-type]

    def form_page(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        form: Form,
        *,
        record: R | None,
        status_code: int = 200,
        choices: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Response:
        """The record's form (``record`` None: a new one); ``extra`` replaces parts of the rest."""
        values: dict[str, Any] = {
            "form": form,
            "readonly": record is not None and record.home_hub is not None,
            "kept_elsewhere": kept_elsewhere(record) if record is not None else "",
            self.record_name: record,
            **(choices if choices is not None else self.choices(session, principal)),
            **self.context(session, principal, record, form),
            **extra,
        }
        return render_page(request, self.form_template, status_code=status_code, **values)

    def list_view(self, request: Request) -> Response:
        principal = require_principal(request)
        with db(request) as session:
            return self.list_page(request, session, principal)

    def new_view(self, request: Request) -> Response:
        principal = require_principal(request)
        with db(request) as session:
            choices = self.choices(session, principal)
            forbid_unless(bool(choices["programmes"]))
            initial = self.initial(request, choices["programmes"])
            return self.form_page(request, session, principal, initial, record=None, choices=choices)

    def create_view(self, request: Request, data: FormData) -> Response:
        principal = require_principal(request)
        form = Form.submitted(data, multi=self.multi)
        with db(request) as session:
            choices = self.choices(session, principal)
            forbid_unless(bool(choices["programmes"]))
            values = self.read(session, form, choices, None, principal)
            return self.save(request, session, principal, form, choices, None, values)

    def edit_view(self, request: Request) -> Response:
        principal = require_principal(request)
        with db(request) as session:
            record = self.shown(session, request, principal)
            return self.form_page(request, session, principal, self.current(record), record=record)

    def update_view(self, request: Request, data: FormData) -> Response:
        principal = require_principal(request)
        form = Form.submitted(data, multi=self.multi)
        with db(request) as session:
            record = self.load(session, request, principal)
            refuse_if_synced(record)
            choices = self.choices(session, principal)
            values = self.read(session, form, choices, record, principal)
            return self.save(request, session, principal, form, choices, record, values)

    def save(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        form: Form,
        choices: dict[str, Any],
        record: R | None,
        values: V | None,
    ) -> Response:
        """Writes what the form gave (``record`` None: a new record) and goes on; or shows the form
        again, with what reading it refused (``values`` None) or what the domain refused at a field."""
        saved: R | None = None
        if values is not None:
            try:
                if record is None:
                    saved = self.create(session, values, principal)
                else:
                    self.update(session, record, values, principal)
                    saved = record
            except Refused as refused:
                form.show(refused)
        if saved is None:
            return self.form_page(
                request, session, principal, form, record=record, status_code=400, choices=choices
            )
        session.commit()
        flash(request, _(self.created if record is None else self.saved))
        return self.next_page(saved)

    def routes(self) -> list[BaseRoute]:
        item = f"{self.path}/{{{self.id_param}:int}}"
        prefix = self.name_prefix or self.item_name
        return [
            Route(self.path, self.list_view, name=self.list_name),
            Route(f"{self.path}/new", self.new_view, name=f"{prefix}_new"),
            post(f"{self.path}/new", form_view(self.create_view), name=f"{prefix}_create"),
            Route(item, self.edit_view, name=self.item_name),
            post(item, form_view(self.update_view), name=f"{prefix}_update"),
            post(f"{item}/archive", self.archive_endpoint(), name=f"{prefix}_archive"),
        ]
