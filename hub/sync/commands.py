"""``hub sync`` and ``hub sources``: run sources by hand (with progress) and manage declared ones."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from hub.db import make_sessionmaker
from hub.i18n import describe, gettext
from hub.settings import Settings
from hub.sync import declared, services
from hub.sync.jobs import LEASE
from hub.sync.models import RunStatus, RunTrigger, SyncRun
from hub.sync.runner import RunSettings, index_runs, run_by_id


def add_commands(commands: Any, *, connect: Any, prepare: Any, error: type[Exception]) -> None:
    """Register the commands on the ``hub`` parser (``connect``/``prepare``/``error`` from hub.cli)."""

    def sync_command(settings: Settings, args: argparse.Namespace) -> None:
        engine = connect(settings)
        prepare(engine)
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            _load_declared(session, settings, error)
            if args.source:
                source = services.get_source(session, key=args.source)
                if source is None:
                    raise error(f"there is no source {args.source!r} (see `hub sources list`)")
                targets = [(source.id, source.key)]
            else:
                targets = [(s.id, s.key) for s in services.enabled_sources(session)]
        if not targets:
            print("No enabled sources.", file=sys.stderr)
            return
        failed = []
        owner = f"{socket.gethostname()}:{os.getpid()}:cli"
        for source_id, key in targets:
            bar = ProgressBar(key, sys.stderr)
            run = run_by_id(
                sessions,
                source_id=source_id,
                owner=owner,
                trigger=RunTrigger.COMMAND,
                run_settings=RunSettings.from_settings(settings),
                lease=LEASE,
                progress=bar.update,
            )
            if run is None:
                bar.finish(f"{key}: skipped, another process is running it")
                continue
            bar.finish(summary(key, run))
            index_runs(sessions)
            if run.status is RunStatus.FAILED:
                failed.append(key)
        if failed:
            raise error(f"the run of {', '.join(failed)} failed")

    def list_command(settings: Settings, args: argparse.Namespace) -> None:
        engine = connect(settings)
        with make_sessionmaker(engine)() as session:
            for status in services.list_sources(session):
                s = status.source
                last = status.last_run
                print(
                    "\t".join(
                        [
                            s.key,
                            s.kind,
                            s.programme.code,
                            "enabled" if s.enabled else "disabled",
                            s.schedule,
                            f"next {s.next_run_at:%Y-%m-%d %H:%M}" if s.next_run_at else "next -",
                            f"last {last.status.value} {last.started_at:%Y-%m-%d %H:%M}"
                            if last
                            else "last -",
                        ]
                    )
                )

    def load_command(settings: Settings, args: argparse.Namespace) -> None:
        engine = connect(settings)
        prepare(engine)
        with make_sessionmaker(engine)() as session:
            try:
                created, updated, disabled = declared.load(session, Path(args.file))
            except declared.DeclarationError as exc:
                raise error(str(exc)) from None
        print(f"Sources: {created} created, {updated} updated, {disabled} disabled.", file=sys.stderr)

    sync = commands.add_parser("sync", help="run one source now (or every enabled source), with progress")
    sync.add_argument("source", nargs="?", help="the source's key (default: every enabled source)")
    sync.set_defaults(handler=sync_command)
    sources = commands.add_parser("sources", help="list sources, load sources declared in a file")
    actions = sources.add_subparsers(required=True, metavar="ACTION")
    actions.add_parser("list", help="list sources with their last run").set_defaults(handler=list_command)
    load = actions.add_parser("load", help="create/update the sources declared in a TOML file")
    load.add_argument("file")
    load.set_defaults(handler=load_command)


def _load_declared(session: Any, settings: Settings, error: type[Exception]) -> None:
    if settings.sources_file:
        try:
            declared.load(session, Path(settings.sources_file))
        except declared.DeclarationError as exc:
            raise error(str(exc)) from None


def summary(key: str, run: SyncRun) -> str:
    """A run in one line, in the command's language."""
    line = gettext(
        "%(source)s: %(status)s (%(added)s added, %(updated)s updated, %(unchanged)s unchanged, "
        "%(deleted)s withdrawn, %(failed)s failed)",
        source=key,
        status=gettext(run.status.msgid),
        added=run.added,
        updated=run.updated,
        unchanged=run.unchanged,
        deleted=run.deleted,
        failed=run.failed,
    )
    if run.message:
        line += " — " + describe(run.message, run.message_values)
    return line


class ProgressBar:
    """Items done (of the expected number, when the source says) on one updating terminal line."""

    WIDTH = 30

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()

    def update(self, run: SyncRun) -> None:
        if not self.live:
            return
        done = run.seen
        rate = done / max(time.monotonic() - self.started, 1e-6)
        if run.expected:
            filled = min(self.WIDTH, self.WIDTH * done // max(run.expected, 1))
            bar = "#" * filled + "." * (self.WIDTH - filled)
            text = f"{self.label} [{bar}] {done:,}/{run.expected:,} items, {rate:,.0f}/s"
        else:
            text = f"{self.label} {done:,} items, {rate:,.0f}/s"
        self.stream.write("\r" + text)
        self.stream.flush()

    def finish(self, line: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
        print(line, file=self.stream)
