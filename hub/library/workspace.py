"""Workspace pages for the knowledge library: the list, the bilingual form (what an entry is, its
link, date and speakers, its tags, the pilots and lessons it is linked from), and archiving
(``RecordScreens``).

A coordinator edits the entries of their own programmes (an administrator: all); an entry kept by
another hub is shown read-only and refuses changes (409). An entry's fields and rules are declared
in ``hub.library.fields``; its one write path, audited, is in ``hub.library.writes``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from hub.accounts.services import Principal
from hub.coordinator import scope
from hub.forms import Form
from hub.i18n import N_
from hub.lessons import linked
from hub.library import services as library
from hub.library.fields import FIELDS, errors_of, web_address
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.library.writes import LibraryItemInput, create_item, update_item
from hub.record_screens import RecordScreens, programme_list
from hub.records import LANGUAGES
from hub.taxonomy import services as taxonomy
from hub.taxonomy.models import Phase


def _show_rules(form: Form, values: Mapping[str, Any], names: Collection[str]) -> None:
    """The entry's rules over the fields ``names`` as errors on the form (a rule over a value the
    form could not read is left: that value's own error says why)."""
    readable = {name: values[name] for name in names if name not in form.errors}
    for field, message in errors_of(readable).items():
        form.error(field, message)


class LibraryScreens(RecordScreens[LibraryItem, LibraryItemInput]):
    path = "/library"
    list_name = "ws_library"
    item_name = "ws_library_item"
    name_prefix = "ws_library"
    record_name = "item"
    form_template = "library/workspace/form.html"
    fields = FIELDS
    missing = N_("There is no library entry with number %(id)s.")
    created = N_("The library entry was created.")
    archived = N_("The library entry was archived: it no longer shows on the public pages.")

    def get(self, session: Session, record_id: int) -> LibraryItem | None:
        return library.get_item(session, item_id=record_id)

    def choices(self, session: Session, principal: Principal) -> dict[str, Any]:
        return {
            **super().choices(session, principal),
            "product_groups": taxonomy.product_groups(session),
            "strategies": taxonomy.strategies(session),
            "phases": list(Phase),
            "kinds": list(LibraryKind),
            "tool_kinds": list(ToolKind),
            "languages": LANGUAGES,
            "pilots_to_link": linked.pilots_to_link(session, programme_ids=scope(principal)),
            "lessons_to_link": linked.lessons_to_link(session, programme_ids=scope(principal)),
        }

    def read(
        self,
        session: Session,
        form: Form,
        choices: dict[str, Any],
        record: LibraryItem | None,
        principal: Principal,
    ) -> LibraryItemInput | None:
        values: dict[str, Any] = {}
        programme = form.key("programme_id", {str(p.id) for p in choices["programmes"]})
        values["programme_id"] = int(programme) if programme else None
        values.update(form.bilingual("body"))
        values["kind"] = form.choice("kind", LibraryKind)
        values["tool_kind"] = form.choice("tool_kind", ToolKind, required=False)
        _show_rules(form, values, ("kind", "tool_kind"))
        url = form.url("url", max_length=500)
        values["url"] = web_address(url) if url and "url" not in form.errors else url
        values["held_on"] = form.date("held_on")
        values["speakers"] = form.line("speakers", max_length=500)
        _show_rules(form, values, ("kind", "held_on", "speakers"))
        group = form.key("product_group_id", {str(g.id) for g in choices["product_groups"]}, required=False)
        values["product_group_id"] = int(group) if group else None
        strategy = form.key("strategy_id", {str(s.id) for s in choices["strategies"]}, required=False)
        values["strategy_id"] = int(strategy) if strategy else None
        values["phase"] = form.choice("phase", Phase, required=False)
        pilots = linked.pilots(session, form, kept={p.id for p in record.pilots} if record else set())
        lessons = linked.lessons(
            session, form, kept={item.id for item in record.lessons} if record else set()
        )
        if not form.ok:
            return None
        return LibraryItemInput(
            **values,
            pilot_ids=tuple(p.id for p in pilots),
            lesson_ids=tuple(lesson.id for lesson in lessons),
        )

    def create(self, session: Session, values: LibraryItemInput, principal: Principal) -> LibraryItem:
        return create_item(session, data=values, user_id=principal.user_id)

    def update(
        self, session: Session, record: LibraryItem, values: LibraryItemInput, principal: Principal
    ) -> None:
        update_item(session, item=record, data=values, user_id=principal.user_id)

    def current(self, record: LibraryItem) -> Form:
        initial = super().current(record)
        initial.raw["pilot_numbers"] = ", ".join(str(p.id) for p in record.pilots)
        initial.raw["lesson_numbers"] = ", ".join(str(lesson.id) for lesson in record.lessons)
        return initial

    def list_page(self, request: Request, session: Session, principal: Principal) -> Response:
        return programme_list(
            request,
            session,
            principal,
            template="library/workspace/list.html",
            query=library.items_of,
            filters=lambda read: {"kind": read.member("kind", LibraryKind)},
            kinds=list(LibraryKind),
        )


screens = LibraryScreens()


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return screens.routes()
