"""Reading communities of practice and their meetings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hub.communities.models import Community, Meeting
from hub.taxonomy.models import ProductGroup


def communities_by_product_group(session: Session) -> list[tuple[ProductGroup | None, list[Community]]]:
    """Live communities of every programme, grouped by product group (those without one last)."""
    communities = session.scalars(
        select(Community)
        .where(Community.withdrawn_at.is_(None))
        .options(joinedload(Community.programme), joinedload(Community.product_group))
        .order_by(Community.programme_id, Community.id)
    ).all()
    groups: dict[int | None, list[Community]] = {}
    for community in communities:
        groups.setdefault(community.product_group_id, []).append(community)
    ordered = sorted(
        groups.values(),
        key=lambda members: (
            members[0].product_group is None,
            members[0].product_group.position if members[0].product_group else 0,
        ),
    )
    return [(members[0].product_group, members) for members in ordered]


def get_community(session: Session, *, community_id: int) -> Community | None:
    return session.scalars(
        select(Community)
        .where(Community.id == community_id)
        .options(joinedload(Community.programme), joinedload(Community.product_group))
    ).one_or_none()


def meetings_of(session: Session, *, community_id: int) -> Sequence[Meeting]:
    """The community's live meetings, in order of time."""
    return session.scalars(
        select(Meeting)
        .where(Meeting.community_id == community_id, Meeting.withdrawn_at.is_(None))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()


def get_meeting(session: Session, *, community_id: int, meeting_id: int) -> Meeting | None:
    """A live meeting of the community (None for one of another community)."""
    return session.scalars(
        select(Meeting).where(
            Meeting.id == meeting_id, Meeting.community_id == community_id, Meeting.withdrawn_at.is_(None)
        )
    ).one_or_none()
