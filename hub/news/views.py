"""The public news page: what the programmes' feeds publish, newest first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.coordinator import page_number
from hub.news import services
from hub.pagination import Page
from hub.web import check_page, db, render


def news_list(request: Request) -> Response:
    number = page_number(request)
    with db(request) as session:
        items, total = services.list_news(session, page=number)
        page = Page(items, total, number, services.NEWS_PER_PAGE)
        check_page(number, page.pages)
        return render(request, "news/list.html", page=page)
