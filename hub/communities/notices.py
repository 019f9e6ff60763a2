"""The e-mails of community life: decisions on requests and proposals, registration confirmations.

Each goes to the person in the language they wrote in. The confirmation of a registration carries
the meeting as an iCalendar attachment and, for an online meeting, its link (which the public pages
do not show).
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

from hub import mail
from hub.communities import calendar
from hub.communities.models import Community, CommunityProposal, JoinRequest, Meeting, Registration
from hub.i18n import N_
from hub.settings import Settings


def join_decision(settings: Settings, *, join_request: JoinRequest, community: Community) -> EmailMessage:
    language = join_request.language
    return mail.compose(
        settings,
        to=join_request.email,
        language=language,
        template="join_decision",
        subject=N_("Your request to join %(community)s"),
        community=community.localized("name", language).text,
        request=join_request,
        url=f"{settings.base_url.rstrip('/')}/{language}/communities/{community.id}",
    )


def proposal_decision(
    settings: Settings, *, proposal: CommunityProposal, community: Community | None
) -> EmailMessage:
    language = proposal.language
    base = settings.base_url.rstrip("/")
    return mail.compose(
        settings,
        to=proposal.email,
        language=language,
        template="proposal_decision",
        subject=N_("Your proposal for the community %(title)s"),
        title=proposal.title,
        proposal=proposal,
        url=f"{base}/{language}/communities/{community.id}"
        if community
        else f"{base}/{language}/communities",
    )


def registration_confirmed(
    settings: Settings, *, registration: Registration, meeting: Meeting, community: Community
) -> EmailMessage:
    language = registration.language
    base = settings.base_url.rstrip("/")
    message = mail.compose(
        settings,
        to=registration.email,
        language=language,
        template="registration",
        subject=N_("You are registered for %(meeting)s"),
        meeting=meeting.localized("title", language).text,
        community=community.localized("name", language).text,
        record=meeting,
        registration=registration,
        url=f"{base}/{language}/communities/{community.id}/meetings/{meeting.id}",
    )
    invitation = calendar.calendar(
        [meeting], name=meeting.localized("title", language).text, language=language, base_url=base
    )
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
        path=f"coordinator/communities/{community.id}",
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
        path="coordinator/communities",
        title=proposal.title,
        proposal=proposal,
    )
