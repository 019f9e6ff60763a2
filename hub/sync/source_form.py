"""The source form of the workspace: from what a coordinator typed to a source's settings (``SourceInput``).

The form has one field per connector option (a feed uses some, an export others); only the
options of the chosen kind are passed on, so each connector's own defaults apply to the rest.
Field mappings and defaults are textareas with one "field = value" per line. The checks are the
connectors' own (``connectors.registry.build``) and ``hub.sync.validation.source_values``; each
:class:`~connectors.messages.OptionsError` lands next to the field it names, translated.

Following another hub (a source of kind "hub") is a hub-level decision: only administrators add or
change such a source, and choose the programmes whose records it may bring in.

An export may be uploaded instead of fetched: the file is kept as ``<key>.<csv|json|xlsx|ods>`` in
the uploads folder (only once the rest of the form is valid) and named in the ``upload`` option. A
file previewed before saving (``hub.sync.preview``) waits there (``hub.sync.uploads``) until the
source is saved.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from connectors import registry, spreadsheet
from connectors.messages import OptionsError, Problem
from connectors.targets import TARGETS
from hub.accounts.services import Principal
from hub.forms import TEXT_MAX, Form
from hub.i18n import N_
from hub.i18n import gettext as _
from hub.programmes.models import Programme
from hub.records import LANGUAGES
from hub.sync import display
from hub.sync.models import Source
from hub.sync.schedule import DAYS, KINDS, MAX_MINUTES, MIN_MINUTES, Choice, choice, normalise
from hub.sync.uploads import pending_file
from hub.sync.validation import KEY, PEER_KIND, SourceInput, source_values

MAX_UPLOAD_BYTES = 200 * 2**20  # exports of 100,000 rows are a few tens of MB
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 2**20  # the file and the form's other fields
FORMATS = ("csv", "json", "xlsx", "ods")
DEFAULT_SCHEDULE = "every 360"
# The options each kind of source takes (the form field is named after the option, except a
# feed's "fields", which shares the "columns" textarea: both map target fields to the source's).
KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "feed": ("url", "target", "language", "fields", "defaults", "complete"),
    "tabular": (
        "url",
        "upload",
        "format",
        "sheet",
        "target",
        "id_column",
        "link_column",
        "columns",
        "defaults",
        "delimiter",
        "encoding",
        "complete",
    ),
    "hub": ("url", "client_id", "client_secret"),
}
# Every field of the form (and the option "fields", shown in "columns"), with its label.
LABELS = {
    "name": N_("Name"),
    "key": N_("Key"),
    "programme_id": N_("Programme"),
    "kind": N_("Kind of source"),
    "schedule": N_("Schedule"),
    "schedule_minutes": N_("Minutes between runs"),
    "schedule_at": N_("Time of day"),
    "schedule_day": N_("Day of the week"),
    "schedule_cron": N_("Cron expression"),
    "url": N_("Address (URL)"),
    "upload": N_("Uploaded file"),
    "format": N_("File format"),
    "sheet": N_("Sheet"),
    "target": N_("What it feeds"),
    "language": N_("Language of the feed"),
    "id_column": N_("Id column"),
    "link_column": N_("Link column"),
    "columns": N_("Field mapping"),
    "fields": N_("Field mapping"),
    "defaults": N_("Defaults"),
    "delimiter": N_("Delimiter"),
    "encoding": N_("Encoding"),
    "complete": N_("Lists every record"),
    "client_id": N_("Client id"),
    "client_secret": N_("Client secret"),
    "notify_failures": N_("E-mail the coordinators when it starts failing"),
    "allow_private": N_("Allow private addresses"),
    "peer_programmes": N_("Programmes it may bring in"),
}
FORM_FIELD = {"fields": "columns"}  # an OptionsError's field -> the form field showing it
TAB = "tab"  # how the form writes a tab delimiter (a tab cannot be typed into a text field)


def labels() -> dict[str, str]:
    """Field (and option) name -> its label in the current language."""
    return {name: _(label) for name, label in LABELS.items()}


def kinds(*, admin: bool = True) -> list[str]:
    """The kinds of source the form offers: the registered connectors it has fields for (another
    hub to administrators only)."""
    return [kind for kind in registry.available() if kind in KIND_OPTIONS and (admin or kind != PEER_KIND)]


def admin_only(source: Source | None) -> bool:
    """Whether only administrators may change ``source`` (one that follows another hub)."""
    return source is not None and source.kind == PEER_KIND


@dataclasses.dataclass
class Parsed:
    """A submitted source form: the settings to save (None if the form has errors) and the upload."""

    form: Form
    data: SourceInput | None
    upload: UploadFile | None = None
    upload_name: str | None = None
    pending: Path | None = None  # a file previewed before, kept under ``upload_name`` on saving


# --- the form's initial state ---


def lines(mapping: Mapping[str, Any] | None) -> str:
    """A mapping as the textarea shows it, one "field = value" per line."""
    return "\n".join(f"{field} = {value}" for field, value in (mapping or {}).items())


def new_form(programmes: Sequence[Programme]) -> Form:
    return Form(
        {
            **schedule_fields(DEFAULT_SCHEDULE),
            "notify_failures": "1",
            "programme_id": str(programmes[0].id) if len(programmes) == 1 else "",
        }
    )


def schedule_fields(schedule: str) -> dict[str, str]:
    """The schedule's fields as the form shows a stored schedule: the choice that makes it."""
    chosen = choice(schedule)
    return {
        "schedule_kind": chosen.kind,
        "schedule_minutes": str(chosen.minutes),
        "schedule_at": chosen.at.strftime("%H:%M"),
        "schedule_day": chosen.day,
        "schedule_cron": chosen.cron,
    }


def schedule_of(form: Form) -> str:
    """The schedule the form's choice makes (as stored), or "" with the error at "schedule".

    A form without the choice (a script's post) may give the stored form in "schedule" itself."""
    kind = form.value("schedule_kind")
    if kind not in KINDS:
        return form.text("schedule", max_length=100, required=True)
    chosen = Choice(
        kind,
        minutes=(form.integer("schedule_minutes", minimum=MIN_MINUTES, maximum=MAX_MINUTES) or 0)
        if kind == "every"
        else 0,
        at=(form.time("schedule_at", required=True) or dt.time())
        if kind in ("daily", "weekly")
        else dt.time(),
        day=form.key("schedule_day", DAYS) or "mon" if kind == "weekly" else "mon",
        cron=form.text("schedule_cron", max_length=100, required=kind == "cron"),
    )
    if any(name.startswith("schedule_") for name in form.errors):
        return ""
    try:
        return chosen.schedule()
    except OptionsError as error:
        form.error("schedule", display.message(error.message, error.values))
        return ""


def edit_form(source: Source, principal: Principal) -> Form:
    options = source.options or {}
    delimiter = options.get("delimiter") or ""
    raw: dict[str, str | list[str]] = {
        "name": source.name,
        "key": source.key,
        "programme_id": str(source.programme_id),
        "kind": source.kind,
        **schedule_fields(source.schedule),
        "columns": lines(options.get("columns") or options.get("fields")),
        "defaults": lines(options.get("defaults")),
        "delimiter": TAB if delimiter == "\t" else delimiter,
        "complete": "1" if options.get("complete") else "",
        "notify_failures": "1" if source.notify_failures else "",
    }
    # The client secret is never sent back to the browser: left empty, the stored one stays.
    for name in (
        "url",
        "format",
        "sheet",
        "target",
        "language",
        "id_column",
        "link_column",
        "encoding",
        "client_id",
    ):
        raw[name] = str(options.get(name) or "")
    if principal.is_admin:
        raw["allow_private"] = "1" if source.allow_private else ""
        raw["peer_programmes"] = list(source.peer_programmes or ())
    return Form(raw)


# --- parsing a submitted form ---


def mapping(form: Form, name: str) -> dict[str, str]:
    """A textarea of "field = value" lines as a dict; a malformed line is an error of the field."""
    result: dict[str, str] = {}
    for number, line in enumerate(form.text(name, max_length=TEXT_MAX).splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        field, equals, value = line.partition("=")
        field, value = field.strip(), value.strip()
        if not equals or not field or not value:
            form.error(
                name,
                _(
                    "Line %(line)d is not of the form “field = value”: “%(text)s”.",
                    line=number,
                    text=line[:60],
                ),
            )
            return {}
        if field in result:
            form.error(name, _("Line %(line)d names “%(field)s” a second time.", line=number, field=field))
            return {}
        result[field] = value
    return result


def parse(
    session: Session,
    data: FormData,
    *,
    principal: Principal,
    programmes: Sequence[Programme],
    source: Source | None,
    uploads_dir: Path,
    max_bytes: int,
) -> Parsed:
    """The source's settings from the submitted form; errors are left in ``form.errors``."""
    form = Form.submitted(data, multi=("peer_programmes",))
    if not principal.is_admin and "allow_private" in form.raw:
        # Fetching from private addresses reaches the hub's own network (SSRF): administrators only.
        raise HTTPException(403, _("Only a hub administrator may let a source use private addresses."))
    if not principal.is_admin and (
        admin_only(source) or form.value("kind") == PEER_KIND or form.values("peer_programmes")
    ):
        raise HTTPException(
            403, _("Only a hub administrator may add or change a source that follows another hub.")
        )
    name = form.text("name", max_length=200, required=True)
    key = form.text("key", max_length=60, required=True).lower()
    programme = form.key("programme_id", {str(p.id) for p in programmes})
    kind = form.key("kind", kinds(admin=principal.is_admin)) or ""
    schedule = schedule_of(form)
    url = form.text("url", max_length=500)
    delimiter = form.text("delimiter", max_length=10)
    columns = mapping(form, "columns")
    raw_options: dict[str, Any] = {
        "url": url,
        "format": form.key("format", FORMATS, required=False),
        "sheet": form.text("sheet", max_length=100) or None,
        "target": form.key("target", list(TARGETS), required=False),
        "language": form.key("language", LANGUAGES, required=False),
        "id_column": form.text("id_column", max_length=200),
        "link_column": form.text("link_column", max_length=200) or None,
        "columns": columns,
        "fields": columns,
        "defaults": mapping(form, "defaults"),
        "delimiter": "\t" if delimiter.lower() == TAB else delimiter,
        "encoding": form.text("encoding", max_length=40),
        "complete": form.value("complete") == "1",
        "client_id": form.text("client_id", max_length=64),
        "client_secret": form.text("client_secret", max_length=200)
        or (source.options.get("client_secret") if source is not None and source.kind == kind else None),
    }
    upload, upload_name = _upload(form, data, kind=kind, key=key, url=url, source=source)
    pending = None
    if upload is None and kind == "tabular" and not url:
        pending = pending_file(uploads_dir, form.value("pending"))
        if pending is not None:
            upload_name = _kept_name(key, pending.suffix.lstrip("."))
    if upload_name is not None and (upload is not None or pending is not None):
        _check_workbook(form, upload.file if upload else pending, raw_options, upload_name, max_bytes)
    raw_options["upload"] = upload_name
    options = {
        option: raw_options[option]
        for option in KIND_OPTIONS.get(kind, ())
        if raw_options[option] not in (None, "", {})
    }
    if principal.is_admin:
        allow_private = form.value("allow_private") == "1"
    else:
        allow_private = source.allow_private if source is not None else False
    chosen = form.keys("peer_programmes", {p.code for p in programmes}) if kind == PEER_KIND else []
    # The options and the schedule are checked on their own too, so that their mistakes show
    # together with those of the key or name (source_values stops at the first).
    try:
        registry.build(kind, options)
    except OptionsError as error:
        _error(form, error)
    try:
        normalise(schedule) if schedule else None
    except OptionsError as error:
        _error(form, error)
    checked: SourceInput | None = None
    try:
        checked = source_values(
            session,
            key=key,
            name=name,
            kind=kind,
            programme_id=int(programme) if programme else None,
            schedule=schedule or DEFAULT_SCHEDULE,  # a wrong choice has its error at the form already
            options=options,
            allow_private=allow_private,
            notify_failures=form.value("notify_failures") == "1",
            enabled=source.enabled if source is not None else True,
            source_id=source.id if source is not None else None,
            peer_programmes=chosen,
        )
    except OptionsError as error:
        _error(form, error)
    if not form.ok:
        if upload is not None and "upload" not in form.errors:
            form.error("upload", _("Choose the file again: a form that was not saved does not keep it."))
        return Parsed(form, None)
    return Parsed(form, checked, upload, upload_name, pending)


def file_options(form: Form, path: Path) -> dict[str, Any]:
    """What a preview reads ``path`` with: the form's export options (the format from the file's
    name unless chosen); its mapping's mistakes are errors of the form."""
    delimiter = form.value("delimiter").strip()
    chosen = form.value("format")
    return {
        "format": chosen if chosen in FORMATS else path.suffix.lower().lstrip("."),
        "sheet": form.value("sheet").strip() or None,
        "encoding": form.value("encoding").strip() or None,
        "delimiter": "\t" if delimiter.lower() == TAB else delimiter or None,
        "target": form.value("target") if form.value("target") in TARGETS else None,
        "id_column": form.value("id_column").strip() or None,
        "link_column": form.value("link_column").strip() or None,
        "columns": mapping(form, "columns"),
        "defaults": mapping(form, "defaults"),
        "complete": form.value("complete") == "1",
    }


def propose(form: Form, options: Mapping[str, Any]) -> None:
    """Fills the fields the coordinator left empty with what the preview of the file proposes."""
    form.raw["kind"] = "tabular"  # only an export is uploaded
    for name in ("format", "target", "id_column", "link_column"):
        if not form.value(name).strip() and options.get(name):
            form.raw[name] = str(options[name])
    if not form.value("columns").strip() and options.get("columns"):
        form.raw["columns"] = lines(options["columns"])


def _error(form: Form, error: OptionsError) -> None:
    field = FORM_FIELD.get(error.field, error.field)
    # An option the form has no field for (every field has a label) is shown at the kind.
    form.error(field if field in LABELS else "kind", display.message(error.message, error.values))


def _upload(
    form: Form, data: FormData, *, kind: str, key: str, url: str, source: Source | None
) -> tuple[UploadFile | None, str | None]:
    """The uploaded file (if one was chosen) and the name it is kept under."""
    sent = data.get("upload")
    if not isinstance(sent, UploadFile) or not sent.filename:
        if kind == "tabular" and not url and source is not None:
            kept = (source.options or {}).get("upload")  # the file uploaded before stays
            return None, str(kept) if kept else None
        return None, None
    if kind != "tabular":
        form.error(
            "upload",
            _(
                "Only an export (CSV, JSON or a spreadsheet) can be uploaded; "
                "a feed is read from its address."
            ),
        )
        return None, None
    extension = upload_format(form, sent)
    if extension is None:
        return None, None
    return sent, _kept_name(key, extension)


def upload_format(form: Form, sent: UploadFile) -> str | None:
    """The format of an uploaded file (chosen, else by its name's ending), or None with an error."""
    extension = form.value("format") or PurePosixPath(sent.filename or "").suffix.lower().lstrip(".")
    if extension in ("xlsm", "xls", "xlsb"):
        form.error(
            "upload",
            _(
                "Workbooks with macros and older Excel files (.xlsm, .xls, .xlsb) are not read: "
                "save it as .xlsx."
            ),
        )
        return None
    if extension not in FORMATS:
        form.error(
            "upload", _("Choose the format, or upload a file whose name ends in .csv, .json, .xlsx or .ods.")
        )
        return None
    if not sent.size:
        form.error("upload", _("The file is empty."))
        return None
    return extension


def _check_workbook(
    form: Form, file: IO[bytes] | Path | None, options: Mapping[str, Any], name: str, max_bytes: int
) -> None:
    """A spreadsheet is opened before it is kept, so that a file that is not one (or is broken, or
    has macros) is refused now, with why, rather than at its first run."""
    extension = PurePosixPath(name).suffix.lstrip(".")
    if extension not in spreadsheet.FORMATS or file is None:
        return
    try:
        with contextlib.ExitStack() as stack:
            source = stack.enter_context(file.open("rb")) if isinstance(file, Path) else file
            source.seek(0)
            spreadsheet.open_sheet(source, extension, options.get("sheet"), max_bytes=max_bytes)
    except Problem as problem:
        form.error("upload", display.message(problem.message, problem.values))


def _kept_name(key: str, extension: str) -> str:
    # The key names the file; an invalid key is refused with its own message before anything is kept.
    return f"{key if KEY.fullmatch(key) else 'upload'}.{extension}"
