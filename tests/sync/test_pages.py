"""The pages of the sync: the public status of the sources; the workspace's sources, runs and form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry
from hub.db import utcnow
from hub.pilots.models import Pilot
from hub.security import csrf_token, form_view
from hub.sync.models import RunStatus, RunTrigger, Source, SyncError, SyncRun
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post

FORM_PAGE = "/en/coordinator/sources/new"


def row(html: str, text: str) -> str:
    """The table row of ``html`` that holds ``text``."""
    for match in re.finditer(r"<tr>.*?</tr>", html, re.DOTALL):
        if text in match.group(0):
            return match.group(0)
    raise AssertionError(f"no row with {text!r}")


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="f-{field}-error">(.*?)</p>', html, re.DOTALL)
    assert match, f"no error shown next to {field}"
    return match.group(1)


def finished_run(session: Session, source: Source, status: RunStatus, **fields: Any) -> SyncRun:
    started = fields.pop("started_at", utcnow() - dt.timedelta(minutes=30))
    run = SyncRun(
        source_id=source.id,
        status=status,
        trigger=RunTrigger.SCHEDULE,
        started_at=started,
        heartbeat_at=started,
        finished_at=started + dt.timedelta(seconds=42),
        **fields,
    )
    session.add(run)
    session.flush()
    return run


def tabular_form(network: Network, **changes: Any) -> dict[str, Any]:
    values = {
        "name": "GDCA pilots export",
        "key": "gdca-pilots",
        "programme_id": str(network.gdca.id),
        "kind": "tabular",
        "schedule": "every 60",
        "url": "https://example.org/pilots.csv",
        "format": "csv",
        "target": "pilot",
        "language": "",
        "id_column": "id",
        "columns": "title_en = Title\ncountry = Country\nstatus = Status",
        "defaults": "phase = tender",
        "delimiter": "",
        "encoding": "",
        "complete": "1",
    }
    return {**values, **changes}


def feed_form(network: Network, **changes: Any) -> dict[str, Any]:
    values = {
        "name": "GDCA nieuws",
        "key": "gdca-news",
        "programme_id": str(network.gdca.id),
        "kind": "feed",
        "schedule": "every 120",
        "url": "https://example.org/news.atom",
        "target": "news",
        "language": "nl",
        "columns": "",
        "defaults": "",
    }
    return {**values, **changes}


# --- the public status page ---


def test_public_status_shows_health_and_runs_but_no_options(
    client: TestClient, network: Network, session: Session
) -> None:
    secret = {"url": "https://intranet.example.org/export.csv?token=s3cr3t", "language": "nl"}
    healthy = factories.source(session, network.gdca, "gdca-news", name="GDCA nieuws", options=secret)
    finished_run(session, healthy, RunStatus.SUCCEEDED, added=3, updated=1, unchanged=7)
    partial = factories.source(
        session, network.procirc, "procirc-pilots", name="ProCirc pilots", kind="tabular"
    )
    finished_run(session, partial, RunStatus.PARTIAL, added=2, failed=1)
    failing = factories.source(session, network.procirc, "procirc-news", name="ProCirc newsletter")
    finished_run(session, failing, RunStatus.SUCCEEDED, started_at=utcnow() - dt.timedelta(hours=2))
    finished_run(session, failing, RunStatus.FAILED)
    old = factories.source(session, network.gdca, "gdca-old", name="Old GDCA site", enabled=False)
    finished_run(session, old, RunStatus.SUCCEEDED, started_at=utcnow() - dt.timedelta(days=60))
    factories.source(session, network.gdca, "gdca-new", name="New GDCA feed")  # never run
    trying = factories.source(session, network.gdca, "gdca-trying", name="GDCA export being set up")
    finished_run(session, trying, RunStatus.FAILED)  # has never worked
    session.commit()

    page = client.get("/en/sources")
    assert page.status_code == 200
    assert "intranet.example.org" not in page.text and "s3cr3t" not in page.text
    assert "127.0.0.1" not in page.text  # the factory's feed address
    gdca_news = row(page.text, "GDCA nieuws")
    assert "OK" in gdca_news and "RSS or Atom feed" in gdca_news and "GDCA" in gdca_news
    assert "3 added, 1 updated, 7 unchanged, 0 withdrawn, 0 failed" in gdca_news
    assert "Partly failed" in row(page.text, "ProCirc pilots")
    assert "Export (CSV, JSON or a spreadsheet)" in row(page.text, "ProCirc pilots")
    assert "Failing" in row(page.text, "ProCirc newsletter")
    shown = row(page.text, "Old GDCA site")
    assert "Disabled" in shown and "not scheduled (disabled)" in shown
    # A source shows once it has worked: before, it is a coordinator's work in progress.
    assert "New GDCA feed" not in page.text and "GDCA export being set up" not in page.text
    # The footer links to the page from everywhere.
    assert 'href="/en/sources"' in client.get("/en/pilots").text


def test_public_status_when_there_are_no_sources(client: TestClient) -> None:
    page = client.get("/en/sources")
    assert page.status_code == 200
    assert "No sources yet" in page.text


def test_the_dutch_status_page_is_in_dutch(client: TestClient, network: Network, session: Session) -> None:
    source = factories.source(session, network.gdca, "gdca-new", name="Nieuwe GDCA-feed")
    finished_run(session, source, RunStatus.SUCCEEDED, added=3)
    session.commit()
    page = client.get("/nl/sources")
    assert page.status_code == 200
    assert "<h1>Bronnen</h1>" in page.text
    assert "3 toegevoegd" in row(page.text, "Nieuwe GDCA-feed")


def test_next_run_is_shown_in_brussels_time(client: TestClient, network: Network, session: Session) -> None:
    next_run = dt.datetime(2031, 1, 15, 5, 0, tzinfo=dt.UTC)  # 6:00 in Brussels (winter time)
    source = factories.source(session, network.gdca, "gdca-news", name="GDCA nieuws", next_run_at=next_run)
    finished_run(session, source, RunStatus.SUCCEEDED)
    session.commit()
    assert "15/01/2031, 06:00" in row(client.get("/en/sources").text, "GDCA nieuws")
    assert "15/01/2031, 06:00" in row(client.get("/nl/sources").text, "GDCA nieuws")  # nl_BE's format


# --- the workspace: access ---


@pytest.mark.parametrize(
    "path", ["/en/coordinator/sources", "/nl/coordinator/sources/new", "/en/coordinator/runs/1"]
)
def test_workspace_pages_require_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/{path.split('/')[1]}/login?next=")


def test_a_coordinator_sees_and_changes_only_their_programmes_sources(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    theirs = factories.source(session, network.procirc, "procirc-news", name="ProCirc newsletter")
    their_run = finished_run(session, theirs, RunStatus.SUCCEEDED)
    factories.source(session, network.gdca, "gdca-news", name="GDCA nieuws")
    session.commit()

    listing = coordinator.get("/en/coordinator/sources")
    assert "GDCA nieuws" in listing.text
    assert "ProCirc newsletter" not in listing.text
    assert 'href="/en/coordinator/sources" aria-current="page"' in listing.text
    base = f"/en/coordinator/sources/{theirs.id}"
    assert coordinator.get(base).status_code == 403
    assert coordinator.get(f"{base}/edit").status_code == 403
    assert coordinator.get(f"/en/coordinator/runs/{their_run.id}").status_code == 403
    form = feed_form(network, programme_id=str(network.gdca.id), key="procirc-news")
    assert post(coordinator, f"{base}/edit", form, form_page=FORM_PAGE).status_code == 403
    for action in ("run", "disable", "enable"):
        assert post(coordinator, f"{base}/{action}", {}, form_page=FORM_PAGE).status_code == 403
    # Nor can they move a source into a programme of someone else.
    moved = post(coordinator, FORM_PAGE, feed_form(network, programme_id=str(network.procirc.id)))
    assert moved.status_code == 400
    assert field_error(moved.text, "programme_id") == "Choose one of the options offered."
    session.expire_all()
    assert session.get(Source, theirs.id).enabled  # type: ignore[union-attr]
    assert (
        session.scalar(select(func.count()).select_from(SyncRun).where(SyncRun.source_id == theirs.id)) == 1
    )
    assert coordinator.get("/en/coordinator/sources/999999").status_code == 404
    assert coordinator.get("/en/coordinator/runs/999999").status_code == 404


def test_only_an_administrator_may_allow_private_addresses(
    client: TestClient, network: Network, session: Session
) -> None:
    log_in(client, network.coordinator)
    assert 'name="allow_private"' not in client.get(FORM_PAGE).text
    response = post(client, FORM_PAGE, feed_form(network, allow_private="1"), form_page=FORM_PAGE)
    assert response.status_code == 403
    assert session.scalar(select(Source).where(Source.key == "gdca-news")) is None

    client.cookies.clear()
    log_in(client, network.admin)
    assert 'name="allow_private"' in client.get(FORM_PAGE).text
    response = post(client, FORM_PAGE, feed_form(network, allow_private="1"), follow_redirects=False)
    assert response.status_code == 303, response.text
    source = session.scalar(select(Source).where(Source.key == "gdca-news"))
    assert source is not None and source.allow_private


def test_a_coordinator_keeps_the_private_setting_an_administrator_chose(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    source = factories.source(
        session,
        network.gdca,
        "gdca-news",
        allow_private=True,
        options={"url": "http://10.1.2.3/feed.atom", "language": "nl"},
    )
    session.commit()
    form = feed_form(network, url="http://10.1.2.3/feed.atom", name="Renamed")
    response = post(coordinator, f"/en/coordinator/sources/{source.id}/edit", form, follow_redirects=False)
    assert response.status_code == 303, response.text
    session.expire_all()
    assert (source.name, source.allow_private) == ("Renamed", True)


# --- the workspace: the form ---


def test_a_bad_option_is_shown_next_to_its_field_and_the_form_is_kept(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    data = tabular_form(network, url="ftp://example.org/pilots.csv", defaults="phase = tender\nnot a pair")
    response = post(coordinator, FORM_PAGE, data)
    assert response.status_code == 400
    assert field_error(response.text, "url") == "Enter a web address starting with http:// or https://."
    assert (
        field_error(response.text, "defaults") == "Line 2 is not of the form “field = value”: “not a pair”."
    )
    assert 'value="ftp://example.org/pilots.csv"' in response.text
    assert 'value="GDCA pilots export"' in response.text
    assert "title_en = Title\ncountry = Country\nstatus = Status</textarea>" in response.text
    assert "phase = tender\nnot a pair</textarea>" in response.text
    assert re.search(
        r'<input type="checkbox" id="f-complete" name="complete" value="1" checked', response.text
    )
    assert 'href="#f-url"' in response.text  # the summary links to the field

    # The connector's own checks: a field the target does not have, and a required one missing.
    response = post(coordinator, FORM_PAGE, tabular_form(network, columns="titel = Title"))
    assert response.status_code == 400
    assert field_error(response.text, "columns").startswith("“titel” is not a field of a pilot record")
    response = post(coordinator, FORM_PAGE, tabular_form(network, defaults=""))
    assert "“phase” is not" not in response.text
    assert "Nothing gives the required field(s) phase" in field_error(response.text, "columns")
    # A feed's language is required; the schedule is checked too, both at once.
    response = post(coordinator, FORM_PAGE, feed_form(network, language="", schedule="now and then"))
    assert field_error(response.text, "language") == "This option is required."
    assert "is not a schedule" in field_error(response.text, "schedule")
    assert session.scalar(select(func.count()).select_from(Source)) == 0


def test_the_form_is_translated(coordinator: TestClient, network: Network) -> None:
    response = post(
        coordinator, "/nl/coordinator/sources/new", feed_form(network, url="nope"), form_page=FORM_PAGE
    )
    assert response.status_code == 400
    assert field_error(response.text, "url") == "Vul een webadres in dat begint met http:// of https://."
    assert "Een bron toevoegen" in response.text


def test_a_valid_source_is_saved_and_audited(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    data = feed_form(network, key=" GDCA-News ", columns="summary_nl = content", defaults="")
    response = post(coordinator, FORM_PAGE, data, follow_redirects=False)
    assert response.status_code == 303, response.text
    source = session.scalar(select(Source).where(Source.key == "gdca-news"))
    assert source is not None
    assert response.headers["location"] == f"/en/coordinator/sources/{source.id}"
    assert (source.name, source.kind, source.programme_id) == ("GDCA nieuws", "feed", network.gdca.id)
    assert (source.schedule, source.enabled, source.allow_private) == ("every 120", True, False)
    assert source.options["url"] == "https://example.org/news.atom"
    assert source.options["language"] == "nl" and source.options["target"] == "news"
    assert source.options["fields"] == {"summary_nl": "content"}
    assert source.options["complete"] is False
    assert source.next_run_at is not None
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "sources"))
    assert entry is not None and entry.action == "create" and entry.programme_id == network.gdca.id
    assert entry.after is not None and entry.after["options.url"] == "https://example.org/news.atom"

    page = coordinator.get(f"/en/coordinator/sources/{source.id}")
    assert "The source was added." in page.text
    assert "every 2 hours" in page.text
    assert "<code>summary_nl</code> = content" in page.text
    assert "This source has not run yet." in page.text

    # Editing it again: the form shows what was saved, a change is audited field by field.
    edit = coordinator.get(f"/en/coordinator/sources/{source.id}/edit")
    assert 'value="https://example.org/news.atom"' in edit.text
    assert "summary_nl = content</textarea>" in edit.text
    changed = feed_form(network, schedule="0 6 * * *", columns="summary_nl = content")
    response = post(coordinator, f"/en/coordinator/sources/{source.id}/edit", changed, follow_redirects=False)
    assert response.status_code == 303, response.text
    update = session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    assert update is not None and update.before == {"schedule": "every 120"}
    assert update.after == {"schedule": "0 6 * * *"}


def test_enable_and_disable(coordinator: TestClient, network: Network, session: Session) -> None:
    source = factories.source(session, network.gdca, "gdca-news", name="GDCA nieuws")
    session.commit()
    response = post(coordinator, f"/en/coordinator/sources/{source.id}/disable", {"back": "list"})
    assert response.status_code == 200
    assert str(response.url).endswith("/en/coordinator/sources")
    assert "The source is disabled" in response.text
    assert "Disabled" in row(response.text, "GDCA nieuws")
    session.expire_all()
    assert source.enabled is False
    response = post(coordinator, f"/en/coordinator/sources/{source.id}/enable", {})
    assert str(response.url).endswith(f"/en/coordinator/sources/{source.id}")
    assert "The source is enabled" in response.text
    session.expire_all()
    assert source.enabled is True
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "sources").order_by(AuditEntry.id)
    ).all()
    assert actions == ["disable", "enable"]


def test_a_declared_source_is_read_only(coordinator: TestClient, network: Network, session: Session) -> None:
    source = factories.source(session, network.gdca, "gdca-news", declared_in="config/sources.toml")
    session.commit()
    edit = coordinator.get(f"/en/coordinator/sources/{source.id}/edit")
    assert "This source is declared in config/sources.toml; change it there." in edit.text
    assert '<fieldset class="plain" disabled>' in edit.text
    assert ">Save</button>" not in edit.text
    detail = coordinator.get(f"/en/coordinator/sources/{source.id}")
    assert "/disable" not in detail.text  # only "Run now"
    response = post(coordinator, f"/en/coordinator/sources/{source.id}/edit", feed_form(network))
    assert response.status_code == 409
    assert "declared in config/sources.toml" in response.text
    assert post(coordinator, f"/en/coordinator/sources/{source.id}/disable", {}).status_code == 409
    session.expire_all()
    assert source.name == "Bron gdca-news" and source.enabled


def test_posts_without_the_csrf_token_are_refused(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    source = factories.source(session, network.gdca, "gdca-news")
    session.commit()
    assert coordinator.post(FORM_PAGE, data=feed_form(network, key="other")).status_code == 403
    for action in ("run", "disable", "edit"):
        path = f"/en/coordinator/sources/{source.id}/{action}"
        assert coordinator.post(path, data={"csrf_token": "forged"}).status_code == 403
    session.expire_all()
    assert source.enabled and session.scalar(select(func.count()).select_from(SyncRun)) == 0
    assert session.scalar(select(Source).where(Source.key == "other")) is None


# --- running a source now ---

EXPORT = b"""id,Title,Country,Status
P-1,Refurbished office chairs,BE,running
P-2,Circular road works,NL,completed
"""


def test_upload_an_export_and_run_it_now(
    coordinator: TestClient, network: Network, session: Session, settings: Any
) -> None:
    data = tabular_form(network, url="", format="")
    response = post(
        coordinator,
        FORM_PAGE,
        data,
        files={"upload": ("pilots export.csv", EXPORT, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    source = session.scalar(select(Source).where(Source.key == "gdca-pilots"))
    assert source is not None
    assert source.options["upload"] == "gdca-pilots.csv" and source.options["url"] is None
    assert (settings.uploads_dir / "gdca-pilots.csv").read_bytes() == EXPORT

    page = post(coordinator, f"/en/coordinator/sources/{source.id}/run", {})
    assert page.status_code == 200
    assert "The run has started; reload to see its progress." in page.text
    session.expire_all()
    run = session.scalar(select(SyncRun).where(SyncRun.source_id == source.id))
    assert run is not None and run.trigger is RunTrigger.MANUAL
    assert run.status is RunStatus.SUCCEEDED, run.message
    assert (run.added, run.failed) == (2, 0)
    titles = session.scalars(
        select(Pilot.title_en).where(Pilot.source_id == source.id, Pilot.programme_id == network.gdca.id)
    ).all()
    assert sorted(titles) == ["Circular road works", "Refurbished office chairs"]
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "run")) == "run"
    # The run shows on the source's page and on its own.
    detail = coordinator.get(f"/en/coordinator/sources/{source.id}")
    assert "Succeeded" in row(detail.text, f"/en/coordinator/runs/{run.id}")
    assert "By hand, in the workspace" in row(detail.text, f"/en/coordinator/runs/{run.id}")  # the trigger
    run_page = coordinator.get(f"/en/coordinator/runs/{run.id}")
    assert "None: every entry the run saw was read." in run_page.text
    assert 'http-equiv="refresh"' not in run_page.text

    # Editing without choosing a file again keeps the uploaded one.
    response = post(
        coordinator,
        f"/en/coordinator/sources/{source.id}/edit",
        {**data, "name": "Renamed"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    session.expire_all()
    assert source.options["upload"] == "gdca-pilots.csv" and source.name == "Renamed"


def test_an_upload_needs_an_export_file(coordinator: TestClient, network: Network, session: Session) -> None:
    data = tabular_form(network, url="", format="")
    response = post(coordinator, FORM_PAGE, data, files={"upload": ("pilots.txt", b"id,Title", "text/plain")})
    assert response.status_code == 400
    assert "ends in .csv, .json, .xlsx or .ods" in field_error(response.text, "upload")
    response = post(
        coordinator, FORM_PAGE, data, files={"upload": ("pilots.xlsm", b"PK\x03\x04", "application/zip")}
    )
    assert response.status_code == 400
    assert "Workbooks with macros" in field_error(response.text, "upload")
    # A file sent with a form that has another mistake must be chosen again.
    bad = tabular_form(network, url="", format="", key="Bad key!")
    response = post(coordinator, FORM_PAGE, bad, files={"upload": ("pilots.csv", EXPORT, "text/csv")})
    assert response.status_code == 400
    assert "The key must be" in field_error(response.text, "key")
    assert field_error(response.text, "upload").startswith("Choose the file again")
    assert session.scalar(select(func.count()).select_from(Source)) == 0


def test_run_now_while_a_run_is_in_progress(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    source = factories.source(
        session,
        network.gdca,
        "gdca-news",
        lease_until=utcnow() + dt.timedelta(minutes=5),
        lease_owner="elsewhere",
    )
    session.commit()
    page = post(coordinator, f"/en/coordinator/sources/{source.id}/run", {})
    assert "A run of this source is already in progress" in page.text
    assert '<meta http-equiv="refresh" content="5">' in page.text
    assert session.scalar(select(func.count()).select_from(SyncRun)) == 0


def test_the_run_page_lists_its_errors(coordinator: TestClient, network: Network, session: Session) -> None:
    source = factories.source(session, network.gdca, "gdca-pilots", kind="tabular")
    run = finished_run(
        session,
        source,
        RunStatus.PARTIAL,
        added=1,
        failed=2,
        message="The source has not changed since the last run.",
    )
    session.add_all(
        [
            SyncError(
                run_id=run.id,
                position=3,
                external_id="P-7",
                url="https://example.org/pilots/7",
                message="%(field)s: %(problem)s",
                message_values={"field": "country", "problem": "not a code"},
            ),
            SyncError(run_id=run.id, position=9, message="The record is not a JSON object."),
        ]
    )
    running = SyncRun(
        source_id=source.id, trigger=RunTrigger.MANUAL, started_at=utcnow(), heartbeat_at=utcnow()
    )
    session.add(running)
    session.commit()

    page = coordinator.get(f"/en/coordinator/runs/{run.id}")
    assert page.status_code == 200
    assert "The source has not changed since the last run." in page.text
    error = row(page.text, "P-7")
    assert "country: not a code" in error and ">3<" in error
    assert '<a href="https://example.org/pilots/7" rel="noopener noreferrer">' in error
    assert "The record is not a JSON object." in row(page.text, ">9<")
    assert "2 entries were left out of this run" in page.text
    assert 'http-equiv="refresh"' not in page.text
    dutch = coordinator.get(f"/nl/coordinator/runs/{run.id}")
    assert "De bron is niet gewijzigd sinds de vorige uitvoering." in dutch.text

    live = coordinator.get(f"/en/coordinator/runs/{running.id}")
    assert '<meta http-equiv="refresh" content="5">' in live.text
    assert "This run is in progress." in live.text


# --- uploads through form_view ---


def test_form_view_caps_uploads() -> None:
    @form_view(max_files=1, max_bytes=2000)
    def upload(request: Request, data: FormData) -> Response:
        sent = data.get("file")
        assert isinstance(sent, UploadFile)
        return PlainTextResponse(str(sent.size))

    @form_view
    def no_files(request: Request, data: FormData) -> Response:
        return PlainTextResponse("ok")

    def token(request: Request) -> Response:
        return PlainTextResponse(csrf_token(request))

    app = Starlette(
        routes=[
            Route("/token", token),
            Route("/upload", upload, methods=["POST"]),
            Route("/plain", no_files, methods=["POST"]),
        ],
        middleware=[Middleware(SessionMiddleware, secret_key="test")],
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        data = {"csrf_token": client.get("/token").text}
        assert client.post("/upload", data=data, files={"file": ("a.csv", b"x" * 1000)}).text == "1000"
        too_large = client.post("/upload", data=data, files={"file": ("a.csv", b"x" * 3000)})
        assert too_large.status_code == 413
        assert client.post("/plain", data=data, files={"file": ("a.csv", b"x")}).status_code == 400
        assert client.post("/plain", data=data).text == "ok"
        assert (
            client.post("/upload", data={"csrf_token": "no"}, files={"file": ("a", b"x")}).status_code == 403
        )


def test_a_sources_runs_are_paginated_newest_first(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    source = factories.source(session, network.gdca, "gdca-news")
    start = utcnow() - dt.timedelta(days=30)
    runs = [
        finished_run(session, source, RunStatus.SUCCEEDED, started_at=start + dt.timedelta(hours=n), added=n)
        for n in range(23)
    ]
    session.commit()
    first = coordinator.get(f"/en/coordinator/sources/{source.id}")
    links = re.findall(r'href="/en/coordinator/runs/(\d+)"', first.text)
    assert [int(i) for i in links] == [run.id for run in reversed(runs)][:20]
    assert "OK" in first.text  # the health of the newest run
    second = coordinator.get(f"/en/coordinator/sources/{source.id}?page=2")
    assert [int(i) for i in re.findall(r'href="/en/coordinator/runs/(\d+)"', second.text)] == [
        run.id for run in runs[2::-1]
    ]
    assert coordinator.get(f"/en/coordinator/sources/{source.id}?page=3").status_code == 404


def test_a_peer_hub_source_keeps_its_secret_out_of_pages_and_the_log(
    client: TestClient, network: Network, session: Session
) -> None:
    log_in(client, network.admin)  # following another hub is an administrator's decision
    coordinator = client
    data = feed_form(
        network,
        kind="hub",
        key="procirc-hub",
        url="https://hub.procirc.example",
        client_id="hub-0123456789abcdef",
        client_secret="s3cret-value-from-the-other-hub",
        target="",
        language="",
    )
    response = post(coordinator, FORM_PAGE, data, follow_redirects=False)
    assert response.status_code == 303, response.text
    source = session.scalar(select(Source).where(Source.key == "procirc-hub"))
    assert source is not None and source.kind == "hub"
    assert source.options["url"] == "https://hub.procirc.example"
    assert source.options["client_id"] == "hub-0123456789abcdef"
    assert source.options["client_secret"] == "s3cret-value-from-the-other-hub"
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "sources")).all()
    assert entries and all("s3cret" not in str(entry.after) for entry in entries)
    detail = coordinator.get(f"/en/coordinator/sources/{source.id}")
    assert "s3cret" not in detail.text and "(kept, not shown)" in detail.text
    edit = coordinator.get(f"/en/coordinator/sources/{source.id}/edit")
    assert "s3cret" not in edit.text and "Leave empty to keep the current secret." in edit.text

    # Saved again without typing the secret: the stored one stays.
    again = {**data, "client_secret": "", "schedule": "every 30"}
    response = post(coordinator, f"/en/coordinator/sources/{source.id}/edit", again, follow_redirects=False)
    assert response.status_code == 303, response.text
    session.expire_all()
    assert source.options["client_secret"] == "s3cret-value-from-the-other-hub"
    assert source.schedule == "every 30"


def test_a_failed_runs_page_says_what_failed(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    source = factories.source(session, network.gdca, "gdca-pilots", kind="tabular")
    run = finished_run(
        session,
        source,
        RunStatus.FAILED,
        message="The uploaded file “%(name)s” is not there.",
        message_values={"name": "pilots.csv"},
    )
    session.commit()
    page = coordinator.get(f"/en/coordinator/runs/{run.id}")
    assert "The run failed as a whole, so it added, changed and withdrew nothing: " in page.text
    assert "The uploaded file “pilots.csv” is not there." in page.text
    assert "None: the run stopped before it read the entries (see above)." in page.text
    assert "every entry the run saw was read" not in page.text
    dutch = coordinator.get(f"/nl/coordinator/runs/{run.id}")
    assert "De uitvoering mislukte als geheel" in dutch.text and "pilots.csv" in dutch.text


def test_the_schedule_is_chosen_and_shown_as_chosen(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    weekly = {
        "schedule_kind": "weekly",
        "schedule_day": "tue",
        "schedule_at": "07:15",
        "schedule_minutes": "360",
    }
    response = post(coordinator, FORM_PAGE, {**tabular_form(network), **weekly}, follow_redirects=False)
    assert response.status_code == 303, response.text
    source = session.scalar(select(Source).where(Source.key == "gdca-pilots"))
    assert source is not None and source.schedule == "15 7 * * tue"
    detail = coordinator.get(f"/en/coordinator/sources/{source.id}")
    assert "every Tuesday at 07:15 (Brussels time)" in detail.text
    upcoming = re.search(r"Next runs: ([^<]*)</span>", detail.text)
    assert (
        upcoming and upcoming.group(1).count("Tuesday") >= 2
    )  # the first may be now: a new source runs at once
    assert "elke dinsdag om 07:15" in coordinator.get(f"/nl/coordinator/sources/{source.id}").text.lower()
    edit = coordinator.get(f"/en/coordinator/sources/{source.id}/edit").text
    assert re.search(r'value="weekly" checked', edit) and re.search(r'<option value="tue" selected>', edit)

    every = {"schedule_kind": "every", "schedule_minutes": "3"}
    page = post(coordinator, FORM_PAGE, {**tabular_form(network, key="other"), **every})
    assert page.status_code == 400 and "Enter a whole number from 5 to" in field_error(
        page.text, "schedule_minutes"
    )
    words = {"schedule_kind": "cron", "schedule_cron": "elk uur"}
    page = post(coordinator, FORM_PAGE, {**tabular_form(network, key="other"), **words})
    assert page.status_code == 400 and "is not a schedule" in field_error(page.text, "schedule")
