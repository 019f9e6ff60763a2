"""Workspace pages for sources: their list, the form, a source's runs, a run's errors, and the
buttons that run a source now or switch its schedule on and off.

A coordinator sees and changes the sources of their own programmes (an administrator: all). A
source declared in a config file is read-only here (409 on a change): it is edited in that file,
which would otherwise overwrite the change at its next load. Only administrators may let a
source fetch from private addresses, and add, change, enable or disable a source that follows
another hub (its coordinators see it and may run it now).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.background import BackgroundTask
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from connectors.targets import TARGETS
from hub.accounts.services import Principal, audit
from hub.accounts.web import forbid_unless, require_principal
from hub.coordinator import flash, found, page_number, redirect_to, render_page, scope
from hub.forms import Form
from hub.i18n import gettext as _
from hub.pagination import Page
from hub.programmes.services import editable_programmes
from hub.records import LANGUAGES
from hub.security import form_view
from hub.sync import display, preview, runner, services, source_form, uploads
from hub.sync.jobs import LEASE
from hub.sync.models import RunStatus, RunTrigger, Source, SyncRun
from hub.sync.runner import RunSettings
from hub.sync.schedule import DAYS
from hub.web import check_page, db, post

log = logging.getLogger(__name__)

RUNS_PER_PAGE = 20
ERRORS_PER_PAGE = 50


# --- shared ---


def _source(session: Session, request: Request, principal: Principal) -> Source:
    source_id = request.path_params["source_id"]
    source = found(
        services.get_source(session, source_id=source_id),
        _("There is no source with number %(id)s.", id=source_id),
    )
    _forbid_unless_theirs(principal, source)
    return source


def _forbid_unless_theirs(principal: Principal, source: Source) -> None:
    if not principal.may_edit_programme(source.programme_id):
        raise HTTPException(403, _("This source belongs to a programme you do not coordinate."))


def declared_notice(source: Source) -> str:
    """The notice on a source declared in a config file ('' for one registered here)."""
    if not source.declared_in:
        return ""
    return _("This source is declared in %(file)s; change it there.", file=source.declared_in)


def _refuse_if_declared(source: Source) -> None:
    if source.declared_in:
        raise HTTPException(409, declared_notice(source))


def _admin_notice(principal: Principal, source: Source | None) -> str:
    """The notice on a source only administrators may change, for anyone else ('' otherwise)."""
    if principal.is_admin or not source_form.admin_only(source):
        return ""
    return _("Only a hub administrator may change a source that follows another hub.")


def _refuse_unless_admin_may(principal: Principal, source: Source) -> None:
    notice = _admin_notice(principal, source)
    if notice:
        raise HTTPException(403, notice)


def _snapshot(source: Source) -> dict[str, Any]:
    """A source as the audit log records it: its settings, each option as a field of its own."""
    fields: dict[str, Any] = {
        name: getattr(source, name)
        for name in (
            "key",
            "name",
            "kind",
            "programme_id",
            "schedule",
            "allow_private",
            "enabled",
            "notify_failures",
            "peer_programmes",
        )
    }
    for name, value in (source.options or {}).items():
        if name == "client_secret":  # the log says it changed, never what it is
            value = hashlib.sha256(str(value).encode()).hexdigest()[:12]
        fields[f"options.{name}"] = source_form.lines(value) if isinstance(value, dict) else value
    return fields


def _audit(
    session: Session,
    principal: Principal,
    source: Source,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit(
        session,
        user=None,
        user_id=principal.user_id,
        action=action,
        entity="sources",
        entity_id=source.id,
        programme_id=source.programme_id,
        summary=source.name,
        before=before,
        after=after,
    )


def _context() -> dict[str, Any]:
    return {**display.helpers(), "in_progress": display.in_progress, "labels": source_form.labels()}


# --- the list and a source's page ---


def source_list(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        statuses = services.list_sources(session, programme_ids=scope(principal))
        programmes = editable_programmes(session, programme_ids=scope(principal))
        return render_page(
            request,
            "sync/workspace/source_list.html",
            statuses=statuses,
            may_add=bool(programmes),
            targets=TARGETS,
            **_context(),
        )


def source_detail(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        source = _source(session, request, principal)
        number = page_number(request)
        runs, total = services.list_runs(session, source_id=source.id, page=number, per_page=RUNS_PER_PAGE)
        page = Page(runs, total, number, RUNS_PER_PAGE)
        check_page(number, page.pages)
        newest = runs if number == 1 else services.list_runs(session, source_id=source.id, per_page=1)[0]
        latest = newest[0] if newest else None
        running = display.in_progress(source) or (latest is not None and latest.status is RunStatus.RUNNING)
        return render_page(
            request,
            "sync/workspace/source_detail.html",
            source=source,
            status=services.SourceStatus(source, latest),
            page=page,
            running=running,
            declared=declared_notice(source),
            **_context(),
        )


def run_of(session: Session, request: Request, principal: Principal) -> SyncRun:
    """The run the path names, if it is of one of the principal's sources."""
    run_id = request.path_params["run_id"]
    run = found(services.get_run(session, run_id=run_id), _("There is no run with number %(id)s.", id=run_id))
    _forbid_unless_theirs(principal, run.source)
    return run


def run_detail(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        run = run_of(session, request, principal)
        number = page_number(request)
        errors, total = services.list_errors(session, run_id=run.id, page=number, per_page=ERRORS_PER_PAGE)
        page = Page(errors, total, number, ERRORS_PER_PAGE)
        check_page(number, page.pages)
        return render_page(
            request, "sync/workspace/run_detail.html", run=run, source=run.source, page=page, **_context()
        )


# --- the form ---


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    form: Any,
    *,
    source: Source | None,
    status_code: int = 200,
    previewed: preview.Preview | None = None,
) -> Response:
    programmes = list(editable_programmes(session, programme_ids=scope(principal)))
    if source is not None and source.programme_id not in {p.id for p in programmes}:
        programmes.append(source.programme)  # a withdrawn programme: shown, not offered to others
    return render_page(
        request,
        "sync/workspace/source_form.html",
        status_code=status_code,
        form=form,
        source=source,
        readonly=source is not None
        and (source.declared_in is not None or bool(_admin_notice(principal, source))),
        declared=(declared_notice(source) or _admin_notice(principal, source)) if source else "",
        programmes=programmes,
        kinds=source_form.kinds(admin=principal.is_admin or source_form.admin_only(source)),
        targets=TARGETS,
        formats=source_form.FORMATS,
        languages=LANGUAGES,
        max_upload_mb=source_form.MAX_UPLOAD_BYTES // 2**20,
        schedule_days=DAYS,
        preview=previewed,
        **_context(),
    )


def source_new(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        forbid_unless(bool(programmes))
        return _form_page(request, session, principal, source_form.new_form(programmes), source=None)


def source_edit(request: Request) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        source = _source(session, request, principal)
        return _form_page(
            request, session, principal, source_form.edit_form(source, principal), source=source
        )


def _save(request: Request, data: FormData, *, new: bool) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        programmes = editable_programmes(session, programme_ids=scope(principal))
        source = None
        if new:
            forbid_unless(bool(programmes))
        else:
            source = _source(session, request, principal)
            _refuse_if_declared(source)
        folder = request.app.state.settings.uploads_dir
        if data.get("preview"):
            return _preview(request, session, principal, data, source=source, folder=folder)
        parsed = source_form.parse(
            session,
            data,
            principal=principal,
            programmes=programmes,
            source=source,
            uploads_dir=folder,
            max_bytes=request.app.state.settings.fetch_max_bytes,
        )
        if parsed.data is None:
            return _form_page(request, session, principal, parsed.form, source=source, status_code=400)
        if parsed.upload is not None and parsed.upload_name is not None:
            uploads.keep_upload(parsed.upload, folder, parsed.upload_name)
        elif parsed.pending is not None and parsed.upload_name is not None:
            os.replace(parsed.pending, folder / parsed.upload_name)
        record = Source() if source is None else source
        before = {} if new else _snapshot(record)
        services.save_source(session, source=record, values=parsed.data)
        after = _snapshot(record)
        changed = [name for name in after if new or before.get(name) != after[name]]
        if changed:
            _audit(
                session,
                principal,
                record,
                "create" if new else "update",
                before=None if new else {name: before.get(name) for name in changed},
                after={name: after[name] for name in changed},
            )
        session.commit()
        flash(request, _("The source was added.") if new else _("Your changes were saved."))
        return redirect_to("ws_source", source_id=record.id)


def _preview(
    request: Request,
    session: Session,
    principal: Principal,
    data: FormData,
    *,
    source: Source | None,
    folder: Path,
) -> Response:
    """The form again, with what the hub reads of the file: nothing is saved or written."""
    form = Form.submitted(data, multi=("peer_programmes",))
    sent = data.get("upload")
    path = None
    if isinstance(sent, UploadFile) and sent.filename:
        extension = source_form.upload_format(form, sent)
        if extension is not None:
            form.raw["pending"] = uploads.keep_pending(sent, folder, extension)
            path = folder / str(form.raw["pending"])
    elif (waiting := uploads.pending_file(folder, form.value("pending"))) is not None:
        path = waiting
    elif source is not None and source.options.get("upload") and not form.value("url"):
        path = folder / str(source.options["upload"])
    if path is None or not path.is_file():
        if not form.errors:
            form.error("upload", _("Choose a file to preview."))
        return _form_page(request, session, principal, form, source=source, status_code=400)
    options = source_form.file_options(form, path)
    settings = request.app.state.settings
    previewed = preview.preview(
        session,
        path,
        options,
        programme_id=int(form.value("programme_id")) if form.value("programme_id").isdigit() else None,
        max_bytes=settings.fetch_max_bytes,
    )
    source_form.propose(form, options)
    return _form_page(request, session, principal, form, source=source, previewed=previewed)


@form_view(max_files=1, max_bytes=source_form.MAX_BODY_BYTES)
def source_create(request: Request, data: FormData) -> Response:
    return _save(request, data, new=True)


@form_view(max_files=1, max_bytes=source_form.MAX_BODY_BYTES)
def source_update(request: Request, data: FormData) -> Response:
    return _save(request, data, new=False)


# --- run now, enable, disable ---


def run_in_background(
    sessions: sessionmaker[Session], *, source_id: int, owner: str, run_settings: RunSettings
) -> None:
    """Run a source after the response went out (in the thread pool; the run finishes itself)."""
    try:
        run = runner.run_by_id(
            sessions,
            source_id=source_id,
            owner=owner,
            trigger=RunTrigger.MANUAL,
            run_settings=run_settings,
            lease=LEASE,
        )
    except Exception:  # the source stays due: the scheduler's next tick runs it
        log.exception("the run of source %s that a coordinator started failed to start", source_id)
        return
    if run is None:
        log.info("source %s: another process took the run", source_id)
        return
    runner.index_runs(sessions)


@form_view
def source_run(request: Request, data: FormData) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        source = _source(session, request, principal)
        source_id = source.id
        if display.in_progress(source):
            flash(request, _("A run of this source is already in progress; reload to see its progress."))
            return redirect_to("ws_source", source_id=source_id)
        services.request_run(session, source_id=source_id)
        _audit(session, principal, source, "run")
        session.commit()
    flash(request, _("The run has started; reload to see its progress."))
    response = redirect_to("ws_source", source_id=source_id)
    response.background = BackgroundTask(
        run_in_background,
        request.app.state.sessions,
        source_id=source_id,
        owner=f"{socket.gethostname()}:{os.getpid()}:web",
        run_settings=request.app.state.run_settings,
    )
    return response


def _set_enabled(request: Request, data: FormData, enabled: bool) -> Response:
    principal = require_principal(request)
    with db(request) as session:
        source = _source(session, request, principal)
        _refuse_if_declared(source)
        _refuse_unless_admin_may(principal, source)
        if source.enabled != enabled:
            services.set_enabled(session, source=source, enabled=enabled)
            _audit(
                session,
                principal,
                source,
                "enable" if enabled else "disable",
                before={"enabled": not enabled},
                after={"enabled": enabled},
            )
            session.commit()
        source_id = source.id
    flash(
        request,
        _("The source is enabled: it runs on its schedule again.")
        if enabled
        else _("The source is disabled: it no longer runs on its schedule."),
    )
    if data.get("back") == "list":
        return redirect_to("ws_sources")
    return redirect_to("ws_source", source_id=source_id)


@form_view
def source_enable(request: Request, data: FormData) -> Response:
    return _set_enabled(request, data, True)


@form_view
def source_disable(request: Request, data: FormData) -> Response:
    return _set_enabled(request, data, False)


def routes() -> list[BaseRoute]:
    """This part's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [
        Route("/sources", source_list, name="ws_sources"),
        Route("/sources/new", source_new, name="ws_source_new"),
        post("/sources/new", source_create, name="ws_source_create"),
        Route("/sources/{source_id:int}", source_detail, name="ws_source"),
        Route("/sources/{source_id:int}/edit", source_edit, name="ws_source_edit"),
        post("/sources/{source_id:int}/edit", source_update, name="ws_source_update"),
        post("/sources/{source_id:int}/run", source_run, name="ws_source_run"),
        post("/sources/{source_id:int}/enable", source_enable, name="ws_source_enable"),
        post("/sources/{source_id:int}/disable", source_disable, name="ws_source_disable"),
        Route("/runs/{run_id:int}", run_detail, name="ws_run"),
    ]
