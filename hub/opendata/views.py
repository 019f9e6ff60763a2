"""Open data endpoints: Atom feeds, CSV/JSON downloads of the public lists, the OCDS export.

Filters are checked before a download starts, so a bad one is a proper 400; the rows are then
streamed from a session of the download's own, open for as long as the response is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hub.api import api_error
from hub.db import utcnow
from hub.filters import InvalidFilter
from hub.i18n import N_
from hub.news import services as news
from hub.opendata import downloads, feeds, ocds, services, spreadsheets
from hub.organisations import services as organisations
from hub.pilots import services as pilots
from hub.programmes.services import list_programmes
from hub.public import feed_response
from hub.settings import Settings
from hub.urls import absolute_url, absolute_urls
from hub.web import db, invalid_value, language

Chunks = Callable[[Session], Iterable[Iterable[downloads.Document]]]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8; header=present",
    "json": "application/json",
    "xlsx": spreadsheets.MEDIA_TYPE,
}
TITLES = {  # a spreadsheet's sheet: the list's name
    "pilots": N_("Pilots"),
    "organisations": N_("Organisations"),
    "programmes": N_("Programmes"),
    "news": N_("News"),
}
PAGING = ("page", "per_page")  # a download is the whole list, never one page of it


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _base(request: Request) -> str:
    return _settings(request).base_url.rstrip("/")


# --- Atom feeds ---------------------------------------------------------------------------------


def pilots_feed(request: Request) -> Response:
    return _feed(request, "pilots")


def lessons_feed(request: Request) -> Response:
    return _feed(request, "lessons")


def _feed(request: Request, kind: str) -> Response:
    lang = language(request)
    with db(request) as session:
        body = feeds.render(session, kind=kind, language=lang, base_url=_base(request))
    return feed_response(request, body)


# --- CSV and JSON downloads of the public lists ----------------------------------------------------


def pilots_download(request: Request) -> Response:
    lang = language(request)
    params = {k: v for k, v in request.query_params.items() if k not in PAGING}
    with db(request) as session:
        try:
            filters = pilots.parse_filters(session, params)
        except InvalidFilter as error:
            return _invalid(request, error.field, error.value)
    link = absolute_urls(_base(request), "pilot", "pilot_id", lang=lang)

    def chunks(session: Session) -> Iterator[list[downloads.Document]]:
        for rows in pilots.iter_pilot_rows(session, filters=filters, language=lang):
            yield [downloads.pilot_json(row, link(row.id)) for row in rows]

    return _download(request, "pilots", chunks)


def organisations_download(request: Request) -> Response:
    lang = language(request)
    params = {k: v for k, v in request.query_params.items() if k not in PAGING}
    with db(request) as session:
        codes = [programme.code for programme in list_programmes(session)]
    try:
        filters = organisations.parse_filters(params, codes)
    except organisations.InvalidOrganisationFilter as error:
        return _invalid(request, error.field, error.value)
    link = absolute_urls(_base(request), "organisation", "organisation_id", lang=lang)

    def chunks(session: Session) -> Iterator[list[downloads.Document]]:
        for rows in organisations.iter_organisation_rows(session, filters=filters):
            yield [downloads.organisation_json(row, link(row.id)) for row in rows]

    return _download(request, "organisations", chunks)


def programmes_download(request: Request) -> Response:
    link = absolute_urls(_base(request), "programme", "code", lang=language(request))

    def chunks(session: Session) -> Iterator[list[downloads.Document]]:
        for programmes in services.iter_programmes(session):
            yield [downloads.programme_json(programme, link(programme.code)) for programme in programmes]

    return _download(request, "programmes", chunks)


def news_download(request: Request) -> Response:
    lang = language(request)
    try:
        filters = news.parse_filters({k: v for k, v in request.query_params.items() if k not in PAGING})
    except InvalidFilter as error:
        return _invalid(request, error.field, error.value)

    def chunks(session: Session) -> Iterator[list[downloads.Document]]:
        for items in news.iter_news(session, filters=filters, language=lang):
            yield [downloads.news_json(item, programme) for item, programme in items]

    return _download(request, "news", chunks)


def download_routes() -> list[Route]:
    """``/{kind}.csv``, ``.json`` and ``.xlsx`` for every public list (mounted under ``/{lang}``)."""
    views = {
        "programmes": programmes_download,
        "pilots": pilots_download,
        "organisations": organisations_download,
        "news": news_download,
    }
    return [
        Route(f"/{kind}.{extension}", view, name=f"{kind}_{extension}")
        for kind, view in views.items()
        for extension in MEDIA_TYPES
    ]


def _download(request: Request, kind: str, chunks: Chunks) -> Response:
    """Stream the list as CSV, JSON or a spreadsheet (the path's extension), reading it in a session
    of its own."""
    extension = request.url.path.rsplit(".", 1)[-1]
    sessions = request.app.state.sessions

    def documents() -> Iterator[Iterable[downloads.Document]]:
        with sessions() as session:
            yield from chunks(session)

    if extension == "xlsx":
        with db(request) as session:
            words = spreadsheets.Words(session, language(request))
        filters = {k: v for k, v in request.query_params.items() if k not in PAGING and v}
        body = spreadsheets.workbook(
            kind, documents(), words, title=words(TITLES[kind]), filters=filters, hub=_base(request)
        )
    elif extension == "csv":
        body = downloads.csv_chunks(downloads.COLUMNS[kind], documents())
    else:
        body = downloads.json_chunks(documents())
    filename = f"{kind}-{utcnow():%Y-%m-%d}.{extension}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(body, media_type=MEDIA_TYPES[extension], headers=headers)


def _invalid(request: Request, field: str, value: str) -> Response:
    """400: JSON for the JSON download (programs read it), the error page for the others."""
    refused = invalid_value(field, value)
    if not request.url.path.endswith(".json"):
        raise refused
    return api_error(400, "invalid_filter", str(refused), field=field)


# --- OCDS -----------------------------------------------------------------------------------------


def ocds_pilots(request: Request) -> Response:
    """``/api/v1/ocds/pilots.json``: the pilots this hub publishes as an OCDS release package."""
    settings = _settings(request)
    base = _base(request)
    with db(request) as session:
        published: dt.datetime = services.ocds_published_date(session) or utcnow()
    sessions = request.app.state.sessions

    def pilots_in_chunks() -> Iterator[Any]:
        with sessions() as session:
            yield from services.iter_ocds_pilots(session)

    body = ocds.package_chunks(
        pilots_in_chunks(),
        uri=absolute_url(base, "ocds_pilots"),
        published=published,
        publisher_uri=absolute_url(base, "root"),
        prefix=settings.ocds_prefix,
    )
    # Texts follow each pilot's source language (see hub/opendata/ocds.py), not the request's.
    return StreamingResponse(body, media_type="application/json")
