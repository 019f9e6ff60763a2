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
from hub.inputs import TitledInput
from hub.lessons import linked
from hub.lessons.models import Lesson
from hub.library.fields import FIELDS, errors_of, web_address
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.pilots.models import Pilot
from hub.refusals import Invalid
from hub.taxonomy.models import Phase


@dataclasses.dataclass(frozen=True)
class LibraryItemInput(TitledInput[LibraryItem]):
    """A library entry's values (``fields.FIELDS``), typed, with the pilots and lessons it is linked
    from by id."""

    FIELDS = FIELDS

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
    def links_of(cls, item: LibraryItem) -> dict[str, Any]:
        return {
            "pilot_ids": tuple(p.id for p in item.pilots),
            "lesson_ids": tuple(lesson.id for lesson in item.lessons),
        }


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
    pilots, pilots_refused = linked.find(
        session, linked.PILOTS, data.pilot_ids, kept=set() if new else {p.id for p in item.pilots}
    )
    lessons, lessons_refused = linked.find(
        session,
        linked.LESSONS,
        data.lesson_ids,
        kept=set() if new else {lesson.id for lesson in item.lessons},
    )
    values = data.values()
    errors = errors_of(values)
    for field, refused in (("pilot_ids", pilots_refused), ("lesson_ids", lessons_refused)):
        if refused:
            errors[field] = refused
    if errors:
        raise Invalid(errors)
    if data.url:
        values["url"] = web_address(data.url)
    before = {} if new else _links(item.pilots, item.lessons)
    saved = changes.save_input(session, record=item, data=data, user_id=user_id, values=values)
    relinked = changes.save_links(
        session,
        record=item,
        before=before,
        after=_links(pilots, lessons),
        links={"pilots": pilots, "lessons": lessons},
        user_id=user_id,
        programme_id=item.programme_id,
        summary=data.title,
    )
    return saved or relinked
