"""Sources declared in a TOML file (``HUB_SOURCES_FILE``), for deployments that keep configuration
in version control (whoever edits it runs the hub: a source of kind "hub" is declared with the
``programmes`` it may bring in). Loading is idempotent: sources are matched by key, changed ones updated,
and sources the file no longer declares are disabled (never deleted: their runs and records stay).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.messages import OptionsError
from hub.programmes.services import programme_id_of
from hub.settings import read_toml
from hub.sync import services
from hub.sync.models import Source
from hub.sync.validation import source_values


class DeclarationError(ValueError):
    """The sources file cannot be used; the message says where and why."""


def read(path: Path) -> list[dict[str, Any]]:
    data = read_toml(path, DeclarationError, missing=f"{path}: no such file")
    entries = data.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DeclarationError(f"{path}: declare each source as a [[source]] table")
    return entries


KNOWN = {
    "key",
    "name",
    "kind",
    "programme",
    "programmes",
    "schedule",
    "options",
    "allow_private",
    "enabled",
    "notify_failures",
}


def load(session: Session, path: Path) -> tuple[int, int, int]:
    """Bring the declared sources into the database; (created, updated, disabled). Commits."""
    created = updated = 0
    declared_keys = set()
    where = str(path)
    for number, entry in enumerate(read(path), start=1):
        label = f"{path}: source {entry.get('key') or number}"
        unknown = sorted(set(entry) - KNOWN)
        if unknown:
            raise DeclarationError(f"{label}: unknown key(s) {', '.join(unknown)}")
        programmes = entry.get("programmes", [])
        if not isinstance(programmes, list) or not all(isinstance(code, str) for code in programmes):
            raise DeclarationError(f"{label}: programmes: give a list of programme codes")
        existing = session.scalar(select(Source).where(Source.key == str(entry.get("key", "")).lower()))
        if existing is not None and existing.declared_in is None:
            raise DeclarationError(f"{label}: a source with this key was registered in the workspace")
        try:
            values = source_values(
                session,
                key=str(entry.get("key", "")),
                name=str(entry.get("name", "")),
                kind=str(entry.get("kind", "")),
                programme_id=programme_id_of(session, code=str(entry.get("programme", ""))),
                schedule=str(entry.get("schedule", "every 360")),
                options=entry.get("options", {}),
                allow_private=bool(entry.get("allow_private", False)),
                notify_failures=bool(entry.get("notify_failures", True)),
                enabled=bool(entry.get("enabled", True)),
                source_id=existing.id if existing else None,
                peer_programmes=programmes,
            )
        except OptionsError as error:
            raise DeclarationError(f"{label}: {error.field}: {error}") from None
        values = dataclasses.replace(values, declared_in=where)
        declared_keys.add(values.key)
        if existing is None:
            services.save_source(session, source=Source(), values=values)
            created += 1
        elif values.differs(existing):
            services.save_source(session, source=existing, values=values)
            updated += 1
    disabled = 0
    for source in session.scalars(select(Source).where(Source.declared_in == where, Source.enabled)):
        if source.key not in declared_keys:
            source.enabled = False
            disabled += 1
    session.commit()
    return created, updated, disabled
