"""Meetings as iCalendar (RFC 5545): a feed per community and a file per meeting.

Each event carries its start in the meeting's own time zone (with the VTIMEZONE it needs), so a
calendar program shows it right on either side of a daylight-saving change. The meeting's uid is
the event's, so a calendar that subscribed sees a moved meeting move rather than a new one.
``vcalendar`` writes any such occurrences (the programmes' events use it too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event

from hub.communities.models import Meeting
from hub.i18n import TIMEZONE
from hub.records import Localized
from hub.urls import absolute_url

DEFAULT_LENGTH = dt.timedelta(hours=2)  # a meeting without an end is shown this long


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(TIMEZONE)


@dataclass(frozen=True)
class Occurrence:
    """What a calendar shows of a meeting or an event: one VEVENT."""

    uid: str
    updated_at: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    timezone: str
    summary: str
    location: str
    url: str


def vcalendar(occurrences: Iterable[Occurrence], *, name: str, base_url: str) -> bytes:
    """The occurrences as one VCALENDAR, each in its own time zone."""
    cal = Calendar()
    cal.add("prodid", "-//Circular procurement network hub//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", " ".join(name.split()))  # a calendar's name is one line
    host = urlsplit(base_url).hostname or "hub"
    for occurrence in occurrences:
        zone = _zone(occurrence.timezone)
        starts = occurrence.starts_at.astimezone(zone)
        ends = occurrence.ends_at.astimezone(zone) if occurrence.ends_at else starts + DEFAULT_LENGTH
        event = Event()
        event.add("uid", f"{occurrence.uid}@{host}")
        event.add("dtstamp", occurrence.updated_at.astimezone(dt.UTC))
        event.add("dtstart", starts)
        event.add("dtend", ends)
        event.add("summary", occurrence.summary)
        if occurrence.location:
            event.add("location", occurrence.location)
        event.add("url", occurrence.url)
        cal.add_component(event)
    cal.add_missing_timezones()
    body: bytes = cal.to_ical()
    return body


class Scheduled(Protocol):
    """What a calendar shows of a record that takes place (a meeting, an event)."""

    @property
    def uid(self) -> str: ...
    @property
    def updated_at(self) -> dt.datetime: ...
    @property
    def starts_at(self) -> dt.datetime: ...
    @property
    def ends_at(self) -> dt.datetime | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def location(self) -> str: ...
    def localized(self, field: str, language: str) -> Localized: ...


S = TypeVar("S", bound=Scheduled)


def occurrence(record: Scheduled, *, language: str, url: str) -> Occurrence:
    """``record`` as one VEVENT, its title in ``language``, linking to ``url``."""
    return Occurrence(
        uid=record.uid,
        updated_at=record.updated_at,
        starts_at=record.starts_at,
        ends_at=record.ends_at,
        timezone=record.timezone,
        summary=record.localized("title", language).text,
        location=record.location,
        url=url,
    )


def linked_calendar(
    records: Iterable[S],
    *,
    route: str,
    params: Callable[[S], Mapping[str, Any]],
    name: str,
    language: str,
    base_url: str,
) -> bytes:
    """``records`` as one VCALENDAR, titles in ``language``, each linking to its page: route
    ``route`` with ``params(record)`` (in ``language``, on the hub at ``base_url``)."""
    return vcalendar(
        (
            occurrence(
                record, language=language, url=absolute_url(base_url, route, lang=language, **params(record))
            )
            for record in records
        ),
        name=name,
        base_url=base_url,
    )


def calendar(meetings: Iterable[Meeting], *, name: str, language: str, base_url: str) -> bytes:
    """The meetings as one VCALENDAR (text in ``language``, links to the community pages)."""
    return linked_calendar(
        meetings,
        route="community",
        params=lambda meeting: {"community_id": meeting.community_id},
        name=name,
        language=language,
        base_url=base_url,
    )
