"""One write path for library entries: the typed input, its rules, and the audit of the fields and of
the pilots and lessons an entry is linked from."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.models import AuditEntry
from hub.library.models import LibraryKind, ToolKind
from hub.library.writes import LibraryItemInput, create_item, update_item
from hub.refusals import Invalid
from tests import factories


def item_input(programme_id: int, **changes: Any) -> LibraryItemInput:
    data = LibraryItemInput(
        programme_id=programme_id,
        source_language="en",
        kind=LibraryKind.WEBINAR,
        title_en="Webinar: circular furniture",
        url="https://example.org/recording",
        held_on=dt.date(2018, 6, 12),
        speakers="Lotte Peeters, Bram Jacobs",
    )
    return dataclasses.replace(data, **changes)


def test_an_entry_is_created_and_updated_with_its_audit(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    user = factories.user(session)
    pilot = factories.pilot(session, programme)
    lesson = factories.lesson(session, programme)
    data = item_input(programme.id, url="HTTPS://example.org/Recording", pilot_ids=(pilot.id,))
    item = create_item(session, data=data, user_id=user.id)
    assert item.id is not None
    assert item.url == "https://example.org/Recording"
    assert [p.id for p in item.pilots] == [pilot.id] and item.lessons == []
    session.expire_all()
    assert LibraryItemInput.of(item) == dataclasses.replace(data, url="https://example.org/Recording")

    assert not update_item(session, item=item, data=LibraryItemInput.of(item), user_id=user.id)
    changed = update_item(
        session,
        item=item,
        data=dataclasses.replace(LibraryItemInput.of(item), pilot_ids=(), lesson_ids=(lesson.id,)),
        user_id=user.id,
    )
    assert changed and item.pilots == [] and [x.id for x in item.lessons] == [lesson.id]
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "library_items", AuditEntry.entity_id == item.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert entries[0].after is not None and entries[0].after["url"] == "https://example.org/Recording"
    assert entries[1].after == {"pilots": [pilot.id]}
    assert entries[2].before == {"pilots": [pilot.id], "lessons": []}
    assert entries[2].after == {"pilots": [], "lessons": [lesson.id]}


def test_the_rules_hold_for_every_write(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    archived_at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    archived_lesson = factories.lesson(session, programme, withdrawn_at=archived_at)
    cases = [
        ({"kind": LibraryKind.LEGAL_QA}, ["held_on", "speakers"]),
        ({"tool_kind": ToolKind.CALCULATOR}, ["tool_kind"]),
        ({"title_en": ""}, ["title_en"]),
        ({"url": "javascript:alert(1)"}, ["url"]),
        ({"pilot_ids": (999999,), "lesson_ids": (archived_lesson.id,)}, ["pilot_ids", "lesson_ids"]),
    ]
    for changes, fields in cases:
        with pytest.raises(Invalid) as raised:
            create_item(session, data=item_input(programme.id, **changes), user_id=1)
        assert list(raised.value.errors) == fields

    # A lesson archived after it was linked stays linked.
    item = factories.library_item(session, programme, lessons=[archived_lesson])
    data = dataclasses.replace(LibraryItemInput.of(item), title_nl="Nog altijd")
    assert update_item(session, item=item, data=data, user_id=1)
    assert [x.id for x in item.lessons] == [archived_lesson.id]
