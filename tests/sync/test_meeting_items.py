"""What a source's meeting becomes: its mode, agenda (as plain text), time zone and capacity checked."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.messages import Problem
from hub.communities.models import MeetingMode
from hub.sync.kinds import Lookups, build_meeting

LOOKUPS = Lookups(product_groups={}, community_ids={3})
START = dt.datetime(2099, 5, 12, 8, 0, tzinfo=dt.UTC)


def test_a_meetings_fields_arrive_checked_and_its_agenda_without_markup() -> None:
    values = build_meeting(
        {
            "community_id": 3,
            "title_en": "Spring meeting",
            "starts_at": START,
            "timezone": "Europe/London",
            "mode": "hybrid",
            "capacity": 40,
            "agenda_en": "<p>1. Welcome</p><script>steal()</script>",
        },
        LOOKUPS,
    )
    assert values["mode"] is MeetingMode.HYBRID and values["timezone"] == "Europe/London"
    assert values["capacity"] == 40 and values["agenda_en"] == "1. Welcome"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Europe/Gent", "is not a time zone"),
        ("mode", "telepathy", "is not one of"),
        ("capacity", 0, "at least one place"),
        ("community_id", 9, "there is no community"),
    ],
)
def test_a_meeting_with_a_bad_value_is_refused_with_the_reason(
    field: str, value: object, message: str
) -> None:
    fields = {"community_id": 3, "title_en": "Spring meeting", "starts_at": START, field: value}
    with pytest.raises(Problem) as refused:
        build_meeting(fields, LOOKUPS)
    assert message in refused.value.message
