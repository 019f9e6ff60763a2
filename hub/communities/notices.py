"""The e-mails of community life: decisions on requests and proposals, registration confirmations.

Each goes to the person in the language they wrote in. The confirmation of a registration carries
the meeting as an iCalendar attachment and, for an online meeting, its link (which the public pages
do not show).

These go to addresses nobody confirmed: whoever fills in a form may give someone else's. So they
carry nothing the visitor typed (no name, organisation, message or proposed title), only the hub's
words, its records and a moderator's or coordinator's note; the templates are not given the
visitor's record.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

from hub import mail
from hub.communities import calendar
from hub.communities.models import (
    Community,
    CommunityProposal,
    JoinRequest,
    Meeting,
    Registration,
    RequestStatus,
)
from hub.i18n import N_
from hub.public import Visitor
from hub.settings import Settings


def join_decision(settings: Settings, *, join_request: JoinRequest, community: Community) -> EmailMessage:
    return mail.compose_to(
        settings,
        join_request,
        template="join_decision",
        subject=N_("Your request to join %(community)s"),
        route="community",
        route_params={"community_id": community.id},
        community=community.localized("name", join_request.language).text,
        accepted=join_request.status is RequestStatus.ACCEPTED,
        note=join_request.decision_note,
    )


def proposal_decision(
    settings: Settings, *, proposal: CommunityProposal, community: Community | None
) -> EmailMessage:
    route, params = ("community", {"community_id": community.id}) if community else ("communities", {})
    return mail.compose_to(
        settings,
        proposal,
        template="proposal_decision",
        subject=N_("Your proposal for a community"),  # not its title: the visitor's words
        route=route,
        route_params=params,
        accepted=proposal.status is RequestStatus.ACCEPTED,
        note=proposal.decision_note,
    )


def registration_confirmed(
    settings: Settings, *, registration: Registration, meeting: Meeting, community: Community
) -> EmailMessage:
    language = registration.language
    title = meeting.localized("title", language).text
    message = mail.compose_to(
        settings,
        registration,
        template="registration",
        subject=N_("You are registered for %(meeting)s"),
        route="meeting",
        route_params={"community_id": community.id, "meeting_id": meeting.id},
        meeting=title,
        community=community.localized("name", language).text,
        record=meeting,
    )
    invitation = calendar.calendar([meeting], name=title, language=language, base_url=settings.base_url)
    message.add_attachment(invitation, maintype="text", subtype="calendar", filename="meeting.ics")
    return message


def request_waiting(
    settings: Settings, *, join_request: JoinRequest, community: Community, moderators: Sequence[str]
) -> list[EmailMessage]:
    """Tells the community's moderators a request to join waits for them (in both languages)."""
    return mail.compose_bilingual(
        settings,
        to=moderators,
        template="request_waiting",
        subject=N_("%(name)s asks to join %(community)s"),
        route="ws_community",
        route_params={"community_id": community.id},
        name=join_request.name,
        community=community.name_nl or community.name_en,
        request=join_request,
    )


def proposal_waiting(
    settings: Settings, *, proposal: CommunityProposal, coordinators: Sequence[str]
) -> list[EmailMessage]:
    """Tells the programme's coordinators a proposal for a community waits for them."""
    return mail.compose_bilingual(
        settings,
        to=coordinators,
        template="proposal_waiting",
        subject=N_("A community is proposed: %(title)s"),
        route="ws_communities",
        route_params={},
        title=proposal.title,
        proposal=proposal,
    )


def contact_message(
    settings: Settings, *, community: Community, sender: Visitor, message: str
) -> list[EmailMessage]:
    """A visitor's message to the community's contact person (in both languages: theirs is not
    known), with Reply-To the visitor, so that the contact's address is never shown to them."""
    assert community.contact_email
    messages = mail.compose_bilingual(
        settings,
        to=[community.contact_email],
        template="community_contact",
        subject=N_("A message about %(community)s"),
        route="community",
        route_params={"community_id": community.id},
        community=community.name_nl or community.name_en,
        name=sender["name"],
        email=sender["email"],
        organisation=sender["organisation_name"],
        text=message,
    )
    for one in messages:
        one["Reply-To"] = sender["email"]
    return messages
