"""The routes of the coordinator workspace, mounted at ``/{lang}/coordinator`` behind a login.

Each part of the workspace lists its own routes in its module; this is the one place they meet.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from hub.accounts import workspace as accounts_workspace
from hub.calls import workspace as calls_workspace
from hub.communities import workspace as communities_workspace
from hub.events import workspace as events_workspace
from hub.federation import workspace as federation_workspace
from hub.lessons import workspace as lessons_workspace
from hub.lessons import workspace_links as lesson_links_workspace
from hub.library import workspace as library_workspace
from hub.newsletters import workspace as newsletters_workspace
from hub.organisations import workspace as organisations_workspace
from hub.participants import workspace as participants_workspace
from hub.pilots import workspace as pilots_workspace
from hub.programmes import workspace as programmes_workspace
from hub.sync import workbooks as sync_workbooks
from hub.sync import workspace as sync_workspace
from hub.workspace import (
    audit,
    views,
)


def workspace_routes() -> list[BaseRoute]:
    return [
        *views.routes(),
        *programmes_workspace.routes(),
        *pilots_workspace.routes(),
        *lessons_workspace.routes(),
        *library_workspace.routes(),
        *organisations_workspace.routes(),
        *sync_workspace.routes(),
        *sync_workbooks.routes(),
        *communities_workspace.routes(),
        *participants_workspace.routes(),
        *calls_workspace.routes(),
        *events_workspace.routes(),
        *newsletters_workspace.routes(),
        *lesson_links_workspace.routes(),
        *audit.routes(),
        *accounts_workspace.routes(),
        *federation_workspace.routes(),
    ]
