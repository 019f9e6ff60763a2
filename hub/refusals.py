"""The one way a domain says no: ``Refused``, with why, the HTTP answer and the field it concerns.

Services raise it where a rule forbids what was asked (a closed community, a full meeting, a link
to a withdrawn lesson, a tampered newsletter link, an unknown list filter ...). A page that shows
the form again catches it and puts ``str(refused)`` at ``refused.field``; anywhere else it may
simply propagate: the app answers it like an ``HTTPException`` of ``status`` (``hub.errors``).
"""

from __future__ import annotations


class Refused(Exception):
    """What was asked cannot be done. ``str()`` says why, in the asker's language (the account
    services' messages are for the command line, in English); ``status`` is the HTTP answer;
    ``field`` names the form field (or query parameter) it concerns, if one."""

    def __init__(self, message: str, *, status: int = 409, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
