"""One write path for newsletter issues: the typed input, its rules, the audit, and no change once
the issue started sending."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.models import AuditEntry
from hub.newsletters.issues import IssueInput, create_issue, update_issue
from hub.newsletters.models import IssueStatus
from hub.refusals import Invalid
from tests import factories

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
SINCE = dt.datetime(2024, 5, 1, 22, 0, tzinfo=dt.UTC)  # the start of 2 May in Brussels


def test_an_issue_is_created_and_updated_with_its_audit(session: Session) -> None:
    user = factories.user(session)
    data = IssueInput(since=SINCE, subject_en="Spring issue", intro_en="Dear reader,")
    issue = create_issue(session, data=data, user_id=user.id, now=NOW)
    assert issue.status is IssueStatus.DRAFT and issue.created_by_id == user.id
    assert IssueInput.of(issue) == data
    assert update_issue(
        session, issue=issue, data=data, user_id=user.id, now=NOW
    )  # nothing changed: still editable
    changed = dataclasses.replace(data, subject_nl="Lentenummer")
    assert update_issue(session, issue=issue, data=changed, user_id=user.id, now=NOW)
    assert issue.subject_nl == "Lentenummer"
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "newsletter_issues")).all()
    assert [(e.action, e.summary) for e in entries] == [("create", "Spring issue"), ("update", "Lentenummer")]

    issue.status = IssueStatus.SENT
    session.flush()
    assert not update_issue(session, issue=issue, data=data, user_id=user.id, now=NOW)
    assert issue.subject_nl == "Lentenummer"


def test_the_rules_hold_for_every_write(session: Session) -> None:
    user = factories.user(session)
    with pytest.raises(Invalid) as raised:
        create_issue(session, data=IssueInput(since=SINCE), user_id=user.id, now=NOW)
    assert list(raised.value.errors) == ["subject"]
    tomorrow = dt.datetime(2024, 6, 1, 22, 0, tzinfo=dt.UTC)  # 2 June in Brussels
    with pytest.raises(Invalid) as raised:
        create_issue(session, data=IssueInput(since=tomorrow, subject_nl="Juni"), user_id=user.id, now=NOW)
    assert list(raised.value.errors) == ["since"]
    today = dt.datetime(2024, 5, 31, 22, 0, tzinfo=dt.UTC)  # the start of 1 June in Brussels
    assert create_issue(session, data=IssueInput(since=today, subject_nl="Juni"), user_id=user.id, now=NOW).id
