"""One write path for meetings and close-outs: the typed inputs, the record's rules on every path
(the coordinators' form, a source's sync, a peer's mirror), the planning rules, the audit; and the
fields declared once, held against the sync, the connector target and federation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.messages import Problem
from connectors.targets import TARGETS
from hub.accounts.models import AuditEntry
from hub.communities.models import Meeting, MeetingMode
from hub.communities.writes import (
    CLOSEOUT_FIELDS,
    MEETING_FIELDS,
    CloseOutInput,
    MeetingInput,
    check_closeout_row,
    check_meeting_row,
    create_meeting,
    save_closeout,
    update_meeting,
)
from hub.federation.kinds import KINDS as FEDERATED
from hub.refusals import Invalid
from hub.sync.kinds import KINDS as SYNCED
from hub.sync.kinds import Lookups, build_meeting
from tests import factories
from tests.fields import NOT_FIELDS, federated, own_columns

NOW = dt.datetime(2099, 1, 1, 12, 0, tzinfo=dt.UTC)
START = dt.datetime(2099, 5, 12, 8, 0, tzinfo=dt.UTC)


def mirror_check(kind: str) -> Callable[[Mapping[str, Any]], None]:
    """The rules a peer's mirror holds a row of the federated ``kind`` to."""
    check = FEDERATED[kind].check
    assert check is not None
    return check


def meeting_input(community_id: int, **changes: Any) -> MeetingInput:
    data = MeetingInput(
        community_id=community_id,
        source_language="en",
        title_en="Spring meeting",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
        mode=MeetingMode.HYBRID,
        location="Gent",
        online_url="https://meet.example/spring",
        capacity=40,
    )
    return dataclasses.replace(data, **changes)


def test_a_meeting_is_created_and_updated_with_its_audit(session: Session) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    user = factories.user(session)
    data = meeting_input(community.id)
    meeting = create_meeting(session, data=data, user_id=user.id, now=NOW)
    assert meeting.id is not None and MeetingInput.of(meeting) == data

    assert not update_meeting(session, meeting=meeting, data=data, user_id=user.id, now=NOW)
    later = dataclasses.replace(data, starts_at=START + dt.timedelta(days=1), ends_at=None)
    assert update_meeting(session, meeting=meeting, data=later, user_id=user.id, now=NOW)
    assert meeting.starts_at == START + dt.timedelta(days=1) and meeting.ends_at is None
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "meetings")).all()
    assert [e.action for e in entries] == ["create", "update"]


# The record's own rules: (the value, the field the form shows it on, what a sync run records).
RECORD_RULES = [
    ({"ends_at": START}, "ends_at", "ends before it starts"),
    ({"ends_at": START - dt.timedelta(hours=1)}, "ends_at", "ends before it starts"),
    ({"capacity": 0}, "capacity", "at least one place"),
    ({"capacity": 100_001}, "capacity", "from 1 to 100000"),
    ({"timezone": "Europe/Gent"}, "timezone", "is not a time zone"),
]


@pytest.mark.parametrize(("change", "field", "problem"), RECORD_RULES)
def test_the_records_rules_hold_on_every_path(
    session: Session, change: dict[str, Any], field: str, problem: str
) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    user = factories.user(session)
    with pytest.raises(Invalid) as refused:  # the coordinators' form
        create_meeting(session, data=meeting_input(community.id, **change), user_id=user.id, now=NOW)
    assert list(refused.value.errors) == [field]

    fields = {"community_id": community.id, "title_en": "Spring meeting", "starts_at": START, **change}
    with pytest.raises(Problem) as synced:  # a source's sync
        build_meeting(fields, Lookups(product_groups={}, community_ids={community.id}))
    assert problem in str(synced.value)

    row = {"community_id": community.id, "source_language": "en", "title_en": "x", "starts_at": START}
    with pytest.raises(Problem):  # a peer's mirror
        mirror_check("meetings")({**row, **change})
    check_meeting_row(row)  # and the same row without the change is fine


def test_a_mirrored_closeout_has_a_sensible_attendance() -> None:
    with pytest.raises(Problem, match="attendance"):
        mirror_check("closeouts")({"source_language": "en", "minutes_en": "We met.", "attendance": -1})
    check_closeout_row({"source_language": "en", "minutes_en": "", "attendance": 3})  # as a peer wrote it


def test_a_meeting_written_here_needs_its_title_in_the_source_language(session: Session) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    data = meeting_input(community.id, source_language="nl")
    with pytest.raises(Invalid) as refused:
        create_meeting(session, data=data, user_id=factories.user(session).id, now=NOW)
    assert list(refused.value.errors) == ["title_nl"]
    check_meeting_row(data.values())  # a peer's or a source's record is not refused for it


def test_planning_refuses_the_past_an_overlap_and_a_mode_without_its_link_or_place(session: Session) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    user = factories.user(session)
    first = create_meeting(session, data=meeting_input(community.id), user_id=user.id, now=NOW)
    with pytest.raises(Invalid) as refused:
        create_meeting(
            session,
            data=meeting_input(community.id, starts_at=START + dt.timedelta(hours=1), ends_at=None),
            user_id=user.id,
            now=NOW,
        )
    assert "“Spring meeting”" in refused.value.errors["starts_at"]  # the meeting it overlaps
    with pytest.raises(Invalid) as refused:
        create_meeting(
            session,
            data=meeting_input(
                community.id,
                online_url=None,
                location="",
                starts_at=START + dt.timedelta(days=3),
                ends_at=None,
            ),
            user_id=user.id,
            now=NOW,
        )
    assert set(refused.value.errors) == {"online_url", "location"}
    with pytest.raises(Invalid) as refused:
        create_meeting(
            session, data=meeting_input(community.id), user_id=user.id, now=START + dt.timedelta(days=1)
        )
    assert set(refused.value.errors) == {"starts_at"}  # in the past (and overlapping)

    # A meeting does not overlap itself, and one that took place may still be changed in place.
    assert update_meeting(
        session,
        meeting=first,
        data=meeting_input(community.id, location="Brugge"),
        user_id=user.id,
        now=START + dt.timedelta(days=1),
    )
    other = factories.community(session, community.programme)
    assert create_meeting(session, data=meeting_input(other.id), user_id=user.id, now=NOW).id


def test_a_closeout_links_only_what_is_offered_and_keeps_what_it_had(session: Session) -> None:
    programme = factories.programme(session, "gdca")
    textiles = factories.product_group(session, "textiles")
    community = factories.community(session, programme, product_group=textiles)
    meeting = factories.meeting(session, community)
    user = factories.user(session)
    lesson = factories.lesson(session, programme, product_group=textiles)
    elsewhere = factories.lesson(session, programme)  # of no product group: not offered
    data = CloseOutInput(source_language="en", minutes_en="We met.", attendance=12, lesson_ids=(lesson.id,))
    closeout = save_closeout(session, meeting=meeting, data=data, user_id=user.id)
    assert CloseOutInput.of(closeout) == data and closeout.published_at is None

    with pytest.raises(Invalid) as refused:
        save_closeout(
            session,
            meeting=meeting,
            data=dataclasses.replace(data, lesson_ids=(elsewhere.id,)),
            user_id=user.id,
        )
    assert list(refused.value.errors) == ["lessons"]
    with pytest.raises(Invalid) as refused:
        save_closeout(
            session, meeting=meeting, data=dataclasses.replace(data, minutes_en=""), user_id=user.id
        )
    assert list(refused.value.errors) == ["minutes_en"]

    # A lesson linked once stays allowed when it leaves the product group.
    lesson.product_group_id = None
    session.flush()
    again = dataclasses.replace(data, attendance=14)
    assert save_closeout(session, meeting=meeting, data=again, user_id=user.id).lessons == [lesson]


def test_the_fields_are_declared_once() -> None:
    assert own_columns(Meeting) == set(MEETING_FIELDS)
    assert {f.name for f in dataclasses.fields(MeetingInput)} == set(MEETING_FIELDS)
    assert set(SYNCED["meeting"].blank) - NOT_FIELDS == set(MEETING_FIELDS)
    # A source's meeting tells its language by the texts it gives.
    assert set(TARGETS["meeting"].fields) == set(MEETING_FIELDS) - {"source_language"}
    for kind, declared in (("meetings", MEETING_FIELDS), ("closeouts", CLOSEOUT_FIELDS)):
        names, _ = federated(kind)
        # A close-out names its meeting and when it was published besides its own values.
        assert names - {"meeting_id", "published_at"} == set(declared)
    assert {f.name for f in dataclasses.fields(CloseOutInput)} == {
        *CLOSEOUT_FIELDS,
        "organisation_ids",
        "pilot_ids",
        "lesson_ids",
    }
