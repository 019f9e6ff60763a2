"""The coordinators' screens of the network: organisations, their participations and commitments,
and supporting actions."""

from __future__ import annotations

from starlette.routing import BaseRoute

from hub.organisations.workspace import actions, organisations, participations


def routes() -> list[BaseRoute]:
    """The network's pages in the coordinator workspace (joined in ``hub.workspace.routes``)."""
    return [*organisations.routes(), *participations.routes(), *actions.routes()]
