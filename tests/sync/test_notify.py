"""The summary of a failed run reaches the programme's coordinators by e-mail, once per failing spell.

Mail goes to a real SMTP server on 127.0.0.1 (aiosmtpd) and is read back as it arrived.
"""

from __future__ import annotations

import datetime as dt
import mailbox
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hub.settings import Settings
from hub.sync.models import RunStatus, RunTrigger, Source, SyncRun
from hub.sync.runner import RunSettings, run_by_id
from tests import factories
from tests.mail import Inbox, smtp_settings
from tests.servers import free_port


@pytest.fixture
def failing(session: Session, tmp_path: Path) -> Source:
    """A GDCA export whose file is missing, two GDCA coordinators and one of another programme."""
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    other = factories.programme(session, "gdci")
    factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    factories.user(session, "geert@example.org", coordinator_of=["gdca"])
    factories.user(session, "nora@example.org", coordinator_of=[other.code])
    source: Source = factories.source(
        session,
        gdca,
        "gdca-export",
        name="GDCA pilots export",
        kind="tabular",
        options={
            "upload": "pilots.csv",
            "target": "pilot",
            "id_column": "id",
            "columns": {"title_nl": "titel"},
            "defaults": {"country": "BE", "status": "running", "phase": "tender"},
        },
    )
    session.commit()
    return source


def run(sessions: sessionmaker[Session], source: Source, settings: Settings, uploads: Path) -> SyncRun:
    result = run_by_id(
        sessions,
        source_id=source.id,
        owner="test",
        trigger=RunTrigger.SCHEDULE,
        run_settings=RunSettings(uploads_dir=uploads, mail=settings),
        lease=dt.timedelta(minutes=5),
    )
    assert result is not None
    return result


def test_coordinators_hear_once_when_a_source_starts_failing(
    session: Session,
    sessions: sessionmaker[Session],
    failing: Source,
    inbox: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    handler, port = inbox
    settings = smtp_settings(tmp_path, port)
    uploads = tmp_path / "uploads"
    uploads.mkdir()

    # A new source whose first run fails: its coordinator is at the form and sees it; no mail.
    assert run(sessions, failing, settings, uploads).status is RunStatus.FAILED
    assert handler.received == []
    worked_once(sessions, failing, settings, uploads)

    first = run(sessions, failing, settings, uploads)  # fails after one that worked
    assert first.status is RunStatus.FAILED
    assert sorted(rcpt for rcpts, _ in handler.received for rcpt in rcpts) == [
        "geert@example.org",
        "gina@example.org",
    ]  # each their own message; not the coordinator of another programme
    recipients, message = handler.received[0]
    assert message["To"] == recipients[0] and message["From"] == "hub@hub.example"
    assert message["Subject"] == "Bron “GDCA pilots export” mislukt · Source “GDCA pilots export” failed"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    body = text.get_content()
    assert "kon niet gelezen worden" in body and "could not be read" in body
    assert "pilots.csv" in body  # the reason, in both languages
    assert f"De uitvoering: https://hub.example/nl/coordinator/runs/{first.id}" in body
    assert f'href="https://hub.example/en/coordinator/runs/{first.id}"' in html.get_content()

    assert run(sessions, failing, settings, uploads).status is RunStatus.FAILED
    assert len(handler.received) == 2  # still failing: no new message

    worked_once(sessions, failing, settings, uploads)
    assert run(sessions, failing, settings, uploads).status is RunStatus.FAILED
    assert len(handler.received) == 4  # it worked in between: a new failing spell, a new message


def test_a_source_can_stay_silent(
    session: Session,
    sessions: sessionmaker[Session],
    failing: Source,
    inbox: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    handler, port = inbox
    failing.notify_failures = False
    session.commit()
    assert run(sessions, failing, smtp_settings(tmp_path, port), tmp_path).status is RunStatus.FAILED
    assert handler.received == []


def worked_once(sessions: sessionmaker[Session], source: Source, settings: Settings, uploads: Path) -> None:
    """A run of ``source`` that works: the failures after it are a source that starts failing."""
    (uploads / "pilots.csv").write_text("id,titel\np1,Circulaire kantoorstoelen\n")
    assert run(sessions, source, settings, uploads).status is RunStatus.SUCCEEDED
    (uploads / "pilots.csv").unlink()


def test_without_a_mail_server_the_summary_goes_to_the_maildir(
    sessions: sessionmaker[Session], failing: Source, tmp_path: Path
) -> None:
    settings = Settings.load(
        environ={}, secret_key="test-secret-of-at-least-32-characters", data_dir=tmp_path
    )
    worked_once(sessions, failing, settings, tmp_path)
    assert run(sessions, failing, settings, tmp_path).status is RunStatus.FAILED
    kept = list(mailbox.Maildir(settings.maildir, create=False))
    assert sorted(str(message["To"]) for message in kept) == ["geert@example.org", "gina@example.org"]


def test_a_mail_server_that_is_down_does_not_break_the_run(
    sessions: sessionmaker[Session], failing: Source, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = smtp_settings(tmp_path, free_port())  # nothing listens there
    worked_once(sessions, failing, settings, tmp_path)
    result = run(sessions, failing, settings, tmp_path)
    assert result.status is RunStatus.FAILED and result.finished_at is not None
    assert "could not send the failure summary" in caplog.text
