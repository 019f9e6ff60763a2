"""Sending e-mail: through the SMTP server of ``HUB_SMTP_*``, or else into a local maildir.

The embedded default has no mail server, so messages are written to ``<data_dir>/maildir`` (one
file each, readable with any mail client that opens a maildir) instead of being lost. Over SMTP
one connection carries every message of a call.
"""

from __future__ import annotations

import functools
import logging
import mailbox
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from jinja2 import Environment

from hub import i18n
from hub.settings import Settings
from hub.urls import absolute_url


def new_message(
    settings: Settings, *, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """A message from the hub: plain text, with an HTML alternative if given."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=urlsplit(settings.base_url).hostname or "localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


log = logging.getLogger(__name__)


@functools.cache
def _templates() -> Environment:
    from hub.templating import make_templates  # templating needs the app's pieces; load on first mail

    return make_templates().env


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str


def render(language: str, *, template: str, subject: str, **context: Any) -> Rendered:
    """``templates/email/<template>/body.{txt,html}`` and the subject (a msgid whose values are the
    context's texts), in ``language``."""
    token = i18n.current_language.set(language)
    try:
        env = _templates()
        values = {"lang": language, **context}
        return Rendered(
            i18n.gettext(subject, **{k: v for k, v in context.items() if isinstance(v, str)}),
            env.get_template(f"email/{template}/body.txt").render(values),
            env.get_template(f"email/{template}/body.html").render(values),
        )
    finally:
        i18n.current_language.reset(token)


def compose(
    settings: Settings, *, to: str, language: str, template: str, subject: str, **context: Any
) -> EmailMessage:
    """A message to ``to`` in ``language`` (see ``render``)."""
    rendered = render(language, template=template, subject=subject, **context)
    return new_message(settings, to=to, subject=rendered.subject, text=rendered.text, html=rendered.html)


class Addressee(Protocol):
    """Someone who wrote to the hub (a request, a registration ...): an address, and the language
    they wrote in."""

    @property
    def email(self) -> str: ...

    @property
    def language(self) -> str: ...


def compose_to(
    settings: Settings,
    person: Addressee,
    *,
    template: str,
    subject: str,
    route: str,
    route_params: Mapping[str, Any],
    **context: Any,
) -> EmailMessage:
    """A message to ``person`` in the language they wrote in; ``url`` in the template is the page
    of ``route`` (``hub.urls``) in that language."""
    url = absolute_url(settings.base_url, route, lang=person.language, **route_params)
    return compose(
        settings,
        to=person.email,
        language=person.language,
        template=template,
        subject=subject,
        url=url,
        **context,
    )


def compose_bilingual(
    settings: Settings,
    *,
    to: Sequence[str],
    template: str,
    subject: str,
    route: str,
    route_params: Mapping[str, Any],
    **context: Any,
) -> list[EmailMessage]:
    """One message for each of ``to`` in Dutch and English (for people whose language the hub does
    not know); ``url`` in the template is the page of ``route`` (``hub.urls``) in each language."""
    parts = [
        render(
            language,
            template=template,
            subject=subject,
            url=absolute_url(settings.base_url, route, lang=language, **route_params),
            **context,
        )
        for language in i18n.LANGUAGES
    ]
    return [
        new_message(
            settings,
            to=address,
            subject=" · ".join(part.subject for part in parts),
            text="\n\n".join(part.text for part in parts),
            html="<hr>".join(part.html for part in parts),
        )
        for address in to
    ]


def deliver(settings: Settings, messages: Sequence[EmailMessage]) -> None:
    """Send ``messages`` (SMTP) or keep them (maildir). Raises OSError/SMTPException on failure."""
    if not messages:
        return
    if not settings.smtp_host:
        box = mailbox.Maildir(settings.maildir, create=True)
        for message in messages:
            box.add(message)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        for message in messages:
            smtp.send_message(message)


def send_now(settings: Settings, *messages: EmailMessage) -> bool:
    """Send at once, for notices after a person's action: False (logged) if it failed.

    What the person did is saved before this is called; a mail server that is down must not undo it.
    """
    try:
        deliver(settings, messages)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send %r to %s", messages[0]["Subject"], [m["To"] for m in messages])
        return False
    return True
