"""Public pages of the communities of practice, and their meetings as iCalendar."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.communities import calendar, services
from hub.i18n import gettext as _
from hub.web import db, not_found, render

ICALENDAR = "text/calendar; charset=utf-8"


def community_list(request: Request) -> Response:
    with db(request) as session:
        groups = services.communities_by_product_group(session)
    return render(request, "communities/list.html", groups=groups)


def community_detail(request: Request) -> Response:
    community_id = request.path_params["community_id"]
    with db(request) as session:
        community = services.get_community(session, community_id=community_id)
        if community is None:
            raise not_found(_("There is no community with number %(id)s.", id=community_id))
        meetings = services.meetings_of(session, community_id=community_id)
    return render(request, "communities/detail.html", community=community, meetings=meetings)


def community_calendar(request: Request) -> Response:
    """Every meeting of the community, for a calendar program to subscribe to."""
    community_id = request.path_params["community_id"]
    language = request.path_params["lang"]
    with db(request) as session:
        community = services.get_community(session, community_id=community_id)
        if community is None:
            raise not_found(_("There is no community with number %(id)s.", id=community_id))
        body = calendar.calendar(
            services.meetings_of(session, community_id=community_id),
            name=community.localized("name", language).text,
            language=language,
            base_url=request.app.state.settings.base_url,
        )
    return Response(body, media_type=ICALENDAR)


def meeting_calendar(request: Request) -> Response:
    """One meeting as a file to add to a calendar."""
    community_id = request.path_params["community_id"]
    meeting_id = request.path_params["meeting_id"]
    language = request.path_params["lang"]
    with db(request) as session:
        meeting = services.get_meeting(session, community_id=community_id, meeting_id=meeting_id)
        if meeting is None:
            raise not_found(_("There is no such meeting."))
        body = calendar.calendar(
            [meeting],
            name=meeting.localized("title", language).text,
            language=language,
            base_url=request.app.state.settings.base_url,
        )
    headers = {"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'}
    return Response(body, media_type=ICALENDAR, headers=headers)
