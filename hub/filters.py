"""A public list's query parameters, read and checked one by one.

An unknown value raises ``InvalidFilter``; the page answers 400 naming the field
(``hub.web.invalid_value``), so a mistyped link says what was wrong instead of showing everything.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

MAX_PAGE = 1_000_000
MAX_SEARCH = 200

E = TypeVar("E", bound=enum.Enum)


class InvalidFilter(ValueError):
    """A filter value the hub does not know; ``field`` names the query parameter."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}={value!r}")
        self.field = field
        self.value = value


class QueryFilters:
    """Reads one list request's parameters; each method checks the value it returns."""

    def __init__(self, session: Session, params: Mapping[str, str]) -> None:
        self.session, self.params = session, params

    def text(self, field: str) -> str | None:
        return self.params.get(field, "").strip() or None

    def code(self, field: str, column: Any) -> str | None:
        """A code that must stand in ``column`` (one index seek, only when one is given)."""
        given = self.text(field)
        if given and self.session.scalar(select(column).where(column == given).limit(1)) is None:
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
        q = self.text("q") or ""
        if len(q) > MAX_SEARCH:
            raise InvalidFilter("q", q[:20] + "…")
        return q
