"""Password hashing with argon2 (argon2-cffi's recommended parameters), and what a password must be.

Strength is estimated by zxcvbn (Dropbox's estimator: common and breached passwords, names,
keyboard patterns, repeats, dates, l33t), told the person's own address and name so that a
password made from them is weak too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from hub.i18n import gettext as _
from hub.refusals import Refused

MIN_LENGTH = 12
MAX_LENGTH = 1024  # the login form reads no more than this
MIN_SCORE = 3  # zxcvbn's "safely unguessable": about 10^8 guesses or more
ESTIMATED_LENGTH = 72  # zxcvbn refuses longer input: its matching grows fast with the length
# Words anyone would try first against this site.
SITE_WORDS = ("hub", "circular", "procurement", "circulair", "inkopen", "aankopen", "gdca", "gdci", "procirc")

_hasher = PasswordHasher()
# Verified when the e-mail address is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")
# zxcvbn keeps the user inputs in a module-level dictionary while it estimates: one at a time.
_estimating = threading.Lock()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def personal_words(*values: str) -> list[str]:
    """The values (an e-mail address, a name), their parts and their parts run together (an
    address's local part too): what a guesser who knows them tries first."""
    words = {*SITE_WORDS}
    for value in values:
        value = value.strip().lower()
        for whole in {value, value.partition("@")[0]}:
            parts = [part for part in re.split(r"[^\w]+", whole) if part]
            words.update({whole, "".join(parts), *(part for part in parts if len(part) > 1)})
    words.discard("")
    return sorted(words)


def strength(password: str, *, user_inputs: Iterable[str] = ()) -> int:
    """zxcvbn's score, 0 (guessed at once) to 4; a longer password is judged by its first 72
    characters."""
    with _estimating:
        return int(zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=personal_words(*user_inputs))["score"])


def check_password(password: str, *, user_inputs: Iterable[str] = ()) -> None:
    """Refuses (400, field ``password``) a password that is short, too long, or easy to guess.

    zxcvbn's own feedback is English and sometimes odd out of context; one message of ours says
    what a good password is instead.
    """
    if len(password) > MAX_LENGTH:
        raise Refused(
            _("A password can have at most %(length)d characters.", length=MAX_LENGTH),
            status=400,
            field="password",
        )
    if len(password) < MIN_LENGTH or strength(password, user_inputs=user_inputs) < MIN_SCORE:
        raise Refused(
            _(
                "Choose a stronger password: at least %(length)d characters, not a common password, "
                "not a pattern such as aaaa or 1234, and not made from your name or e-mail address. "
                "A few unrelated words work well.",
                length=MIN_LENGTH,
            ),
            status=400,
            field="password",
        )
