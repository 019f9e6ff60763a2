"""The signed links of a subscription: confirming it (expires) and managing it (does not).

Both carry the subscription's id and its ``key``: a new key (on confirmation, or when the data
is deleted) revokes every link sent before. They are signed with ``HUB_SECRET_KEY`` through
itsdangerous, each kind with its own salt, so one kind of link never passes for the other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from hub.i18n import gettext as _
from hub.newsletters.models import InterestKind, Subscription
from hub.refusals import Refused
from hub.settings import Settings

CONFIRM_SALT = "newsletter-confirm"
MANAGE_SALT = "newsletter-manage"

Interests = frozenset[tuple[InterestKind, int]]


def _not_valid() -> Refused:
    """A link that is not ours or was changed (400, as the pages answer it)."""
    return Refused(
        _("This link is not valid: it may be incomplete. Copy the whole link from the e-mail."), status=400
    )


@dataclasses.dataclass(frozen=True)
class ConfirmRequest:
    """What a confirmation link asks: this subscription, in this language, following these lists."""

    subscription_id: int
    key: str
    language: str
    interests: Interests


def confirm_token(
    settings: Settings, subscription: Subscription, *, language: str, interests: Interests
) -> str:
    payload = {
        "s": subscription.id,
        "k": subscription.key,
        "l": language,
        "i": sorted([kind.value, ref] for kind, ref in interests),
    }
    return URLSafeTimedSerializer(settings.secret_key, salt=CONFIRM_SALT).dumps(payload)


def read_confirm_token(settings: Settings, token: str) -> ConfirmRequest:
    """What a confirmation link asks; ``Refused`` (400) for a link not ours, changed or expired."""
    serializer = URLSafeTimedSerializer(settings.secret_key, salt=CONFIRM_SALT)
    try:
        payload: Any = serializer.loads(token, max_age=settings.newsletter_confirm_hours * 3600)
    except SignatureExpired:
        raise Refused(
            _("This confirmation link has expired. Subscribe again to get a new one."), status=400
        ) from None
    except BadSignature:
        raise _not_valid() from None
    try:
        interests = frozenset((InterestKind(kind), int(ref)) for kind, ref in payload["i"])
        return ConfirmRequest(int(payload["s"]), str(payload["k"]), str(payload["l"]), interests)
    except (KeyError, TypeError, ValueError):
        raise _not_valid() from None


def manage_token(settings: Settings, subscription: Subscription) -> str:
    return manage_tokens(settings)(subscription)


def manage_tokens(settings: Settings) -> Callable[[Subscription], str]:
    """``manage_token`` for many subscriptions (a send signs one per message): one serializer."""
    serializer = URLSafeSerializer(settings.secret_key, salt=MANAGE_SALT)
    return lambda subscription: serializer.dumps([subscription.id, subscription.key])


def read_manage_token(settings: Settings, token: str) -> tuple[int, str]:
    """(subscription id, key) of a preference or unsubscribe link; ``Refused`` for one not ours."""
    try:
        subscription_id, key = URLSafeSerializer(settings.secret_key, salt=MANAGE_SALT).loads(token)
        return int(subscription_id), str(key)
    except (BadSignature, TypeError, ValueError):
        raise _not_valid() from None
