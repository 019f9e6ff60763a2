"""A list's query parameters, read and checked one by one: the one reader of list filters, for the
public lists (``parse_filters`` in the domains' services) and the coordinators' lists alike
(``hub.coordinator.list_filters``).

An unknown value raises ``InvalidFilter``, a ``Refused`` that answers 400 naming the field ("“xyz”
is not a valid value for the filter “Programme”."), so a mistyped link says what was wrong instead
of showing everything.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_, gettext
from hub.refusals import Refused

MAX_PAGE = 1_000_000
MAX_SEARCH = 200
MAX_SHOWN = 40  # of a value not offered (an id or code), as the error message repeats it

E = TypeVar("E", bound=enum.Enum)

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


class InvalidFilter(Refused):
    """A filter value the hub does not know (400); ``field`` names the query parameter, ``value``
    is what it said."""

    field: str

    def __init__(self, field: str, value: str) -> None:
        super().__init__(
            gettext(
                "“%(value)s” is not a valid value for the filter “%(field)s”.",
                value=value,
                field=gettext(FIELD_LABELS.get(field, field)),
            ),
            status=400,
            field=field,
        )
        self.field, self.value = field, value


class QueryFilters:
    """Reads one list request's parameters; each method checks the value it returns and raises
    ``InvalidFilter`` for one it does not know. ``session`` is needed only by ``code``."""

    def __init__(self, session: Session | None, params: Mapping[str, str]) -> None:
        self.session, self.params = session, params

    def value(self, field: str) -> str:
        """What the request says, as given (to show the filter form again)."""
        return self.params.get(field, "")

    def text(self, field: str) -> str | None:
        return self.params.get(field, "").strip() or None

    def flag(self, field: str) -> bool:
        """A switch such as ``archived=1``."""
        return self.params.get(field) == "1"

    def key(self, field: str, allowed: Collection[str]) -> str | None:
        """One of ``allowed`` (e.g. the ids a list's select offers), or None if none is given."""
        given = self.text(field)
        if given is not None and given not in allowed:
            raise InvalidFilter(field, given[:MAX_SHOWN])
        return given

    def code(self, field: str, column: Any) -> str | None:
        """A code that must stand in ``column`` (one index seek, only when one is given)."""
        given = self.text(field)
        if given:
            assert self.session is not None, "QueryFilters.code needs a session"
            if self.session.scalar(select(column).where(column == given).limit(1)) is None:
                raise InvalidFilter(field, given)
        return given

    def member(self, field: str, kind: type[E]) -> E | None:
        given = self.text(field)
        if given is None:
            return None
        try:
            return kind(given)
        except ValueError:
            raise InvalidFilter(field, given) from None

    def page(self) -> int:
        given = self.text("page") or "1"
        number = int(given) if given.isascii() and given.isdigit() else 0
        if not 1 <= number <= MAX_PAGE:
            raise InvalidFilter("page", given[:20])
        return number

    def search(self) -> str:
        """What was typed in a search box; a pasted page of text is searched by its beginning
        (the search reads its first words anyway) rather than refused."""
        return (self.text("q") or "")[:MAX_SEARCH]
