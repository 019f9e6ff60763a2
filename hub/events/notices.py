"""What an event sends out: the confirmation of a registration (in the registrant's language, the
event attached for their calendar) and the event as iCalendar.

The confirmation goes to an address nobody confirmed, so it carries nothing the registrant typed
(name, organisation, offer): only the side they chose and the event.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.message import EmailMessage

from hub import mail
from hub.communities.calendar import linked_calendar
from hub.events.models import Event, EventRegistration
from hub.i18n import N_
from hub.settings import Settings


def calendar(events: Iterable[Event], *, name: str, language: str, base_url: str) -> bytes:
    """The events as one VCALENDAR (titles in ``language``, links to their pages)."""
    return linked_calendar(
        events,
        route="event",
        params=lambda event: {"event_id": event.id},
        name=name,
        language=language,
        base_url=base_url,
    )


def registration_confirmed(
    settings: Settings, *, registration: EventRegistration, event: Event
) -> EmailMessage:
    language = registration.language
    title = event.localized("title", language).text
    message = mail.compose_to(
        settings,
        registration,
        template="event_registration",
        subject=N_("You are registered for %(event)s"),
        route="event",
        route_params={"event_id": event.id},
        event=title,
        programme=event.programme.short_name,
        record=event,
        side=registration.side.value,
    )
    invitation = calendar([event], name=title, language=language, base_url=settings.base_url)
    message.add_attachment(invitation, maintype="text", subtype="calendar", filename="event.ics")
    return message
