"""The coordinators' screens of community life: moderation (requests, members, updates, proposals)
and the meetings with their close-outs."""

from __future__ import annotations

from starlette.routing import BaseRoute

from hub.communities.workspace import meetings, moderation


def routes() -> list[BaseRoute]:
    """The communities' pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [*moderation.routes(), *meetings.routes()]
