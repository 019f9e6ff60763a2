"""Sending an issue through a real SMTP server: one delivery per confirmed subscriber, each message
for its segment and made personal, refusals retried and set aside, pacing, cancelling, resuming.

Sending runs several workers (threads, each with its own database connection), so these tests
commit: each backend has a database of its own for this module, emptied after every test.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

import hub.models  # noqa: F401  (every model, so that relationships resolve)
from hub import migrate
from hub.app import create_app
from hub.db import make_engine, make_sessionmaker, metadata, utcnow
from hub.newsletters import queue, segments, sending, tokens
from hub.newsletters.models import (
    ConsentEvent,
    Delivery,
    DeliveryStatus,
    Interest,
    InterestKind,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.newsletters.rendering import PREFERENCES, UNSUBSCRIBE, Segment, links, personalise, render_issue
from hub.newsletters.transport import Prepared, SmtpTransport
from hub.scheduler import Scheduler
from hub.settings import Settings
from hub.sync.runner import RunSettings
from tests import factories
from tests.conftest import BACKENDS, create_database_url, drop_database
from tests.mail import Inbox, html_of, smtp_settings, text_of
from tests.servers import free_port, hub_environment, run_hub

BASE = "http://testserver"
NO_WAIT = dt.timedelta(0)


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def send_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    admin_url = request.getfixturevalue("postgres_admin_url") if request.param == "postgresql" else None
    url, handle = create_database_url(request.param, tmp_path_factory, admin_url)
    engine = make_engine(url, pool_size=5)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    drop_database(admin_url, handle)


@pytest.fixture
def committed(send_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on the module's database; every table is emptied after the test."""
    yield make_sessionmaker(send_engine)
    with send_engine.begin() as connection:
        if send_engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())


class Refusing(Inbox):
    """An inbox whose server refuses some recipients with a permanent error (550)."""

    def __init__(self, refused: set[str] | None = None) -> None:
        super().__init__()
        self.refused = refused or set()
        self.refusals: list[str] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refused:
            self.refusals.append(address)
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextmanager
def smtp(handler: Inbox) -> Iterator[int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def server() -> Iterator[tuple[Refusing, int]]:
    handler = Refusing()
    with smtp(handler) as port:
        yield handler, port


def mail_settings(tmp_path: Path, port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"base_url": BASE, "newsletter_batch_size": 4, "newsletter_connections": 3}
    return smtp_settings(tmp_path, port, **{**values, **overrides})


def subscribe(
    session: Session,
    email_address: str,
    *,
    language: str = "nl",
    status: SubscriptionStatus = SubscriptionStatus.CONFIRMED,
    interests: tuple[tuple[InterestKind, int], ...] = (),
    **fields: Any,
) -> Subscription:
    subscription = Subscription(email=email_address, language=language, status=status, **fields)
    subscription.interests = [Interest(kind=kind, ref_id=ref) for kind, ref in interests]
    session.add(subscription)
    session.flush()
    return subscription


def new_issue(session: Session, **fields: Any) -> NewsletterIssue:
    values: dict[str, Any] = {
        "subject_nl": "Nieuws uit het netwerk",
        "subject_en": "News from the network",
        "intro_nl": "Beste lezer,\n\nHier is ons nieuws.",
        "intro_en": "Dear reader,\n\nHere is our news.",
        "since": utcnow() - dt.timedelta(days=30),
        "status": IssueStatus.SCHEDULED,
        "scheduled_for": utcnow() - dt.timedelta(minutes=1),
    }
    issue = NewsletterIssue(**{**values, **fields})
    session.add(issue)
    session.flush()
    return issue


def start(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return sending.start_due_issues(session, now=utcnow())


def send(
    sessions: sessionmaker[Session], issue_id: int, settings: Settings, **options: Any
) -> sending.SendResult:
    return sending.send_issue(
        sessions, issue_id=issue_id, settings=settings, owner="test", retry_after=NO_WAIT, **options
    )


def addresses(inbox: Inbox) -> list[str]:
    return sorted(address for recipients, _ in inbox.received for address in recipients)


def plain(value: str) -> str:
    return value.replace("\r\n", "\n").rstrip("\n")


def counts(sessions: sessionmaker[Session], issue_id: int) -> dict[DeliveryStatus, int]:
    with sessions() as session:
        return queue.delivery_counts(session, issue_id=issue_id)


# -- starting -------------------------------------------------------------------------------


def test_a_due_issue_gets_one_delivery_per_confirmed_subscriber_once(
    committed: sessionmaker[Session],
) -> None:
    with committed() as session:
        confirmed = [subscribe(session, f"reader{n}@example.org") for n in range(3)]
        for status in (
            SubscriptionStatus.PENDING,
            SubscriptionStatus.UNSUBSCRIBED,
            SubscriptionStatus.BOUNCED,
        ):
            subscribe(session, f"{status.value}@example.org", status=status)
        due = new_issue(session)
        later = new_issue(session, scheduled_for=utcnow() + dt.timedelta(hours=1))
        draft = new_issue(session, status=IssueStatus.DRAFT, scheduled_for=None)
        session.commit()
    assert start(committed) == [due.id]
    assert start(committed) == []  # started once
    with committed() as session:
        assert queue.create_deliveries(session, issue_id=due.id) == 3  # and again: nobody twice
        session.commit()
        rows = session.scalars(select(Delivery.subscription_id).where(Delivery.issue_id == due.id)).all()
        assert sorted(rows) == sorted(s.id for s in confirmed)
        started = session.get(NewsletterIssue, due.id)
        assert started is not None
        assert started.status is IssueStatus.SENDING and started.started_at is not None
        assert started.recipients == 3
        assert (
            session.scalar(select(func.count()).select_from(Delivery).where(Delivery.issue_id != due.id)) == 0
        )
        statuses = dict(session.execute(select(NewsletterIssue.id, NewsletterIssue.status)).all())
        assert statuses[later.id] is IssueStatus.SCHEDULED
        assert statuses[draft.id] is IssueStatus.DRAFT


# -- sending --------------------------------------------------------------------------------


def test_every_confirmed_subscriber_gets_one_message_for_their_segment(
    committed: sessionmaker[Session],
    server: tuple[Refusing, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, port = server
    settings = mail_settings(tmp_path, port)
    with committed() as session:
        gdca = factories.programme(session, "gdca")
        procirc = factories.programme(session, "procirc")
        new = {"starts_on": None}  # new by arriving (a pilot with no start date yet)
        factories.pilot(
            session, gdca, title_nl="Herbruikbaar meubilair", title_en="Reusable furniture", **new
        )
        factories.pilot(session, procirc, title_nl="Circulaire bruggen", title_en="Circular bridges", **new)
        readers = [
            subscribe(session, "an@example.org", language="nl"),
            subscribe(session, "bo@example.org", language="en"),
            subscribe(
                session, "cas@example.org", language="nl", interests=((InterestKind.PROGRAMME, gdca.id),)
            ),
            subscribe(
                session, "dee@example.org", language="en", interests=((InterestKind.PROGRAMME, gdca.id),)
            ),
            subscribe(
                session, "eef@example.org", language="en", interests=((InterestKind.PROGRAMME, procirc.id),)
            ),
        ]
        readers += [
            subscribe(session, f"more{n}@example.org", language=("nl", "en")[n % 2]) for n in range(10)
        ]
        subscribe(session, "waiting@example.org", status=SubscriptionStatus.PENDING)
        subscribe(session, "left@example.org", status=SubscriptionStatus.UNSUBSCRIBED)
        subscribe(session, "bounced@example.org", status=SubscriptionStatus.BOUNCED)
        issue = new_issue(session)
        session.commit()
    rendered: list[Segment] = []

    def counting(session: Session, *, segment: Segment, **kwargs: Any) -> Any:
        rendered.append(segment)
        return render_issue(session, segment=segment, **kwargs)

    monkeypatch.setattr(segments, "render_issue", counting)
    start(committed)
    result = send(committed, issue.id, settings)

    assert result.finished and result.sent == len(readers)
    assert addresses(inbox) == sorted(r.email for r in readers)  # each exactly once, nobody else
    assert sorted(map(repr, rendered)) == sorted(map(repr, set(rendered)))  # each segment rendered once
    assert len(rendered) == 5  # nl, en, nl+gdca, en+gdca, en+procirc
    with committed() as session:
        sent = session.get(NewsletterIssue, issue.id)
        assert sent is not None and sent.status is IssueStatus.SENT and sent.finished_at is not None
        assert counts(committed, issue.id)[DeliveryStatus.SENT] == len(readers)
        for reader in readers:
            (message,) = inbox.to(reader.email)
            segment = Segment(reader.language, frozenset((i.kind, i.ref_id) for i in reader.interests))
            expected = render_issue(session, issue=sent, segment=segment, settings=settings)
            own = links(settings, reader, reader.language)
            for body, template in ((text_of(message), expected.text), (html_of(message), expected.html)):
                filled = template.replace(PREFERENCES, own["preferences"]).replace(
                    UNSUBSCRIBE, own["unsubscribe"]
                )
                assert plain(body) == plain(filled)
            assert message["Subject"] == (
                "Nieuws uit het netwerk" if reader.language == "nl" else "News from the network"
            )
            assert message["To"] == reader.email
            assert message["List-Unsubscribe"] == f"<{own['one_click']}>"
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            token = own["one_click"].rsplit("/", 1)[1]
            assert tokens.read_manage_token(settings, token) == (reader.id, reader.key)

    # The digest follows the segment: a ProCirc reader does not get the GDCA pilot.
    assert "Reusable furniture" in text_of(inbox.to("dee@example.org")[0])
    assert "Circular bridges" not in text_of(inbox.to("dee@example.org")[0])
    assert "Circular bridges" in text_of(inbox.to("eef@example.org")[0])
    assert "Herbruikbaar meubilair" in text_of(inbox.to("an@example.org")[0])

    # The one-click header works: a mail program's POST to it unsubscribes.
    (message,) = inbox.to("bo@example.org")
    path = str(message["List-Unsubscribe"]).strip("<>").removeprefix(BASE)
    with TestClient(create_app(settings, sessions=committed)) as client:
        answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    with committed() as session:
        left = session.scalar(select(Subscription).where(Subscription.email == "bo@example.org"))
        assert left is not None and left.status is SubscriptionStatus.UNSUBSCRIBED


def test_the_prepared_message_is_the_message_personalise_makes(tmp_path: Path) -> None:
    settings = Settings.load(
        environ={}, secret_key="test-secret-of-at-least-32-characters", base_url=BASE, data_dir=tmp_path
    )
    issue = NewsletterIssue(id=7, subject_nl="Nieuws · één " + "lang " * 40, since=utcnow(), intro_nl="x")
    rendered = factories_rendered(issue)
    prepared = Prepared(settings, rendered, "nl")
    for subscription in (
        Subscription(id=12, email="reader@example.org", key="k" * 32, language="nl"),
        Subscription(id=13, email='"odd name"@example.org', key="j" * 32, language="nl"),
    ):
        data, smtputf8 = prepared.message(subscription)
        assert not smtputf8
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
        if subscription.id == 12:  # made here, not by the email package (the odd address's way)
            body = data.split(b"\r\n\r\n", 1)[1]
            assert max(map(len, body.split(b"\r\n"))) <= 76  # quoted-printable's limit, links included
        ours = parse(data)
        theirs = parse(personalise(settings, rendered, subscription, "nl").as_bytes())
        assert headers(ours) == headers(theirs)
        assert plain(text_of(ours)) == plain(text_of(theirs))
        assert plain(html_of(ours)) == plain(html_of(theirs))
        assert links(settings, subscription, "nl")["unsubscribe"] in text_of(ours)
    data, smtputf8 = prepared.message(
        Subscription(id=14, email="jörg@example.org", key="i" * 32, language="nl")
    )
    assert smtputf8 and parse(data)["To"] == "jörg@example.org"


def factories_rendered(issue: NewsletterIssue) -> Any:
    from hub import mail

    return mail.Rendered(
        issue.subject_nl,
        f"Hallo · één\n\nWijzig: {PREFERENCES}\nWeg: {UNSUBSCRIBE}\n. punt\n" + "tekst " * 60 + "\n",
        f'<p>Hallo · één</p>\n<a href="{PREFERENCES}">wijzig</a> <a href="{UNSUBSCRIBE}">weg</a>',
    )


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def headers(message: EmailMessage) -> list[tuple[str, str]]:
    """Every header but those that differ by design (a fresh Date and Message-ID, the boundary)."""
    skip = {"date", "message-id", "content-type"}
    assert message.get_content_type() == "multipart/alternative"
    return sorted((name.lower(), str(value)) for name, value in message.items() if name.lower() not in skip)


def test_a_refused_recipient_is_retried_set_aside_and_bounces_without_blocking_the_rest(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    handler = Refusing(refused={"gone@example.org", "gone-again@example.org"})
    with committed() as session:
        readers = [subscribe(session, f"reader{n}@example.org") for n in range(10)]
        subscribe(session, "gone@example.org")
        subscribe(session, "gone-again@example.org", bounces=2, language="en")  # its third bounce
        issue = new_issue(session)
        session.commit()
    start(committed)
    with smtp(handler) as port:
        result = send(committed, issue.id, mail_settings(tmp_path, port, newsletter_batch_size=3))

    assert result.finished
    assert addresses(handler) == sorted(r.email for r in readers)
    assert sorted(handler.refusals) == ["gone-again@example.org"] * 3 + ["gone@example.org"] * 3
    assert (result.sent, result.retried, result.set_aside, result.bounces) == (10, 4, 2, 2)
    with committed() as session:
        failed = session.execute(
            select(Subscription.email, Delivery.attempts, Delivery.last_error, Delivery.status)
            .join(Delivery.subscription)
            .where(Delivery.status != DeliveryStatus.SENT)
            .order_by(Subscription.email)
        ).all()
        assert [(e, a, s) for e, a, _, s in failed] == [
            ("gone-again@example.org", 3, DeliveryStatus.FAILED),
            ("gone@example.org", 3, DeliveryStatus.FAILED),
        ]
        assert all(error.startswith("550 5.1.1") for _, _, error, _ in failed)
        gone = session.scalar(select(Subscription).where(Subscription.email == "gone@example.org"))
        again = session.scalar(select(Subscription).where(Subscription.email == "gone-again@example.org"))
        assert gone is not None and again is not None
        assert (gone.bounces, gone.status) == (1, SubscriptionStatus.CONFIRMED)  # one bounce per issue
        assert gone.last_bounce_at is not None
        assert (again.bounces, again.status) == (3, SubscriptionStatus.BOUNCED)  # the threshold (3)
        events = session.scalars(select(ConsentEvent).where(ConsentEvent.subscription_id == again.id)).all()
        assert [(e.action, e.language) for e in events] == [("bounced", "en")]


def test_a_server_that_is_down_gets_the_batches_back_untouched(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    with committed() as session:
        for n in range(6):
            subscribe(session, f"reader{n}@example.org")
        issue = new_issue(session)
        session.commit()
    start(committed)
    settings = mail_settings(tmp_path, free_port())  # nobody listens there
    began = time.monotonic()
    result = send(committed, issue.id, settings, backoff=0.01)
    assert time.monotonic() - began < 10
    assert not result.finished and result.sent == 0
    assert "ConnectionRefusedError" in result.error
    with committed() as session:
        rows = session.execute(
            select(Delivery.status, Delivery.attempts, Delivery.claimed_by).where(
                Delivery.issue_id == issue.id
            )
        ).all()
        assert set(rows) == {(DeliveryStatus.PENDING, 0, None)}  # no attempt burnt, nothing held
        assert session.scalar(select(NewsletterIssue.status).where(NewsletterIssue.id == issue.id)) is (
            IssueStatus.SENDING
        )
    # Once the server is back, the next run sends them all.
    handler = Refusing()
    with smtp(handler) as port:
        assert send(committed, issue.id, mail_settings(tmp_path, port)).finished
    assert len(handler.received) == 6


def test_the_rate_limit_paces_all_workers_together(
    committed: sessionmaker[Session], server: tuple[Refusing, int], tmp_path: Path
) -> None:
    inbox, port = server
    with committed() as session:
        for n in range(16):
            subscribe(session, f"reader{n}@example.org")
        paced = new_issue(session)
        session.commit()
    start(committed)
    began = time.monotonic()
    result = send(committed, paced.id, mail_settings(tmp_path, port, newsletter_rate=20))
    elapsed = time.monotonic() - began
    assert result.finished and len(inbox.received) == 16
    assert elapsed >= 15 / 20 * 0.9  # 16 messages at 20 a second: 15 intervals of 50 ms at least
    assert elapsed < 10


def test_a_cancelled_issue_stops_being_claimed(
    committed: sessionmaker[Session], server: tuple[Refusing, int], tmp_path: Path
) -> None:
    inbox, port = server
    with committed() as session:
        for n in range(60):
            subscribe(session, f"reader{n}@example.org")
        issue = new_issue(session)
        session.commit()
    start(committed)

    def cancel(progress: sending.SendResult) -> None:
        with committed() as session:
            session.execute(
                update(NewsletterIssue)
                .where(NewsletterIssue.id == issue.id)
                .values(status=IssueStatus.CANCELLED)
            )
            session.commit()

    settings = mail_settings(tmp_path, port, newsletter_batch_size=5)
    result = send(committed, issue.id, settings, progress=cancel)
    assert not result.finished
    assert 5 <= result.sent <= 5 * 3  # the batches in flight when it was cancelled, no more
    assert counts(committed, issue.id)[DeliveryStatus.PENDING] == 60 - result.sent
    again = send(committed, issue.id, settings)
    assert again.sent == 0 and not again.finished
    assert len(inbox.received) == result.sent


def test_who_left_after_the_start_is_skipped_and_not_retried(
    committed: sessionmaker[Session], server: tuple[Refusing, int], tmp_path: Path
) -> None:
    inbox, port = server
    with committed() as session:
        stays = subscribe(session, "stays@example.org")
        leaves = subscribe(session, "leaves@example.org")
        issue = new_issue(session)
        session.commit()
    start(committed)
    with committed() as session:
        session.execute(
            update(Subscription)
            .where(Subscription.id == leaves.id)
            .values(status=SubscriptionStatus.UNSUBSCRIBED)
        )
        session.commit()
    result = send(committed, issue.id, mail_settings(tmp_path, port))
    assert result.finished and (result.sent, result.skipped) == (1, 1)
    assert addresses(inbox) == [stays.email]
    with committed() as session:
        status, attempts, error = session.execute(
            select(Delivery.status, Delivery.attempts, Delivery.last_error).where(
                Delivery.subscription_id == leaves.id
            )
        ).one()
        assert (status, attempts) == (DeliveryStatus.FAILED, 0)
        assert "unsubscribed" in error


def test_a_send_resumes_where_a_dead_process_stopped(
    committed: sessionmaker[Session], server: tuple[Refusing, int], tmp_path: Path
) -> None:
    """A process died holding two batches: one claim has expired (taken over at once), one is still
    live (waited for until it expires). Its marked deliveries are not sent again."""
    inbox, port = server
    with committed() as session:
        readers = [subscribe(session, f"reader{n:02}@example.org") for n in range(12)]
        issue = new_issue(session)
        session.commit()
    start(committed)
    lease = dt.timedelta(seconds=2)
    with committed() as session:
        first = queue.claim_batch(
            session, issue_id=issue.id, owner="dead/0", size=4, lease=lease, now=utcnow() - lease
        )
        queue.record(
            session,
            outcome=queue.Outcome(sent=[first[0].id]),  # it had sent and marked one
            owner="dead/0",
            now=utcnow(),
            retry_after=NO_WAIT,
            bounce_threshold=3,
        )
        second = queue.claim_batch(
            session, issue_id=issue.id, owner="dead/1", size=4, lease=lease, now=utcnow()
        )
    assert len(first) == len(second) == 4
    began = time.monotonic()
    result = send(committed, issue.id, mail_settings(tmp_path, port))
    assert result.finished and result.sent == 11
    assert time.monotonic() - began >= 1  # it waited for the live claim to expire
    assert addresses(inbox) == sorted(r.email for r in readers[1:])  # nobody twice, nobody skipped


def test_the_scheduler_sends_due_issues_and_a_failure_does_not_stop_it(
    committed: sessionmaker[Session],
    server: tuple[Refusing, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox, port = server
    with committed() as session:
        subscribe(session, "reader@example.org")
        issue = new_issue(session)
        session.commit()
    scheduler = Scheduler(committed, jobs={}, run_settings=RunSettings(mail=mail_settings(tmp_path, port)))
    assert scheduler.tick() == [f"newsletter.sent:{issue.id}"]
    assert addresses(inbox) == ["reader@example.org"]

    def broken(*args: Any, **kwargs: Any) -> list[int]:
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr("hub.scheduler.run_due_newsletters", broken)
    with caplog.at_level(logging.ERROR, logger="hub.scheduler"):
        assert scheduler.tick() == []
    assert "sending newsletters failed" in caplog.text


# -- the command ----------------------------------------------------------------------------


def test_hub_newsletter_send_and_status_into_the_maildir(tmp_path: Path) -> None:
    env = hub_environment(
        tmp_path, HUB_SECRET_KEY="test-secret-of-at-least-32-characters", HUB_NEWSLETTER_BATCH_SIZE="7"
    )
    assert run_hub("migrate", env=env).returncode == 0
    engine = create_engine(env["HUB_DATABASE_URL"])
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        for n in range(30):
            subscribe(session, f"reader{n}@example.org", language=("nl", "en")[n % 2])
        issue = new_issue(session, status=IssueStatus.DRAFT, scheduled_for=None)
        session.commit()
    engine.dispose()

    sent = run_hub("newsletter", "send", str(issue.id), env=env)
    assert sent.returncode == 0, sent.stderr
    assert f"Sending issue {issue.id}" in sent.stderr
    assert "30 sent" in sent.stderr and "finished" in sent.stderr
    maildir = tmp_path / "var" / "maildir" / "new"
    files = list(maildir.iterdir())
    assert len(files) == 30
    message = parse(files[0].read_bytes())
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    status = run_hub("newsletter", "status", str(issue.id), env=env)
    assert status.returncode == 0, status.stderr
    lines = dict(line.split("\t", 1) for line in status.stdout.splitlines())
    assert (lines["status"], lines["recipients"], lines["sent"], lines["pending"]) == (
        "sent",
        "30",
        "30",
        "0",
    )

    again = run_hub("newsletter", "send", str(issue.id), env=env)
    assert again.returncode == 0 and "nothing to send" in again.stderr
    missing = run_hub("newsletter", "status", "999", env=env)
    assert missing.returncode == 2 and "no newsletter issue 999" in missing.stderr


def test_accepted_messages_are_marked_before_their_batch_ends(
    committed: sessionmaker[Session],
    server: tuple[Refusing, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a batch of 30 goes out, the database is never more than ``MARK_EVERY`` accepted
    messages behind the mail server: a process killed mid-batch resends at most that many."""
    inbox, port = server
    with committed() as session:
        for n in range(30):
            subscribe(session, f"reader{n:02}@example.org")
        issue = new_issue(session)
        session.commit()
    start(committed)
    behind: list[int] = []
    real_send = SmtpTransport.send

    def send_and_look(self: SmtpTransport, data: bytes, recipient: str, *, smtputf8: bool = False) -> None:
        real_send(self, data, recipient, smtputf8=smtputf8)
        with committed() as session:
            marked = session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.issue_id == issue.id, Delivery.status == DeliveryStatus.SENT)
            )
        behind.append(len(inbox.received) - (marked or 0))

    monkeypatch.setattr(SmtpTransport, "send", send_and_look)
    settings = mail_settings(tmp_path, port, newsletter_batch_size=30, newsletter_connections=1)
    result = send(committed, issue.id, settings)
    assert result.finished and result.sent == 30 and len(behind) == 30
    assert max(behind) == sending.MARK_EVERY  # one whole batch was never unmarked at once
    assert counts(committed, issue.id)[DeliveryStatus.SENT] == 30
