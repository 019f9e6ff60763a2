"""Sources, their runs and the errors of each run: sync results are data coordinators can read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, LongText, Timestamps
from hub.i18n import N_, LabelledEnum
from hub.programmes.models import Programme, ProgrammeId
from hub.taxonomy.models import enum_column


class RunStatus(LabelledEnum):
    RUNNING = "running", N_("Running")
    SUCCEEDED = "succeeded", N_("Succeeded")
    PARTIAL = "partial", N_("Partly failed")
    FAILED = "failed", N_("Failed")


class RunTrigger(LabelledEnum):
    SCHEDULE = "schedule", N_("Schedule")
    MANUAL = "manual", N_("By hand, in the workspace")
    COMMAND = "command", N_("Command line")


class Source(Timestamps, Base):
    """A feed or export of a programme that the hub keeps itself current from.

    ``schedule`` is "every <minutes>" or a cron expression (Europe/Brussels). What is due lives
    here (``next_run_at``), and a run is claimed with a lease on this row, so that any number of
    hub processes run each due run once. ``cursor`` is what the last good run left for the next
    (ETag, Last-Modified). ``declared_in`` names the config file a source comes from (it is then
    edited there, not in the workspace). ``peer_programmes``: see below.
    """

    __tablename__ = "sources"
    __table_args__ = (Index("ix_sources_due", "enabled", "next_run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    programme_id: Mapped[ProgrammeId]
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    allow_private: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)
    # E-mail the programme's coordinators when runs start failing (once, not at every failed run).
    notify_failures: Mapped[bool] = mapped_column(default=True)
    schedule: Mapped[str] = mapped_column(String(100), default="every 360")
    next_run_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    cursor: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    declared_in: Mapped[str | None] = mapped_column(String(300))
    # A source of kind "hub": the codes of the programmes whose records it may bring in. Following
    # another hub is an administrator's decision, programme by programme; none until chosen.
    peer_programmes: Mapped[list[str]] = mapped_column(JSON, default=list)

    programme: Mapped[Programme] = relationship()


class SyncRun(Base):
    """One run of a source: when, how it ended, and what it did to how many records."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        Index("ix_sync_runs_source_started_at", "source_id", "started_at"),
        Index("ix_sync_runs_status_heartbeat_at", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"), default=RunStatus.RUNNING)
    trigger: Mapped[RunTrigger] = mapped_column(enum_column(RunTrigger, "run_trigger"))
    owner: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[dt.datetime]
    heartbeat_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    expected: Mapped[int | None]
    # Why the run failed or what is worth knowing (an untranslated message and its values).
    message: Mapped[LongText]
    message_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    source: Mapped[Source] = relationship()

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged + self.failed


class SyncError(Base):
    """An entry of a run that could not be stored; the rest of the run went on without it."""

    __tablename__ = "sync_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int | None]
    external_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    message: Mapped[str] = mapped_column(Text)
    message_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
