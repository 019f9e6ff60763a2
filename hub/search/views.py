"""The hub's search page: one search over every kind of record, with the filters they share."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.pilots import services as pilots
from hub.search import services, suggestions
from hub.search.query import completed_in
from hub.searchable import KINDS
from hub.web import check_page, db, language, render


def search_page(request: Request) -> Response:
    lang = language(request)
    with db(request) as session:
        facets = pilots.facets(session)  # the filters' choices, as the pilots list offers them
        filters = services.parse_filters(session, request.query_params)
        query = completed_in(session, filters.query)  # as searched: the snippets mark what it finds
        results = services.search(
            session, query, language=lang, filters=filters.shared, kind=filters.kind, page=filters.page
        )
        check_page(filters.page, results.pages)
        suggestion, unfiltered = None, None
        if query and not results.found:
            suggestion = suggestions.spelling(session, query, filters.shared)
            if filters.shared.active:
                unfiltered = suggestions.without_filters(session, query)
    return render(
        request,
        "search/results.html",
        filters=filters,
        query=query,
        results=results,
        kinds=KINDS,
        facets=facets,
        suggestion=suggestion,
        unfiltered=unfiltered,
    )
