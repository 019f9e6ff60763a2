"""Reading communities of practice: their members, meetings, outcomes and posts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.accounts.models import RoleGrant, RoleName, User
from hub.accounts.services import Principal, coordinators_of
from hub.communities.models import (
    CloseOut,
    Community,
    CommunityStatus,
    Meeting,
    Membership,
    Post,
    Registration,
)
from hub.db import utcnow
from hub.lessons.models import Lesson
from hub.organisations.models import Organisation, Participation
from hub.pilots.models import Pilot
from hub.records import live_counts
from hub.search import query
from hub.taxonomy.models import ProductGroup

POSTS_SHOWN = 5
CHOICES_SHOWN = 300  # pilots or lessons a close-out offers to link (of one product group)
SEARCH_KIND = "community"  # in the search index


def communities_by_product_group(
    session: Session, *, q: str = ""
) -> list[tuple[ProductGroup | None, list[Community]]]:
    """Live communities of every programme, grouped by product group (those without one last).

    With a search ``q`` (the hub's search, ``hub.search``), only those it finds: the group of the
    best match first, and in each group the best match first."""
    statement = (
        select(Community)
        .where(Community.withdrawn_at.is_(None))
        .options(joinedload(Community.programme), joinedload(Community.product_group))
    )
    searched = query.parse(q)
    if searched:
        dialect = session.get_bind().dialect.name
        ranked = query.matches(dialect, SEARCH_KIND).subquery()
        statement = (
            statement.join(ranked, ranked.c.record_id == Community.id)
            .order_by(ranked.c.rank, Community.id)
            .params(search=query.search_text(session, searched))
        )
    else:
        statement = statement.order_by(Community.programme_id, Community.id)
    groups: dict[int | None, list[Community]] = {}
    for community in session.scalars(statement).unique():
        groups.setdefault(community.product_group_id, []).append(community)
    if searched:  # in the order of each group's best match
        return [(members[0].product_group, members) for members in groups.values()]
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


def local_communities(
    session: Session, *, programme_ids: Collection[int] | None = None
) -> Sequence[Community]:
    """The live communities this hub keeps (those it can moderate), optionally of some programmes only."""
    query = (
        select(Community)
        .where(Community.withdrawn_at.is_(None), Community.home_hub.is_(None))
        .options(joinedload(Community.programme))
        .order_by(Community.programme_id, Community.name_en, Community.id)
    )
    if programme_ids is not None:
        query = query.where(Community.programme_id.in_(programme_ids))
    return session.scalars(query).all()


def moderated_by(session: Session, *, principal: Principal) -> list[Community]:
    """The communities kept here that this person moderates."""
    return [
        c
        for c in local_communities(session)
        if principal.may_moderate(community_id=c.id, programme_id=c.programme_id)
    ]


def communities_by_id(session: Session, *, community_ids: Collection[int]) -> Sequence[Community]:
    return session.scalars(
        select(Community)
        .where(Community.id.in_(community_ids), Community.withdrawn_at.is_(None))
        .options(joinedload(Community.programme))
        .order_by(Community.id)
    ).all()


def counterparts(session: Session, *, community: Community) -> Sequence[Community]:
    """The live communities of other programmes for the same product group (on any hub)."""
    if community.product_group_id is None:
        return []
    return session.scalars(
        select(Community)
        .where(
            Community.product_group_id == community.product_group_id,
            Community.programme_id != community.programme_id,
            Community.withdrawn_at.is_(None),
        )
        .options(joinedload(Community.programme))
        .order_by(Community.programme_id, Community.id)
    ).all()


def active_community_for(session: Session, *, programme_id: int, product_group_id: int) -> Community | None:
    """A live, not closed community of the programme for the product group, if it has one."""
    return session.scalars(
        select(Community)
        .where(
            Community.programme_id == programme_id,
            Community.product_group_id == product_group_id,
            Community.withdrawn_at.is_(None),
            Community.status != CommunityStatus.CLOSED,
        )
        .limit(1)
    ).first()


def members_of(session: Session, *, community_id: int) -> Sequence[Membership]:
    """The community's members: contact persons first, then by organisation and name."""
    members = session.scalars(
        select(Membership)
        .where(Membership.community_id == community_id)
        .options(joinedload(Membership.organisation))
    ).all()
    order = {role: index for index, role in enumerate(("contact", "expert", "member"))}
    return sorted(
        members, key=lambda m: (order[m.role.value], m.organisation_label.casefold(), m.name.casefold())
    )


def member_organisations(session: Session, *, community_id: int) -> list[str]:
    """The names of the organisations taking part (what the public page shows of its members)."""
    names = {m.organisation_label for m in members_of(session, community_id=community_id)}
    return sorted((name for name in names if name), key=str.casefold)


def memberships_of(session: Session, *, email: str) -> Sequence[Membership]:
    """The memberships of a person, by their e-mail address (the workspace's member view)."""
    return session.scalars(
        select(Membership)
        .join(Community)
        .where(func.lower(Membership.email) == email.lower(), Community.withdrawn_at.is_(None))
        .options(joinedload(Membership.community).joinedload(Community.programme))
        .order_by(Membership.community_id)
    ).all()


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
        select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.community_id == community_id, Meeting.withdrawn_at.is_(None))
        .options(joinedload(Meeting.community).joinedload(Community.programme))
    ).one_or_none()


def registration_counts(session: Session, *, meeting_ids: Collection[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    rows = session.execute(
        select(Registration.meeting_id, func.count())
        .where(Registration.meeting_id.in_(meeting_ids))
        .group_by(Registration.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows}


def registrations_of(session: Session, *, meeting_id: int) -> Sequence[Registration]:
    return session.scalars(
        select(Registration).where(Registration.meeting_id == meeting_id).order_by(Registration.created_at)
    ).all()


def closeout_of(session: Session, *, meeting_id: int, published_only: bool = True) -> CloseOut | None:
    """The meeting's close-out with what it links to (only once published, unless asked otherwise)."""
    query = (
        select(CloseOut)
        .where(CloseOut.meeting_id == meeting_id, CloseOut.withdrawn_at.is_(None))
        .options(
            selectinload(CloseOut.organisations),
            selectinload(CloseOut.pilots),
            selectinload(CloseOut.lessons),
        )
    )
    if published_only:
        query = query.where(CloseOut.published_at.is_not(None))
    return session.scalars(query).one_or_none()


def published_meeting_ids(session: Session, *, meeting_ids: Collection[int]) -> set[int]:
    """Which of the meetings have a published close-out."""
    if not meeting_ids:
        return set()
    return set(
        session.scalars(
            select(CloseOut.meeting_id).where(
                CloseOut.meeting_id.in_(meeting_ids),
                CloseOut.published_at.is_not(None),
                CloseOut.withdrawn_at.is_(None),
            )
        )
    )


def posts_of(session: Session, *, community_id: int, limit: int = POSTS_SHOWN) -> Sequence[Post]:
    """The community's latest updates, newest first."""
    return session.scalars(
        select(Post)
        .where(Post.community_id == community_id)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    ).all()


def closeout_choices(session: Session, *, community: Community) -> dict[str, Sequence[Any]]:
    """What a close-out may link to: the organisations of the programme and members, and the live
    pilots and lessons of the community's product group in every programme."""
    organisation_ids = select(Participation.organisation_id).where(
        Participation.programme_id == community.programme_id, Participation.withdrawn_at.is_(None)
    )
    member_ids = select(Membership.organisation_id).where(
        Membership.community_id == community.id, Membership.organisation_id.is_not(None)
    )
    organisations = session.scalars(
        select(Organisation)
        .where(
            or_(Organisation.id.in_(organisation_ids), Organisation.id.in_(member_ids)),
            Organisation.withdrawn_at.is_(None),
        )
        .order_by(Organisation.name)
    ).all()
    group = community.product_group_id
    pilots: Sequence[Pilot] = []
    lessons: Sequence[Lesson] = []
    if group is not None:
        pilots = session.scalars(
            select(Pilot)
            .where(Pilot.product_group_id == group, Pilot.withdrawn_at.is_(None))
            .options(joinedload(Pilot.programme))
            .order_by(Pilot.programme_id, Pilot.title_en, Pilot.id)
            .limit(CHOICES_SHOWN)
        ).all()
        lessons = session.scalars(
            select(Lesson)
            .where(Lesson.product_group_id == group, Lesson.withdrawn_at.is_(None))
            .order_by(Lesson.programme_id, Lesson.title_en, Lesson.id)
            .limit(CHOICES_SHOWN)
        ).all()
    return {"organisations": organisations, "pilots": pilots, "lessons": lessons}


def moderator_addresses(session: Session, *, community: Community) -> list[str]:
    """Who hears of a request to join: the community's moderators, else its programme's coordinators."""
    moderators = session.scalars(
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(User.is_active, RoleGrant.role == RoleName.MODERATOR, RoleGrant.community_id == community.id)
        .order_by(User.email)
        .distinct()
    ).all()
    return list(moderators) or [
        user.email for user in coordinators_of(session, programme_id=community.programme_id)
    ]


# --- counted for the programmes' and product groups' pages ---


def meetings_held_by_programme(session: Session) -> dict[int, int]:
    """Per programme id: the live meetings of its communities that have taken place."""
    return dict(
        session.execute(
            select(Community.programme_id, func.count())
            .join(Meeting, Meeting.community_id == Community.id)
            .where(Meeting.withdrawn_at.is_(None), Meeting.starts_at < utcnow())
            .group_by(Community.programme_id)
        ).all()
    )


def community_counts_by_product_group(session: Session) -> dict[int, int]:
    return live_counts(session, Community.product_group_id)


def communities_of_group(session: Session, *, product_group_id: int) -> Sequence[Community]:
    """The group's live communities, by programme."""
    return session.scalars(
        select(Community)
        .where(Community.product_group_id == product_group_id, Community.withdrawn_at.is_(None))
        .order_by(Community.programme_id, Community.id)
    ).all()
