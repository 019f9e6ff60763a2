"""What makes a source valid, for the workspace form and for sources declared in a config file:
``source_values`` checks what either gives and returns the source's typed input, which
``services.save_source`` saves."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import registry
from connectors.messages import N_, OptionsError
from hub.programmes.models import Programme
from hub.sync.models import Source
from hub.sync.schedule import normalise

PEER_KIND = "hub"  # the kind of source that follows another hub (connectors/peer.py)
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{1,59}")


@dataclasses.dataclass(frozen=True)
class SourceInput:
    """A source's settings, checked: ``options`` are its connector's, as the connector keeps them;
    ``declared_in``: the config file that declares it (None: registered in the workspace)."""

    key: str
    name: str
    kind: str
    programme_id: int
    schedule: str
    options: dict[str, Any]
    allow_private: bool = False
    notify_failures: bool = True
    enabled: bool = True
    declared_in: str | None = None
    peer_programmes: list[str] = dataclasses.field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """The settings as the source's columns."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def differs(self, source: Source) -> bool:
        """Whether saving these settings would change ``source``."""
        return any(getattr(source, name) != value for name, value in self.values().items())


def source_values(
    session: Session,
    *,
    key: str,
    name: str,
    kind: str,
    programme_id: int | None,
    schedule: str,
    options: Mapping[str, Any],
    allow_private: bool = False,
    notify_failures: bool = True,
    enabled: bool = True,
    source_id: int | None = None,
    peer_programmes: Sequence[str] = (),
) -> SourceInput:
    """The source's settings, checked; OptionsError names the first field that is wrong."""
    key = key.strip().lower()
    if not KEY.fullmatch(key):
        raise OptionsError(
            "key",
            N_("The key must be 2 to 60 lower-case letters, digits, “-” or “_”, e.g. “gdca-news”."),
        )
    taken = session.scalar(select(Source.id).where(Source.key == key))
    if taken is not None and taken != source_id:
        raise OptionsError("key", N_("Another source already has the key “%(key)s”."), key=key)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise OptionsError("name", N_("Give the source a name of at most 200 characters."))
    if programme_id is None or session.get(Programme, programme_id) is None:
        raise OptionsError("programme_id", N_("Choose the programme whose data this source holds."))
    connector = registry.build(kind, options)
    chosen = _peer_programmes(session, kind, peer_programmes)
    return SourceInput(
        key=key,
        name=name,
        kind=kind,
        programme_id=programme_id,
        schedule=normalise(schedule),
        options=connector.options.to_dict(),
        allow_private=allow_private,
        notify_failures=notify_failures,
        enabled=enabled,
        peer_programmes=chosen,
    )


def _peer_programmes(session: Session, kind: str, codes: Sequence[str]) -> list[str]:
    """The programmes a source of kind "hub" may bring in, as known codes in order (none for others)."""
    chosen = sorted(set(codes))
    if chosen and kind != PEER_KIND:
        raise OptionsError(
            "peer_programmes", N_("Only a source that follows another hub brings in programmes.")
        )
    known = set(session.scalars(select(Programme.code).where(Programme.code.in_(chosen))))
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise OptionsError(
            "peer_programmes", N_("“%(code)s” is not a programme of this hub."), code=unknown[0]
        )
    return chosen
