"""Records a lesson or a library entry is linked to, by number: the pilots a lesson was learned in,
the pilots and lessons a library entry is linked from. One lookup and one check for all of them
(the forms' fields of numbers, "12, 48", and the write paths), and the latest numbers the forms
list for reference."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hub.forms import Form
from hub.i18n import N_, Nn_, ngettext
from hub.i18n import gettext as _
from hub.lessons.models import Lesson
from hub.pilots.models import Pilot
from hub.queries import workspace_scope

MAX_LINKED = 50  # records one field may name
LISTED = 100  # the latest numbers a form shows for reference
R = TypeVar("R", Pilot, Lesson)


@dataclasses.dataclass(frozen=True)
class Kind(Generic[R]):
    """A kind of record a field of numbers links to, and what its field says (msgids, said in the
    language of the moment it says it): numbers of no record, numbers of archived ones (both in
    two forms), a word that is no number, too many numbers."""

    model: type[R]
    unknown_msgids: tuple[str, str]
    archived_msgids: tuple[str, str]
    not_a_number_msgid: str
    too_many_msgid: str

    def unknown(self, numbers: Sequence[int]) -> str:
        return ngettext(*self.unknown_msgids, len(numbers), numbers=_listed(numbers))

    def archived(self, numbers: Sequence[int]) -> str:
        return ngettext(*self.archived_msgids, len(numbers), numbers=_listed(numbers))

    def not_a_number(self, value: str) -> str:
        return _(self.not_a_number_msgid, value=value)

    def too_many(self) -> str:
        return _(self.too_many_msgid, max=MAX_LINKED)


def _listed(numbers: Sequence[int]) -> str:
    return ", ".join(map(str, numbers))


PILOTS = Kind(
    Pilot,
    Nn_("There is no pilot with number %(numbers)s.", "There are no pilots with numbers %(numbers)s."),
    Nn_(
        "Pilot %(numbers)s was archived and can no longer be linked.",
        "Pilots %(numbers)s were archived and can no longer be linked.",
    ),
    N_("“%(value)s” is not a pilot number: write the numbers only, e.g. 12, 48."),
    N_("Link at most %(max)d pilots."),
)
LESSONS = Kind(
    Lesson,
    Nn_("There is no lesson with number %(numbers)s.", "There are no lessons with numbers %(numbers)s."),
    Nn_(
        "Lesson %(numbers)s was archived and can no longer be linked.",
        "Lessons %(numbers)s were archived and can no longer be linked.",
    ),
    N_("“%(value)s” is not a lesson number: write the numbers only, e.g. 3, 17."),
    N_("Link at most %(max)d lessons."),
)


def find(
    session: Session, kind: Kind[R], ids: Sequence[int], *, kept: Collection[int] = ()
) -> tuple[list[R], str | None]:
    """The records of ``ids`` (in that order), and why some cannot be linked (None: all can): an
    id of no record, or of an archived one (a record linked already, in ``kept``, may stay after
    it was archived)."""
    model = kind.model
    records = {r.id: r for r in session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
    missing = [n for n in ids if n not in records]
    gone = [n for n in ids if n in records and records[n].withdrawn_at and n not in kept]
    found = [records[n] for n in ids if n in records]
    if missing:
        return found, kind.unknown(missing)
    return found, kind.archived(gone) if gone else None


def _numbers(form: Form, field: str, kind: Kind[R]) -> list[int]:
    """The numbers typed in the field ("12, 48", "#12 #48"), without repeats."""
    tokens = [t.lstrip("#") for t in re.split(r"[\s,;]+", form.line(field, max_length=500)) if t]
    bad = [t for t in tokens if not re.fullmatch(r"[0-9]{1,9}", t)]
    if bad:
        form.error(field, kind.not_a_number(bad[0][:20]))
        return []
    numbers = list(dict.fromkeys(int(t) for t in tokens))
    if len(numbers) > MAX_LINKED:
        form.error(field, kind.too_many())
    return numbers


def _linked(session: Session, form: Form, field: str, kind: Kind[R], kept: Collection[int]) -> list[R]:
    """The records of the numbers typed; a number of no record, or of an archived one, is an error."""
    records, refused = find(session, kind, _numbers(form, field, kind), kept=kept)
    if refused:
        form.error(field, refused)
    return records


def pilots(
    session: Session, form: Form, *, kept: Collection[int], field: str = "pilot_numbers"
) -> list[Pilot]:
    """The pilots named in ``field``; ``kept``: the ids of those linked already."""
    return _linked(session, form, field, PILOTS, kept)


def lessons(
    session: Session, form: Form, *, kept: Collection[int], field: str = "lesson_numbers"
) -> list[Lesson]:
    """The lessons named in ``field``; ``kept``: the ids of those linked already."""
    return _linked(session, form, field, LESSONS, kept)


def _latest(session: Session, model: type[R], programme_ids: Collection[int] | None) -> Sequence[R]:
    """The latest live records of these programmes (None: all), to look up a number on a form."""
    conditions = workspace_scope(model, programme_ids=programme_ids, programme_id=None, archived=False)
    statement = select(model).where(*conditions).options(joinedload(model.programme))
    return session.scalars(statement.order_by(model.id.desc()).limit(LISTED)).all()


def pilots_to_link(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Pilot]:
    return _latest(session, Pilot, programme_ids)


def lessons_to_link(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Lesson]:
    return _latest(session, Lesson, programme_ids)
