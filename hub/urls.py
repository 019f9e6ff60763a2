"""Paths by route name: templates, views and e-mails link with ``url("pilot", pilot_id=3)``, never
by a hand-written path, so a path changes in one place (the route table in ``hub.app``).

This module does not import the pages: the route table is given to it by whatever starts the
process (``hub.app.create_app``, the ``hub`` command in ``hub.cli``) with :func:`install`, so that
a domain's core module may build a link without depending on the page modules behind it. The
table is built once, on first use: a lookup is a dict access and a ``str.format``, cheap enough for
a list page with a hundred links (Starlette's ``url_path_for`` walks every route).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import BaseRoute, Mount, NoMatchFound, Route, compile_path

from hub import i18n


class Paths:
    """Every named route's full path pattern (mount prefixes joined) and its parameters."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        # name -> (path pattern, its parameters' convertors, the parameters' names)
        self._table: dict[str, tuple[str, dict[str, Convertor[Any]], frozenset[str]]] = {}
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
                every = {**convertors, **route.param_convertors}
                self._table.setdefault(route.name, (prefix + route.path_format, every, frozenset(every)))

    def path(self, name: str, params: Mapping[str, Any]) -> str:
        pattern, convertors, names = self._entry(name, params)
        return pattern.format_map({key: convertors[key].to_string(params[key]) for key in names})

    def maker(self, name: str, key: str, params: Mapping[str, Any]) -> Callable[[Any], str]:
        """The paths of route ``name`` for many values of its parameter ``key``, the rest fixed."""
        pattern, convertors, names = self._entry(name, {**params, key: None})
        fixed = {other: convertors[other].to_string(params[other]) for other in names - {key}}
        head, _, tail = pattern.format_map({**fixed, key: "\0"}).partition("\0")
        write = convertors[key].to_string
        return lambda value: head + write(value) + tail

    def _entry(
        self, name: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Convertor[Any]], frozenset[str]]:
        entry = self._table.get(name)
        if entry is None:
            raise NoMatchFound(name, dict(params))
        _pattern, _convertors, names = entry
        # ``lang`` is filled in for every link; a route without one ignores it. Any other mismatch is a bug.
        if not names <= params.keys() or not params.keys() - names <= {"lang"}:
            raise NoMatchFound(name, dict(params))
        return entry


MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL's int4 (SQLite's are wider; kept alike)


def digits_up_to(maximum: int) -> str:
    """A regular expression matching exactly the decimal numbers 1..``maximum`` (no sign, no leading
    zero): numbers with fewer digits, then for each digit of ``maximum`` the numbers that share its
    prefix and are smaller at that digit (the last digit may be equal)."""
    limit = str(maximum)
    width = len(limit)
    choices = [f"[1-9][0-9]{{0,{width - 2}}}"] if width > 1 else []
    for at, digit in enumerate(limit):
        low = 1 if at == 0 else 0
        high = int(digit) - (0 if at == width - 1 else 1)
        if high >= low:
            rest = width - at - 1
            here = str(low) if low == high else f"[{low}-{high}]"
            choices.append(limit[:at] + here + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join(choices)


class IdConvertor(Convertor[int]):
    """A record's id in a path: only 1..MAX_ID matches, so any other number is a plain 404.

    The range is in the regular expression because Starlette answers 500 when ``convert`` raises;
    and an id out of the columns' range makes the database driver fail (OverflowError on SQLite,
    "out of range" on PostgreSQL), and 8,000 digits make ``int()`` itself refuse.
    """

    regex = f"(?:{digits_up_to(MAX_ID)})"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


# Every "{name:int}" in the hub's routes is an id: registered over Starlette's own (unbounded)
# "int" before any route is built (the route tables are built by functions, after this import).
register_url_convertor("int", IdConvertor())

_routes: Callable[[], Sequence[BaseRoute]] | None = None  # what install() was given
_paths: Paths | None = None  # the table built from it, on first use


def install(routes: Callable[[], Sequence[BaseRoute]]) -> None:
    """Build paths from the route list ``routes()`` returns (called on the first ``url()``, so a
    process that builds no link never imports the pages). Installing the same function again
    keeps the table built."""
    global _routes, _paths
    if routes is not _routes:
        _routes, _paths = routes, None


def paths() -> Paths:
    global _paths
    if _paths is None:
        if _routes is None:
            raise RuntimeError("no route table: call hub.urls.install(...) when the process starts")
        _paths = Paths(_routes())
    return _paths


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


def absolute_url(
    base_url: str, name: str, /, *, query: Mapping[str, Any] | None = None, **params: Any
) -> str:
    """``url(...)`` on the hub at ``base_url``: for links read away from the site (e-mails, feeds)."""
    return base_url.rstrip("/") + url(name, query=query, **params)


def absolute_urls(base_url: str, name: str, key: str, /, **params: Any) -> Callable[[Any], str]:
    """``absolute_url`` for many records of one route (a download links every row): the route is
    looked up once, and each link is two concatenations."""
    params.setdefault("lang", i18n.current_language.get())
    path = paths().maker(name, key, params)
    base = base_url.rstrip("/")
    return lambda value: base + path(value)
