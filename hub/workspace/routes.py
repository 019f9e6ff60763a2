"""The routes of the coordinator workspace, mounted at ``/{lang}/coordinator`` behind a login.

Each part of the workspace lists its own routes in its module; this is the one place they meet.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.workspace import views


def workspace_routes() -> list[BaseRoute]:
    return [
        Route("/", views.dashboard, name="dashboard"),
    ]
