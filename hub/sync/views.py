"""The public status page of every source.

It shows how each source is doing, never its address or options (a source may be an internal
export; its options are for coordinators). A new source shows once it has worked: until then it
is a coordinator's work in progress.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.sync import display, services
from hub.web import db, render


def source_status(request: Request) -> Response:
    with db(request) as session:
        statuses = services.list_sources(session, proven=True)
        return render(request, "sync/status.html", statuses=statuses, **display.helpers())
