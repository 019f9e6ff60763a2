"""Taking part in a community: requests to join, the decision on a request (a proposal's too) and
posts. A member is written through ``hub.communities.members``, a proposal through
``hub.communities.proposals``.

A visitor needs no account to ask; a moderator (or the programme's coordinator) decides, and the
decision is e-mailed to the visitor in the language they asked in (``hub.communities.notices``).
Requests are never deleted: a declined one stays as the record of what was decided and why.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, joinedload

from hub import changes
from hub.communities.members import MemberInput, add_member, already_member, find_member
from hub.communities.models import (
    Community,
    CommunityStatus,
    Decision,
    JoinRequest,
    Membership,
    Post,
    RequestStatus,
)
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
        raise already_member(email)
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
    if not accept:
        return None
    member = find_member(session, community_id=join_request.community_id, email=join_request.email)
    if member is not None:
        return member
    data = MemberInput(
        community_id=join_request.community_id,
        name=join_request.name,
        email=join_request.email,
        organisation_name=join_request.organisation_name,
    )
    return add_member(session, data=data, user_id=None)  # audited as the decision


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


def add_post(
    session: Session, *, community: Community, values: dict[str, str], author_id: int, author_name: str
) -> Post:
    post = Post(community_id=community.id, author_id=author_id, author_name=author_name, **values)
    session.add(post)
    session.flush()
    return post
