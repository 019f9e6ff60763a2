"""A community's members: their fields, declared once, one typed input, the rules their values
obey, and one write path.

Every way a member is written goes through :func:`add_member` and its rules (:func:`errors_of`):
a moderator adding one (audited as such), a request to join accepted and a proposal accepted, whose
proposer becomes the new community's contact person (both audited as the decision they are part
of, in ``hub.communities.joining`` and ``hub.communities.proposals``). Members are people: they are
neither synced nor federated (the demo network inserts its own in bulk).

The rules on a person (:func:`person_breaches`: a name and an organisation on one line, an address
that is one) hold for whoever proposes a community too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import changes
from hub.communities.models import Community, MemberRole, Membership
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.inputs import Breach, RecordInput, email_address, on_one_line, texts
from hub.refusals import Invalid, Refused

NAME_MAX = 200  # a person's or an organisation's name
# A member's own values: a person (a name, maybe an address), an organisation (one of the hub's,
# or by name) or both, and their role in the community.
FIELDS = ("community_id", "organisation_id", "name", "email", "organisation_name", "role")


@dataclasses.dataclass(frozen=True)
class MemberInput(RecordInput[Membership]):
    """A member's values (``FIELDS``), typed."""

    FIELDS = FIELDS

    community_id: int
    name: str = ""
    email: str | None = None
    organisation_name: str = ""
    organisation_id: int | None = None
    role: MemberRole = MemberRole.MEMBER


def person_breaches(values: Mapping[str, Any], *, required: Collection[str] = ()) -> list[Breach]:
    """The rules a person's ``values`` break (``name``, ``email``, ``organisation_name``; those in
    ``required`` must be given): each name on one line and at most 200 characters long (names go
    into mail headers), an address that is one. A value missing is not checked unless required."""
    breaches: list[Breach] = []
    for name in ("name", "organisation_name", "email"):
        text = values.get(name) or ""
        if not text:
            if name in required:
                breaches.append(Breach(name, N_("This field is required.")))
        elif name == "email":
            if email_address(text) is None:
                breaches.append(Breach(name, N_("Enter an e-mail address such as name@example.org.")))
        elif len(text) > NAME_MAX:
            message = N_("Use at most %(max)d characters; this has %(count)d.")
            breaches.append(Breach(name, message, values=(("max", NAME_MAX), ("count", len(text)))))
        elif not on_one_line(text):
            breaches.append(Breach(name, N_("Write this on one line, without special characters.")))
    return breaches


def errors_of(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules a member's ``values`` break, by field, translated (empty if none): the person's,
    and someone to be a member (a person's name, an organisation, or both)."""
    breaches = person_breaches(values)
    if not (values.get("name") or values.get("organisation_name") or values.get("organisation_id")):
        breaches.append(Breach("name", N_("Give a person's name, an organisation, or both.")))
    return texts(breaches)


def find_member(session: Session, *, community_id: int, email: str) -> Membership | None:
    """The community's member with this address (in any case), if there is one."""
    return session.scalars(
        select(Membership).where(
            Membership.community_id == community_id, func.lower(Membership.email) == email.lower()
        )
    ).first()


def already_member(email: str) -> Refused:
    """The refusal of a second membership (or a request to join) of the same address."""
    return Refused(_("%(email)s is already a member of this community.", email=email), field="email")


def add_member(session: Session, *, data: MemberInput, user_id: int | None) -> Membership:
    """A new member of the community ``data.community_id``, audited in the name of ``user_id``
    (None: part of a decision audited as such). Raises Invalid for values that break the rules,
    Refused for an address that is a member already."""
    errors = errors_of(data.values())
    if errors:
        raise Invalid(errors)
    if data.email and find_member(session, community_id=data.community_id, email=data.email):
        raise already_member(data.email)
    membership = Membership(**data.values())
    session.add(membership)
    session.flush()
    if user_id is not None:
        community = session.get_one(Community, data.community_id)
        changes.log(
            session,
            membership,
            "create",
            user_id=user_id,
            programme_id=community.programme_id,
            summary=f"{data.name or data.organisation_name} · {data.role.value}",
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
