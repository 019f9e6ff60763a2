"""Community life: member organisations, what each meeting came to (close-outs), and posts.

Members are organisations only (no people, so no addresses): procurers of the community's programme
that ran pilots in its product group, one supporting organisation as the contact, sometimes a second
one as expert. Every meeting before ``CLOSED_OUT_BEFORE`` has a published close-out that names some
members as present and the pilots and lessons of the product group that were discussed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any

from hub.communities.models import (
    CloseOut,
    CommunityStatus,
    MemberRole,
    Membership,
    Post,
    closeout_lessons,
    closeout_organisations,
    closeout_pilots,
)
from hub.demo.community import CommunityRef, LessonRef, MeetingRef
from hub.demo.context import Demo, Org
from hub.demo.material import (
    MINUTES_LESSONS,
    MINUTES_OUTCOMES,
    MINUTES_PILOTS,
    MINUTES_THEME,
    POST_AUTHOR,
    POST_MINUTES,
    POST_WELCOME,
)
from hub.demo.pilots import PilotRef

# The moment the demo's community life describes: after ProCirc, the last programme, ended. A
# fixed date, not today, so that one seed always gives the same network.
CLOSED_OUT_BEFORE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
MEMBERS_PER_COMMUNITY = (3, 6)  # procurers, besides the contact (and an expert)
EXPERT_SHARE = 0.5
SECOND_POST_SHARE = 0.6
RECENT_PILOTS = 12  # a meeting discusses one or two of the group's most recently started pilots


@dataclass(frozen=True)
class Members:
    """Who may join a programme's communities: its procurers, and its supporting organisations."""

    procurers: dict[str, list[Org]]
    supporters: dict[str, list[Org]]


def load_community_life(
    demo: Demo,
    communities: list[CommunityRef],
    meetings: list[MeetingRef],
    members: Members,
    pilots: list[PilotRef],
    lessons: list[LessonRef],
) -> None:
    present = _memberships(demo, communities, members, pilots)
    published = _closeouts(demo, meetings, present, pilots, lessons)
    _posts(demo, communities, published)


def _memberships(
    demo: Demo, communities: list[CommunityRef], members: Members, pilots: list[PilotRef]
) -> dict[int, list[int]]:
    """Insert each community's member organisations; return the ids of those who come to meetings."""
    rng = demo.rng
    procurers_by_group: dict[tuple[str, str], dict[int, None]] = {}
    for pilot in pilots:
        for organisation_id in pilot.procurers:
            procurers_by_group.setdefault((pilot.programme, pilot.product_group), {})[organisation_id] = None
    rows: list[dict[str, Any]] = []
    attending: dict[int, list[int]] = {}
    for community in communities:
        code = community.programme.code
        group = community.facts.product_group
        supporters = members.supporters[code]
        contact, expert = rng.sample(supporters, 2)
        roles = [(contact.id, MemberRole.CONTACT)]
        if demo.chance(EXPERT_SHARE):
            roles.append((expert.id, MemberRole.EXPERT))
        # Procurers with pilots in the group first, then others of the programme if too few.
        wanted = rng.randint(*MEMBERS_PER_COMMUNITY)
        taken = {organisation_id for organisation_id, _ in roles}
        pool = [o for o in procurers_by_group.get((code, group or ""), {}) if o not in taken]
        chosen = rng.sample(pool, min(wanted, len(pool)))
        if len(chosen) < wanted:
            others = [org.id for org in members.procurers[code] if org.id not in taken | set(chosen)]
            chosen += rng.sample(others, wanted - len(chosen))
        roles += [(organisation_id, MemberRole.MEMBER) for organisation_id in chosen]
        joined = dt.datetime.combine(community.facts.since, dt.time(9), tzinfo=dt.UTC)
        for organisation_id, role in roles:
            rows.append(
                {
                    "community_id": community.id,
                    "organisation_id": organisation_id,
                    "name": "",
                    "email": None,
                    "organisation_name": "",
                    "role": role,
                    "created_at": joined,
                }
            )
        attending[community.id] = [organisation_id for organisation_id, _ in roles]
    demo.insert_plain(Membership, rows)
    return attending


@dataclass
class _Pilots:
    """A product group's pilots in order of start, to find those started before a meeting."""

    refs: list[PilotRef]
    starts: list[dt.date]

    def started_before(self, day: dt.date) -> list[PilotRef]:
        return self.refs[: bisect.bisect_right(self.starts, day)]


def _closeouts(
    demo: Demo,
    meetings: list[MeetingRef],
    attending: dict[int, list[int]],
    pilots: list[PilotRef],
    lessons: list[LessonRef],
) -> dict[int, tuple[MeetingRef, dt.datetime]]:
    """A published close-out for every past meeting; return each community's last one."""
    rng = demo.rng
    by_group: dict[tuple[str | None, str], list[PilotRef]] = {}
    for pilot in sorted(pilots, key=lambda p: (p.starts_on, p.id)):
        by_group.setdefault((None, pilot.product_group), []).append(pilot)
        by_group.setdefault((pilot.programme, pilot.product_group), []).append(pilot)
    indexed = {key: _Pilots(refs, [p.starts_on for p in refs]) for key, refs in by_group.items()}
    lessons_by_group: dict[str, list[int]] = {}
    for lesson in lessons:
        if lesson.product_group:
            lessons_by_group.setdefault(lesson.product_group, []).append(lesson.id)

    rows: list[dict[str, Any]] = []
    links: list[tuple[list[int], list[int], list[int]]] = []
    last: dict[int, tuple[MeetingRef, dt.datetime]] = {}
    for meeting in meetings:
        if meeting.ends_at >= CLOSED_OUT_BEFORE:
            continue
        community = meeting.community
        group = community.facts.product_group
        day = meeting.ends_at.date()
        discussed: list[int] = []
        if group:
            # The programme's own pilots first; a young programme talks about the others' pilots.
            own = indexed.get((community.programme.code, group))
            candidates = own.started_before(day) if own else []
            if not candidates and (None, group) in indexed:
                candidates = indexed[(None, group)].started_before(day)
            recent = candidates[-RECENT_PILOTS:]
            if recent:
                discussed = [p.id for p in rng.sample(recent, min(len(recent), rng.randint(1, 2)))]
        group_lessons = lessons_by_group.get(group, []) if group else []
        learned = rng.sample(group_lessons, min(len(group_lessons), rng.randint(1, 2)))
        members = attending[community.id]
        present = sorted(rng.sample(members, rng.randint(min(2, len(members)), len(members))))
        attendance = len(present) + rng.randint(3, 25)
        if meeting.capacity is not None:
            attendance = min(attendance, meeting.capacity)
        published_at = meeting.ends_at + dt.timedelta(days=rng.randint(2, 14))
        minutes = [
            (MINUTES_THEME[0].format(theme=meeting.theme[0]), MINUTES_THEME[1].format(theme=meeting.theme[1]))
        ]
        if discussed:
            minutes.append(MINUTES_PILOTS[len(discussed)])
        if learned:
            minutes.append(MINUTES_LESSONS)
        minutes.append(rng.choice(MINUTES_OUTCOMES))
        rows.append(
            demo.record(
                meeting_id=meeting.id,
                minutes_nl=" ".join(nl for nl, _ in minutes),
                minutes_en=" ".join(en for _, en in minutes),
                attendance=attendance,
                published_at=published_at,
                source_language=community.programme.source_language,
            )
        )
        links.append((present, discussed, learned))
        last[community.id] = (meeting, published_at)

    ids = demo.insert(CloseOut, rows)
    organisations, pilot_links, lesson_links = [], [], []
    for closeout_id, (present, discussed, learned) in zip(ids, links, strict=True):
        organisations += [{"closeout_id": closeout_id, "organisation_id": o} for o in present]
        pilot_links += [{"closeout_id": closeout_id, "pilot_id": p} for p in discussed]
        lesson_links += [{"closeout_id": closeout_id, "lesson_id": lesson} for lesson in learned]
    demo.insert_plain(closeout_organisations, organisations)
    demo.insert_plain(closeout_pilots, pilot_links)
    demo.insert_plain(closeout_lessons, lesson_links)
    return last


def _posts(
    demo: Demo, communities: list[CommunityRef], published: dict[int, tuple[MeetingRef, dt.datetime]]
) -> None:
    """One or two posts in each active community: a welcome, then maybe the news of the last minutes."""
    rows: list[dict[str, Any]] = []
    for community in communities:
        if community.facts.status is not CommunityStatus.ACTIVE:
            continue
        facts, programme = community.facts, community.programme
        (title_nl, title_en), (body_nl, body_en) = POST_WELCOME
        welcome = dt.datetime.combine(facts.since + dt.timedelta(days=7), dt.time(10), tzinfo=dt.UTC)
        rows.append(
            _post(
                community,
                title=(title_nl.format(name=facts.name_nl), title_en.format(name=facts.name_en)),
                body=(
                    body_nl.format(programme=programme.short_name),
                    body_en.format(programme=programme.short_name),
                ),
                created_at=welcome,
            )
        )
        if community.id in published and demo.chance(SECOND_POST_SHARE):
            meeting, published_at = published[community.id]
            (title_nl, title_en), (body_nl, body_en) = POST_MINUTES
            rows.append(
                _post(
                    community,
                    title=(title_nl, title_en),
                    body=(body_nl.format(theme=meeting.theme[0]), body_en.format(theme=meeting.theme[1])),
                    created_at=published_at + dt.timedelta(hours=1),
                )
            )
    demo.insert_plain(Post, rows)


def _post(
    community: CommunityRef, *, title: tuple[str, str], body: tuple[str, str], created_at: dt.datetime
) -> dict[str, Any]:
    return {
        "community_id": community.id,
        "title_nl": title[0],
        "title_en": title[1],
        "body_nl": body[0],
        "body_en": body[1],
        "author_id": None,
        "author_name": POST_AUTHOR,
        "created_at": created_at,
        "source_language": community.programme.source_language,
    }
