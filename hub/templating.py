"""The Jinja2 environment: autoescape on, gettext from the current locale, Babel formatting filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from hub import i18n
from hub.accounts.web import current_principal
from hub.search.snippets import snippet
from hub.security import csrf_token
from hub.taxonomy import sdgs
from hub.urls import url

TEMPLATES = Path(__file__).parent / "templates"


def _gettext(message: str) -> str:
    return i18n.translations(i18n.current_language.get()).ugettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.current_language.get()).ungettext(singular, plural, n)


def switch_language_url(request: Request, language: str) -> str:
    """The same page in ``language``: the path with its language prefix swapped, query kept."""
    segments = request.url.path.split("/")
    if len(segments) > 1 and segments[1] in i18n.LANGUAGES:
        segments[1] = language
        path = "/".join(segments)
    else:
        path = url("home", lang=language)
    return f"{path}?{request.url.query}" if request.url.query else path


def query_url(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one); page resets to 1."""
    params = dict(request.query_params)
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        local_datetime=i18n.format_local_datetime,
        local_date=i18n.format_local_date,
        zoned_datetime=i18n.format_zoned_datetime,
        zoned_span=i18n.format_zoned_span,
        duration=i18n.format_duration,
        number=i18n.format_number,
        euro=i18n.format_euro,
        percent=i18n.format_percentage,
        country=i18n.country_name,
        language_name=i18n.language_name,
        sdg_goals=sdgs.goals,
        snippet=snippet,
    )
    env.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        switch_language_url=switch_language_url,
        query_url=query_url,
        url=url,
        csrf_token=csrf_token,
        SDGS=sdgs.SDGS,
    )
    return Jinja2Templates(env=env, context_processors=[_language_context])


def _language_context(request: Request) -> dict[str, Any]:
    language = i18n.current_language.get()
    return {
        "lang": language,
        "other_languages": [x for x in i18n.LANGUAGES if x != language],
        "current_user": current_principal(request) if "session" in request.scope else None,
    }
