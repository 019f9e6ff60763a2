"""The ``hub`` command: serve, scheduler, migrate, demo, users, sync, sources, clients, newsletter."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

import hub.models  # noqa: F401  (every model, so that relationships resolve)
from hub import i18n, migrate, urls
from hub.accounts.models import RoleName, User
from hub.db import make_engine, make_sessionmaker, refresh_statistics
from hub.logs import configure_logging
from hub.refusals import Refused
from hub.search import index as search_index
from hub.settings import Settings, SettingsError

log = logging.getLogger("hub")
SOURCES_LOCK = 72_017_0602  # any constant the hub's processes share (the migrations use ...0601)


class CommandError(Exception):
    """A failure the user can fix; printed without a traceback."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    urls.install(app_routes)  # e-mails (failed runs, newsletters) link by route name
    settings = None
    try:
        settings = Settings.load()
        configure_logging(settings)
        if args.handler not in (serve_command, scheduler_command) and settings.log_level.upper() == "INFO":
            logging.getLogger().setLevel(logging.WARNING)  # a one-shot command says only what it did
        i18n.current_language.set(command_language(settings, os.environ))
        args.handler(settings, args)
    except (SettingsError, CommandError) as error:
        if settings is not None and settings.log_format == "json":  # a log collector reads stderr
            log.error("hub: %s", error)
        else:
            print(f"hub: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


def command_language(settings: Settings, environ: Mapping[str, str]) -> str:
    """The language commands speak: HUB_DEFAULT_LANGUAGE when set, else the shell's (LANG) when it
    is Dutch or English, else the hub's default."""
    if "HUB_DEFAULT_LANGUAGE" not in environ:
        shell = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
        if shell[:2] in i18n.LANGUAGES:
            return shell[:2]
    return settings.default_language


def app_routes() -> list[BaseRoute]:
    """The app's route table, imported only when a command first builds a link (see hub.urls)."""
    from hub.app import routes

    return routes()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description="Circular procurement network hub")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate the database if needed and serve the hub")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--demo", action="store_true", help="load the demo network into an empty database")
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not run scheduled jobs in this process"
    )
    serve.set_defaults(handler=serve_command)

    scheduler = commands.add_parser("scheduler", help="run scheduled jobs only (no web server)")
    scheduler.set_defaults(handler=scheduler_command)

    users = commands.add_parser("users", help="local accounts and roles")
    user_commands = users.add_subparsers(required=True, metavar="ACTION")
    create = user_commands.add_parser("create", help="create a local account (asks for the password)")
    create.add_argument("email")
    create.add_argument("--name", default="")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.add_argument("--admin", action="store_true", help="make the user a hub administrator")
    create.add_argument(
        "--coordinator",
        metavar="PROGRAMME",
        action="append",
        default=[],
        help="make the user coordinator of this programme (code, e.g. gdca); repeatable",
    )
    create.set_defaults(handler=users_create_command)
    grant_parser = user_commands.add_parser("grant", help="grant a role to an existing user")
    grant_parser.add_argument("email")
    grant_parser.add_argument("role", choices=[r.value for r in RoleName if r != RoleName.PARTICIPANT])
    grant_parser.add_argument("--programme", help="programme code (for coordinator)")
    grant_parser.add_argument("--community", type=int, help="community number (for moderator)")
    grant_parser.set_defaults(handler=users_grant_command)
    list_parser = user_commands.add_parser("list", help="list users and their roles")
    list_parser.set_defaults(handler=users_list_command)
    password = user_commands.add_parser(
        "password", help="set a new password (asks for it); the person's open sessions end"
    )
    password.add_argument("email")
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password.set_defaults(handler=users_password_command)
    deactivate = user_commands.add_parser(
        "deactivate", help="stop a person logging in; their open sessions end now"
    )
    deactivate.add_argument("email")
    deactivate.set_defaults(handler=users_deactivate_command)

    migrate_parser = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate_parser.add_argument("--revision", metavar="MESSAGE", help="(developers) write a new migration")
    migrate_parser.set_defaults(handler=migrate_command)

    search = commands.add_parser("search", help="the search index")
    search_commands = search.add_subparsers(required=True, metavar="ACTION")
    rebuild = search_commands.add_parser("rebuild", help="index every record again (with progress)")
    rebuild.set_defaults(handler=search_rebuild_command)

    demo = commands.add_parser("demo", help="load the demo network (GDCA, GDCI 2.0, ProCirc)")
    demo.add_argument("--seed", type=int, help="random seed (default HUB_DEMO_SEED, 2017)")
    demo.add_argument("--pilots", type=int, help="total number of pilots, e.g. 10000 for benchmarks")
    demo.add_argument(
        "--day",
        type=dt.date.fromisoformat,
        help="the day the network describes, YYYY-MM-DD (default today): pilots' statuses follow their "
        "dates to it and the event to come and the open call are dated from it",
    )
    demo.add_argument("--force", action="store_true", help="load even if the database is not empty")
    demo.set_defaults(handler=demo_command)

    from hub.federation.commands import add_commands as add_client_commands
    from hub.newsletters.commands import add_commands as add_newsletter_commands
    from hub.sync.commands import add_commands as add_sync_commands

    add_sync_commands(commands, connect=connect, prepare=prepare_database, error=CommandError)
    add_client_commands(commands, connect=connect, prepare=prepare_database, error=CommandError)
    add_newsletter_commands(commands, connect=connect, prepare=prepare_database, error=CommandError)
    return parser


def connect(settings: Settings) -> Engine:
    """An engine whose database answers, or a clear error saying which one does not."""
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        safe_url = engine.url.render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise CommandError(f"cannot reach the database {safe_url}: {reason}") from None
    return engine


def prepare_database(engine: Engine) -> None:
    """Bring the schema to head and the reference vocabularies (product groups, strategies) up to date."""
    from hub.taxonomy.vocabulary import ensure_vocabulary

    if migrate.pending(engine):
        log.info("migrating the database")
        migrate.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        ensure_vocabulary(session)
        session.commit()
    with make_sessionmaker(engine)() as session:
        if not search_index.is_current(session):
            log.info("building the search index")
            _rebuild_search_index(session)
            session.commit()


def _rebuild_search_index(session: Session) -> None:
    def progress(kind: str, done: int, total: int) -> None:
        print(f"\rsearch index: {kind} {done}/{total}", end="", file=sys.stderr, flush=True)

    counts = search_index.rebuild(session, progress=progress)
    print(file=sys.stderr)
    print("Indexed " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".", file=sys.stderr)


def search_rebuild_command(settings: Settings, args: argparse.Namespace) -> None:
    engine = connect(settings)
    prepare_database(engine)
    with make_sessionmaker(engine)() as session:
        _rebuild_search_index(session)
        session.commit()


def load_declared_sources(engine: Engine, settings: Settings) -> None:
    """The sources of ``HUB_SOURCES_FILE``, if set, brought into the database (at every start)."""
    if not settings.sources_file:
        return
    from pathlib import Path

    from hub.sync import declared

    # Processes that start together (web processes, schedulers) load the file in turn: on
    # PostgreSQL a lock held on a connection of its own; the second finds the first's rows.
    with engine.connect() as lock, make_sessionmaker(engine)() as session:
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SOURCES_LOCK})
        try:
            created, updated, disabled = declared.load(session, Path(settings.sources_file))
        except declared.DeclarationError as error:
            raise CommandError(str(error)) from None
        finally:
            if postgres:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SOURCES_LOCK})
    log.info("sources file: %d created, %d updated, %d disabled", created, updated, disabled)


def migrate_command(settings: Settings, args: argparse.Namespace) -> None:
    engine = connect(settings)
    if args.revision:
        migrate.revision(engine, args.revision)
        return
    prepare_database(engine)
    print("The database is up to date.", file=sys.stderr)


def demo_command(settings: Settings, args: argparse.Namespace) -> None:
    from hub.demo.generate import is_empty, load_demo, scaled_sizes
    from hub.demo.sources import load_demo_sources

    engine = connect(settings)
    prepare_database(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        if not is_empty(session) and not args.force:
            raise CommandError("the database already holds data; use --force to add the demo anyway")
        started = time.perf_counter()
        print("Loading the demo network…", file=sys.stderr)
        summary = load_demo(
            session,
            seed=settings.demo_seed if args.seed is None else args.seed,
            pilots=scaled_sizes(args.pilots) if args.pilots else None,
            today=args.day,
        )
        refresh_statistics(session)
        sources = load_demo_sources(session, uploads_dir=settings.uploads_dir)
    print(
        f"Loaded in {time.perf_counter() - started:.1f} s: {summary}, {sources} news sources "
        "(`hub sync` or the scheduler reads them)",
        file=sys.stderr,
    )


def serve_command(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    settings = settings.with_secret_key().served_at(args.host, args.port)
    if settings.unreachable_base_url(args.host, args.port):
        log.warning(
            "HUB_BASE_URL is %s, but this process serves port %d: links in mail and downloads will not "
            "reach it (leave HUB_BASE_URL unset to use the served address)",
            settings.base_url,
            args.port,
        )
    engine = connect(settings)
    prepare_database(engine)
    if args.demo:
        from hub.demo.generate import is_empty, load_demo
        from hub.demo.sources import load_demo_sources

        with make_sessionmaker(engine)() as session:
            if is_empty(session):
                log.info("loading the demo network")
                load_demo(session, seed=settings.demo_seed)
                refresh_statistics(session)
                load_demo_sources(session, uploads_dir=settings.uploads_dir)
    load_declared_sources(engine, settings)
    engine.dispose()
    for language in i18n.LANGUAGES:
        if i18n.catalog_missing(language):
            raise CommandError(f"the {language} catalog is not compiled: run `pybabel compile -d locales`")
    log.info("serving the hub on http://%s:%d/", args.host, args.port)
    from hub.app import create_app

    app = create_app(settings, scheduler=not args.no_scheduler)
    # On SIGTERM uvicorn stops accepting connections, lets the requests in progress finish (for
    # HUB_SHUTDOWN_TIMEOUT_SECONDS at most), shuts the app down (its scheduler gives back what it
    # claimed), then raises the signal again: this handler makes that a normal exit (status 0).
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
        log_config=None,  # configure_logging did: uvicorn's lines go through the hub's handler
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
    )
    log.info("the hub has stopped")


def scheduler_command(settings: Settings, args: argparse.Namespace) -> None:
    """Run scheduled work until SIGTERM or SIGINT, then stop gracefully and exit 0.

    The first signal stops the scheduler taking work: the work in hand finishes and what it had
    claimed but will not do is given back (see hub/scheduler). A second Ctrl-C (SIGINT) ends the
    process at once, like a crash: its leases then run out before another scheduler may take over.
    """
    import threading

    from hub.metrics import make_registry
    from hub.metrics.database import DatabaseCollector
    from hub.metrics.scheduler import MetricsServer, SchedulerMetrics
    from hub.scheduler import Scheduler
    from hub.sync.runner import RunSettings

    settings = settings.with_secret_key()  # newsletters sign their links as the web server does
    engine = connect(settings)
    if migrate.pending(engine):
        raise CommandError("the database is not up to date: run `hub migrate` first")
    load_declared_sources(engine, settings)
    sessions = make_sessionmaker(engine)
    registry = make_registry()
    registry.register(DatabaseCollector(sessions))
    scheduler = Scheduler(
        sessions,
        tick_seconds=settings.scheduler_tick_seconds,
        run_settings=RunSettings.from_settings(settings),
        metrics=SchedulerMetrics(registry),
    )
    server = None
    if settings.metrics_port:
        try:
            server = MetricsServer(
                registry,
                address=settings.metrics_address,
                port=settings.metrics_port,
                token=settings.metrics_token,
            )
        except OSError as error:
            raise CommandError(
                f"cannot serve metrics on {settings.metrics_address}:{settings.metrics_port}: {error}"
            ) from None
        server.start()
    stop = threading.Event()

    def on_signal(number: int, _frame: object) -> None:
        name = signal.Signals(number).name
        if stop.is_set():
            if number == signal.SIGINT:
                log.warning("%s again: stopping at once", name)
                os._exit(128 + number)
            return
        log.info("%s received: the scheduler stops once the work in hand is done", name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler.start()
    log.info("scheduler running; stop with Ctrl-C or SIGTERM")
    try:
        stop.wait()
        scheduler.shutdown()  # waits for the tick in progress, which gives back what it claimed
    finally:
        if server is not None:
            server.stop()
        engine.dispose()
    log.info("scheduler stopped")


def _read_password(args: argparse.Namespace) -> str:
    """From standard input with --password-stdin, else asked twice without echo. Never printed."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password: use --password-stdin")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise CommandError("the passwords do not match")
    return password


@contextmanager
def _change(engine: Engine) -> Iterator[Session]:
    """A session for a command's change, committed at the end; what the domain refuses stops the
    command with its message (nothing is committed)."""
    with make_sessionmaker(engine)() as session:
        try:
            yield session
        except Refused as error:
            raise CommandError(str(error)) from None
        session.commit()


def users_create_command(settings: Settings, args: argparse.Namespace) -> None:
    from hub.accounts import services

    engine = connect(settings)
    prepare_database(engine)
    password = _read_password(args)
    i18n.current_language.set(i18n.SOURCE_LANGUAGE)  # a refused password is told in the CLI's English
    with _change(engine) as session:
        user = services.create_user(session, email=args.email, name=args.name, password=password)
        if args.admin:
            services.grant(session, user=user, role=RoleName.ADMIN)
        for code in args.coordinator:
            services.grant(session, user=user, role=RoleName.COORDINATOR, programme_code=code)
    print(f"Created {user.email}.", file=sys.stderr)


def users_grant_command(settings: Settings, args: argparse.Namespace) -> None:
    from hub.accounts import services

    engine = connect(settings)
    with _change(engine) as session:
        user = _existing_user(session, args.email)
        services.grant(
            session,
            user=user,
            role=RoleName(args.role),
            programme_code=args.programme,
            community_id=args.community,
        )
    print(f"Granted {args.role} to {user.email}.", file=sys.stderr)


def _existing_user(session: Session, email: str) -> User:
    from hub.accounts import services

    user = services.find_user(session, email=email)
    if user is None:
        raise CommandError(f"there is no user {email}")
    return user


def users_password_command(settings: Settings, args: argparse.Namespace) -> None:
    from hub.accounts import services

    password = _read_password(args)
    i18n.current_language.set(i18n.SOURCE_LANGUAGE)  # a refused password is told in the CLI's English
    with _change(connect(settings)) as session:
        user = _existing_user(session, args.email)
        services.reset_password(session, user=user, password=password, by=None)
    print(f"New password set for {user.email}; their sessions have ended.", file=sys.stderr)


def users_deactivate_command(settings: Settings, args: argparse.Namespace) -> None:
    from hub.accounts import services

    with _change(connect(settings)) as session:
        user = _existing_user(session, args.email)
        services.deactivate(session, user=user, by=None)
    print(f"Deactivated {user.email}; their sessions have ended.", file=sys.stderr)


def users_list_command(settings: Settings, args: argparse.Namespace) -> None:
    from hub.accounts import services

    engine = connect(settings)
    with make_sessionmaker(engine)() as session:
        for user in services.list_users(session):
            roles = ", ".join(
                g.role.value
                + (f" ({g.programme.code})" if g.programme else "")
                + (f" (community {g.community_id})" if g.community_id else "")
                for g in user.grants
            )
            kind = "local" if user.password_hash else "openid"
            print(f"{user.email}\t{user.name}\t{kind}\t{roles or '-'}")


if __name__ == "__main__":
    sys.exit(main())
