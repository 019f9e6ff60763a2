"""Meetings as iCalendar (RFC 5545): a feed per community and a file per meeting.

Each event carries its start in the meeting's own time zone (with the VTIMEZONE it needs), so a
calendar program shows it right on either side of a daylight-saving change. The meeting's uid is
the event's, so a calendar that subscribed sees a moved meeting move rather than a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event

from hub.communities.models import Meeting
from hub.i18n import TIMEZONE

DEFAULT_LENGTH = dt.timedelta(hours=2)  # a meeting without an end is shown this long


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(TIMEZONE)


def calendar(meetings: Iterable[Meeting], *, name: str, language: str, base_url: str) -> bytes:
    """The meetings as one VCALENDAR (text in ``language``, links to the community pages)."""
    cal = Calendar()
    cal.add("prodid", "-//Circular procurement network hub//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", " ".join(name.split()))  # a calendar's name is one line
    host = urlsplit(base_url).hostname or "hub"
    for meeting in meetings:
        zone = _zone(meeting.timezone)
        starts = meeting.starts_at.astimezone(zone)
        ends = meeting.ends_at.astimezone(zone) if meeting.ends_at else starts + DEFAULT_LENGTH
        event = Event()
        event.add("uid", f"{meeting.uid}@{host}")
        event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
        event.add("dtstart", starts)
        event.add("dtend", ends)
        event.add("summary", meeting.localized("title", language).text)
        if meeting.location:
            event.add("location", meeting.location)
        event.add("url", f"{base_url.rstrip('/')}/{language}/communities/{meeting.community_id}")
        cal.add_component(event)
    cal.add_missing_timezones()
    body: bytes = cal.to_ical()
    return body
