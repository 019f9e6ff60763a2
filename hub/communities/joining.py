"""Taking part in a community: requests to join, proposals for new communities, members and posts.

A visitor needs no account to ask; a moderator (or the programme's coordinator) decides, and the
decision is e-mailed to the visitor in the language they asked in (``hub.communities.notices``).
Requests are never deleted: a declined one stays as the record of what was decided and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, joinedload

from hub import changes
from hub.communities.models import (
    Community,
    CommunityProposal,
    CommunityStatus,
    Decision,
    JoinRequest,
    MemberRole,
    Membership,
    Post,
    RequestStatus,
)
from hub.communities.services import active_community_for
from hub.db import utcnow
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.refusals import Refused


def open_to_requests(community: Community) -> None:
    """Refuses a request to a community that takes none here (kept elsewhere, closed, withdrawn)."""
    if community.withdrawn_at is not None or community.status is CommunityStatus.CLOSED:
        raise Refused(_("This community is closed and takes no new members."))
    if community.home_hub is not None:
        raise Refused(_("This community is kept by %(home)s: ask to join it there.", home=community.home_hub))


def find_member(session: Session, *, community_id: int, email: str) -> Membership | None:
    return session.scalars(
        select(Membership).where(
            Membership.community_id == community_id, func.lower(Membership.email) == email.lower()
        )
    ).first()


def request_to_join(
    session: Session,
    *,
    community: Community,
    name: str,
    email: str,
    organisation_name: str,
    message: str,
    language: str,
) -> JoinRequest:
    """A new pending request (flushed); refused for a member or a second open request."""
    open_to_requests(community)
    if find_member(session, community_id=community.id, email=email):
        raise Refused(_("%(email)s is already a member of this community.", email=email), field="email")
    requested_already = Refused(_already_requested(email), field="email")
    if pending_from(session, JoinRequest, email, JoinRequest.community_id == community.id):
        raise requested_already
    join_request = JoinRequest(
        community_id=community.id,
        name=name,
        email=email,
        organisation_name=organisation_name,
        message=message,
        language=language,
    )
    # Another process may take the same request at this moment.
    changes.add_unique(session, join_request, requested_already)
    return join_request


def pending_from(session: Session, model: type[Decision], email: str, *where: ColumnElement[bool]) -> bool:
    """Whether a request (``model``: to join a community or a call, a proposal) from ``email``, in
    any case, that matches ``where`` is waiting for a decision: one at a time may."""
    waiting = exists().where(
        *where, func.lower(model.email) == email.lower(), model.status == RequestStatus.PENDING
    )
    return bool(session.scalar(select(waiting)))


def _already_requested(email: str) -> str:
    return _(
        "A request to join from %(email)s is already waiting for the moderator's decision. "
        "You will hear by e-mail.",
        email=email,
    )


def pending_requests(session: Session, *, community_ids: Collection[int]) -> Sequence[JoinRequest]:
    """Open requests of the communities, oldest first."""
    return session.scalars(
        select(JoinRequest)
        .where(JoinRequest.community_id.in_(community_ids), JoinRequest.status == RequestStatus.PENDING)
        .options(joinedload(JoinRequest.community))
        .order_by(JoinRequest.created_at, JoinRequest.id)
    ).all()


def get_request(session: Session, *, request_id: int, community_id: int) -> JoinRequest | None:
    return session.scalars(
        select(JoinRequest).where(JoinRequest.id == request_id, JoinRequest.community_id == community_id)
    ).one_or_none()


def decide_request(
    session: Session, *, join_request: JoinRequest, accept: bool, note: str, user_id: int
) -> Membership | None:
    """Accept (the asker becomes a member) or decline a pending request; refused once decided."""
    community = join_request.community
    decide(
        session,
        join_request,
        accept=accept,
        note=note,
        user_id=user_id,
        programme_id=community.programme_id,
        summary=f"{join_request.email} · {community.name_en or community.name_nl}",
        decided_already=N_("This request was decided already (%(status)s)."),
    )
    membership = None
    if accept:
        membership = find_member(session, community_id=join_request.community_id, email=join_request.email)
        if membership is None:
            membership = Membership(
                community_id=join_request.community_id,
                name=join_request.name,
                email=join_request.email,
                organisation_name=join_request.organisation_name,
            )
            session.add(membership)
            session.flush()
    return membership


def decide(
    session: Session,
    record: Decision,
    *,
    accept: bool,
    note: str,
    user_id: int,
    programme_id: int,
    summary: str,
    decided_already: str,
) -> None:
    """Accepts or declines a pending request (to join a community or a call, a proposal), with a
    note for the asker, audited; refused once decided (``decided_already``: the msgid saying so,
    of its status)."""
    if record.status is not RequestStatus.PENDING:
        raise Refused(_(decided_already, status=record.status.label))
    record.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    record.decided_at = utcnow()
    record.decided_by_id = user_id
    record.decision_note = note
    session.flush()
    changes.log(
        session,
        record,
        "accept" if accept else "decline",
        user_id=user_id,
        programme_id=programme_id,
        summary=summary,
    )


def add_member(
    session: Session,
    *,
    community: Community,
    name: str,
    email: str | None,
    organisation_name: str,
    role: MemberRole,
    user_id: int,
) -> Membership:
    """A member added by a moderator (a person, or an organisation without an address)."""
    if email and find_member(session, community_id=community.id, email=email):
        raise Refused(_("%(email)s is already a member of this community.", email=email), field="email")
    membership = Membership(
        community_id=community.id,
        name=name,
        email=email,
        organisation_name=organisation_name,
        role=role,
    )
    session.add(membership)
    session.flush()
    changes.log(
        session,
        membership,
        "create",
        user_id=user_id,
        programme_id=community.programme_id,
        summary=f"{name or organisation_name} · {role.value}",
    )
    return membership


def get_member(session: Session, *, membership_id: int, community_id: int) -> Membership | None:
    return session.scalars(
        select(Membership).where(Membership.id == membership_id, Membership.community_id == community_id)
    ).one_or_none()


def remove_member(session: Session, *, membership: Membership, programme_id: int, user_id: int) -> None:
    changes.log(
        session,
        membership,
        "delete",
        user_id=user_id,
        programme_id=programme_id,
        summary=membership.name or membership.organisation_label,
    )
    session.delete(membership)
    session.flush()


def propose(
    session: Session,
    *,
    programme_id: int,
    product_group_id: int | None,
    title: str,
    description: str,
    name: str,
    email: str,
    organisation_name: str,
    language: str,
) -> CommunityProposal:
    """A proposal for a new community; refused where one exists or the same person proposed it already."""
    if product_group_id is not None:
        existing = active_community_for(session, programme_id=programme_id, product_group_id=product_group_id)
        if existing is not None:
            raise Refused(
                _(
                    "This programme has a community for this product group already: %(name)s. "
                    "Ask to join it instead.",
                    name=existing.localized("name", language).text,
                ),
                field="product_group",
            )
    if pending_from(
        session,
        CommunityProposal,
        email,
        CommunityProposal.programme_id == programme_id,
        CommunityProposal.product_group_id.is_(None)
        if product_group_id is None
        else CommunityProposal.product_group_id == product_group_id,
    ):
        raise Refused(
            _("Your proposal for this is already waiting for a decision. You will hear by e-mail."),
            field="email",
        )
    proposal = CommunityProposal(
        programme_id=programme_id,
        product_group_id=product_group_id,
        title=title,
        description=description,
        name=name,
        email=email,
        organisation_name=organisation_name,
        language=language,
    )
    session.add(proposal)
    session.flush()
    return proposal


def pending_proposals(
    session: Session, *, programme_ids: Collection[int] | None
) -> Sequence[CommunityProposal]:
    """Open proposals for the programmes (all programmes for None), oldest first."""
    query = (
        select(CommunityProposal)
        .where(CommunityProposal.status == RequestStatus.PENDING)
        .options(joinedload(CommunityProposal.programme), joinedload(CommunityProposal.product_group))
        .order_by(CommunityProposal.created_at, CommunityProposal.id)
    )
    if programme_ids is not None:
        query = query.where(CommunityProposal.programme_id.in_(programme_ids))
    return session.scalars(query).all()


def get_proposal(session: Session, *, proposal_id: int) -> CommunityProposal | None:
    return session.get(CommunityProposal, proposal_id)


def decide_proposal(
    session: Session, *, proposal: CommunityProposal, accept: bool, note: str, user_id: int
) -> Community | None:
    """Accept (the community starts, its proposer its contact person) or decline a proposal."""
    decide(
        session,
        proposal,
        accept=accept,
        note=note,
        user_id=user_id,
        programme_id=proposal.programme_id,
        summary=proposal.title,
        decided_already=N_("This proposal was decided already (%(status)s)."),
    )
    community = None
    if accept:
        language = proposal.language
        community = Community(
            programme_id=proposal.programme_id,
            product_group_id=proposal.product_group_id,
            source_language=language,
            contact_name=proposal.name,
            contact_email=proposal.email,
            status=CommunityStatus.ACTIVE,
            since=dt.date.today(),
            **{f"name_{language}": proposal.title, f"description_{language}": proposal.description},
        )
        session.add(community)
        session.flush()
        proposal.community_id = community.id
        session.add(
            Membership(
                community_id=community.id,
                name=proposal.name,
                email=proposal.email,
                organisation_name=proposal.organisation_name,
                role=MemberRole.CONTACT,
            )
        )
        session.flush()
    return community


def add_post(
    session: Session, *, community: Community, values: dict[str, str], author_id: int, author_name: str
) -> Post:
    post = Post(community_id=community.id, author_id=author_id, author_name=author_name, **values)
    session.add(post)
    session.flush()
    return post
