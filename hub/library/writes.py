"""Writing a library entry: one typed input and one write path, audited, that holds the entry's
rules (``fields.errors_of``) and links it from pilots and lessons that exist and are not archived.

A peer hub's mirror writes entries in bulk, with the same fields (``fields.FIELDS``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from hub import changes
from hub.accounts.services import audit
from hub.lessons import linked
from hub.lessons.models import Lesson
from hub.library.fields import FIELDS, errors_of, web_address
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.pilots.models import Pilot
from hub.refusals import Invalid
from hub.taxonomy.models import Phase


@dataclasses.dataclass(frozen=True)
class LibraryItemInput:
    """A library entry's values (``fields.FIELDS``), typed, with the pilots and lessons it is linked
    from by id."""

    programme_id: int
    source_language: str
    kind: LibraryKind
    tool_kind: ToolKind | None = None
    title_nl: str = ""
    title_en: str = ""
    body_nl: str = ""
    body_en: str = ""
    url: str | None = None
    held_on: dt.date | None = None
    speakers: str = ""
    product_group_id: int | None = None
    strategy_id: int | None = None
    phase: Phase | None = None
    pilot_ids: tuple[int, ...] = ()
    lesson_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, item: LibraryItem) -> LibraryItemInput:
        """The entry's values as they are (the start of a change to some of them)."""
        return cls(
            **{name: getattr(item, name) for name in FIELDS},
            pilot_ids=tuple(p.id for p in item.pilots),
            lesson_ids=tuple(lesson.id for lesson in item.lessons),
        )

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def title(self) -> str:
        """The title in the source language (the line naming the entry in the audit log)."""
        return str(getattr(self, f"title_{self.source_language}", ""))


def create_item(session: Session, *, data: LibraryItemInput, user_id: int) -> LibraryItem:
    """A new entry of this hub from ``data``, audited in the name of ``user_id``. Raises
    Invalid."""
    item = LibraryItem()
    _save(session, item, data, user_id)
    return item


def update_item(session: Session, *, item: LibraryItem, data: LibraryItemInput, user_id: int) -> bool:
    """Sets the entry's values to ``data``, auditing what changed; False if nothing did. The caller
    has checked that the entry is kept here. Raises Invalid."""
    return _save(session, item, data, user_id)


def _links(pilots: Sequence[Pilot], lessons: Sequence[Lesson]) -> dict[str, list[int]]:
    """What the entry is linked from, as the audit log shows it."""
    return {"pilots": [p.id for p in pilots], "lessons": [lesson.id for lesson in lessons]}


def _save(session: Session, item: LibraryItem, data: LibraryItemInput, user_id: int) -> bool:
    """Saves the fields through the audited ``changes.save``; the pilots and lessons, when they
    changed, get an entry of their own that names them (the shared snapshot cannot). A pilot or
    lesson linked already may stay after it was archived; no other archived one may be linked."""
    new = item.id is None
    pilots, missing_pilots, gone_pilots = linked.find(
        session, Pilot, data.pilot_ids, kept=set() if new else {p.id for p in item.pilots}
    )
    lessons, missing_lessons, gone_lessons = linked.find(
        session, Lesson, data.lesson_ids, kept=set() if new else {lesson.id for lesson in item.lessons}
    )
    values = data.values()
    errors = errors_of(values)
    for field, refused in (
        ("pilot_ids", linked.pilots_refused(missing_pilots, gone_pilots)),
        ("lesson_ids", linked.lessons_refused(missing_lessons, gone_lessons)),
    ):
        if refused:
            errors[field] = refused
    if errors:
        raise Invalid(errors)
    if data.url:
        values["url"] = web_address(data.url)
    before = {} if new else _links(item.pilots, item.lessons)
    saved = changes.save(
        session,
        record=item,
        values=values,
        user_id=user_id,
        programme_id=data.programme_id,
        summary=data.title,
    )
    after = _links(pilots, lessons)
    changed = [name for name in after if before.get(name, []) != after[name]]
    if not changed:
        return saved
    if "pilots" in changed:
        item.pilots = pilots
    if "lessons" in changed:
        item.lessons = lessons
    session.flush()
    audit(
        session,
        user=None,
        user_id=user_id,
        action="update",
        entity="library_items",
        entity_id=item.id,
        programme_id=item.programme_id,
        summary=data.title,
        before={name: before.get(name, []) for name in changed},
        after={name: after[name] for name in changed},
    )
    return True
