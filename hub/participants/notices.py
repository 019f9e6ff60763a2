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


def invitation(settings: Settings, *, invitation: Invitation, token: str, inviter: str) -> EmailMessage:
    language = invitation.language
    return mail.compose(
        settings,
        to=invitation.email,
        language=language,
        template="participant_invitation",
        subject=N_("%(inviter)s invites you to log the pilots of %(organisation)s"),
        inviter=inviter,
        organisation=invitation.organisation.name,
        programme=invitation.programme.short_name,
        name=invitation.name,
        days=LIFETIME.days,
        expires_at=invitation.expires_at,
        url=f"{settings.base_url.rstrip('/')}/{language}/invitations/{token}",
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
        url=f"{settings.base_url.rstrip('/')}/{language}/login/link/{token}",
    )


def entry_waiting(settings: Settings, *, entry: Entry, coordinators: Sequence[str]) -> list[EmailMessage]:
    """Tells the programme's coordinators an entry waits for their review (in both languages)."""
    return mail.compose_bilingual(
        settings,
        to=coordinators,
        template="entry_waiting",
        subject=N_("%(organisation)s sent “%(title)s” for review"),
        path=f"coordinator/entries/{entry.id}",
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
        path=f"participant/entries/{entry.id}",
        title=entry.title,
        entry=entry,
    )
