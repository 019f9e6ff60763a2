"""The routes of the coordinator workspace, mounted at ``/{lang}/coordinator`` behind a login.

Each part of the workspace lists its own routes in its module; this is the one place they meet.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from hub.workspace import (
    actions,
    audit,
    calls,
    clients,
    communities,
    events,
    lesson_links,
    lessons,
    library,
    meetings,
    newsletters,
    organisations,
    participants,
    participations,
    people,
    pilots,
    programme_sdgs,
    sources,
    views,
)


def workspace_routes() -> list[BaseRoute]:
    return [
        *views.routes(),
        *programme_sdgs.routes(),
        *pilots.routes(),
        *lessons.routes(),
        *library.routes(),
        *organisations.routes(),
        *participations.routes(),
        *actions.routes(),
        *sources.routes(),
        *communities.routes(),
        *meetings.routes(),
        *participants.routes(),
        *calls.routes(),
        *events.routes(),
        *newsletters.routes(),
        *lesson_links.routes(),
        *audit.routes(),
        *people.routes(),
        *clients.routes(),
    ]
