"""Public pages that cache: one validator for what they show, and ``304 Not Modified`` without a render.

Every write to what the public pages show bumps the content version, a counter in one row, in the
writing transaction (so it is seen exactly when the write is): a listener here catches the ORM's
flushes of public records, and the sync's and the mirror's bulk writes say so through ``changed``.
Bookkeeping does not count: people, sessions, mail, the audit log, the search index, a run's
heartbeat and counters (``PRIVATE``, ``QUIET``). A public page's ETag is that version with the hour
(pages that say "upcoming" change as time passes, not only as records do) and the release (another
release renders otherwise): one primary-key read, never a render.

``Conditional`` wraps every public page and download. To an anonymous GET (no session cookie) it
answers 304 when the copy the browser or nginx holds is current; otherwise the page renders and the
response gets its ETag and ``Cache-Control: public, max-age=60, stale-while-revalidate=300`` —
unless the response sets a session (a page with a form makes a CSRF token), which gets ``no-store``.
A visitor with a session cookie (logged in, or after a form) is left to ``hub.caching``. An edit
therefore shows within ``MAX_AGE`` seconds, plus one request served stale while nginx revalidates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import DDL, BigInteger, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.caching import NO_STORE, PrivateRoutes
from hub.db import Base, utcnow

MAX_AGE = 60  # seconds a browser or nginx may show its copy without asking
STALE = 300  # seconds nginx may serve its copy while it fetches a fresh one
PUBLIC = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE}"
FOLLOW = "freshness_follows"  # session.info[FOLLOW] = False: a session on a schema before 0018
LANG_MOUNT = "/{lang:lang}"  # the public pages (hub.app.routes)
TOP_LEVEL_PAGES = ("feed_", "ocds_")  # outside it: the Atom feeds and the OCDS download

# Writes to these tables change no public page.
PRIVATE = frozenset(
    {
        "api_clients",
        "audit_log",
        "call_interests",
        "community_proposals",
        "consent_events",
        "content_version",
        "invitations",
        "join_requests",
        "lesson_suggestion_dismissals",
        "login_sessions",
        "newsletter_deliveries",
        "participant_entries",
        "role_grants",
        "scheduled_jobs",
        "search_documents",
        "search_pending",
        "search_state",
        "search_words",
        "sign_in_links",
        "subscription_interests",
        "subscriptions",
        "sync_errors",
        "users",
    }
)
# Columns of public tables that no public page shows: changing only these is bookkeeping.
QUIET = {
    "sources": frozenset({"next_run_at", "lease_until", "lease_owner", "cursor"}),
    "sync_runs": frozenset(
        {"heartbeat_at", "owner", "added", "updated", "unchanged", "deleted", "failed", "expected"}
    ),
}


class ContentVersion(Base):
    """The one row whose ``version`` grows with every write to what public pages show."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# A schema made from the models (not the migrations) starts with its row too.
event.listen(
    ContentVersion.__table__,
    "after_create",
    DDL("INSERT INTO content_version (id, version) VALUES (1, 0)"),  # type: ignore[no-untyped-call]
)

_BUMP = update(ContentVersion).where(ContentVersion.id == 1).values(version=ContentVersion.version + 1)
_READ = select(ContentVersion.version).where(ContentVersion.id == 1)


def changed(session: Session) -> None:
    """Count a write made past the ORM (bulk Core statements) as a change of public content."""
    session.connection().execute(_BUMP)


def version(session: Session) -> int:
    return session.scalar(_READ) or 0


def _public(record: object, *, new: bool) -> bool:
    table = getattr(type(record), "__tablename__", None)
    if table is None or table in PRIVATE:
        return False
    if new or table not in QUIET:
        return True
    state = inspect(record)
    written = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return bool(written - QUIET[table] - {"updated_at"})


@event.listens_for(Session, "after_flush")
def _count_public_writes(session: Session, _context: Any) -> None:
    """A flush that writes a public record bumps the version, in the same transaction."""
    if not session.info.get(FOLLOW, True):
        return
    dirty: Iterable[object] = (record for record in session.dirty if session.is_modified(record))
    if (
        any(_public(record, new=True) for record in session.new)
        or any(_public(record, new=True) for record in session.deleted)
        or any(_public(record, new=False) for record in dirty)
    ):
        changed(session)


# --- the validator of a public page ------------------------------------------------------------


def release() -> str:
    """What identifies this release's rendering: the package's version and its templates,
    catalogs and static files (their sizes and times), hashed once at start-up."""
    root = Path(__file__).parent
    digest = hashlib.sha256(_package_version().encode())
    folders = (root / "templates", root / "static", root.parent / "locales")
    for path in sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def _package_version() -> str:
    try:
        return metadata.version("circular-procurement-hub")
    except metadata.PackageNotFoundError:
        return "0"


def etag(version: int, release: str) -> str:
    hour = utcnow().strftime("%Y%m%d%H")
    return f'"{release}-{version}-{hour}"'


def matches(header: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` or ``*`` (weak comparison, as RFC 9110 asks for GET)."""
    if not header:
        return False
    candidates = {candidate.strip().removeprefix("W/") for candidate in header.split(",")}
    return tag in candidates or "*" in candidates


def body_tag(body: bytes) -> str:
    """A strong entity tag of a representation already made: it changes whenever a byte does."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


class Conditional:
    """A public page (a route's app): validator, 304 and Cache-Control for anonymous GETs."""

    def __init__(self, app: ASGIApp, *, sessions: sessionmaker[Session], cookie: str, release: str) -> None:
        self.app = app
        self.sessions = sessions
        self.cookie = cookie
        self.release = release

    def _tag(self) -> str:
        with self.sessions() as session:
            return etag(version(session), self.release)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if scope["method"] not in ("GET", "HEAD") or f"{self.cookie}=" in headers.get("cookie", ""):
            await self.app(scope, receive, send)
            return
        tag = await run_in_threadpool(self._tag)
        if matches(headers.get("if-none-match"), tag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(b"etag", tag.encode()), (b"cache-control", PUBLIC.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                response = MutableHeaders(scope=message)
                # The visitor came without a session; one written now (a form's CSRF token) is
                # theirs alone, and the session middleware around us will send its cookie.
                if scope.get("session"):
                    response["cache-control"] = NO_STORE
                else:
                    response.setdefault("etag", tag)  # a feed's own (of its body) stays
                    response["cache-control"] = PUBLIC
            await send(message)

        await self.app(scope, receive, send_marked)


def cache_public_pages(routes: list[BaseRoute], *, sessions: sessionmaker[Session], cookie: str) -> int:
    """Wrap every public page and download of the route table in ``Conditional``: the GET routes
    under ``/{lang}/`` that are not private (``hub.caching``) and the feeds; how many."""
    private = PrivateRoutes(routes)
    stamp = release()
    wrapped = 0
    for route in _pages(routes, private, top=True):
        route.app = Conditional(route.app, sessions=sessions, cookie=cookie, release=stamp)
        wrapped += 1
    return wrapped


def _pages(routes: Iterable[BaseRoute], private: PrivateRoutes, *, top: bool) -> Iterable[Route]:
    for route in routes:
        if private.holds(route):
            continue
        if isinstance(route, Mount) and route.path == LANG_MOUNT:
            yield from _pages(route.routes, private, top=False)
        elif (
            isinstance(route, Route)
            and "GET" in (route.methods or ())
            and (not top or (route.name or "").startswith(TOP_LEVEL_PAGES))
        ):
            yield route
