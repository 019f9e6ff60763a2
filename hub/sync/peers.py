"""The peer hubs this hub follows: its sources of kind "hub", with their latest runs and addresses.

A peer is an ordinary source (``connectors/peer.py`` reads its API; ``hub.sync.mirror`` stores its
records), so it is listed here, with the other sources. The network page (``hub.federation.views``)
shows these peers beside what came from each (``hub.federation.network``).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from hub.federation.identity import hub_address
from hub.sync.models import Source
from hub.sync.services import SourceStatus, list_sources
from hub.sync.validation import PEER_KIND

__all__ = ["PEER_KIND", "Peer", "peer_address", "peers"]


@dataclasses.dataclass(frozen=True)
class Peer:
    """A source of kind "hub", with its latest run and the peer's address (None if it has none)."""

    status: SourceStatus
    address: str | None

    @property
    def source(self) -> Source:
        return self.status.source


def peer_address(source: Source) -> str | None:
    """The peer's address from the source's options (only an http(s) address: it becomes a link)."""
    url = source.options.get("url") if isinstance(source.options, dict) else None
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return hub_address(url.strip())
    return None


def peers(session: Session) -> list[Peer]:
    """The sources of kind "hub" with their latest runs, by programme and name."""
    return [
        Peer(status, peer_address(status.source))
        for status in list_sources(session)
        if status.source.kind == PEER_KIND
    ]
