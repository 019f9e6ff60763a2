"""Writing a community's meetings and their close-outs: their fields, declared once, one typed input
each, the rules their values obey, and one write path, audited.

Every way a meeting is written runs the record's own rules (:func:`meeting_breaches`: an end after
the start, a known time zone, at least one place): the
coordinators' form (through :func:`create_meeting` / :func:`update_meeting`), a source's sync
(``hub.sync.kinds.build_meeting``) and a peer hub's mirror (``hub.sync.mirror``), the last two
through :func:`check_meeting_row` on the rows they write in bulk. Writing a meeting here adds the
coordinators' rules (:func:`meeting_errors`: the title in the source language, in the future when
new or moved, a link for an online meeting, a place for one in person, no overlap with another
meeting of the community): a peer sends a meeting's link only to token holders, a source reports
meetings that took place, a record written before a rule keeps being mirrored (pages show a "not
yet translated" fallback), and the bulk paths do not see each item's identity to exclude it from
an overlap.

A close-out is written by the coordinators' form only; a peer's published close-outs are mirrored
and obey :func:`closeout_breaches` there too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import changes
from hub.communities import services
from hub.communities.meetings import overlapping
from hub.communities.models import CloseOut, Community, Meeting, MeetingMode
from hub.db import utcnow
from hub.i18n import N_, TIMEZONE
from hub.i18n import gettext as _
from hub.inputs import Breach, RecordInput, TitledInput, between, check, texts
from hub.lessons.models import Lesson
from hub.organisations.models import Organisation
from hub.pilots.models import Pilot
from hub.records import LANGUAGES
from hub.refusals import Invalid

MAX_CAPACITY = 100_000
TEXTS = tuple(f"{name}_{lang}" for name in ("title", "agenda") for lang in LANGUAGES)
# A meeting's own values (its columns, not its bookkeeping); its registrations are records of their own.
MEETING_FIELDS = (
    "community_id",
    "source_language",
    *TEXTS,
    "starts_at",
    "ends_at",
    "timezone",
    "mode",
    "location",
    "online_url",
    "capacity",
)
MINUTES = tuple(f"minutes_{lang}" for lang in LANGUAGES)
# A close-out's own values; what it links to (organisations, pilots, lessons) is chosen by id.
CLOSEOUT_FIELDS = ("source_language", *MINUTES, "attendance")
CLOSEOUT_LINKS = {"organisations": Organisation, "pilots": Pilot, "lessons": Lesson}


@dataclasses.dataclass(frozen=True)
class MeetingInput(TitledInput[Meeting]):
    """A meeting's values (``MEETING_FIELDS``), typed; the moments are in UTC, ``timezone`` is
    where the meeting is planned."""

    FIELDS = MEETING_FIELDS

    community_id: int
    source_language: str
    starts_at: dt.datetime
    title_nl: str = ""
    title_en: str = ""
    agenda_nl: str = ""
    agenda_en: str = ""
    ends_at: dt.datetime | None = None
    timezone: str = TIMEZONE
    mode: MeetingMode = MeetingMode.IN_PERSON
    location: str = ""
    online_url: str | None = None
    capacity: int | None = None  # None: no limit


@dataclasses.dataclass(frozen=True)
class CloseOutInput(RecordInput[CloseOut]):
    """A close-out's values (``CLOSEOUT_FIELDS``) with what it links to, by id."""

    FIELDS = CLOSEOUT_FIELDS

    source_language: str
    minutes_nl: str = ""
    minutes_en: str = ""
    attendance: int | None = None
    organisation_ids: tuple[int, ...] = ()
    pilot_ids: tuple[int, ...] = ()
    lesson_ids: tuple[int, ...] = ()

    @classmethod
    def links_of(cls, closeout: CloseOut) -> dict[str, Any]:
        return {f"{name[:-1]}_ids": tuple(r.id for r in getattr(closeout, name)) for name in CLOSEOUT_LINKS}

    def links(self) -> dict[str, tuple[int, ...]]:
        """The ids chosen per link (``organisations``, ``pilots``, ``lessons``)."""
        return {name: getattr(self, f"{name[:-1]}_ids") for name in CLOSEOUT_LINKS}


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _titled(values: Mapping[str, Any], name: str, message: str) -> list[Breach]:
    source = values.get("source_language")
    if source in LANGUAGES and f"{name}_{source}" in values and not values[f"{name}_{source}"]:
        return [Breach(f"{name}_{source}", message)]
    return []


def meeting_breaches(values: Mapping[str, Any]) -> list[Breach]:
    """The record's own rules a meeting's ``values`` break, on every path (form, sync, mirror). A
    rule over a value that is missing (or None) is not checked."""
    breaches: list[Breach] = []
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        breaches.append(
            Breach(
                "ends_at",
                N_("The meeting must end after it starts."),
                N_("ends_at: the meeting ends before it starts"),
            )
        )
    zone = values.get("timezone")
    if zone is not None and zone not in _time_zones():
        breaches.append(
            Breach(
                "timezone",
                N_("Choose one of the options offered."),
                N_("timezone: “%(value)s” is not a time zone such as Europe/Brussels"),
                (("value", zone),),
            )
        )
    capacity = values.get("capacity")
    few = N_("capacity: a meeting has at least one place") if capacity is not None and capacity < 1 else None
    breaches += between("capacity", capacity, 1, MAX_CAPACITY, few)
    return breaches


def check_meeting_row(values: Mapping[str, Any]) -> None:
    """Raises the Problem of the first rule ``values`` break: a row a sync or a mirror writes in bulk."""
    check(meeting_breaches(values))


def meeting_errors(
    session: Session,
    values: Mapping[str, Any],
    *,
    meeting: Meeting | None = None,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Every rule a meeting planned here breaks, by field, translated (empty if none): the record's
    own, then the coordinators' (the mode's link or place; a moment in the future when it is new or
    moved; no overlap with another live meeting of the community). Reads a partial set of values
    too: a rule over a value missing is left to that value's own error."""
    errors: dict[str, str] = {}
    mode = values.get("mode")
    if mode in (MeetingMode.ONLINE, MeetingMode.HYBRID) and not values.get("online_url"):
        errors["online_url"] = _("An online meeting needs the link to join it.")
    if mode in (MeetingMode.IN_PERSON, MeetingMode.HYBRID) and not values.get("location"):
        errors["location"] = _("A meeting in person needs a place.")
    starts_at = values.get("starts_at")
    moved = meeting is None or meeting.starts_at != starts_at
    if starts_at and moved and starts_at < (now or utcnow()):
        errors["starts_at"] = _("This moment has passed: plan the meeting in the future.")
    for breach in [
        *_titled(values, "title", N_("Enter the title in the source language.")),
        *meeting_breaches(values),
    ]:
        errors.setdefault(breach.field, breach.text())
    community_id = values.get("community_id")
    if starts_at and community_id is not None and "ends_at" not in errors:
        clash = overlapping(
            session,
            community_id=community_id,
            starts_at=starts_at,
            ends_at=values.get("ends_at"),
            exclude_id=meeting.id if meeting else None,
        )
        if clash is not None:
            errors.setdefault(
                "starts_at",
                _(
                    "This overlaps the meeting “%(title)s” of this community at the same time.",
                    title=clash.title_en or clash.title_nl,
                ),
            )
    return errors


def create_meeting(
    session: Session, *, data: MeetingInput, user_id: int, now: dt.datetime | None = None
) -> Meeting:
    """A new meeting of the community ``data.community_id``, audited in the name of ``user_id``.
    Raises Invalid."""
    meeting = Meeting(community_id=data.community_id)
    _save_meeting(session, meeting, data, user_id, now)
    return meeting


def update_meeting(
    session: Session, *, meeting: Meeting, data: MeetingInput, user_id: int, now: dt.datetime | None = None
) -> bool:
    """Sets the meeting's values to ``data``, auditing what changed; False if nothing did. Raises Invalid."""
    return _save_meeting(session, meeting, data, user_id, now)


def _save_meeting(
    session: Session, meeting: Meeting, data: MeetingInput, user_id: int, now: dt.datetime | None
) -> bool:
    values = data.values()
    errors = meeting_errors(session, values, meeting=None if meeting.id is None else meeting, now=now)
    if errors:
        raise Invalid(errors)
    community = session.get(Community, data.community_id)
    return changes.save(
        session,
        record=meeting,
        values=values,
        user_id=user_id,
        programme_id=community.programme_id if community else None,
        summary=data.title,
    )


# --- the close-out ---


def closeout_breaches(values: Mapping[str, Any]) -> list[Breach]:
    """The record's own rules a close-out's ``values`` break (attendance within bounds), on every
    path; a value missing is not checked."""
    return between("attendance", values.get("attendance"), 0, MAX_CAPACITY)


def check_closeout_row(values: Mapping[str, Any]) -> None:
    """Raises the Problem of the first rule ``values`` break: a row a mirror writes in bulk."""
    check(closeout_breaches(values))


def closeout_choices(session: Session, *, meeting: Meeting) -> dict[str, list[Any]]:
    """What the meeting's close-out may link to (``services.closeout_choices``), and what it links
    to already: a lesson recorded from the meeting in another product group (or an organisation
    that left the programme) stays allowed, or saving the close-out again would silently drop it."""
    choices = {
        name: list(records)
        for name, records in services.closeout_choices(session, community=meeting.community).items()
    }
    if meeting.closeout is not None:
        for name in choices:
            offered = {record.id for record in choices[name]}
            choices[name] += [r for r in getattr(meeting.closeout, name) if r.id not in offered]
    return choices


def closeout_errors(
    values: Mapping[str, Any],
    links: Mapping[str, Iterable[int]] | None = None,
    choices: Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, str]:
    """Every rule a close-out written here breaks, by field, translated: the minutes in the source
    language, the record's own, and a link to something not among ``choices`` (by link name)."""
    errors = texts(
        [
            *_titled(values, "minutes", N_("Write the minutes in the source language.")),
            *closeout_breaches(values),
        ]
    )
    for name, ids in (links or {}).items():
        allowed = {record.id for record in (choices or {}).get(name, ())}
        if any(id_ not in allowed for id_ in ids):
            errors.setdefault(name, _("Choose one of the options offered."))
    return errors


def save_closeout(
    session: Session,
    *,
    meeting: Meeting,
    data: CloseOutInput,
    user_id: int,
    choices: Mapping[str, Sequence[Any]] | None = None,
) -> CloseOut:
    """Create or update the meeting's close-out (a draft until published); ``choices``: what it may
    link to, if the caller has it already (:func:`closeout_choices`). Raises Invalid."""
    links = data.links()
    errors = closeout_errors(data.values(), links, choices or closeout_choices(session, meeting=meeting))
    if errors:
        raise Invalid(errors)
    closeout = meeting.closeout or CloseOut(meeting=meeting)
    session.add(closeout)
    for name, value in data.values().items():
        setattr(closeout, name, value)
    for name, model in CLOSEOUT_LINKS.items():
        setattr(closeout, name, _by_ids(session, model, links[name]))
    session.flush()
    changes.log(
        session,
        closeout,
        "update",
        user_id=user_id,
        programme_id=meeting.community.programme_id,
        summary=meeting.title_en or meeting.title_nl,
    )
    return closeout


def _by_ids(session: Session, model: Any, ids: Collection[int]) -> list[Any]:
    if not ids:
        return []
    return list(session.scalars(select(model).where(model.id.in_(list(ids))).order_by(model.id)))
