"""Problems a connector reports, as untranslated messages with their values.

Connectors do not depend on the hub, so they cannot translate; they mark their messages with
``N_`` (the catalogs in ``locales/`` pick them up) and the hub translates them when it shows them,
in the reader's language, from what it stored: the message and its values.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Marks a message for the catalogs; translated later, where it is shown."""
    return message


class Problem(Exception):
    """Something wrong with a source or one of its entries, for a coordinator to read.

    ``message`` is an untranslated msgid with ``%(name)s`` placeholders filled from ``values``.
    A value may itself be a Problem (the reason inside a field's error); it is kept as
    ``{"message": ..., "values": ...}`` so that the hub translates both parts.
    """

    values: dict[str, Any]

    def __init__(self, message: str, /, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = {name: _plain(value) for name, value in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Problem):
        return {"message": value.message, "values": value.values}
    return value if isinstance(value, int) else str(value)


class OptionsError(Problem):
    """A source's options are not usable; ``field`` names the option (for the form)."""

    def __init__(self, field: str, message: str, /, **values: Any) -> None:
        super().__init__(message, **values)
        self.field = field


class FetchError(Problem):
    """The source could not be fetched (refused address, timeout, HTTP error, too large, ...)."""


class TooSlow(FetchError):
    """The source had not sent its whole answer by the fetch's deadline (it trickles)."""
