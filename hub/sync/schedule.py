"""When a source runs: "every N minutes" or a cron expression, in the time zone of the programmes.

APScheduler's triggers compute the next time; the database keeps it (``sources.next_run_at``).
The next run is always computed from now, so runs missed while no scheduler was up coalesce
into one. The form offers the usual choices (every N minutes, daily at a time, weekly on a day at
a time) besides a cron expression; a :class:`Choice` is what the form shows of a stored schedule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from apscheduler.triggers.cron import CronTrigger

from connectors.messages import N_, OptionsError
from hub.i18n import TIMEZONE

MIN_MINUTES = 5
MAX_MINUTES = 31 * 24 * 60
_EVERY = re.compile(r"every\s+(\d{1,6})", re.IGNORECASE)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = ("every", "daily", "weekly", "cron")
_AT = re.compile(r"(\d{1,2}) (\d{1,2}) \* \* (\*|mon|tue|wed|thu|fri|sat|sun)")


@dataclasses.dataclass(frozen=True)
class Choice:
    """A schedule as the form offers it: every ``minutes``, daily or weekly (on ``day``) at ``at``,
    or a ``cron`` expression."""

    kind: str = "every"
    minutes: int = 360
    at: dt.time = dt.time(6, 0)
    day: str = "mon"
    cron: str = ""

    def schedule(self) -> str:
        """The schedule as stored; OptionsError if it is not one."""
        if self.kind == "every":
            return normalise(f"every {self.minutes}")
        if self.kind in ("daily", "weekly"):
            return f"{self.at.minute} {self.at.hour} * * {self.day if self.kind == 'weekly' else '*'}"
        return normalise(self.cron)


def choice(schedule: str) -> Choice:
    """What the form shows of a stored schedule: the choice that makes it."""
    minutes = every_minutes(schedule)
    if minutes is not None:
        return Choice("every", minutes=minutes)
    at = _AT.fullmatch(schedule)
    if at and int(at.group(1)) < 60 and int(at.group(2)) < 24:
        time = dt.time(int(at.group(2)), int(at.group(1)))
        if at.group(3) == "*":
            return Choice("daily", at=time)
        return Choice("weekly", at=time, day=at.group(3))
    return Choice("cron", cron=schedule)


def normalise(schedule: str) -> str:
    """The schedule as stored ("every 60" or a five-field cron expression); OptionsError if invalid."""
    text = " ".join(schedule.split())
    every = _EVERY.fullmatch(text)
    if every:
        minutes = int(every.group(1))
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise OptionsError(
                "schedule",
                N_("Run it every %(min)s to %(max)s minutes."),
                min=MIN_MINUTES,
                max=MAX_MINUTES,
            )
        return f"every {minutes}"
    try:
        _cron(text)
    except ValueError:
        raise OptionsError(
            "schedule",
            N_(
                "“%(schedule)s” is not a schedule: write “every 60” (minutes) or a cron expression "
                "such as “0 6 * * *” (every day at 6:00, Brussels time)."
            ),
            schedule=text[:60],
        ) from None
    return text


def every_minutes(schedule: str) -> int | None:
    """The interval of a stored "every N" schedule, in minutes (None for a cron expression)."""
    every = _EVERY.fullmatch(schedule)
    return int(every.group(1)) if every else None


def next_run(schedule: str, now: dt.datetime) -> dt.datetime:
    """The first run time after ``now``."""
    minutes = every_minutes(schedule)
    if minutes is not None:
        return now + dt.timedelta(minutes=minutes)
    upcoming = _cron(schedule).get_next_fire_time(None, now + dt.timedelta(seconds=1))
    assert upcoming is not None  # a five-field cron expression always fires again
    return upcoming.astimezone(dt.UTC)  # type: ignore[no-any-return]


def next_runs(schedule: str, now: dt.datetime, count: int = 3) -> list[dt.datetime]:
    """The next ``count`` run times after ``now`` (each run computes the next from its own time)."""
    times: list[dt.datetime] = []
    for _ in range(count):
        now = next_run(schedule, now)
        times.append(now)
    return times


def _cron(text: str) -> CronTrigger:
    if len(text.split()) != 5:
        raise ValueError(text)
    return CronTrigger.from_crontab(text, timezone=TIMEZONE)
