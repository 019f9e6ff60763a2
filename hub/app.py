"""``create_app(settings)`` builds the Starlette application; nothing runs at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from prometheus_client import CollectorRegistry
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

import hub.models  # noqa: F401  (every model, so that relationships resolve)
from hub import errors, freshness, i18n, ratelimit, urls
from hub.accounts import oidc
from hub.accounts import pages as account_pages
from hub.accounts import views as accounts
from hub.accounts.web import LoginSessions, RequireLogin, cookie_name
from hub.busy import BusyMiddleware
from hub.caching import NoStoreMiddleware
from hub.calls import views as calls
from hub.communities import views as communities
from hub.db import make_engine, make_sessionmaker
from hub.events import views as events
from hub.federation import views as federation
from hub.federation.api import api_routes
from hub.health import healthz, readyz
from hub.lessons import views as lessons
from hub.lessons.suggest import IndexCache
from hub.library import views as library
from hub.logs import configure_logging
from hub.metrics import make_registry
from hub.metrics.database import DatabaseCollector
from hub.metrics.http import MetricsMiddleware
from hub.metrics.scheduler import SchedulerMetrics
from hub.middleware import LanguageMiddleware, SecurityHeadersMiddleware, language_of
from hub.news import views as news
from hub.newsletters import archive
from hub.newsletters import views as newsletter
from hub.opendata import views as opendata
from hub.organisations import views as organisations
from hub.participants import pages as participant_pages
from hub.participants import views as invitation
from hub.pilots import views as pilots
from hub.programmes import views as programmes
from hub.refusals import Refused
from hub.scheduler import Scheduler
from hub.search import views as search
from hub.security import OriginCheckMiddleware
from hub.settings import Settings, SettingsError
from hub.stateless import MACHINE_PATHS, STATELESS_PATHS, Bypass
from hub.sync import views as sync
from hub.sync.runner import RunSettings
from hub.taxonomy import views as taxonomy
from hub.templating import make_templates
from hub.web import post
from hub.workspace.routes import workspace_routes

STATIC = Path(__file__).parent / "static"
SESSION_SECONDS = 8 * 3600  # the cookie; a login itself ends by the limits in hub.accounts.sessions


class LanguageConvertor(Convertor[str]):
    """``/{lang:lang}`` matches only the hub's languages, so ``/fr/...`` is a plain 404."""

    regex = "|".join(i18n.LANGUAGES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("lang", LanguageConvertor())


async def root(request: Request) -> Response:
    language, _ = language_of(request.scope, request.app.state.settings.default_language)
    return RedirectResponse(urls.url("home", lang=language), status_code=307)


def routes() -> list[BaseRoute]:
    sign_in_link = "/login/link/{token:str}"
    invited = "/invitations/{token:str}"
    community = "/communities/{community_id:int}"
    meeting = community + "/meetings/{meeting_id:int}"
    confirm = "/newsletter/confirm/{token:str}"
    preferences = "/newsletter/preferences/{token:str}"
    unsubscribe = "/newsletter/unsubscribe/{token:str}"
    public = [
        Route("/login", accounts.login_page, name="login"),
        post("/login", accounts.login, name="login_submit"),
        Route("/login/oidc/{provider:str}", oidc.login_redirect, name="login_oidc"),
        post("/login/link", accounts.sign_in_link_request, name="login_link"),
        Route(sign_in_link, accounts.sign_in_link_page, name="login_link_page"),
        post(sign_in_link, accounts.sign_in_link_use, name="login_link_use"),
        Route(invited, invitation.invitation_page, name="invitation"),
        post(invited, invitation.invitation_accept, name="invitation_accept"),
        post("/logout", accounts.logout, name="logout"),
        post("/logout/everywhere", account_pages.logout_everywhere, name="logout_everywhere"),
        # Every page under /coordinator/ requires a login (tests walk this table to prove it).
        Mount(
            "/coordinator", routes=workspace_routes(), middleware=[Middleware(RequireLogin, staff_only=True)]
        ),
        Mount("/participant", routes=participant_pages.routes(), middleware=[Middleware(RequireLogin)]),
        Route("/", programmes.home, name="home"),
        Route("/programmes", programmes.programme_list, name="programmes"),
        Route("/programmes/{code:str}", programmes.programme_detail, name="programme"),
        Route("/pilots", pilots.pilot_list, name="pilots"),
        Route("/pilots/{pilot_id:int}", pilots.pilot_detail, name="pilot"),
        Route("/search", search.search_page, name="search"),
        Route("/lessons", lessons.lesson_list, name="lessons"),
        Route("/lessons/reuse", lessons.lesson_reuse, name="lesson_reuse"),
        Route("/lessons/{lesson_id:int}", lessons.lesson_detail, name="lesson"),
        Route("/library", library.library_list, name="library"),
        Route("/library/{item_id:int}", library.library_item, name="library_item"),
        Route("/organisations", organisations.organisation_list, name="organisations"),
        Route("/organisations/{organisation_id:int}", organisations.organisation_detail, name="organisation"),
        Route("/news", news.news_list, name="news"),
        Route("/newsletter/archive", archive.archive_list, name="newsletter_archive"),
        Route("/newsletter/archive/{issue_id:int}", archive.archive_issue, name="newsletter_archive_issue"),
        Route("/calls", calls.call_list, name="calls"),
        Route("/calls/{call_id:int}", calls.call_detail, name="call"),
        post("/calls/{call_id:int}", calls.call_interest, name="call_interest"),
        Route("/events", events.event_list, name="events"),
        Route("/events.ics", events.events_calendar, name="events_calendar"),
        Route("/events/{event_id:int}", events.event_detail, name="event"),
        post("/events/{event_id:int}", events.event_register, name="event_register"),
        Route("/events/{event_id:int}.ics", events.event_calendar, name="event_calendar"),
        Route("/communities", communities.community_list, name="communities"),
        Route("/communities/propose", communities.propose_page, name="community_propose"),
        post("/communities/propose", communities.propose_submit, name="community_propose_submit"),
        Route(community, communities.community_detail, name="community"),
        Route(community + "/join", communities.join_page, name="community_join"),
        post(community + "/join", communities.join_submit, name="community_join_submit"),
        Route(community + "/contact", communities.contact_page, name="community_contact"),
        post(community + "/contact", communities.contact_send, name="community_contact_send"),
        Route(meeting, communities.meeting_detail, name="meeting"),
        post(meeting + "/register", communities.meeting_register, name="meeting_register"),
        Route(community + "/meetings.ics", communities.community_calendar, name="community_calendar"),
        Route(meeting + ".ics", communities.meeting_calendar, name="meeting_calendar"),
        Route("/product-groups", taxonomy.product_group_list, name="product_groups"),
        Route("/product-groups/{code:str}", taxonomy.product_group_detail, name="product_group"),
        *opendata.download_routes(),  # /programmes.csv, /pilots.json ...
        Route("/newsletter", newsletter.subscribe_page, name="newsletter"),
        post("/newsletter", newsletter.subscribe, name="newsletter_subscribe"),
        Route(confirm, newsletter.confirm_page, name="newsletter_confirm"),
        post(confirm, newsletter.confirm, name="newsletter_confirm_submit"),
        Route(preferences, newsletter.preferences_page, name="newsletter_preferences"),
        post(preferences, newsletter.preferences_save, name="newsletter_preferences_save"),
        Route(preferences + "/data.json", newsletter.data_download, name="newsletter_data"),
        post(preferences + "/delete", newsletter.data_delete, name="newsletter_delete"),
        Route(unsubscribe, newsletter.unsubscribe_page, name="newsletter_unsubscribe"),
        post(unsubscribe, newsletter.unsubscribe, name="newsletter_unsubscribe_submit"),
        Route("/sources", sync.source_status, name="sources"),
        Route("/network", federation.network_page, name="network"),
    ]
    return [
        Route("/", root, name="root"),
        Route("/healthz", healthz, name="healthz"),
        Route("/readyz", readyz, name="readyz"),
        Route("/auth/callback/{provider:str}", oidc.callback, name="auth_callback"),
        Route("/api/v1/ocds/pilots.json", opendata.ocds_pilots, name="ocds_pilots"),
        Route("/feeds/{lang:lang}/pilots.atom", opendata.pilots_feed, name="feed_pilots"),
        Route("/feeds/{lang:lang}/lessons.atom", opendata.lessons_feed, name="feed_lessons"),
        Route("/feeds/{lang:lang}/newsletter.atom", archive.archive_feed, name="feed_newsletter"),
        # One-click unsubscribe (RFC 8058): mail programs POST here without a session or CSRF token.
        Route(
            "/newsletter/one-click/{token:str}",
            newsletter.one_click,
            methods=["GET", "POST"],
            name="newsletter_one_click",
        ),
        post("/api/v1/bounces", newsletter.bounce_notification, name="bounces"),
        *api_routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount("/{lang:lang}", routes=public),
    ]


def middleware(
    settings: Settings, *, registry: CollectorRegistry, routes: list[BaseRoute]
) -> list[Middleware]:
    origins = oidc.origins(settings)
    stack = [
        # Health checks answer machines, not browsers: see hub.stateless.
        Middleware(
            Bypass,
            paths=MACHINE_PATHS,
            layers=[Middleware(SecurityHeadersMiddleware, https=settings.https, form_action=origins)],
        ),
        # A busy database answers 503 (also when the login session's lookup meets it): see hub.busy.
        Middleware(BusyMiddleware, default_language=settings.default_language),
        # The health checks, the API and static files go past the browser's state: see hub.stateless.
        Middleware(
            Bypass,
            paths=STATELESS_PATHS,
            layers=[
                Middleware(OriginCheckMiddleware, exempt=("/api/", "/newsletter/one-click/")),
                Middleware(NoStoreMiddleware, routes=routes),  # private pages: see hub.caching
                # The signed cookie keeps anonymous state and a login session's token; who that
                # is, and whether the session still holds, LoginSessions asks the database.
                Middleware(
                    SessionMiddleware,
                    secret_key=settings.secret_key,
                    session_cookie=cookie_name(settings.https),
                    max_age=SESSION_SECONDS,
                    same_site="lax",
                    https_only=settings.https,
                ),
                Middleware(LoginSessions),
            ],
        ),
        Middleware(
            Bypass,
            paths=MACHINE_PATHS,
            layers=[Middleware(LanguageMiddleware, default=settings.default_language, secure=settings.https)],
        ),
    ]
    if "*" not in settings.allowed_hosts:  # "*" allows every host: skip the check altogether
        stack.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)))
    # Outermost: it times everything, and answers /metrics before the host check (a scrape comes
    # to the process's own address) and everything else.
    stack.insert(
        0, Middleware(MetricsMiddleware, registry=registry, routes=routes, token=settings.metrics_token)
    )
    return stack


def create_app(
    settings: Settings,
    *,
    sessions: sessionmaker[Session] | None = None,
    scheduler: bool = False,
) -> Starlette:
    """The web application; with ``scheduler`` it also runs scheduled jobs in this process.

    ``sessions`` lets tests share one transaction with the app.
    """
    if not settings.secret_key:
        raise SettingsError("HUB_SECRET_KEY is empty: sessions cannot be signed")
    engine = None
    if sessions is None:
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        sessions = make_sessionmaker(engine)

    # The process's metrics, in a registry of the app's own (see hub/metrics).
    registry = make_registry()
    registry.register(DatabaseCollector(sessions))
    scheduler_metrics = SchedulerMetrics(registry) if scheduler else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        timer = None
        if scheduler:
            timer = Scheduler(
                sessions,
                tick_seconds=settings.scheduler_tick_seconds,
                run_settings=app.state.run_settings,
                metrics=scheduler_metrics,
            )
        if timer:
            timer.start()
        try:
            yield
        finally:
            if timer:
                # Runs once uvicorn has finished the requests in progress: the scheduler gives
                # back what it claimed and will not do (see hub/scheduler), off the event loop.
                await anyio.to_thread.run_sync(timer.shutdown)
            if engine is not None:
                engine.dispose()

    urls.install(routes)  # url() in any module: paths by route name (see hub.urls)
    app_routes = routes()
    freshness.cache_public_pages(app_routes, sessions=sessions, cookie=cookie_name(settings.https))
    app = Starlette(
        debug=settings.debug,
        routes=app_routes,
        middleware=middleware(settings, registry=registry, routes=app_routes),
        exception_handlers={
            HTTPException: errors.http_error,
            Refused: errors.refused,
            ClientDisconnect: errors.client_disconnected,
            500: errors.server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.run_settings = RunSettings.from_settings(settings)
    app.state.templates = make_templates()
    app.state.limiter = ratelimit.make_limiter()
    app.state.index_cache = IndexCache()  # lesson and pilot suggestions
    app.state.oidc = oidc.OidcLogin(settings)
    app.state.metrics = registry
    return app


def app_from_environment() -> Starlette:
    """For ``uvicorn --factory hub.app:app_from_environment`` (several web processes).

    Logging is configured here, after uvicorn configured its own: its loggers then write through
    the hub's handler, in ``HUB_LOG_FORMAT``. Give uvicorn ``--timeout-graceful-shutdown`` so that
    requests in progress at SIGTERM finish (``hub serve`` passes ``HUB_SHUTDOWN_TIMEOUT_SECONDS``).
    """
    settings = Settings.load()
    configure_logging(settings)
    return create_app(settings.with_secret_key())
