"""The one way a domain says no: ``Refused``, with why, the HTTP answer and the field it concerns.

Services raise it where a rule forbids what was asked (a closed community, a full meeting, a link
to a withdrawn lesson, a tampered newsletter link, an unknown list filter ...); ``Invalid`` is the
refusal of a record's values, with a message per field (every domain's write functions raise it).
A page that shows the form again hands it to ``Form.show``, which puts each message at its field;
anywhere else it may simply propagate: the app answers it like an ``HTTPException`` of ``status``
(``hub.errors``).
"""

from __future__ import annotations

from collections.abc import Mapping


class Refused(Exception):
    """What was asked cannot be done. ``str()`` says why, in the asker's language (the account
    services' messages are for the command line, in English); ``status`` is the HTTP answer;
    ``field`` names the form field (or query parameter) it concerns, if one."""

    def __init__(self, message: str, *, status: int = 409, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field

    @property
    def errors(self) -> dict[str, str]:
        """Each field's message (the one field it concerns; none without a field)."""
        return {self.field: str(self)} if self.field else {}


class Invalid(Refused):
    """Values that break a record's rules (400): ``errors`` holds each field's message, translated,
    for a form to show at its fields."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(
            "; ".join(f"{field}: {message}" for field, message in errors.items()),
            status=400,
            field=next(iter(errors), None),
        )
        self._errors = dict(errors)

    @property
    def errors(self) -> dict[str, str]:
        return self._errors
