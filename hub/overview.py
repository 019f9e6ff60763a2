"""What the hub holds, combined across domains: each programme's counted figures, and each product
group's communities, pilots and lessons per programme.

The queries are the domains' own; this module only puts their answers together, for the pages
that show them (the programmes' pages, the product groups' pages and the dashboard). Like a page,
it may use several domains; no domain uses it.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from hub.communities import services as communities
from hub.communities.models import Community
from hub.events import services as events
from hub.lessons import services as lessons
from hub.lessons.models import Lesson
from hub.organisations import services as organisations
from hub.organisations.models import Role
from hub.pilots import figures as pilots
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.programmes.services import editable_programmes
from hub.taxonomy.models import ProductGroup
from hub.taxonomy.services import product_groups

# The most recent pilots a product-group page shows per programme; the pilot list has the rest.
PILOTS_PER_PROGRAMME = 10
PARTNERS = (Role.PROJECT_PARTNER, Role.LEAD_PARTNER, Role.KNOWLEDGE_PARTNER)


@dataclasses.dataclass(frozen=True)
class Counts:
    """Figures the hub computes from its own records, shown beside the published ones."""

    pilots: int = 0
    procurers: int = 0
    facilitators: int = 0
    partners: int = 0
    supporting_actions: int = 0
    meetings_held: int = 0  # meetings of the programme's communities that have taken place
    events_held: int = 0  # the programme's live events that have started


def programme_counts(session: Session) -> dict[int, Counts]:
    """Per programme id: live pilots, participants by role, supporting actions, the meetings its
    communities held and the events it held."""
    pilot_counts = pilots.pilots_by_programme(session)
    roles = organisations.participations_by_role(session)
    actions = organisations.supporting_actions_by_programme(session)
    meetings = communities.meetings_held_by_programme(session)
    held = events.events_held_by_programme(session)
    result = {}
    for programme_id in set(pilot_counts) | set(roles) | set(actions) | set(meetings) | set(held):
        by_role = roles.get(programme_id, {})
        result[programme_id] = Counts(
            supporting_actions=actions.get(programme_id, 0),
            meetings_held=meetings.get(programme_id, 0),
            events_held=held.get(programme_id, 0),
            pilots=pilot_counts.get(programme_id, 0),
            procurers=by_role.get(Role.PROCURER, 0),
            facilitators=by_role.get(Role.FACILITATOR, 0),
            partners=sum(by_role.get(role, 0) for role in PARTNERS),
        )
    return result


@dataclasses.dataclass(frozen=True)
class GroupCounts:
    """A product group with its live communities, pilots and lessons counted (every programme)."""

    product_group: ProductGroup
    communities: int
    pilots: int
    lessons: int


@dataclasses.dataclass
class ProgrammeShare:
    """What one programme has in a product group: communities, its newest pilots, lessons."""

    programme: Programme
    communities: list[Community] = dataclasses.field(default_factory=list)
    pilots: list[Pilot] = dataclasses.field(default_factory=list)
    pilot_count: int = 0  # all of them, not only those in ``pilots``
    lessons: list[Lesson] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class GroupOverview:
    product_group: ProductGroup
    programmes: list[ProgrammeShare]

    @property
    def community_count(self) -> int:
        return sum(len(share.communities) for share in self.programmes)

    @property
    def pilot_count(self) -> int:
        return sum(share.pilot_count for share in self.programmes)

    @property
    def lesson_count(self) -> int:
        return sum(len(share.lessons) for share in self.programmes)


def product_groups_with_counts(session: Session) -> list[GroupCounts]:
    """Every product group in its vocabulary order, with what the hub holds of it (withdrawn not counted)."""
    community_counts = communities.community_counts_by_product_group(session)
    pilot_counts = pilots.pilots_by_product_group(session)
    lesson_counts = lessons.lessons_by_product_group(session)
    return [
        GroupCounts(
            product_group=group,
            communities=community_counts.get(group.id, 0),
            pilots=pilot_counts.get(group.id, 0),
            lessons=lesson_counts.get(group.id, 0),
        )
        for group in product_groups(session)
    ]


def product_group_overview(
    session: Session, *, product_group: ProductGroup, pilots_per_programme: int = PILOTS_PER_PROGRAMME
) -> GroupOverview:
    """The group's live communities, newest pilots and lessons, per live programme.

    Records mirrored from other hubs count like this hub's own; withdrawn ones do not. Every live
    programme has its place, also one with nothing in this group yet (the page invites a proposal).
    """
    shares = {
        programme.id: ProgrammeShare(programme)
        for programme in editable_programmes(session, programme_ids=None)
    }
    group_id = product_group.id
    for community in communities.communities_of_group(session, product_group_id=group_id):
        if community.programme_id in shares:
            shares[community.programme_id].communities.append(community)
    for lesson in lessons.lessons_of_group(session, product_group_id=group_id):
        if lesson.programme_id in shares:
            shares[lesson.programme_id].lessons.append(lesson)
    for pilot, total in pilots.newest_pilots(session, product_group_id=group_id, limit=pilots_per_programme):
        share = shares.get(pilot.programme_id)
        if share is not None:
            share.pilots.append(pilot)
            share.pilot_count = total
    return GroupOverview(product_group=product_group, programmes=list(shares.values()))
