"""The participants' e-mails: the invitation, a sign-in link, and the coordinator's review."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

from hub import mail
from hub.accounts.models import User
from hub.i18n import N_
from hub.participants.invitations import LIFETIME
from hub.participants.models import Entry, Invitation
from hub.settings import Settings
from hub.urls import absolute_url


def invitation(settings: Settings, *, invitation: Invitation, token: str, inviter: str) -> EmailMessage:
    return mail.compose_to(
        settings,
        invitation,
        template="participant_invitation",
        subject=N_("%(inviter)s invites you to log the pilots of %(organisation)s"),
        route="invitation",
        route_params={"token": token},
        inviter=inviter,
        organisation=invitation.organisation.name,
        programme=invitation.programme.short_name,
        name=invitation.name,
        days=LIFETIME.days,
        expires_at=invitation.expires_at,
    )


def sign_in_link(settings: Settings, *, user: User, token: str, language: str, minutes: int) -> EmailMessage:
    return mail.compose(
        settings,
        to=user.email,
        language=language,
        template="sign_in_link",
        subject=N_("Your sign-in link"),
        name=user.name,
        minutes=minutes,
        url=absolute_url(settings.base_url, "login_link_page", lang=language, token=token),
    )


def entry_waiting(settings: Settings, *, entry: Entry, coordinators: Sequence[str]) -> list[EmailMessage]:
    """Tells the programme's coordinators an entry waits for their review (in both languages)."""
    return mail.compose_bilingual(
        settings,
        to=coordinators,
        template="entry_waiting",
        subject=N_("%(organisation)s sent “%(title)s” for review"),
        route="ws_entry",
        route_params={"entry_id": entry.id},
        organisation=entry.organisation.name,
        title=entry.title,
        entry=entry,
    )


def entry_reviewed(settings: Settings, *, entry: Entry, to: str) -> list[EmailMessage]:
    """Tells the participant who logged the entry that it was published or returned (in both
    languages: the hub does not know which one they read)."""
    return mail.compose_bilingual(
        settings,
        to=[to],
        template="entry_reviewed",
        subject=N_("Your entry “%(title)s” was reviewed"),
        route="participant_entry",
        route_params={"entry_id": entry.id},
        title=entry.title,
        entry=entry,
    )
