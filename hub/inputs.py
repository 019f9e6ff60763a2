"""What every record kind's typed input shares (``LessonInput``, ``CallInput``, ...).

An input is a frozen dataclass that declares its fields itself, one for each of the kind's
``FIELDS`` (its columns) and maybe a few of its own (its pilots by id); this base reads and
writes them by that list, so each kind declares its values once.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Self, TypeVar

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
