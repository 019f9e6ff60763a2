"""Rate limits on what anyone may post: logins, and the public forms that send e-mail.

The counters live in the process (a moving window in memory): with several web processes the
effective limit is that many times higher; the reverse proxy's limits are the global ones.
"""

from __future__ import annotations

from limits import RateLimitItem, RateLimitItemPerHour
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.requests import Request

from hub.i18n import gettext as _

# Join requests, proposals, registrations: each sends mail to someone, so each is counted.
PUBLIC_FORM_POSTS = RateLimitItemPerHour(30)


def make_limiter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(MemoryStorage())


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limiter(request: Request) -> MovingWindowRateLimiter:
    limiter: MovingWindowRateLimiter = request.app.state.limiter
    return limiter


def allowed(request: Request, item: RateLimitItem, *keys: str) -> bool:
    """Counts one more hit under ``keys``; False once the limit is reached."""
    return _limiter(request).hit(item, *keys)


def under_limit(request: Request, item: RateLimitItem, *keys: str) -> bool:
    """Whether one more hit under ``keys`` would be allowed, without counting it: for limits on
    outcomes (failed logins), counted with ``allowed`` once the outcome is known."""
    return _limiter(request).test(item, *keys)


def forget(request: Request, item: RateLimitItem, *keys: str) -> None:
    """Clears the hits counted under ``keys``."""
    _limiter(request).clear(item, *keys)


def check_public_form(request: Request) -> None:
    """429 for a client that sent too many public forms this hour."""
    if not allowed(request, PUBLIC_FORM_POSTS, "public-form", client_of(request)):
        raise HTTPException(429, _("Too many forms were sent from your address. Try again in an hour."))
