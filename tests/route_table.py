"""The app's route table flattened: every route with its full path (mount prefixes joined), the
convertors of all its path parameters and its methods, for tests that check each route."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from starlette.convertors import Convertor
from starlette.routing import BaseRoute, Mount, Route, compile_path


@dataclasses.dataclass(frozen=True)
class Entry:
    route: Route
    path: str  # "/{lang}/pilots/{pilot_id}": str.format-ready
    convertors: Mapping[str, Convertor[Any]]
    mounts: tuple[str, ...]  # the mounts' own paths, outermost first ("/{lang:lang}", "/coordinator")

    @property
    def method(self) -> str:
        """The method to ask with: GET where the route takes it."""
        methods = self.route.methods or {"GET"}
        return "GET" if "GET" in methods else sorted(methods)[0]

    def fill(self, **values: str) -> str:
        """The path with ``values`` for some parameters and a valid-looking value for the others."""
        defaults = {name: "en" if name == "lang" else "1" for name in self.convertors}
        return self.path.format_map({**defaults, **values})


def entries(
    routes: Sequence[BaseRoute],
    prefix: str = "",
    convertors: Mapping[str, Convertor[Any]] | None = None,
    mounts: tuple[str, ...] = (),
) -> Iterator[Entry]:
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            _regex, path_format, mount_convertors = compile_path(route.path)
            yield from entries(
                route.routes,
                prefix + path_format,
                {**(convertors or {}), **mount_convertors},
                (*mounts, route.path),
            )
        elif isinstance(route, Route):
            every = {**(convertors or {}), **route.param_convertors}
            yield Entry(route, prefix + route.path_format, every, mounts)
