"""The public newsletter archive: sent issues only, newest first, as pages and as an Atom feed."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.newsletters import issues
from hub.newsletters.models import IssueStatus, NewsletterIssue
from hub.opendata.atom import ATOM
from tests import factories
from tests.pilots.test_query_plans import explained

T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def sent(session: Session, n: int, **fields: Any) -> NewsletterIssue:
    """An issue sent ``n`` weeks after ``T0``."""
    moment = T0 + dt.timedelta(weeks=n)
    values: dict[str, Any] = {
        "subject_nl": f"Nieuwsbrief {n}",
        "subject_en": f"Newsletter {n}",
        "intro_nl": f"Beste lezer, dit is nummer {n}.",
        "intro_en": f"Dear reader, this is number {n}.",
        "since": moment - dt.timedelta(days=30),
        "status": IssueStatus.SENT,
        "scheduled_for": moment,
        "started_at": moment,
        "finished_at": moment + dt.timedelta(minutes=5),
    }
    record = NewsletterIssue(**{**values, **fields})
    session.add(record)
    session.flush()
    return record


def test_the_archive_lists_sent_issues_newest_first(client: TestClient, session: Session) -> None:
    first, second = sent(session, 1), sent(session, 2)
    sent(session, 3, status=IssueStatus.DRAFT, started_at=None, finished_at=None)
    sent(session, 4, status=IssueStatus.SCHEDULED, started_at=None, finished_at=None)
    sent(session, 5, status=IssueStatus.CANCELLED, finished_at=None)
    sent(session, 6, status=IssueStatus.SENDING, finished_at=None)
    session.commit()

    page = client.get("/en/newsletter/archive")
    assert page.status_code == 200
    assert re.findall(r"Newsletter \d", page.text) == ["Newsletter 2", "Newsletter 1"]
    assert f'href="/en/newsletter/archive/{second.id}"' in page.text
    assert 'href="/feeds/en/newsletter.atom"' in page.text
    assert 'href="/en/newsletter"' in page.text  # subscribing
    dutch = client.get("/nl/newsletter/archive")
    assert re.findall(r"Nieuwsbrief \d", dutch.text) == ["Nieuwsbrief 2", "Nieuwsbrief 1"]
    assert f'href="/nl/newsletter/archive/{first.id}"' in dutch.text


def test_the_archive_is_paginated(client: TestClient, session: Session) -> None:
    for n in range(issues.PER_PAGE + 2):
        sent(session, n)
    session.commit()
    second = client.get("/en/newsletter/archive?page=2")
    assert second.status_code == 200
    assert re.findall(r">Newsletter (\d+)<", second.text) == ["1", "0"]
    assert client.get("/en/newsletter/archive?page=3").status_code == 404
    assert client.get("/en/newsletter/archive?page=x").status_code == 400


def test_an_issue_page_is_the_whole_network_version(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    issue = sent(session, 1, subject_en="", intro_en="")
    factories.pilot(
        session,
        gdca,
        title_en="Refurbished laptops",
        title_nl="Opgeknapte laptops",
        created_at=issue.since + dt.timedelta(days=1),
        updated_at=issue.since + dt.timedelta(days=1),
        starts_on=None,  # new by arriving, having no start date yet
    )
    factories.pilot(  # arrived after the issue went out: not in it
        session,
        gdca,
        title_en="Later pilot",
        created_at=T0 + dt.timedelta(weeks=3),
        updated_at=T0 + dt.timedelta(weeks=3),
        starts_on=None,
    )
    session.commit()

    dutch = client.get(f"/nl/newsletter/archive/{issue.id}")
    assert dutch.status_code == 200
    assert "Nieuwsbrief 1" in dutch.text and "Beste lezer, dit is nummer 1." in dutch.text
    assert "Opgeknapte laptops" in dutch.text
    assert "http://testserver/nl/pilots/" in dutch.text
    assert "Later pilot" not in dutch.text
    assert "nog niet vertaald" not in dutch.text

    english = client.get(f"/en/newsletter/archive/{issue.id}")
    assert english.status_code == 200
    assert '<h1 lang="nl">Nieuwsbrief 1</h1>' in english.text
    assert "not yet translated" in english.text
    assert "Refurbished laptops" in english.text and "New pilots" in english.text
    assert "%%" not in english.text


def test_only_sent_issues_have_a_page(client: TestClient, session: Session) -> None:
    draft = sent(session, 1, status=IssueStatus.DRAFT, started_at=None, finished_at=None)
    cancelled = sent(session, 2, status=IssueStatus.CANCELLED, finished_at=None)
    session.commit()
    for issue_id in (draft.id, cancelled.id, 999999):
        response = client.get(f"/en/newsletter/archive/{issue_id}")
        assert response.status_code == 404
    assert "There is no sent newsletter issue" in client.get(f"/en/newsletter/archive/{draft.id}").text


def test_the_atom_feed(client: TestClient, session: Session) -> None:
    first = sent(session, 1)
    second = sent(session, 2, subject_en="", intro_en="")
    sent(session, 3, status=IssueStatus.DRAFT, started_at=None, finished_at=None)
    session.commit()

    response = client.get("/feeds/en/newsletter.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "Newsletter · Circular procurement hub"
    assert parsed.feed.link == "http://testserver/en/newsletter/archive"
    assert [e.title for e in parsed.entries] == ["Nieuwsbrief 2", "Newsletter 1"]
    assert [e.link for e in parsed.entries] == [
        f"http://testserver/en/newsletter/archive/{second.id}",
        f"http://testserver/en/newsletter/archive/{first.id}",
    ]
    assert parsed.entries[1].summary == "Dear reader, this is number 1."
    assert parsed.entries[0].published_parsed[:5] == (2024, 3, 15, 9, 5)
    root = ET.fromstring(response.content)
    title = root.find(f"{{{ATOM}}}entry/{{{ATOM}}}title")
    assert title is not None and title.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"

    dutch = feedparser.parse(client.get("/feeds/nl/newsletter.atom").content)
    assert [e.title for e in dutch.entries] == ["Nieuwsbrief 2", "Nieuwsbrief 1"]
    assert dutch.feed.title.startswith("Nieuwsbrief")

    again = client.get("/feeds/en/newsletter.atom", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/feeds/fr/newsletter.atom").status_code == 404


def test_an_empty_feed_is_valid(client: TestClient) -> None:
    parsed = feedparser.parse(client.get("/feeds/en/newsletter.atom").content)
    assert parsed.bozo == 0 and parsed.entries == []


def test_the_archive_query_finds_sent_issues_by_index(session: Session) -> None:
    for n in range(200):
        status = (IssueStatus.SENT, IssueStatus.DRAFT, IssueStatus.CANCELLED, IssueStatus.SCHEDULED)[n % 4]
        sent(session, n, status=status)
    dialect = session.get_bind().dialect.name
    session.execute(text("ANALYZE"))
    with explained(session) as plans:
        statement = issues.sent_statement().order_by(NewsletterIssue.finished_at.desc()).limit(20)
        session.connection().execute(statement)
    (plan,) = plans
    if dialect == "sqlite":
        assert "ix_newsletter_issues_due" in plan, plan
    else:
        assert "Seq Scan on newsletter_issues" not in plan, plan
