"""The figures of the network page: how many records came from each peer hub, and the network's
pilots per country. (The peers this hub follows are sources: ``hub.sync.peers``.)

Keyword-only functions taking the session first. Each count reads an index rather than a whole
table (tests/federation/test_network_view.py checks the plans): the records that came from peers
through ``ix_<table>_changes`` (``mirrored`` leads it), the live pilots through the partial index
of live pilots.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, case, func, null, select, true
from sqlalchemy.orm import Session

from hub.federation.kinds import KINDS
from hub.pilots.models import Pilot


@dataclasses.dataclass(frozen=True)
class CountryCount:
    """Live pilots of one country kept by one hub (``home_hub`` None: this hub's own)."""

    country: str
    home_hub: str | None
    pilots: int


def mirrored_count_query(model: Any) -> Select[str | None, int]:
    """Live records of ``model`` mirrored from peers, counted per home hub."""
    return (
        select(model.home_hub, func.count())
        .where(model.mirrored == true(), model.withdrawn_at.is_(None))
        .group_by(model.home_hub)
    )


def mirrored_counts(session: Session) -> dict[str, dict[str, int]]:
    """{home hub: {kind: live records mirrored from it}}, one query per federated kind."""
    counts: dict[str, dict[str, int]] = {}
    for name, kind in KINDS.items():
        for home, count in session.execute(mirrored_count_query(kind.model)):
            counts.setdefault(home or "", {})[name] = count
    return counts


def pilots_by_country_query() -> Select[str, str | None, int]:
    """Live pilots counted per country and home hub (NULL: this hub's own, whatever their source)."""
    home = case((Pilot.mirrored == true(), Pilot.home_hub), else_=null())
    return (
        select(Pilot.country, home, func.count())
        .where(Pilot.withdrawn_at.is_(None))
        .group_by(Pilot.country, home)
        .order_by(Pilot.country, home)
    )


def pilots_by_country(session: Session) -> Sequence[CountryCount]:
    return [
        CountryCount(country, home, count)
        for country, home, count in session.execute(pilots_by_country_query())
    ]
