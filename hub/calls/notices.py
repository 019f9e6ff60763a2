"""The e-mails of a call to join: a new interest to the coordinators (in both languages, since the
hub does not know theirs), and the coordinator's answer to the visitor in the language they wrote in.

The answer goes to an address nobody confirmed, so it carries nothing the visitor typed (name,
organisation, message): only the hub's words and the coordinator's note.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

from hub import mail
from hub.calls.models import Call, CallInterest
from hub.communities.models import RequestStatus
from hub.i18n import N_
from hub.settings import Settings


def interest_waiting(
    settings: Settings, *, interest: CallInterest, call: Call, coordinators: Sequence[str]
) -> list[EmailMessage]:
    """Tells the programme's coordinators an interest in one of its calls waits for their answer."""
    return mail.compose_bilingual(
        settings,
        to=coordinators,
        template="call_interest_waiting",
        subject=N_("%(name)s is interested in %(call)s"),
        route="ws_call",
        route_params={"call_id": call.id},
        name=interest.name,
        call=call.localized("title", call.source_language).text,
        record=call,
        interest=interest,
    )


def call_answer(settings: Settings, *, interest: CallInterest, call: Call) -> EmailMessage:
    """The coordinator's answer, to the visitor in the language they wrote in."""
    return mail.compose_to(
        settings,
        interest,
        template="call_answer",
        subject=N_("Your interest in %(call)s"),
        route="call",
        route_params={"call_id": call.id},
        call=call.localized("title", interest.language).text,
        programme=call.programme.short_name,
        accepted=interest.status is RequestStatus.ACCEPTED,
        note=interest.decision_note,
    )
