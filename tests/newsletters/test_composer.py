"""The newsletter composer in the workspace: who may use it, writing, preview, test, schedule, cancel."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts import services as accounts
from hub.accounts.models import AuditEntry, RoleName
from hub.db import utcnow
from hub.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Interest,
    InterestKind,
    IssueStatus,
    NewsletterIssue,
    Subscription,
    SubscriptionStatus,
)
from hub.programmes.models import Programme
from hub.taxonomy.models import ProductGroup
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import post
from tests.mail import Inbox, html_of, text_of

BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclasses.dataclass
class People:
    editor: str
    coordinator: str
    admin: str
    gdca: Programme
    ict: ProductGroup


@pytest.fixture
def people(session: Session) -> People:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    ict = factories.product_group(session, "ict")
    editor = factories.user(session, "eddie@example.org")
    accounts.grant(session, user=editor, role=RoleName.NEWSLETTER_EDITOR)
    coordinator = factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    admin = factories.user(session, "ada@example.org", admin=True)
    session.commit()
    return People(editor.email, coordinator.email, admin.email, gdca, ict)


@pytest.fixture
def editor(client: TestClient, people: People) -> TestClient:
    log_in(client, people.editor)
    return client


def issue(session: Session, **fields: Any) -> NewsletterIssue:
    values: dict[str, Any] = {
        "subject_nl": "Nieuws uit het netwerk",
        "subject_en": "News from the network",
        "intro_nl": "Beste lezer,",
        "intro_en": "Dear reader,",
        "since": utcnow() - dt.timedelta(days=30),
    }
    record = NewsletterIssue(**{**values, **fields})
    session.add(record)
    session.commit()
    return record


def subscriber(
    session: Session,
    email: str,
    language: str = "en",
    *interests: tuple[InterestKind, int],
    status: SubscriptionStatus = SubscriptionStatus.CONFIRMED,
) -> Subscription:
    record = Subscription(email=email, language=language, status=status)
    record.interests = [Interest(kind=kind, ref_id=ref) for kind, ref in interests]
    session.add(record)
    session.flush()
    return record


def form(**changes: str) -> dict[str, str]:
    values = {
        "since": (dt.date.today() - dt.timedelta(days=14)).isoformat(),
        "subject_nl": "Lentenummer",
        "subject_en": "Spring issue",
        "intro_nl": "Beste lezer,\n\nWelkom.",
        "intro_en": "Dear reader,\n\nWelcome.",
    }
    return {**values, **changes}


def test_only_newsletter_editors_and_administrators_may_compose(
    client: TestClient, people: People, session: Session
) -> None:
    draft = issue(session)
    log_in(client, people.coordinator)
    assert 'coordinator/newsletter"' not in client.get("/en/coordinator/").text
    for path in ("", "/new", f"/{draft.id}", f"/{draft.id}/preview"):
        assert client.get(f"/en/coordinator/newsletter{path}").status_code == 403, path
    for path in ("/new", f"/{draft.id}", f"/{draft.id}/test", f"/{draft.id}/schedule", f"/{draft.id}/cancel"):
        assert post(client, f"/en/coordinator/newsletter{path}", form()).status_code == 403, path

    for email in (people.editor, people.admin):
        log_in(client, email)  # a new session: the roles of this person
        page = client.get("/en/coordinator/newsletter")
        assert page.status_code == 200, email
        assert 'href="/en/coordinator/newsletter" aria-current="page"' in page.text
        assert "News from the network" in page.text


def test_write_a_draft_in_both_languages_and_change_it(editor: TestClient, session: Session) -> None:
    new = editor.get("/en/coordinator/newsletter/new")
    assert new.status_code == 200
    thirty_days_ago = (dt.datetime.now(BRUSSELS) - dt.timedelta(days=30)).date().isoformat()
    assert f'value="{thirty_days_ago}"' in new.text  # nothing sent yet: the last 30 days
    assert 'lang="nl"' in new.text and 'lang="en"' in new.text

    response = post(editor, "/en/coordinator/newsletter/new", form(), follow_redirects=False)
    assert response.status_code == 303, response.text
    issue_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = editor.get(f"/en/coordinator/newsletter/{issue_id}")
    assert "The issue was saved as a draft." in page.text
    assert 'value="Lentenummer"' in page.text and 'value="Spring issue"' in page.text
    assert "Dear reader,\n\nWelcome." in page.text
    stored = session.get(NewsletterIssue, issue_id)
    assert stored is not None and stored.status == IssueStatus.DRAFT
    day = dt.date.today() - dt.timedelta(days=14)
    assert stored.since == dt.datetime.combine(day, dt.time(), tzinfo=BRUSSELS).astimezone(dt.UTC)

    response = post(
        editor,
        f"/en/coordinator/newsletter/{issue_id}",
        form(subject_en="Spring issue 2024"),
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(NewsletterIssue, issue_id).subject_en == "Spring issue 2024"  # type: ignore[union-attr]
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "newsletter_issues", AuditEntry.entity_id == issue_id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "update"]


def test_a_new_issue_starts_where_the_last_one_ended(editor: TestClient, session: Session) -> None:
    finished = utcnow() - dt.timedelta(days=9, hours=3)
    issue(session, status=IssueStatus.SENT, started_at=finished, finished_at=finished)
    day = finished.astimezone(BRUSSELS).date().isoformat()
    assert f'value="{day}"' in editor.get("/en/coordinator/newsletter/new").text
    response = post(editor, "/en/coordinator/newsletter/new", form(since=day), follow_redirects=False)
    created = session.get(NewsletterIssue, int(response.headers["location"].rsplit("/", 1)[1]))
    assert created is not None and created.since == finished  # exactly: nothing sent twice


def test_a_refused_form_keeps_what_was_typed(editor: TestClient, session: Session) -> None:
    tomorrow = (dt.datetime.now(BRUSSELS) + dt.timedelta(days=2)).date().isoformat()
    response = post(
        editor,
        "/en/coordinator/newsletter/new",
        form(subject_nl="", subject_en="", intro_en="Kept <as> typed", since=tomorrow),
    )
    assert response.status_code == 400
    assert "The form was not saved: 2 fields need your attention." in response.text
    assert "Write the subject in at least one language." in response.text
    assert "The digest cannot start in the future." in response.text
    assert "Kept &lt;as&gt; typed" in response.text
    assert f'value="{tomorrow}"' in response.text
    assert 'aria-invalid="true"' in response.text
    response = post(editor, "/en/coordinator/newsletter/new", form(since="31-12-2024", subject_en="x" * 201))
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD" in response.text and "Use at most 200 characters" in response.text
    assert session.scalar(select(NewsletterIssue.id)) is None


def test_preview_per_segment_with_its_recipients(
    editor: TestClient, session: Session, people: People
) -> None:
    draft = issue(session, intro_en="Dear reader,\n\nWelcome to <this> issue.")
    programme, group = (InterestKind.PROGRAMME, people.gdca.id), (InterestKind.PRODUCT_GROUP, people.ict.id)
    subscriber(session, "a@example.org")
    subscriber(session, "b@example.org")
    subscriber(session, "c@example.org", "en", programme)
    subscriber(session, "d@example.org", "en", programme, group)
    subscriber(session, "e@example.org", "en", status=SubscriptionStatus.PENDING)
    subscriber(session, "f@example.org", "en", status=SubscriptionStatus.UNSUBSCRIBED)
    subscriber(session, "g@example.org", "nl")
    session.commit()
    base = f"/en/coordinator/newsletter/{draft.id}/preview"

    page = editor.get(base)
    assert page.status_code == 200
    assert "This version goes to 2 confirmed subscribers who read English and follow the whole network." in (
        page.text
    )
    assert "4 confirmed subscribers read English in all." in page.text
    assert 'sandbox=""' in page.text and "srcdoc=" in page.text
    assert "Welcome to &amp;lt;this&amp;gt; issue." in page.text  # escaped in the e-mail, then in srcdoc
    assert re.search(r"<pre[^>]*>News from the network", page.text)
    assert "%%" not in page.text  # the subscriber's links point at the subscription page
    assert "style-src-attr 'unsafe-inline'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]

    page = editor.get(f"{base}?language=en&programme={people.gdca.id}")
    assert (
        "This version goes to 1 confirmed subscriber who reads English and follows exactly these lists."
        in (page.text)
    )
    assert f'<option value="{people.gdca.id}" selected>' in page.text
    page = editor.get(f"{base}?language=en&programme={people.gdca.id}&product_group={people.ict.id}")
    assert "goes to 1 confirmed subscriber" in page.text
    page = editor.get(f"{base}?language=en&product_group={people.ict.id}")
    assert "goes to 0 confirmed subscribers" in page.text

    dutch = editor.get(f"{base}?language=nl")
    assert "goes to 1 confirmed subscriber who reads Dutch" in dutch.text
    assert "Nieuws uit het netwerk" in dutch.text and "Beste lezer," in dutch.text

    assert editor.get(f"{base}?language=fr").status_code == 400
    assert editor.get(f"{base}?programme=999999").status_code == 400
    assert editor.get(f"{base}?community=abc").status_code == 400
    assert editor.get("/en/coordinator/newsletter/999999/preview").status_code == 404


def test_a_test_arrives_in_both_languages_with_both_parts(
    mail_client: TestClient, inbox: tuple[Inbox, int], session: Session, people: People
) -> None:
    draft = issue(session)
    log_in(mail_client, people.editor)
    response = post(mail_client, f"/en/coordinator/newsletter/{draft.id}/test", {}, follow_redirects=False)
    assert response.status_code == 303
    page = mail_client.get(response.headers["location"])
    assert "A test in both languages was sent to eddie@example.org." in page.text
    messages = inbox[0].to(people.editor)
    assert len(messages) == 2
    subjects = sorted(str(m["Subject"]) for m in messages)
    assert subjects[0].endswith("News from the network") and subjects[1].endswith("Nieuws uit het netwerk")
    assert all(s.startswith("[Test]") for s in subjects)
    for message in messages:
        text, html = text_of(message), html_of(message)
        assert "Dear reader," in text or "Beste lezer," in text
        assert html.startswith("<!doctype html>")
        assert "%%" not in text and "%%" not in html
        assert "/newsletter/archive/" in text
    session.expire_all()
    assert session.get(NewsletterIssue, draft.id).status == IssueStatus.DRAFT  # type: ignore[union-attr]


def test_schedule_in_brussels_time_never_in_the_past(editor: TestClient, session: Session) -> None:
    draft = issue(session)
    path = f"/en/coordinator/newsletter/{draft.id}/schedule"
    yesterday = (dt.datetime.now(BRUSSELS) - dt.timedelta(days=1)).date().isoformat()
    response = post(editor, path, {"send_on": yesterday, "send_at": "09:30"})
    assert response.status_code == 400
    assert "Choose a moment in the future." in response.text
    assert f'value="{yesterday}"' in response.text and 'value="09:30"' in response.text
    response = post(editor, path, {"send_on": "", "send_at": "9.30"})
    assert response.status_code == 400
    assert "This field is required." in response.text and "Enter a time as HH:MM" in response.text

    day = (dt.datetime.now(BRUSSELS) + dt.timedelta(days=3)).date()
    response = post(editor, path, {"send_on": day.isoformat(), "send_at": "09:30"}, follow_redirects=False)
    assert response.status_code == 303
    assert "The issue will be sent on" in editor.get(response.headers["location"]).text
    session.expire_all()
    stored = session.get(NewsletterIssue, draft.id)
    assert stored is not None and stored.status == IssueStatus.SCHEDULED
    assert stored.scheduled_for == dt.datetime.combine(day, dt.time(9, 30), tzinfo=BRUSSELS).astimezone(
        dt.UTC
    )

    # Still editable while scheduled: it stays scheduled.
    response = post(editor, f"/en/coordinator/newsletter/{draft.id}", form(), follow_redirects=False)
    assert response.status_code == 303
    session.expire_all()
    assert session.get(NewsletterIssue, draft.id).status == IssueStatus.SCHEDULED  # type: ignore[union-attr]


def test_scheduling_needs_the_subject_in_both_languages(editor: TestClient, session: Session) -> None:
    draft = issue(session, subject_en="")
    day = (dt.datetime.now(BRUSSELS) + dt.timedelta(days=3)).date().isoformat()
    response = post(
        editor, f"/en/coordinator/newsletter/{draft.id}/schedule", {"send_on": day, "send_at": "10:00"}
    )
    assert response.status_code == 400
    assert "Write the subject in both languages before scheduling (missing: English)." in response.text


def test_send_now_says_to_how_many_and_asks_to_confirm(editor: TestClient, session: Session) -> None:
    draft = issue(session)
    subscriber(session, "an@example.be")
    subscriber(session, "bo@example.nl", language="en")
    subscriber(session, "gone@example.be", status=SubscriptionStatus.UNSUBSCRIBED)
    session.commit()
    page = editor.get(f"/en/coordinator/newsletter/{draft.id}").text
    assert "It goes to 2 confirmed subscribers" in " ".join(page.split())
    path = f"/en/coordinator/newsletter/{draft.id}/send"
    unconfirmed = post(editor, path, {})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm that the issue may go out now." in unconfirmed.text
    session.expire_all()
    assert session.get(NewsletterIssue, draft.id).status == IssueStatus.DRAFT  # type: ignore[union-attr]

    sent = post(editor, path, {"confirm": "1"}, follow_redirects=False)
    assert sent.status_code == 303
    assert "The issue is on its way to 2 subscribers" in editor.get(sent.headers["location"]).text
    session.expire_all()
    stored = session.get(NewsletterIssue, draft.id)
    assert stored is not None and stored.status == IssueStatus.SCHEDULED  # the scheduler's next tick sends it
    assert stored.scheduled_for is not None and stored.scheduled_for <= utcnow()

    untitled = issue(session, subject_en="")
    refused = post(editor, f"/en/coordinator/newsletter/{untitled.id}/send", {"confirm": "1"})
    assert refused.status_code == 400 and "before sending (missing: English)" in refused.text


def test_cancel_a_scheduled_or_sending_issue(editor: TestClient, session: Session) -> None:
    draft = issue(session)
    assert post(editor, f"/en/coordinator/newsletter/{draft.id}/cancel", {}).status_code == 409

    scheduled = issue(session, status=IssueStatus.SCHEDULED, scheduled_for=utcnow() + dt.timedelta(days=1))
    assert "Cancel this issue" in editor.get(f"/en/coordinator/newsletter/{scheduled.id}").text
    response = post(editor, f"/en/coordinator/newsletter/{scheduled.id}/cancel", {}, follow_redirects=False)
    assert response.status_code == 303
    assert "The issue was cancelled." in editor.get(response.headers["location"]).text
    session.expire_all()
    assert session.get(NewsletterIssue, scheduled.id).status == IssueStatus.CANCELLED  # type: ignore[union-attr]

    sending = issue(session, status=IssueStatus.SENDING, started_at=utcnow(), recipients=6)
    edit = post(editor, f"/en/coordinator/newsletter/{sending.id}", form())
    assert edit.status_code == 409
    assert "This issue has started sending: it can no longer be changed." in edit.text
    day = (dt.datetime.now(BRUSSELS) + dt.timedelta(days=3)).date().isoformat()
    schedule = post(
        editor, f"/en/coordinator/newsletter/{sending.id}/schedule", {"send_on": day, "send_at": "10:00"}
    )
    assert schedule.status_code == 409
    response = post(editor, f"/en/coordinator/newsletter/{sending.id}/cancel", {}, follow_redirects=False)
    assert response.status_code == 303
    session.expire_all()
    assert session.get(NewsletterIssue, sending.id).status == IssueStatus.CANCELLED  # type: ignore[union-attr]
    assert post(editor, f"/en/coordinator/newsletter/{sending.id}", form()).status_code == 409


def test_the_list_shows_the_progress_of_a_sending_issue(editor: TestClient, session: Session) -> None:
    sending = issue(session, status=IssueStatus.SENDING, started_at=utcnow(), recipients=6)
    issue(
        session,
        subject_en="Later",
        status=IssueStatus.SCHEDULED,
        scheduled_for=utcnow() + dt.timedelta(days=2),
    )
    statuses = [DeliveryStatus.SENT] * 2 + [DeliveryStatus.FAILED] + [DeliveryStatus.PENDING] * 3
    for i, status in enumerate(statuses):
        reader = subscriber(session, f"reader{i}@example.org")
        session.add(Delivery(issue_id=sending.id, subscription_id=reader.id, status=status))
    session.commit()
    page = editor.get("/en/coordinator/newsletter")
    assert page.status_code == 200
    assert "2 sent · 1 failed · 3 waiting" in page.text
    assert "Sending" in page.text and "Scheduled" in page.text and "Later" in page.text
    detail = editor.get(f"/en/coordinator/newsletter/{sending.id}")
    assert "2 sent · 1 failed · 3 waiting" in detail.text
    assert '<fieldset class="plain" disabled>' in detail.text


def test_the_composer_speaks_dutch(editor: TestClient, session: Session) -> None:
    draft = issue(session)
    page = editor.get(f"/nl/coordinator/newsletter/{draft.id}")
    assert page.status_code == 200
    assert "Opslaan" in page.text  # a known Dutch string
    assert "Nieuws uit het netwerk" in page.text
