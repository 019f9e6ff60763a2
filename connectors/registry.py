"""Which connectors exist: those registered under the entry-point group ``hub.connectors``.

Entry points let a connector live in another package (a programme's own export format) without the
hub importing it by name; this package registers its own the same way in ``pyproject.toml``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from connectors.base import Connector
from connectors.messages import N_, OptionsError

GROUP = "hub.connectors"


def available() -> dict[str, type[Connector[Any]]]:
    """Kind -> connector class, for every registered connector (loaded once per process)."""
    return dict(_load())


@functools.cache
def _load() -> dict[str, type[Connector[Any]]]:
    connectors: dict[str, type[Connector[Any]]] = {}
    for entry_point in entry_points(group=GROUP):
        cls = entry_point.load()
        if not (isinstance(cls, type) and issubclass(cls, Connector)) or cls.kind != entry_point.name:
            raise TypeError(
                f"entry point {entry_point.name} = {entry_point.value} is not a connector of that kind"
            )
        connectors[entry_point.name] = cls
    return dict(sorted(connectors.items()))


def connector_class(kind: str) -> type[Connector[Any]]:
    try:
        return _load()[kind]
    except KeyError:
        raise OptionsError("kind", N_("There is no connector of kind “%(kind)s”."), kind=kind) from None


def build(kind: str, raw_options: Mapping[str, Any]) -> Connector[Any]:
    """A connector of ``kind`` with its options parsed (OptionsError names a wrong option)."""
    cls = connector_class(kind)
    return cls(cls.options_type.parse(raw_options))
