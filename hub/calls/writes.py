"""Writing a call to join: its fields, declared once, one typed input, the rules its values obey,
and one write path, audited.

The coordinators' form writes through here and shows each rule next to the field it concerns, in
the form's order (the rules read a partial set of values too: a rule over a value the form could
not read is left to that value's own error).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from hub import changes
from hub.calls.models import Call
from hub.calls.services import find_pilot, today
from hub.i18n import gettext as _
from hub.inputs import TitledInput
from hub.refusals import Invalid

TITLE_MAX = 300
# The call's own values (its columns, not its bookkeeping: who opened it and when, its closing by hand).
FIELDS = (
    "programme_id",
    "pilot_id",
    "source_language",
    "title_nl",
    "title_en",
    "body_nl",
    "body_en",
    "closes_on",
)


@dataclasses.dataclass(frozen=True)
class CallInput(TitledInput[Call]):
    """A call's values (``FIELDS``), typed: open for the programme, or for one of its pilots, until
    ``closes_on`` (None: until it is closed by hand)."""

    FIELDS = FIELDS

    programme_id: int
    source_language: str
    title_nl: str = ""
    title_en: str = ""
    body_nl: str = ""
    body_en: str = ""
    pilot_id: int | None = None
    closes_on: dt.date | None = None


# --- the rules, each over the fields it reads ---


def pilot_errors(session: Session, *, pilot_id: int | None, programme_id: int | None) -> dict[str, str]:
    """A call for a pilot invites people to a live pilot of the call's own programme."""
    if pilot_id is None:
        return {}
    pilot = find_pilot(session, pilot_id=pilot_id)
    if pilot is None:
        return {"pilot_id": _("There is no pilot with number %(id)s.", id=pilot_id)}
    if pilot.withdrawn_at is not None:
        return {"pilot_id": _("Pilot %(id)s was withdrawn: a call cannot invite people to it.", id=pilot_id)}
    if programme_id is not None and pilot.programme_id != programme_id:
        message = _(
            "Pilot %(id)s belongs to %(programme)s, not to the programme of this call.",
            id=pilot_id,
            programme=pilot.programme.short_name,
        )
        return {"pilot_id": message}
    return {}


def text_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """The title and the text of the call are written in its source language."""
    source = values.get("source_language")
    errors: dict[str, str] = {}
    if source and not values.get(f"title_{source}"):
        errors[f"title_{source}"] = _("Enter the title in the source language.")
    if source and not values.get(f"body_{source}"):
        errors[f"body_{source}"] = _("Write the text of the call in the source language.")
    return errors


def closing_errors(closes_on: dt.date | None, *, call: Call | None, today: dt.date) -> dict[str, str]:
    """A closing day is not in the past, unless the call's closing day that passed stays as it was."""
    unchanged = call is not None and closes_on == call.closes_on
    if closes_on is not None and closes_on < today and not unchanged:
        return {"closes_on": _("The closing day cannot be in the past.")}
    return {}


def errors_of(session: Session, data: CallInput, *, call: Call | None, today: dt.date) -> dict[str, str]:
    """The rules ``data`` breaks, by field (empty if none); ``call``: the call it changes, if any."""
    return {
        **pilot_errors(session, pilot_id=data.pilot_id, programme_id=data.programme_id),
        **text_errors(data.values()),
        **closing_errors(data.closes_on, call=call, today=today),
    }


# --- writing ---


def create_call(session: Session, *, data: CallInput, user_id: int, on: dt.date | None = None) -> Call:
    """A new call from ``data``, opened by ``user_id`` (audited); ``on``: today, in the programmes'
    time zone. Raises Invalid."""
    call = Call(created_by_id=user_id)
    _save(session, call, data, user_id, on)
    return call


def update_call(
    session: Session, *, call: Call, data: CallInput, user_id: int, on: dt.date | None = None
) -> bool:
    """Sets the call's values to ``data``, auditing what changed; False if nothing did. Raises Invalid."""
    return _save(session, call, data, user_id, on)


def _save(session: Session, call: Call, data: CallInput, user_id: int, on: dt.date | None) -> bool:
    errors = errors_of(session, data, call=call, today=on or today())
    if errors:
        raise Invalid(errors)
    return changes.save_input(session, record=call, data=data, user_id=user_id)
