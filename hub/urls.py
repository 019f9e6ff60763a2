"""Paths by route name: templates and views link with ``url("pilot", pilot_id=3)``, never by a
hand-written path, so a path changes in one place (the route table in ``hub.app``).

The table is built once from the route list: a lookup is a dict access and a ``str.format``, cheap
enough for a list page with a hundred links (Starlette's ``url_path_for`` walks every route).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.convertors import Convertor
from starlette.routing import BaseRoute, Mount, NoMatchFound, Route, compile_path

from hub import i18n


class Paths:
    """Every named route's full path pattern (mount prefixes joined) and its parameters."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self._table: dict[str, tuple[str, dict[str, Convertor[Any]]]] = {}
        self._collect(routes, "", {})

    def _collect(
        self, routes: Sequence[BaseRoute], prefix: str, convertors: dict[str, Convertor[Any]]
    ) -> None:
        for route in routes:
            if isinstance(route, Mount) and route.routes:
                _regex, mount_format, mount_convertors = compile_path(route.path)  # without its "/{path}"
                self._collect(route.routes, prefix + mount_format, {**convertors, **mount_convertors})
            elif isinstance(route, Route) and route.name:
                # The first route of a name wins, as in Starlette (GET and POST may share a path).
                self._table.setdefault(
                    route.name, (prefix + route.path_format, {**convertors, **route.param_convertors})
                )

    def path(self, name: str, params: Mapping[str, Any]) -> str:
        try:
            pattern, convertors = self._table[name]
        except KeyError:
            raise NoMatchFound(name, dict(params)) from None
        wanted = {key: value for key, value in params.items() if key in convertors}
        # ``lang`` is filled in for every link; a route without one ignores it. Any other mismatch is a bug.
        if wanted.keys() != convertors.keys() or params.keys() - convertors.keys() - {"lang"}:
            raise NoMatchFound(name, dict(params))
        return pattern.format(**{key: convertors[key].to_string(value) for key, value in wanted.items()})


@functools.cache
def paths() -> Paths:
    from hub.app import routes  # the route table imports every page module, which may use url()

    return Paths(routes())


def url(name: str, /, *, query: Mapping[str, Any] | None = None, **params: Any) -> str:
    """The path of route ``name``; ``lang`` defaults to the current language where the route has one.
    ``query`` adds a query string (empty values left out)."""
    params.setdefault("lang", i18n.current_language.get())
    path = paths().path(name, params)
    if query:
        kept = {key: value for key, value in query.items() if value not in (None, "")}
        if kept:
            path += "?" + urlencode(kept, doseq=True)
    return path
