"""How sources and runs read on the pages: health, kinds, targets, schedules and stored messages.

Shared by the public status page and the workspace; every label goes through the catalogs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from connectors.messages import OptionsError
from hub import i18n
from hub.db import utcnow
from hub.i18n import N_, describe, gettext, ngettext
from hub.sync.models import Source, SyncRun
from hub.sync.runner import target_of
from hub.sync.schedule import DAYS, choice, next_runs, normalise

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
    """A schedule as it was chosen, in words: "every 2 hours", "every Monday at 06:30"; a cron
    expression as it is."""
    chosen = choice(schedule)
    if chosen.kind == "every":
        if chosen.minutes % 60 == 0:
            return ngettext("every hour", "every %(num)d hours", chosen.minutes // 60)
        return ngettext("every minute", "every %(num)d minutes", chosen.minutes)
    at = chosen.at.strftime("%H:%M")
    if chosen.kind == "daily":
        return gettext("every day at %(time)s (Brussels time)", time=at)
    if chosen.kind == "weekly":
        return gettext("every %(day)s at %(time)s (Brussels time)", day=day_name(chosen.day), time=at)
    return gettext("at the times of the cron expression “%(cron)s” (Brussels time)", cron=schedule)


def day_name(day: str) -> str:
    """A day of the week ("mon") by its name in the reader's language."""
    return str(i18n.locale().days["format"]["wide"][DAYS.index(day)])


def next_runs_label(schedule: str, first: dt.datetime | None = None) -> list[str]:
    """The schedule's next three runs (from ``first``, the one already planned, else from now), as
    dates and times in Brussels time."""
    try:
        stored = normalise(schedule)
    except OptionsError:
        return []
    if first is not None and first.tzinfo is None:
        first = first.replace(tzinfo=dt.UTC)  # as SQLite gives it back
    times = [first, *next_runs(stored, first, 2)] if first else next_runs(stored, utcnow(), 3)
    return [i18n.format_local_datetime(moment, "EEEE d MMMM y, HH:mm") for moment in times]


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
        "next_runs": next_runs_label,
        "day_name": day_name,
        "message": message,
        "run_duration": duration,
    }
