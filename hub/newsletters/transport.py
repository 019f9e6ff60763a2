"""Getting an issue's messages out: made personal cheaply, sent over one kept connection, paced.

``Prepared`` is an issue rendered for one segment, turned once into message bytes with holes;
making it personal is then a few string and bytes operations (the quoted-printable encoding in
C) instead of building an ``EmailMessage`` per subscriber, which cost about 3.5 ms a message —
more than the SMTP exchange itself. The result is the message ``rendering.personalise`` makes
(the same headers, in the same order, with the subscriber's own To, Date, Message-ID and
List-Unsubscribe; the same text and HTML with the subscriber's links); a test compares the two.
"""

from __future__ import annotations

import binascii
import mailbox
import re
import secrets
import smtplib
import ssl
import threading
import time
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from hub import mail
from hub.newsletters.models import Subscription
from hub.newsletters.rendering import LONG_HEADERS, PREFERENCES, UNSUBSCRIBE, OwnLinks, personalise
from hub.settings import Settings

# An address that needs no quoting or encoding in a header (anything else takes the slow path).
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
VARIABLE = {b"to", b"date", b"message-id", b"list-unsubscribe"}
MIME = {b"content-type", b"content-transfer-encoding", b"mime-version"}
PROBE_EMAIL = "probe@example.invalid"
SMTP_UTF8 = LONG_HEADERS.clone(linesep="\r\n", utf8=True)


class Prepared:
    """One segment's message, ready to be made personal for each of its subscribers."""

    def __init__(self, settings: Settings, rendered: mail.Rendered, language: str) -> None:
        self.settings = settings
        self.rendered = rendered
        self.language = language
        self.domain = urlsplit(settings.base_url).hostname or "localhost"
        self.links = OwnLinks(settings, language)
        probe = Subscription(id=0, email=PROBE_EMAIL, key="0" * 32, language=language)
        message = personalise(settings, rendered, probe, language)
        head = message.as_bytes(policy=message.policy.clone(linesep="\r\n")).split(b"\r\n\r\n", 1)[0]
        # The probe's headers, in their order: fixed ones kept as bytes, variable ones as slots.
        self.head: list[bytes | str] = []
        for field in re.split(rb"\r\n(?![ \t])", head):
            name = field.split(b":", 1)[0].strip().lower()
            if name in VARIABLE:
                self.head.append(name.decode())
            elif name not in MIME:
                self.head.append(field + b"\r\n")
        boundary = f"=_hub_{secrets.token_hex(12)}".encode()  # "=_" never occurs in quoted-printable
        part = (
            b'\r\n--%s\r\nContent-Type: text/%s; charset="utf-8"\r\n'
            b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        self.body: list[bytes | str] = [
            b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="%s"\r\n' % boundary,
            part % (boundary, b"plain"),
            *_encoded(rendered.text),
            part.removeprefix(b"\r\n") % (boundary, b"html"),
            *_encoded(rendered.html),
            b"--%s--\r\n" % boundary,
        ]

    def message(self, subscription: Subscription) -> tuple[bytes, bool]:
        """The subscriber's message as bytes (CRLF), and whether it needs SMTPUTF8."""
        if not PLAIN_ADDRESS.fullmatch(subscription.email):
            message = personalise(self.settings, self.rendered, subscription, self.language)
            return message.as_bytes(policy=SMTP_UTF8), not subscription.email.isascii()
        own = self.links(subscription)
        values = {
            "to": f"To: {subscription.email}\r\n",
            "date": f"Date: {formatdate(localtime=False, usegmt=True)}\r\n",
            "message-id": f"Message-ID: {make_msgid(domain=self.domain)}\r\n",
            "list-unsubscribe": f"List-Unsubscribe: <{own['one_click']}>\r\n",
        }
        preferences, unsubscribe = own["preferences"], own["unsubscribe"]
        parts = [part if isinstance(part, bytes) else values[part].encode() for part in self.head]
        parts += [
            part
            if isinstance(part, bytes)
            else _qp(part.replace(PREFERENCES, preferences).replace(UNSUBSCRIBE, unsubscribe))
            for part in self.body
        ]
        return b"".join(parts), False


def _encoded(text: str) -> list[bytes | str]:
    """``text`` with CRLF line ends, quoted-printable: the lines without a placeholder encoded now
    (once per segment), those with one left as text, to be filled and encoded per subscriber.

    Quoted-printable encodes each line on its own (a soft break never crosses a line end), so
    encoding the runs of lines apart gives the same bytes as encoding the whole text.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (text if text.endswith("\n") else text + "\n").splitlines(keepends=True)
    parts: list[bytes | str] = []
    fixed: list[str] = []
    for line in lines:
        line = line.removesuffix("\n") + "\r\n"
        if PREFERENCES in line or UNSUBSCRIBE in line:
            if fixed:
                parts.append(_qp("".join(fixed)))
                fixed = []
            parts.append(line)
        else:
            fixed.append(line)
    if fixed:
        parts.append(_qp("".join(fixed)))
    return parts


def _qp(text: str) -> bytes:
    return binascii.b2a_qp(text.encode("utf-8"), istext=True)


class ConnectionFailed(Exception):
    """The mail server could not be reached, dropped the connection, or refused our sender.

    ``in_message``: it happened while a message was under way (that message counts an attempt,
    so that a message which always breaks the connection is set aside in the end).
    """

    def __init__(self, reason: str, *, in_message: bool = False) -> None:
        super().__init__(reason)
        self.in_message = in_message


class SmtpTransport:
    """One SMTP connection (STARTTLS and login as in hub.mail), opened on first use and kept."""

    IDLE_SECONDS = 20.0  # a connection unused this long may have been closed by the server: renew it

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.used = 0.0

    def open(self) -> smtplib.SMTP:
        settings = self.settings
        try:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
            try:
                if settings.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.smtp_username:
                    smtp.login(settings.smtp_username, settings.smtp_password)
            except BaseException:
                smtp.close()
                raise
        except OSError as error:  # smtplib's errors are OSErrors too
            raise ConnectionFailed(describe(error)) from error
        self.smtp = smtp
        return smtp

    def send(self, data: bytes, recipient: str, *, smtputf8: bool = False) -> None:
        """Raises ConnectionFailed, or an SMTPException that concerns this message only."""
        smtp = self.smtp
        if smtp is not None and (smtp.sock is None or time.monotonic() - self.used > self.IDLE_SECONDS):
            self.close()
            smtp = None
        if smtp is None:
            smtp = self.open()
        options = ["SMTPUTF8", "BODY=8BITMIME"] if smtputf8 else []
        try:
            smtp.sendmail(self.settings.mail_from, [recipient], data, mail_options=options)
        except smtplib.SMTPSenderRefused as error:  # our sender, not this recipient: stop the batch
            raise ConnectionFailed(describe(error)) from error
        except smtplib.SMTPServerDisconnected as error:
            self.close()
            raise ConnectionFailed(describe(error), in_message=True) from error
        except smtplib.SMTPException:
            if smtp.sock is None:  # a 421 closed the connection after the refusal
                self.close()
            raise
        except OSError as error:  # reset, timed out
            self.close()
            raise ConnectionFailed(describe(error), in_message=True) from error
        finally:
            self.used = time.monotonic()

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if smtp.sock is not None:
                smtp.quit()
        except OSError:
            pass
        finally:
            smtp.close()


class MaildirTransport:
    """The embedded default without a mail server: each message a file in the maildir."""

    _lock = threading.Lock()  # Maildir's unique file names are not thread-safe

    def __init__(self, settings: Settings) -> None:
        with self._lock:  # the workers start together: one creates the folders
            settings.maildir.parent.mkdir(parents=True, exist_ok=True)
            self.box = mailbox.Maildir(settings.maildir, create=True)

    def send(self, data: bytes, recipient: str, *, smtputf8: bool = False) -> None:
        try:
            with self._lock:
                self.box.add(data.replace(b"\r\n", b"\n"))  # a maildir file has the system's line ends
        except OSError as error:
            raise ConnectionFailed(describe(error)) from error

    def close(self) -> None:
        pass


Transport = SmtpTransport | MaildirTransport


def make_transport(settings: Settings) -> Transport:
    return SmtpTransport(settings) if settings.smtp_host else MaildirTransport(settings)


def describe(error: BaseException) -> str:
    """An error as the text kept in ``Delivery.last_error`` (the server's own reply if it gave one)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(text)}" for code, text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def permanent_refusal(error: smtplib.SMTPException) -> bool:
    """A 5xx answer to RCPT: the address does not take mail (a bounce)."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        500 <= code < 600 for code, _ in error.recipients.values()
    )


class RateLimit:
    """At most ``rate`` messages a second over all the workers of a send (0: no limit).

    A token bucket holding one token: each message takes the next free slot, ``1 / rate`` after
    the one before, so the workers together never go faster and never burst.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take the next free slot; how many seconds from now it is (to wait before sending)."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        return slot - now

    def wait(self) -> None:
        delay = self.reserve()
        if delay > 0:
            time.sleep(delay)
