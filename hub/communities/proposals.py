"""Proposals for new communities: their fields, declared once, one typed input, the rules their
values obey, one write path, and the programme's decision.

A visitor proposes a community on the public form, which writes through :func:`create_proposal`
(the proposal's rules, :func:`errors_of`, and the state of the programme: no community for the
product group yet, no proposal of the same person waiting). A coordinator of the programme accepts
it (the community starts, its proposer as its contact person) or declines it, audited. Proposals
hold people's names and addresses: they stay on this hub.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from hub.communities.joining import decide, pending_from
from hub.communities.members import NAME_MAX, MemberInput, add_member, person_breaches
from hub.communities.models import Community, CommunityProposal, CommunityStatus, MemberRole, RequestStatus
from hub.communities.services import active_community_for
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.inputs import Breach, RecordInput, on_one_line, texts
from hub.records import LANGUAGES
from hub.refusals import Invalid, Refused

# A proposal's own values: what it proposes and who proposes it, in which language (that of the
# decision's e-mail); the decision and the community it started are the programme's.
FIELDS = (
    "programme_id",
    "product_group_id",
    "title",
    "description",
    "name",
    "email",
    "organisation_name",
    "language",
)


@dataclasses.dataclass(frozen=True)
class ProposalInput(RecordInput[CommunityProposal]):
    """A proposal's values (``FIELDS``), typed."""

    FIELDS = FIELDS

    programme_id: int
    title: str
    description: str
    name: str
    email: str
    language: str
    organisation_name: str = ""
    product_group_id: int | None = None


def errors_of(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules a proposal's ``values`` break, by field, translated (empty if none): a title on
    one line of at most 200 characters, a description, the proposer's name and address (and
    organisation, if given) as a person's, a language the hub writes in."""
    breaches = [
        *_title(values.get("title") or ""),
        *([] if values.get("description") else [Breach("description", N_("This field is required."))]),
        *person_breaches(values, required=("name", "email")),
    ]
    if values.get("language") not in LANGUAGES:
        breaches.append(Breach("language", N_("Choose one of the options.")))
    return texts(breaches)


def _title(title: str) -> list[Breach]:
    if not title:
        return [Breach("title", N_("This field is required."))]
    if len(title) > NAME_MAX:
        message = N_("Use at most %(max)d characters; this has %(count)d.")
        return [Breach("title", message, values=(("max", NAME_MAX), ("count", len(title))))]
    if not on_one_line(title):
        return [Breach("title", N_("Write this on one line, without special characters."))]
    return []


def create_proposal(session: Session, *, data: ProposalInput) -> CommunityProposal:
    """A new proposal, waiting for the programme's decision (flushed). Raises Invalid for values
    that break the rules; Refused where the programme has a community for the product group
    already (``product_group_id``) or the same person's proposal for it is waiting (``email``)."""
    errors = errors_of(data.values())
    if errors:
        raise Invalid(errors)
    programme_id, product_group_id = data.programme_id, data.product_group_id
    if product_group_id is not None:
        existing = active_community_for(session, programme_id=programme_id, product_group_id=product_group_id)
        if existing is not None:
            raise Refused(
                _(
                    "This programme has a community for this product group already: %(name)s. "
                    "Ask to join it instead.",
                    name=existing.localized("name", data.language).text,
                ),
                field="product_group_id",
            )
    if pending_from(
        session,
        CommunityProposal,
        data.email,
        CommunityProposal.programme_id == programme_id,
        CommunityProposal.product_group_id.is_(None)
        if product_group_id is None
        else CommunityProposal.product_group_id == product_group_id,
    ):
        raise Refused(
            _("Your proposal for this is already waiting for a decision. You will hear by e-mail."),
            field="email",
        )
    proposal = CommunityProposal(**data.values())
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
    if not accept:
        return None
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
    contact = MemberInput(
        community_id=community.id,
        name=proposal.name,
        email=proposal.email,
        organisation_name=proposal.organisation_name,
        role=MemberRole.CONTACT,
    )
    add_member(session, data=contact, user_id=None)  # audited as the decision
    return community
