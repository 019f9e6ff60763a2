"""``hub newsletter``: send issues in the foreground (with progress) and see how a send is going."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
from typing import Any, TextIO

from sqlalchemy import select

from hub.db import make_sessionmaker, utcnow, writer_sessions
from hub.newsletters import queue, sending
from hub.newsletters.models import Delivery, DeliveryStatus, IssueStatus, NewsletterIssue, Subscription
from hub.settings import Settings


def add_commands(commands: Any, *, connect: Any, prepare: Any, error: type[Exception]) -> None:
    """Register the commands on the ``hub`` parser (``connect``/``prepare``/``error`` from hub.cli)."""

    def send_command(settings: Settings, args: argparse.Namespace) -> None:
        settings = settings.with_secret_key()  # the signed links must match the web server's
        engine = connect(settings)
        prepare(engine)
        sessions = make_sessionmaker(engine)
        writer = writer_sessions(sessions)
        if args.issue is not None:
            with writer() as session:
                issue = session.get(NewsletterIssue, args.issue)
                if issue is None:
                    raise error(f"there is no newsletter issue {args.issue}")
                if issue.status in (IssueStatus.CANCELLED, IssueStatus.SENT):
                    print(f"Issue {issue.id} is {issue.status.value}: nothing to send.", file=sys.stderr)
                    return
                sending.schedule_now(session, issue_id=issue.id, now=utcnow())
        with writer() as session:
            sending.start_due_issues(session, now=utcnow())
        with sessions() as session:
            issue_ids = [args.issue] if args.issue is not None else sending.sending_issues(session)
        if not issue_ids:
            print("No issue is due.", file=sys.stderr)
            return
        owner = f"{socket.gethostname()}:{os.getpid()}:cli"
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        unfinished = []
        for issue_id in issue_ids:
            with sessions() as session:
                issue = session.get(NewsletterIssue, issue_id)
                assert issue is not None
                counts = queue.delivery_counts(session, issue_id=issue_id)
                label = f"issue {issue_id} ({issue.subject_en or issue.subject_nl})"
            bar = SendProgress(
                label, total=issue.recipients, done=issue.recipients - counts[DeliveryStatus.PENDING]
            )
            print(f"Sending {label} to {issue.recipients:,} subscribers…", file=sys.stderr)
            try:
                result = sending.send_issue(
                    sessions,
                    issue_id=issue_id,
                    settings=settings,
                    owner=owner,
                    progress=bar.update,
                    stop=stop,
                )
            except KeyboardInterrupt:
                bar.finish(f"{label}: stopped; `hub newsletter send {issue_id}` resumes it")
                raise
            bar.finish(summary(label, result))
            if not result.finished:
                unfinished.append((issue_id, result))
            if stop.is_set():
                break
        if unfinished:
            reasons = "; ".join(
                f"issue {issue_id}: {result.error or 'stopped, or waiting for messages to be retried'}"
                for issue_id, result in unfinished
            )
            raise error(f"not finished ({reasons}); run the command again, or let the scheduler resume it")

    def status_command(settings: Settings, args: argparse.Namespace) -> None:
        engine = connect(settings)
        with make_sessionmaker(engine)() as session:
            issue = session.get(NewsletterIssue, args.issue)
            if issue is None:
                raise error(f"there is no newsletter issue {args.issue}")
            counts = queue.delivery_counts(session, issue_id=issue.id)
            print(f"issue\t{issue.id}")
            print(f"subject\t{issue.subject_nl} / {issue.subject_en}")
            print(f"status\t{issue.status.value}")
            for name in ("scheduled_for", "started_at", "finished_at"):
                moment = getattr(issue, name)
                print(f"{name}\t{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else f"{name}\t-")
            print(f"recipients\t{issue.recipients}")
            for status in DeliveryStatus:
                print(f"{status.value}\t{counts[status]}")
            failures = session.execute(
                select(Subscription.email, Delivery.attempts, Delivery.last_error)
                .join(Subscription, Subscription.id == Delivery.subscription_id)
                .where(Delivery.issue_id == issue.id, Delivery.last_error != "")
                .order_by(Delivery.id)
                .limit(args.errors)
            ).all()
            for email, attempts, last_error in failures:
                print(f"error\t{email}\t{attempts} attempt(s)\t{last_error}")

    newsletter = commands.add_parser("newsletter", help="send newsletter issues, see how a send is going")
    actions = newsletter.add_subparsers(required=True, metavar="ACTION")
    send = actions.add_parser(
        "send", help="start due issues and send them now, with progress (or resume a stopped send)"
    )
    send.add_argument(
        "issue", type=int, nargs="?", help="send this issue now (a draft or scheduled one), or resume it"
    )
    send.set_defaults(handler=send_command)
    status = actions.add_parser("status", help="an issue's status and its deliveries")
    status.add_argument("issue", type=int)
    status.add_argument(
        "--errors", type=int, default=20, help="how many failed addresses to list (default 20)"
    )
    status.set_defaults(handler=status_command)


def summary(label: str, result: sending.SendResult) -> str:
    line = (
        f"{label}: {result.sent:,} sent, {result.retried:,} to retry, {result.set_aside:,} set aside "
        f"({result.bounces:,} bounced), {result.skipped:,} skipped (no longer subscribed)"
    )
    return line + (" — finished" if result.finished else " — not finished")


class SendProgress:
    """Messages done of the issue's recipients: one updating line on a terminal, else a line every
    ``every`` seconds (for logs)."""

    WIDTH = 30

    def __init__(
        self, label: str, *, total: int, done: int, stream: TextIO = sys.stderr, every: float = 5
    ) -> None:
        self.label = label
        self.total = total
        self.before = done  # sent or set aside before this run
        self.stream = stream
        self.live = stream.isatty()
        self.every = every
        self.started = self.shown = time.monotonic()

    def update(self, result: sending.SendResult) -> None:
        now = time.monotonic()
        if not self.live and now - self.shown < self.every:
            return
        self.shown = now
        done = self.before + result.sent + result.set_aside + result.skipped
        rate = result.sent / max(now - self.started, 1e-6)
        filled = min(self.WIDTH, self.WIDTH * done // max(self.total, 1))
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"{self.label} [{bar}] {done:,}/{self.total:,}, {rate:,.0f}/s"
        if self.live:
            self.stream.write("\r" + text)
            self.stream.flush()
        else:
            print(text, file=self.stream, flush=True)

    def finish(self, line: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
        print(line, file=self.stream, flush=True)
