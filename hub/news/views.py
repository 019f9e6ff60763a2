"""The public news page: what the programmes' feeds publish, newest first, searchable."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.news import services
from hub.public import list_page
from hub.queries import Sort
from hub.web import db, language


def news_list(request: Request) -> Response:
    with db(request) as session:
        filters = services.parse_filters(request.query_params)
        page = services.list_news(session, filters=filters, language=language(request))
        return list_page(request, "news/list.html", page, filters, sorts=list(Sort))
