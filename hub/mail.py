"""Sending e-mail: through the SMTP server of ``HUB_SMTP_*``, or else into a local maildir.

The embedded default has no mail server, so messages are written to ``<data_dir>/maildir`` (one
file each, readable with any mail client that opens a maildir) instead of being lost. Over SMTP
one connection carries every message of a call.
"""

from __future__ import annotations

import mailbox
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

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
