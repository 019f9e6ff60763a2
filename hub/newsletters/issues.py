"""Issues as editors and readers see them: writing, scheduling and cancelling; counts; the archive.

An issue is written as a draft and stays editable until it starts sending: a change, a schedule
or a cancellation is one UPDATE whose WHERE clause holds the status it needs, so an editor never
overwrites an issue the scheduler has just started (``sending.start_due_issues``). A cancelled
issue that never started may be edited and scheduled again; one that started (its deliveries
exist) stays cancelled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from hub.accounts.services import audit
from hub.db import utcnow
from hub.i18n import LANGUAGES, TIMEZONE, local_moment
from hub.i18n import gettext as _
from hub.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Interest,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.newsletters.tokens import Interests
from hub.pagination import Page, paginate
from hub.refusals import Invalid

PER_PAGE = 20
FEED_SIZE = 20
DEFAULT_SINCE = dt.timedelta(days=30)
FIELDS = ("subject_nl", "subject_en", "intro_nl", "intro_en", "since")


def editable(issue: NewsletterIssue) -> bool:
    """Whether the issue's text and time may still change (it has not started sending)."""
    return issue.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED) or (
        issue.status == IssueStatus.CANCELLED and issue.started_at is None
    )


def cancellable(issue: NewsletterIssue) -> bool:
    return issue.status in (IssueStatus.SCHEDULED, IssueStatus.SENDING)


def _editable() -> ColumnElement[bool]:
    """``editable`` as SQL, for the WHERE clause of a change."""
    return or_(
        NewsletterIssue.status.in_([IssueStatus.DRAFT, IssueStatus.SCHEDULED]),
        and_(NewsletterIssue.status == IssueStatus.CANCELLED, NewsletterIssue.started_at.is_(None)),
    )


# --- the editors' list ----------------------------------------------------------------------------


def list_issues(session: Session, *, page: int, per_page: int = PER_PAGE) -> Page[NewsletterIssue]:
    """Every issue, the newest first (by id: the primary key's order)."""
    statement = select(NewsletterIssue).order_by(NewsletterIssue.id.desc())
    return paginate(session, statement, page=page, per_page=per_page)


def delivery_counts(session: Session, *, issue_ids: Collection[int]) -> dict[int, dict[DeliveryStatus, int]]:
    """Deliveries per issue and status (sent, failed, pending), for issues that started sending.

    One grouped query over ``ix_newsletter_deliveries_queue`` (issue, status, id).
    """
    counts: dict[int, dict[DeliveryStatus, int]] = {}
    if not issue_ids:
        return counts
    rows = session.execute(
        select(Delivery.issue_id, Delivery.status, func.count())
        .where(Delivery.issue_id.in_(sorted(issue_ids)))
        .group_by(Delivery.issue_id, Delivery.status)
    )
    for issue_id, status, count in rows:
        counts.setdefault(issue_id, dict.fromkeys(DeliveryStatus, 0))[status] = count
    return counts


def get_issue(session: Session, *, issue_id: int) -> NewsletterIssue | None:
    return session.get(NewsletterIssue, issue_id)


def last_sent_at(session: Session) -> dt.datetime | None:
    """When the newest sent issue finished sending (the next issue's digest starts there)."""
    return session.scalar(
        select(func.max(NewsletterIssue.finished_at)).where(NewsletterIssue.status == IssueStatus.SENT)
    )


def default_since(session: Session, *, now: dt.datetime | None = None) -> dt.datetime:
    """Where a new issue's digest starts: when the last one finished sending, or 30 days ago."""
    return last_sent_at(session) or (now or utcnow()) - DEFAULT_SINCE


def since_of(session: Session, *, day: dt.date) -> dt.datetime:
    """The moment a digest starting on ``day`` (Brussels) starts: the last issue's finish when it
    finished that day (nothing it had is repeated), else the start of the day."""
    last = last_sent_at(session)
    if last is not None and local_moment(last).date() == day:
        return last
    start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(TIMEZONE))
    return start.astimezone(dt.UTC)


# --- changes --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IssueInput:
    """An issue's values (``FIELDS``), typed: its subject and introduction in each language, and
    the moment its digest starts (UTC)."""

    since: dt.datetime
    subject_nl: str = ""
    subject_en: str = ""
    intro_nl: str = ""
    intro_en: str = ""

    @classmethod
    def of(cls, issue: NewsletterIssue) -> IssueInput:
        """The issue's values as they are (the start of a change to some of them)."""
        return cls(**{name: getattr(issue, name) for name in FIELDS})

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def subject(self) -> str:
        """The line naming the issue in the audit log."""
        return self.subject_nl or self.subject_en


def subject_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """An issue has a subject in at least one language."""
    if any(values.get(f"subject_{code}") for code in LANGUAGES):
        return {}
    return {"subject": _("Write the subject in at least one language.")}


def since_errors(since: dt.datetime | None, *, now: dt.datetime) -> dict[str, str]:
    """The digest starts today or before (in Brussels)."""
    if since is not None and local_moment(since).date() > local_moment(now).date():
        return {"since": _("The digest cannot start in the future.")}
    return {}


def errors_of(data: IssueInput, *, now: dt.datetime) -> dict[str, str]:
    """The rules ``data`` breaks, by field (empty if none)."""
    return {**subject_errors(data.values()), **since_errors(data.since, now=now)}


def create_issue(
    session: Session, *, data: IssueInput, user_id: int, now: dt.datetime | None = None
) -> NewsletterIssue:
    """A new draft from ``data``, audited in the name of ``user_id``. Raises Invalid."""
    _check(data, now)
    values = data.values()
    issue = NewsletterIssue(created_by_id=user_id, status=IssueStatus.DRAFT, **values)
    session.add(issue)
    session.flush()
    _audit(session, issue.id, user_id, "create", data.subject, after=values)
    return issue


def update_issue(
    session: Session,
    *,
    issue: NewsletterIssue,
    data: IssueInput,
    user_id: int,
    now: dt.datetime | None = None,
) -> bool:
    """Change an issue that has not started sending; False if it has (nothing is written).
    Raises Invalid."""
    _check(data, now)
    values = data.values()
    before = {name: getattr(issue, name) for name in values}
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return editable(issue)
    if not _change(session, issue, changed):
        return False
    _audit(
        session,
        issue.id,
        user_id,
        "update",
        data.subject,
        before={name: before[name] for name in changed},
        after=changed,
    )
    return True


def _check(data: IssueInput, now: dt.datetime | None) -> None:
    errors = errors_of(data, now=now or utcnow())
    if errors:
        raise Invalid(errors)


def schedule_issue(session: Session, *, issue: NewsletterIssue, at: dt.datetime, user_id: int) -> bool:
    """The issue will be sent at ``at`` (UTC); False if it has started sending or was sent."""
    if not _change(session, issue, {"status": IssueStatus.SCHEDULED, "scheduled_for": at}):
        return False
    _audit(session, issue.id, user_id, "schedule", at.isoformat(), after={"scheduled_for": at})
    return True


def cancel_issue(session: Session, *, issue: NewsletterIssue, user_id: int) -> bool:
    """A scheduled or sending issue is cancelled (a sender stops at its next batch); False if not."""
    result = session.execute(
        update(NewsletterIssue)
        .where(
            NewsletterIssue.id == issue.id,
            NewsletterIssue.status.in_([IssueStatus.SCHEDULED, IssueStatus.SENDING]),
        )
        .values(status=IssueStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.expire(issue)
    _audit(session, issue.id, user_id, "cancel", issue.subject_nl or issue.subject_en)
    return True


def _change(session: Session, issue: NewsletterIssue, values: dict[str, Any]) -> bool:
    result = session.execute(
        update(NewsletterIssue)
        .where(NewsletterIssue.id == issue.id, _editable())
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.expire(issue)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _audit(
    session: Session,
    issue_id: int,
    user_id: int,
    action: str,
    summary: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    def plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        return {k: v.isoformat() if isinstance(v, dt.datetime) else str(v) for k, v in values.items()}

    audit(
        session,
        user=None,
        user_id=user_id,
        action=action,
        entity=NewsletterIssue.__tablename__,
        entity_id=issue_id,
        summary=summary,
        before=plain(before),
        after=plain(after),
    )


# --- who gets which version -----------------------------------------------------------------------


def segment_recipients(session: Session, *, language: str, interests: Interests) -> int:
    """Confirmed subscribers of ``language`` who follow exactly ``interests`` (none: nothing at all).

    These are the subscribers who get that version of the issue (a segment, as the sender
    groups them). Read through ``ix_subscriptions_status`` and the interests' primary key.
    """
    own = Interest.subscription_id == Subscription.id
    statement = select(func.count()).where(
        Subscription.status == SubscriptionStatus.CONFIRMED, Subscription.language == language
    )
    if not interests:
        statement = statement.where(~exists().where(own))
    else:
        listed = or_(
            *(and_(Interest.kind == kind, Interest.ref_id == ref) for kind, ref in sorted(interests))
        )
        followed = select(func.count()).where(own).correlate(Subscription).scalar_subquery()
        statement = statement.where(~exists().where(own, ~listed), followed == len(interests))
    return session.scalar(statement) or 0


def confirmed_subscribers(session: Session, *, language: str) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Subscription.status == SubscriptionStatus.CONFIRMED, Subscription.language == language
            )
        )
        or 0
    )


# --- the public archive ---------------------------------------------------------------------------


def sent_statement() -> Select[NewsletterIssue]:
    return select(NewsletterIssue).where(NewsletterIssue.status == IssueStatus.SENT)


def sent_issues(session: Session, *, page: int, per_page: int = PER_PAGE) -> Page[NewsletterIssue]:
    """Sent issues, the newest first (``ix_newsletter_issues_due`` finds them by status)."""
    statement = sent_statement().order_by(NewsletterIssue.finished_at.desc(), NewsletterIssue.id.desc())
    return paginate(session, statement, page=page, per_page=per_page)


def feed_issues(session: Session, *, limit: int = FEED_SIZE) -> Sequence[NewsletterIssue]:
    statement = (
        sent_statement().order_by(NewsletterIssue.finished_at.desc(), NewsletterIssue.id.desc()).limit(limit)
    )
    return session.scalars(statement).all()


def get_sent_issue(session: Session, *, issue_id: int) -> NewsletterIssue | None:
    return session.scalar(sent_statement().where(NewsletterIssue.id == issue_id))
