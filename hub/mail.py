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
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from hub import i18n
from hub.settings import Settings


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


def compose(
    settings: Settings, *, to: str, language: str, template: str, subject: str, **context: Any
) -> EmailMessage:
    """A message rendered in ``language`` from ``templates/email/<template>/body.{txt,html}``.

    ``subject`` is a msgid, translated here with the message's ``context`` as its values.
    """
    token = i18n.current_language.set(language)
    try:
        values = {"lang": language, "base_url": settings.base_url.rstrip("/"), **context}
        env = _templates()
        text = env.get_template(f"email/{template}/body.txt").render(values)
        html = env.get_template(f"email/{template}/body.html").render(values)
        title = i18n.gettext(subject, **{k: v for k, v in context.items() if isinstance(v, str)})
    finally:
        i18n.current_language.reset(token)
    return new_message(settings, to=to, subject=title, text=text, html=html)


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


def send_now(settings: Settings, message: EmailMessage) -> bool:
    """Send one message at once, for a notice after a person's action: False (logged) if it failed.

    What the person did is saved before this is called; a mail server that is down must not undo it.
    """
    try:
        deliver(settings, [message])
    except (OSError, smtplib.SMTPException):
        log.exception("could not send %r to %s", message["Subject"], message["To"])
        return False
    return True
