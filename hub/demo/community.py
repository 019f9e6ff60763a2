"""Communities of practice with their meetings, and the GDCA lessons with links to pilots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hub.communities.models import Community, Meeting, MeetingMode
from hub.demo.context import Demo
from hub.demo.facts import CommunityFacts, ProgrammeFacts
from hub.demo.lessons import LESSONS, LessonText
from hub.demo.material import (
    AGENDA_CLOSING,
    AGENDA_ITEMS,
    AGENDA_OPENING,
    LINK_NOTES,
    MEETING_CAPACITIES,
    MEETING_THEMES,
    MEETING_VENUES,
)
from hub.demo.pilots import PilotRef
from hub.demo.programme_facts import PROGRAMMES
from hub.lessons.models import Lesson, LessonKind, LessonPilotLink, LinkKind, lesson_pilots
from hub.pilots.models import PilotStatus

# Meetings moved online during the pandemic; after it, some mixed a room with a video call.
ONLINE_ONLY = (dt.date(2020, 3, 15), dt.date(2021, 6, 30))
ONLINE_SHARE = 0.15
HYBRID_SHARE_AFTER_PANDEMIC = 0.35
# Communities that outlive their programme (GDCA's, from 2020) get meetings for this long.
OPEN_ENDED_YEARS = 2
MAX_LESSON_LINKS = 8
LINKED_BY = "Vlaanderen Circulair"  # who carried the GDCA lessons into ProCirc, from early 2021
LINKS_FROM = dt.datetime(2021, 2, 1, 9, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CommunityRef:
    """An inserted community, as the community life (members, posts) needs it."""

    id: int
    programme: ProgrammeFacts
    facts: CommunityFacts


@dataclass(frozen=True)
class MeetingRef:
    """An inserted meeting, as its close-out needs it."""

    id: int
    community: CommunityRef
    ends_at: dt.datetime
    theme: tuple[str, str]  # (Dutch, English)
    capacity: int | None


@dataclass(frozen=True)
class LessonRef:
    id: int
    product_group: str | None


def _contact_address(name: str, programme: str) -> str | None:
    """An invented address for a named contact person (the seeds give a first name only), so that
    the demo's contact form works; it is never shown, and example.org receives no mail."""
    if not name:
        return None
    return f"{name.lower().split()[0]}@{programme}.example.org"


def load_communities(demo: Demo) -> tuple[list[CommunityRef], list[MeetingRef]]:
    rows: list[dict[str, Any]] = []
    specs: list[tuple[ProgrammeFacts, CommunityFacts]] = []
    for facts in PROGRAMMES:
        for community in facts.communities:
            group = community.product_group
            rows.append(
                demo.record(
                    programme_id=demo.programmes[facts.code],
                    product_group_id=demo.product_groups[group] if group else None,
                    name_nl=community.name_nl,
                    name_en=community.name_en,
                    description_nl=community.description_nl,
                    description_en=community.description_en,
                    contact_name=community.contact_name,
                    contact_email=_contact_address(community.contact_name, facts.code),
                    status=community.status,
                    since=community.since,
                    source_language=facts.source_language,
                )
            )
            specs.append((facts, community))
    ids = demo.insert(Community, rows)
    communities = [
        CommunityRef(community_id, facts, community)
        for community_id, (facts, community) in zip(ids, specs, strict=True)
    ]
    drafts: list[tuple[dict[str, Any], CommunityRef, tuple[str, str]]] = []
    for ref in communities:
        drafts += [(row, ref, theme) for row, theme in _meetings(demo, ref.programme, ref.facts, ref.id)]
    meeting_ids = demo.insert(Meeting, [row for row, _, _ in drafts])
    meetings = [
        MeetingRef(meeting_id, ref, row["ends_at"], theme, row["capacity"])
        for meeting_id, (row, ref, theme) in zip(meeting_ids, drafts, strict=True)
    ]
    return communities, meetings


def _meetings(
    demo: Demo, facts: ProgrammeFacts, community: CommunityFacts, community_id: int
) -> list[tuple[dict[str, Any], tuple[str, str]]]:
    """``meetings_per_year`` meetings, evenly spread, on a Tuesday to Thursday, each with its theme."""
    rng = demo.rng
    first = community.since
    last = facts.ends_on
    if last <= first:
        last = first.replace(year=first.year + OPEN_ENDED_YEARS)
    span = (last - first).days
    count = max(1, round(span / 365.25 * facts.meetings_per_year))
    zone = ZoneInfo(facts.timezone)
    rows: list[tuple[dict[str, Any], tuple[str, str]]] = []
    for i in range(count):
        day = first + dt.timedelta(days=int(span * (i + rng.uniform(0.2, 0.8)) / count))
        while day.weekday() not in (1, 2, 3):
            day += dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time(rng.choice((10, 14))), tzinfo=zone)
        starts_at = local.astimezone(dt.UTC)
        theme = MEETING_THEMES[0] if i == 0 else rng.choice(MEETING_THEMES[1:])
        if ONLINE_ONLY[0] <= day <= ONLINE_ONLY[1] or demo.chance(ONLINE_SHARE):
            mode = MeetingMode.ONLINE
        elif day > ONLINE_ONLY[1] and demo.chance(HYBRID_SHARE_AFTER_PANDEMIC):
            mode = MeetingMode.HYBRID
        else:
            mode = MeetingMode.IN_PERSON
        agenda = (
            AGENDA_OPENING,
            (theme[0].capitalize(), theme[1].capitalize()),
            rng.choice(AGENDA_ITEMS),
            AGENDA_CLOSING,
        )
        row = demo.record(
            community_id=community_id,
            title_nl=f"{community.name_nl}: {theme[0]}",
            title_en=f"{community.name_en}: {theme[1]}",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=rng.choice((120, 150, 180))),
            timezone=facts.timezone,
            mode=mode,
            # An online meeting has no room (and the demo invents no meeting links).
            location="" if mode is MeetingMode.ONLINE else rng.choice(MEETING_VENUES[facts.code]),
            online_url=None,
            agenda_nl=_numbered(item[0] for item in agenda),
            agenda_en=_numbered(item[1] for item in agenda),
            capacity=None if mode is MeetingMode.ONLINE else rng.choice(MEETING_CAPACITIES),
            source_language=facts.source_language,
        )
        rows.append((row, theme))
    return rows


def _numbered(items: Iterable[str]) -> str:
    return "\n".join(f"{number}. {item}" for number, item in enumerate(items, start=1))


def lesson_row(demo: Demo, lesson: LessonText) -> dict[str, Any]:
    """A GDCA lesson's row (its uid drawn now)."""
    group = lesson.product_group
    return demo.record(
        programme_id=demo.programmes["gdca"],
        title_nl=lesson.title_nl,
        title_en=lesson.title_en,
        body_nl=lesson.body_nl,
        body_en=lesson.body_en,
        product_group_id=demo.product_groups[group] if group else None,
        strategy_id=demo.strategies[lesson.strategy] if lesson.strategy else None,
        phase=lesson.phase,
        kind=lesson.kind,
        source_language="nl",
    )


def load_lessons(demo: Demo, pilots: list[PilotRef]) -> list[LessonRef]:
    """GDCA lessons, some drawn from a GDCA pilot, a few linked to ProCirc pilots they bear on."""
    rng = demo.rng
    gdca = _by_group(pilots, "gdca")
    procirc = _by_group(pilots, "procirc")
    rows: list[dict[str, Any]] = []
    origins_of: list[int | None] = []
    for lesson in LESSONS:
        group = lesson.product_group
        origins = gdca.get(group, []) if group else []
        origins_of.append(rng.choice(origins).id if origins and demo.chance(0.5) else None)
        rows.append(lesson_row(demo, lesson))
    ids = demo.insert(Lesson, rows)
    demo.insert_plain(
        lesson_pilots,
        [
            {"lesson_id": lesson_id, "pilot_id": origin}
            for lesson_id, origin in zip(ids, origins_of, strict=True)
            if origin is not None
        ],
    )

    links: list[dict[str, Any]] = []
    for lesson_id, lesson in zip(ids, LESSONS, strict=True):
        targets = procirc.get(lesson.product_group, []) if lesson.product_group else []
        if not targets or len(links) >= MAX_LESSON_LINKS or not demo.chance(0.6):
            continue
        kind = (
            LinkKind.REUSED_BY
            if lesson.kind is LessonKind.TEMPLATE
            else rng.choice((LinkKind.APPLIES_TO, LinkKind.INSPIRED))
        )
        links.append(
            demo.record(
                lesson_id=lesson_id,
                pilot_id=rng.choice(targets).id,
                kind=kind,
                note=LINK_NOTES[kind.value],
                made_by=LINKED_BY,
                made_at=LINKS_FROM + dt.timedelta(weeks=len(links)),
            )
        )
    demo.insert_plain(LessonPilotLink, links)
    return [
        LessonRef(lesson_id, lesson.product_group) for lesson_id, lesson in zip(ids, LESSONS, strict=True)
    ]


def _by_group(pilots: list[PilotRef], programme: str) -> dict[str, list[PilotRef]]:
    """A programme's pilots that got somewhere, by product group."""
    groups: dict[str, list[PilotRef]] = {}
    for pilot in pilots:
        if pilot.programme == programme and pilot.status in (
            PilotStatus.COMPLETED,
            PilotStatus.RUNNING,
        ):
            groups.setdefault(pilot.product_group, []).append(pilot)
    return groups
