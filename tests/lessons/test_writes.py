"""One write path for lessons: the typed input, its rules, the audit of the fields and of the pilots
and documents, and a lesson added to a meeting's close-out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.models import AuditEntry
from hub.lessons.models import LessonKind
from hub.lessons.writes import (
    Attachment,
    LessonInput,
    add_to_closeout,
    create_lesson,
    update_lesson,
)
from hub.refusals import Invalid
from tests import factories


def lesson_input(programme_id: int, **changes: Any) -> LessonInput:
    data = LessonInput(
        programme_id=programme_id,
        source_language="en",
        kind=LessonKind.TIP,
        title_en="Consult the market early",
        body_en="Talk to suppliers first.",
    )
    return dataclasses.replace(data, **changes)


def audits(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.id)
        )
    )


def test_a_lesson_is_created_and_updated_with_its_audit(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    first, second = factories.pilot(session, programme), factories.pilot(session, programme)
    template = Attachment("Template", "https://example.org/template.docx")
    data = lesson_input(programme.id, pilot_ids=(second.id, first.id), attachments=(template,))
    lesson = create_lesson(session, data=data, user_id=user.id)
    assert lesson.id is not None
    assert [p.id for p in lesson.pilots] == [second.id, first.id]
    assert [(a.title, a.url, a.position) for a in lesson.attachments] == [(*template, 0)]
    session.expire_all()
    assert LessonInput.of(lesson) == dataclasses.replace(data, pilot_ids=(first.id, second.id))

    assert not update_lesson(session, lesson=lesson, data=LessonInput.of(lesson), user_id=user.id)
    changed = update_lesson(
        session, lesson=lesson, data=dataclasses.replace(data, pilot_ids=(first.id,)), user_id=user.id
    )
    assert changed and [p.id for p in lesson.pilots] == [first.id]
    entries = audits(session, "lessons", lesson.id)
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert entries[1].after == {
        "pilots": [second.id, first.id],
        "attachments": ["Template <https://example.org/template.docx>"],
    }
    assert entries[2].before == {"pilots": [first.id, second.id]}
    assert entries[2].after == {"pilots": [first.id]}


def test_the_rules_hold_for_every_write(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    archived = factories.pilot(session, programme, withdrawn_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    cases = [
        ({"title_en": ""}, "title_en"),
        ({"attachments": (Attachment("", "https://example.org/a.pdf"),)}, "attachments"),
        ({"attachments": (Attachment("Script", "javascript:alert(1)"),)}, "attachments"),
        ({"pilot_ids": (999999,)}, "pilot_ids"),
        ({"pilot_ids": (archived.id,)}, "pilot_ids"),
    ]
    for changes, field in cases:
        with pytest.raises(Invalid) as raised:
            create_lesson(session, data=lesson_input(programme.id, **changes), user_id=1)
        assert list(raised.value.errors) == [field]
    with pytest.raises(Invalid, match="999999"):
        create_lesson(session, data=lesson_input(programme.id, pilot_ids=(999999,)), user_id=1)

    # A pilot archived after it was linked stays linked.
    lesson = factories.lesson(session, programme, title_en="Kept", source_language="en", pilots=[archived])
    data = dataclasses.replace(LessonInput.of(lesson), title_en="Kept still")
    assert update_lesson(session, lesson=lesson, data=data, user_id=1)
    assert [p.id for p in lesson.pilots] == [archived.id]


def test_a_lesson_is_added_to_a_meeting_close_out(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    meeting = factories.meeting(session, factories.community(session, programme), title_en="Spring meeting")
    closeout = factories.closeout(session, meeting)
    earlier = factories.lesson(session, programme)
    closeout.lessons = [earlier]
    session.flush()
    lesson = create_lesson(session, data=lesson_input(programme.id), user_id=user.id)
    add_to_closeout(session, closeout=closeout, lesson=lesson, user_id=user.id)
    assert [item.id for item in closeout.lessons] == [earlier.id, lesson.id]
    entry = audits(session, "meeting_closeouts", closeout.id)[-1]
    assert (entry.summary, entry.programme_id) == ("Spring meeting", programme.id)
    assert entry.before == {"lessons": [earlier.id]}
    assert entry.after == {"lessons": [earlier.id, lesson.id]}
