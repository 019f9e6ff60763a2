"""Short-lived access tokens for peer clients: JWTs this hub signs and checks itself.

The key is derived from HUB_SECRET_KEY (HMAC-SHA256, HS256 only): every process of one hub shares
it, and no other hub can forge it. ``iss`` and ``aud`` both name this hub's address, so a token
issued by (or for) another hub is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import time
from typing import Any

from joserfc import errors, jwt
from joserfc.jwk import OctKey

from hub.federation.identity import hub_address
from hub.i18n import N_
from hub.settings import Settings

ALGORITHM = "HS256"
LEEWAY_SECONDS = 30  # clocks of two processes on one hub differ a little


class InvalidToken(Exception):
    """Why a bearer token was refused: ``str()`` is the untranslated msgid, since the 401's
    ``WWW-Authenticate`` header carries it in English and the body translated (``hub.federation.api``).
    Not a ``hub.refusals.Refused``, whose message is already in the asker's language."""


@dataclasses.dataclass(frozen=True)
class Issued:
    token: str
    expires_in: int
    scope: str


def _key(settings: Settings) -> OctKey:
    derived = hmac.new(settings.secret_key.encode(), b"hub api access tokens", hashlib.sha256).digest()
    return OctKey.import_key(derived)


def issue(settings: Settings, *, client_id: str, scope: str) -> Issued:
    now = int(time.time())
    audience = hub_address(settings.base_url)
    claims = {
        "iss": audience,
        "aud": audience,
        "sub": client_id,
        "client_id": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + settings.api_token_seconds,
        "jti": secrets.token_urlsafe(12),
    }
    token = jwt.encode({"alg": ALGORITHM, "typ": "at+jwt"}, claims, _key(settings), algorithms=[ALGORITHM])
    return Issued(token, settings.api_token_seconds, scope)


def verify(settings: Settings, token: str) -> dict[str, Any]:
    """The claims of a valid token issued by this hub for this hub; InvalidToken otherwise."""
    try:
        decoded = jwt.decode(token, _key(settings), algorithms=[ALGORITHM])
    except errors.BadSignatureError:
        raise InvalidToken(N_("The token's signature is not valid.")) from None
    except (errors.JoseError, ValueError, TypeError):
        raise InvalidToken(N_("The token is not a token of this hub.")) from None
    address = hub_address(settings.base_url)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": address},
        aud={"essential": True, "value": address},
        exp={"essential": True},
        client_id={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except errors.ExpiredTokenError:
        raise InvalidToken(N_("The token has expired; ask for a new one.")) from None
    except errors.InvalidClaimError as error:
        if error.claim == "aud":
            raise InvalidToken(N_("The token was issued for another hub (audience).")) from None
        raise InvalidToken(N_("The token is not a token of this hub.")) from None
    except errors.JoseError:
        raise InvalidToken(N_("The token is not a token of this hub.")) from None
    return dict(decoded.claims)
