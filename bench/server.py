"""The benchmark server: the real hub plus, in the same process, the baselines it is compared with.

``uvicorn --factory bench.server:make_bench_app`` serves

- ``/bare/healthz``: a bare ``Starlette`` app (no middleware of ours) with the hub's own
  ``healthz`` endpoint, the baseline of ``/healthz``;
- ``/{lang}/bench-list-from-memory``: the ``pilots/list.html`` template with the context the real
  ``/{lang}/pilots`` view builds, every object built once at start-up (no database per request),
  rendered through the hub's own ``render()``, templates and language middleware — the baseline of
  ``/{lang}/pilots``;
- ``/bench/core-json``: the API's first page of 50 pilots read on a plain SQLAlchemy Core
  connection — every field the API sends: the pilot with its programme and product group, its
  strategies, parties, SDGs, progress and milestones, one query each — serialised with
  ``json.dumps``: the baseline of ``/api/v1/pilots?limit=50``;
- everything else: the hub app from ``hub.app.create_app``, exactly as in production.

Nothing here is imported by the hub; it exists only for ``bench/run.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from hub import i18n
from hub.app import create_app
from hub.db import utcnow
from hub.health import healthz
from hub.organisations.models import Organisation
from hub.pilots import services
from hub.pilots.models import (
    Pilot,
    PilotMilestone,
    PilotParty,
    PilotProgress,
    PilotSdg,
    PilotStatus,
    pilot_strategies,
)
from hub.programmes.models import Programme
from hub.settings import Settings
from hub.taxonomy.models import ProductGroup, Strategy
from hub.web import language, render

BARE_PREFIX = "/bare/"
LIST_FROM_MEMORY = "/{lang:lang}/bench-list-from-memory"
CORE_JSON = "/bench/core-json"
API_PAGE = 50
LANG_MOUNT = "/{lang:lang}"  # hub.app.routes(): the public pages

Endpoint = Callable[[Request], Response]


class Dispatcher:
    """Sends ``/bare/...`` to the bare app and everything else (lifespan included) to the hub."""

    def __init__(self, hub: ASGIApp, bare: ASGIApp) -> None:
        self.hub = hub
        self.bare = bare

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(BARE_PREFIX):
            await self.bare(scope, receive, send)
        else:
            await self.hub(scope, receive, send)


def make_bench_app() -> Dispatcher:
    """The ASGI app of the benchmark server, configured like the hub from ``HUB_*`` settings."""
    settings = Settings.load().with_secret_key()
    hub = create_app(settings)
    engine = _engine_of(hub)
    add_baselines(
        hub,
        Route(LIST_FROM_MEMORY, list_from_memory_endpoint(engine), name="bench_list_from_memory"),
        Route(CORE_JSON, core_json_endpoint(engine), name="bench_core_json"),
    )
    bare = Starlette(routes=[Route(BARE_PREFIX + "healthz", healthz)])
    return Dispatcher(hub, bare)


def add_baselines(app: Starlette, *baselines: Route) -> None:
    """Put the bench routes just before the ``/{lang}`` mount (which would swallow ``/en/...``).

    Not at the very front: every request tries the routes in order, so routes in front of
    ``/healthz`` or ``/api/v1/pilots`` would slow down the very endpoints being measured.
    """
    routes = app.router.routes
    mount = next(i for i, route in enumerate(routes) if isinstance(route, Mount) and route.path == LANG_MOUNT)
    routes[mount:mount] = baselines


def _engine_of(app: Starlette) -> Engine:
    """The engine behind the hub's sessions, so baselines share its connection pool."""
    engine: Engine = app.state.sessions.kw["bind"]
    return engine


# --- /{lang}/bench-list-from-memory -------------------------------------------------------------


def list_context(session: Session, lang: str) -> dict[str, Any]:
    """What ``hub.pilots.views.pilot_list`` passes to the template for the unfiltered first page."""
    facets = services.facets(session)
    filters = services.parse_filters(session, {}, max_per_page=services.PAGE_SIZE)
    page = services.list_pilots(session, filters=filters, language=lang)
    return {
        "page": page,
        "facets": facets,
        "filters": filters,
        "statuses": list(PilotStatus),
        "sorts": list(services.Sort),
        "strategy_names": {s.code: s.name(lang) for s in facets.strategies},
        "product_group_names": {g.code: g.name(lang) for g in facets.product_groups},
    }


def list_from_memory_endpoint(engine: Engine) -> Endpoint:
    """A ``def`` endpoint like the real view, rendering a context built once per language."""
    with Session(engine, expire_on_commit=False) as session:
        contexts = {lang: list_context(session, lang) for lang in i18n.LANGUAGES}

    def list_from_memory(request: Request) -> Response:
        return render(request, "pilots/list.html", **contexts[language(request)])

    return list_from_memory


# --- /bench/core-json ---------------------------------------------------------------------------


def core_json_endpoint(engine: Engine) -> Endpoint:
    """A minimal ``def`` endpoint: the API's first page of 50 pilots (in order of change) read with
    Core on a plain connection, what the API sends and nothing more (pilots with their programme and
    product group; their strategies, parties, SDGs, progress and milestones: one query each, as the
    API runs them), and ``json.dumps`` of the rows. A field the API gains belongs here too, or the
    ratio flatters the API (it did: the baseline read three of the six for six issues)."""
    pilots = (
        select(Pilot.__table__, Programme.code.label("programme"), ProductGroup.code.label("product_group"))
        .join(Programme, Programme.id == Pilot.programme_id)
        .outerjoin(ProductGroup, ProductGroup.id == Pilot.product_group_id)
        .where(Pilot.mirrored.is_(False), Pilot.updated_at <= bindparam("until"))
        .order_by(Pilot.updated_at, Pilot.id)
        .limit(API_PAGE + 1)
    )
    strategies = (
        select(pilot_strategies.c.pilot_id, Strategy.code)
        .join(Strategy, Strategy.id == pilot_strategies.c.strategy_id)
        .where(pilot_strategies.c.pilot_id.in_(bindparam("ids", expanding=True)))
    )
    parties = (
        select(PilotParty.pilot_id, PilotParty.role, Organisation.uid)
        .join(Organisation, Organisation.id == PilotParty.organisation_id)
        .where(PilotParty.pilot_id.in_(bindparam("ids", expanding=True)))
    )
    sdgs = select(PilotSdg.pilot_id, PilotSdg.sdg).where(
        PilotSdg.pilot_id.in_(bindparam("ids", expanding=True))
    )
    progress = select(PilotProgress.pilot_id, PilotProgress.percent, PilotProgress.as_of).where(
        PilotProgress.pilot_id.in_(bindparam("ids", expanding=True))
    )
    milestones = (
        select(PilotMilestone.pilot_id, PilotMilestone.title, PilotMilestone.due_on, PilotMilestone.done_on)
        .where(PilotMilestone.pilot_id.in_(bindparam("ids", expanding=True)))
        .order_by(PilotMilestone.pilot_id, PilotMilestone.position)
    )

    def core_json(request: Request) -> Response:
        with engine.connect() as connection:
            rows = [row._asdict() for row in connection.execute(pilots, {"until": utcnow()})]
            by_id = {
                row["id"]: {
                    **row,
                    "strategies": [],
                    "parties": [],
                    "sdgs": [],
                    "progress": None,
                    "milestones": [],
                }
                for row in rows
            }
            keys = {"ids": list(by_id)}
            for pilot_id, code in connection.execute(strategies, keys):
                by_id[pilot_id]["strategies"].append(code)
            for pilot_id, role, uid in connection.execute(parties, keys):
                by_id[pilot_id]["parties"].append({"organisation": uid, "role": role})
            for pilot_id, sdg in connection.execute(sdgs, keys):
                by_id[pilot_id]["sdgs"].append(sdg)
            for pilot_id, percent, as_of in connection.execute(progress, keys):
                by_id[pilot_id]["progress"] = {"percent": percent, "as_of": as_of}
            for pilot_id, title, due_on, done_on in connection.execute(milestones, keys):
                by_id[pilot_id]["milestones"].append({"title": title, "due_on": due_on, "done_on": done_on})
            rows = list(by_id.values())
        body = {"data": rows[:API_PAGE], "has_more": len(rows) > API_PAGE}
        return Response(json.dumps(body, default=str), media_type="application/json")

    return core_json
