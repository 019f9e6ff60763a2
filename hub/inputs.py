"""What every record kind's typed input shares (``LessonInput``, ``CallInput``, ...), and the
breach of a rule its values obey.

An input is a frozen dataclass that declares its fields itself, one for each of the kind's
``FIELDS`` (its columns) and maybe a few of its own (its pilots by id); this base reads and
writes them by that list, so each kind declares its values once.

A kind's rules say which ``Breach`` its values make: a form shows each at its field, translated
(:func:`texts`); a sync or a mirror, writing rows in bulk, records the first as the entry's error
(:func:`check`).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, Self, TypeVar

from email_validator import EmailNotValidError, validate_email

from connectors.messages import Problem
from hub.i18n import N_
from hub.i18n import gettext as _

R = TypeVar("R")  # the record kind


class RecordInput(Generic[R]):
    """A typed input of a record kind ``R``; the subclass sets ``FIELDS``, its columns."""

    FIELDS: ClassVar[tuple[str, ...]]

    @classmethod
    def of(cls, record: R) -> Self:
        """The record's values as they are (the start of a change to some of them)."""
        return cls(**{name: getattr(record, name) for name in cls.FIELDS}, **cls.links_of(record))

    @classmethod
    def links_of(cls, record: R) -> dict[str, Any]:
        """The input's values that are not columns (its pilots by id, ...), as ``record`` has them."""
        return {}

    def values(self) -> dict[str, Any]:
        """The columns' values, by name (what ``changes.save`` sets)."""
        return {name: getattr(self, name) for name in self.FIELDS}


class TitledInput(RecordInput[R]):
    """An input with a title per language (``title_nl``, ``title_en``) and a source language."""

    source_language: str

    @property
    def title(self) -> str:
        """The title in the source language (the line naming the record in the audit log)."""
        return str(getattr(self, f"title_{self.source_language}", ""))


@dataclasses.dataclass(frozen=True)
class Breach:
    """A rule a record's values break: shown on ``field`` with ``message`` (a msgid) to whoever
    edits the record; a sync or mirror run records ``problem`` (a msgid), or the field and message."""

    field: str
    message: str
    problem: str | None = None
    values: tuple[tuple[str, Any], ...] = ()

    def text(self) -> str:
        """The message, translated into the current language."""
        return _(self.message, **dict(self.values))

    def refusal(self) -> Problem:
        """The breach as a run's error records it (translated where it is shown)."""
        if self.problem:
            return Problem(self.problem, **dict(self.values))
        return Problem(
            N_("%(field)s: %(problem)s"), field=self.field, problem=Problem(self.message, **dict(self.values))
        )


def between(name: str, value: Any, low: int, high: int, problem: str | None = None) -> list[Breach]:
    """The breach of a whole number ``value`` (of the field ``name``) outside ``low``–``high``; a
    value missing (None) is not checked."""
    if value is None or low <= value <= high:
        return []
    return [
        Breach(
            name, N_("Enter a whole number from %(min)d to %(max)d."), problem, (("min", low), ("max", high))
        )
    ]


def texts(breaches: Iterable[Breach]) -> dict[str, str]:
    """The breaches' messages by field, translated (the first breach of a field counts)."""
    errors: dict[str, str] = {}
    for breach in breaches:
        errors.setdefault(breach.field, breach.text())
    return errors


def check(breaches: Iterable[Breach]) -> None:
    """Raises the Problem of the first of ``breaches``: a row a sync or a mirror writes in bulk."""
    for breach in breaches:
        raise breach.refusal()


def on_one_line(text: str) -> bool:
    """Whether ``text`` has no line breaks or control characters (it may end up in a mail header)."""
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def email_address(text: str) -> str | None:
    """The e-mail address ``text``, normalised (the domain in lower case), or None if it is not one
    (internationalised addresses are)."""
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None
