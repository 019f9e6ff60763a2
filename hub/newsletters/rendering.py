"""An issue as e-mail: rendered once per segment (language and lists followed), then made personal.

Rendering (templates, the digest's queries) happens once for every subscriber who reads the same
language and follows the same lists; making it personal only puts the subscriber's own links
(preferences, unsubscribe) in place of the placeholders and adds the headers of RFC 8058.
"""

from __future__ import annotations

import dataclasses
import email.policy
from email.message import EmailMessage

from sqlalchemy.orm import Session

from hub import mail
from hub.newsletters import digest, tokens
from hub.newsletters.models import NewsletterIssue, Subscription
from hub.newsletters.tokens import Interests
from hub.settings import Settings
from hub.urls import absolute_url, absolute_urls

LONG_HEADERS = email.policy.default.clone(max_line_length=998)
PREFERENCES = "%%PREFERENCES_URL%%"
UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"


@dataclasses.dataclass(frozen=True)
class Segment:
    """Subscribers who get the same issue: one language, the same lists (none: the whole network)."""

    language: str
    interests: Interests = frozenset()


def render_issue(
    session: Session, *, issue: NewsletterIssue, segment: Segment, settings: Settings
) -> mail.Rendered:
    """The issue for ``segment``, with placeholders where each subscriber's own links go."""
    language = segment.language
    summary = digest.build(
        session, issue=issue, interests=segment.interests, language=language, base_url=settings.base_url
    )
    return mail.render(
        language,
        template="newsletter",
        subject="%(subject_text)s",  # the editor's subject, written in this language
        subject_text=getattr(issue, f"subject_{language}") or issue.subject_nl or issue.subject_en,
        issue=issue,
        intro=getattr(issue, f"intro_{language}") or issue.intro_nl or issue.intro_en,
        digest=summary,
        preferences_url=PREFERENCES,
        unsubscribe_url=UNSUBSCRIBE,
        archive_url=absolute_url(
            settings.base_url, "newsletter_archive_issue", lang=language, issue_id=issue.id
        ),
    )


OWN_ROUTES = {
    "preferences": "newsletter_preferences",
    "unsubscribe": "newsletter_unsubscribe",
    "one_click": "newsletter_one_click",  # no language in its path: the link is for mail clients
}


class OwnLinks:
    """Each subscriber's own links in ``language``: the preference centre, the unsubscribe page,
    one-click unsubscribe. The routes are looked up and the signer made once (a send makes
    thousands): a subscriber's links are then a signature and a few concatenations."""

    def __init__(self, settings: Settings, language: str) -> None:
        self.token = tokens.manage_tokens(settings)
        self.makers = {
            name: absolute_urls(settings.base_url, route, "token", lang=language)
            for name, route in OWN_ROUTES.items()
        }

    def __call__(self, subscription: Subscription) -> dict[str, str]:
        token = self.token(subscription)
        return {name: make(token) for name, make in self.makers.items()}


def links(settings: Settings, subscription: Subscription, language: str) -> dict[str, str]:
    """The subscriber's own links (see ``OwnLinks``)."""
    return OwnLinks(settings, language)(subscription)


def personalise(
    settings: Settings, rendered: mail.Rendered, subscription: Subscription, language: str
) -> EmailMessage:
    """The message for one subscriber, with the one-click unsubscribe headers (RFC 8058)."""
    own = links(settings, subscription, language)

    def fill(text: str) -> str:
        return text.replace(PREFERENCES, own["preferences"]).replace(UNSUBSCRIBE, own["unsubscribe"])

    message = mail.new_message(
        settings,
        to=subscription.email,
        subject=rendered.subject,
        text=fill(rendered.text),
        html=fill(rendered.html),
    )
    # A URL cannot be folded: let its header line be long (RFC 5322 allows 998), not encoded.
    message.policy = LONG_HEADERS
    message["List-Unsubscribe"] = f"<{own['one_click']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
