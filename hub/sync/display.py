"""How sources and runs read on the pages: health, kinds, targets, schedules and stored messages.

Shared by the public status page and the workspace; every label goes through the catalogs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hub.db import utcnow
from hub.i18n import N_, describe, gettext, ngettext
from hub.sync.models import Source, SyncRun
from hub.sync.runner import target_of
from hub.sync.schedule import every_minutes

HEALTH = {
    "ok": N_("OK"),
    "warning": N_("Partly failed"),
    "failing": N_("Failing"),
    "disabled": N_("Disabled"),
    "never": N_("Never run"),
    "running": N_("Running"),
}
# The badge each health wears (text says it too: colour is never the only sign).
HEALTH_BADGE = {
    "ok": "badge-ok",
    "warning": "badge-warn",
    "failing": "badge-error",
    "disabled": "",
    "never": "",
    "running": "badge-running",
}
KINDS = {
    "feed": N_("RSS or Atom feed"),
    "tabular": N_("Export (CSV, JSON or a spreadsheet)"),
    "hub": N_("Another hub (its publishing API)"),
}
TARGETS = {
    "news": N_("News"),
    "pilot": N_("Pilots"),
    "meeting": N_("Meetings"),
    "organisation": N_("Organisations"),
    "lesson": N_("Lessons learned"),
}


def health_label(health: str) -> str:
    return gettext(HEALTH.get(health, health))


def health_badge(health: str) -> str:
    return HEALTH_BADGE.get(health, "")


def kind_label(kind: str) -> str:
    return gettext(KINDS[kind]) if kind in KINDS else kind


def target_label(target: str) -> str:
    return gettext(TARGETS[target]) if target in TARGETS else target


def feeds(source: Source) -> str:
    """What the source feeds, as a label ("Pilots")."""
    return target_label(target_of(source))


def schedule_label(schedule: str) -> str:
    """ "every 60" as words; a cron expression as it is (with what it means said next to the form)."""
    minutes = every_minutes(schedule)
    if minutes is not None:
        if minutes % 60 == 0:
            return ngettext("every hour", "every %(num)d hours", minutes // 60)
        return ngettext("every minute", "every %(num)d minutes", minutes)
    return gettext("at the times of the cron expression “%(cron)s” (Brussels time)", cron=schedule)


def message(text: str, values: Mapping[str, Any] | None = None) -> str:
    """A stored, untranslated message (of a run or an error) in the reader's language."""
    return describe(text, values) if text else ""  # gettext("") would be the catalog's header


def in_progress(source: Source) -> bool:
    """Whether a process holds the source's lease now (a run is under way)."""
    return source.lease_until is not None and source.lease_until > utcnow()


def duration(run: SyncRun) -> dt.timedelta | None:
    if run.finished_at is None:
        return None
    return max(run.finished_at - run.started_at, dt.timedelta(0))


def helpers() -> dict[str, Any]:
    """What the sync templates call, for their render context."""
    return {
        "health_label": health_label,
        "health_badge": health_badge,
        "kind_label": kind_label,
        "target_label": target_label,
        "feeds": feeds,
        "schedule_label": schedule_label,
        "message": message,
        "run_duration": duration,
    }
