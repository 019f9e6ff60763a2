"""Reading product groups: the index with counts, and one group's records across every programme."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.communities.models import Community
from hub.lessons.models import Lesson
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.taxonomy.models import ProductGroup, Strategy

# The most recent pilots a product-group page shows per programme; the pilot list has the rest.
PILOTS_PER_PROGRAMME = 10


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


def product_groups(session: Session) -> Sequence[ProductGroup]:
    """Every product group in its order (for forms and filters)."""
    return session.scalars(select(ProductGroup).order_by(ProductGroup.position, ProductGroup.id)).all()


def strategies(session: Session) -> Sequence[Strategy]:
    """Every circular strategy in its order (for forms and filters)."""
    return session.scalars(select(Strategy).order_by(Strategy.position, Strategy.id)).all()


def product_groups_with_counts(session: Session) -> list[GroupCounts]:
    """Every product group in its vocabulary order, with what the hub holds of it (withdrawn not counted)."""
    counts = {
        model: dict(
            session.execute(
                select(model.product_group_id, func.count())
                .where(model.withdrawn_at.is_(None), model.product_group_id.is_not(None))
                .group_by(model.product_group_id)
            ).all()
        )
        for model in (Community, Pilot, Lesson)
    }
    groups = session.scalars(select(ProductGroup).order_by(ProductGroup.position, ProductGroup.id)).all()
    return [
        GroupCounts(
            product_group=group,
            communities=counts[Community].get(group.id, 0),
            pilots=counts[Pilot].get(group.id, 0),
            lessons=counts[Lesson].get(group.id, 0),
        )
        for group in groups
    ]


def get_product_group(session: Session, *, code: str) -> ProductGroup | None:
    return session.scalar(select(ProductGroup).where(ProductGroup.code == code))


def product_group_overview(
    session: Session, *, product_group: ProductGroup, pilots_per_programme: int = PILOTS_PER_PROGRAMME
) -> GroupOverview:
    """The group's live communities, newest pilots and lessons, per live programme.

    Records mirrored from other hubs count like this hub's own; withdrawn ones do not. Every live
    programme has its place, also one with nothing in this group yet (the page invites a proposal).
    """
    programmes = session.scalars(
        select(Programme).where(Programme.withdrawn_at.is_(None)).order_by(Programme.starts_on, Programme.id)
    ).all()
    shares = {programme.id: ProgrammeShare(programme) for programme in programmes}
    group_id = product_group.id

    for community in communities_of_group(session, product_group_id=group_id):
        if community.programme_id in shares:
            shares[community.programme_id].communities.append(community)
    for lesson in lessons_of_group(session, product_group_id=group_id):
        if lesson.programme_id in shares:
            shares[lesson.programme_id].lessons.append(lesson)
    for pilot, total in newest_pilots(session, product_group_id=group_id, limit=pilots_per_programme):
        share = shares.get(pilot.programme_id)
        if share is not None:
            share.pilots.append(pilot)
            share.pilot_count = total
    return GroupOverview(product_group=product_group, programmes=list(shares.values()))


def newest_pilots(session: Session, *, product_group_id: int, limit: int) -> Sequence[tuple[Pilot, int]]:
    """The ``limit`` most recent live pilots of the group per programme, each with its programme's total.

    One query: a window numbers each programme's pilots newest first and counts them.
    """
    ranked = (
        select(
            Pilot.id.label("pilot_id"),
            func.row_number()
            .over(
                partition_by=Pilot.programme_id,
                order_by=(Pilot.starts_on.desc().nulls_last(), Pilot.id.desc()),
            )
            .label("rank"),
            func.count().over(partition_by=Pilot.programme_id).label("total"),
        )
        .where(Pilot.product_group_id == product_group_id, Pilot.withdrawn_at.is_(None))
        .subquery()
    )
    rows = session.execute(
        select(Pilot, ranked.c.total)
        .join(ranked, ranked.c.pilot_id == Pilot.id)
        .where(ranked.c.rank <= limit)
        .order_by(Pilot.programme_id, ranked.c.rank)
    )
    return [(pilot, total) for pilot, total in rows]


def communities_of_group(session: Session, *, product_group_id: int) -> Sequence[Community]:
    """The group's live communities, by programme."""
    return session.scalars(
        select(Community)
        .where(Community.product_group_id == product_group_id, Community.withdrawn_at.is_(None))
        .order_by(Community.programme_id, Community.id)
    ).all()


def lessons_of_group(session: Session, *, product_group_id: int) -> Sequence[Lesson]:
    """The group's live lessons, by programme."""
    return session.scalars(
        select(Lesson)
        .where(Lesson.product_group_id == product_group_id, Lesson.withdrawn_at.is_(None))
        .order_by(Lesson.programme_id, Lesson.id)
    ).all()


def strategies_by_id(session: Session, *, ids: Collection[int]) -> list[Strategy]:
    if not ids:
        return []
    return list(
        session.scalars(select(Strategy).where(Strategy.id.in_(list(ids))).order_by(Strategy.position)).all()
    )
