"""Fields of record numbers on coordinators' forms ("12, 48"): the pilots a lesson was learned in, the
pilots and lessons a library entry is linked from. One parser and one check for all of them, and the
latest numbers the forms list for reference."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hub.forms import Form
from hub.i18n import gettext as _
from hub.i18n import ngettext
from hub.lessons.models import Lesson
from hub.pilots.models import Pilot

MAX_LINKED = 50  # records one field may name
LISTED = 100  # the latest numbers a form shows for reference
R = TypeVar("R", Pilot, Lesson)


def _numbers(form: Form, field: str, *, wrong: Callable[[str], str], too_many: str) -> list[int]:
    """The numbers typed in the field ("12, 48", "#12 #48"), without repeats."""
    tokens = [t.lstrip("#") for t in re.split(r"[\s,;]+", form.line(field, max_length=500)) if t]
    bad = [t for t in tokens if not re.fullmatch(r"[0-9]{1,9}", t)]
    if bad:
        form.error(field, wrong(bad[0][:20]))
        return []
    numbers = list(dict.fromkeys(int(t) for t in tokens))
    if len(numbers) > MAX_LINKED:
        form.error(field, too_many)
    return numbers


def _linked(
    session: Session,
    form: Form,
    field: str,
    model: type[R],
    numbers: Sequence[int],
    kept: Collection[int],
    *,
    unknown: Callable[[Sequence[int]], str],
    archived: Callable[[Sequence[int]], str],
) -> list[R]:
    """The records of the numbers typed; a number of no record, or of an archived one, is an error
    (a record already linked may stay after it was archived)."""
    records = (
        {r.id: r for r in session.scalars(select(model).where(model.id.in_(numbers)))} if numbers else {}
    )
    missing = [n for n in numbers if n not in records]
    gone = [n for n in numbers if n in records and records[n].withdrawn_at and n not in kept]
    if missing:
        form.error(field, unknown(missing))
    elif gone:
        form.error(field, archived(gone))
    return [records[n] for n in numbers if n in records]


def _listed(numbers: Sequence[int]) -> str:
    return ", ".join(map(str, numbers))


def pilots(
    session: Session, form: Form, *, kept: Collection[int], field: str = "pilot_numbers"
) -> list[Pilot]:
    """The pilots named in ``field``; ``kept``: the ids of those linked already."""
    numbers = _numbers(
        form,
        field,
        wrong=lambda value: _(
            "“%(value)s” is not a pilot number: write the numbers only, e.g. 12, 48.", value=value
        ),
        too_many=_("Link at most %(max)d pilots.", max=MAX_LINKED),
    )
    return _linked(
        session,
        form,
        field,
        Pilot,
        numbers,
        kept,
        unknown=lambda missing: ngettext(
            "There is no pilot with number %(numbers)s.",
            "There are no pilots with numbers %(numbers)s.",
            len(missing),
            numbers=_listed(missing),
        ),
        archived=lambda gone: ngettext(
            "Pilot %(numbers)s was archived and can no longer be linked.",
            "Pilots %(numbers)s were archived and can no longer be linked.",
            len(gone),
            numbers=_listed(gone),
        ),
    )


def lessons(
    session: Session, form: Form, *, kept: Collection[int], field: str = "lesson_numbers"
) -> list[Lesson]:
    """The lessons named in ``field``; ``kept``: the ids of those linked already."""
    numbers = _numbers(
        form,
        field,
        wrong=lambda value: _(
            "“%(value)s” is not a lesson number: write the numbers only, e.g. 3, 17.", value=value
        ),
        too_many=_("Link at most %(max)d lessons.", max=MAX_LINKED),
    )
    return _linked(
        session,
        form,
        field,
        Lesson,
        numbers,
        kept,
        unknown=lambda missing: ngettext(
            "There is no lesson with number %(numbers)s.",
            "There are no lessons with numbers %(numbers)s.",
            len(missing),
            numbers=_listed(missing),
        ),
        archived=lambda gone: ngettext(
            "Lesson %(numbers)s was archived and can no longer be linked.",
            "Lessons %(numbers)s were archived and can no longer be linked.",
            len(gone),
            numbers=_listed(gone),
        ),
    )


def pilots_to_link(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Pilot]:
    """The latest live pilots of these programmes (None: all), to look up a number on a form."""
    statement = select(Pilot).where(Pilot.withdrawn_at.is_(None)).options(joinedload(Pilot.programme))
    if programme_ids is not None:
        statement = statement.where(Pilot.programme_id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Pilot.id.desc()).limit(LISTED)).all()


def lessons_to_link(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Lesson]:
    """The latest live lessons of these programmes (None: all), to look up a number on a form."""
    statement = select(Lesson).where(Lesson.withdrawn_at.is_(None)).options(joinedload(Lesson.programme))
    if programme_ids is not None:
        statement = statement.where(Lesson.programme_id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Lesson.id.desc()).limit(LISTED)).all()
