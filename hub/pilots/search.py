"""Pilots in the hub's search: what a live pilot says, and how it shows as a result.

A pilot is found by its titles and summaries, by what it is about (product group, strategies,
phase, programme, country and parties, by their names in both languages) and by its milestones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.organisations.models import Organisation
from hub.pilots.models import Pilot, PilotMilestone, PilotParty, pilot_strategies
from hub.programmes.models import Programme
from hub.search.index import (
    Document,
    Kind,
    bilingual,
    both,
    by_id,
    cards_of,
    country_names,
    label_names,
    naming,
    owned_by,
    register,
)
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = Pilot.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live pilots among ``ids``, in five queries."""
    programmes = by_id(session, Programme)
    groups = by_id(session, ProductGroup)
    strategies: dict[int, list[Strategy]] = defaultdict(list)
    for pilot_id, strategy in session.execute(
        select(pilot_strategies.c.pilot_id, Strategy)
        .join(Strategy, Strategy.id == pilot_strategies.c.strategy_id)
        .where(pilot_strategies.c.pilot_id.in_(ids))
    ):
        strategies[pilot_id].append(strategy)
    parties: dict[int, list[str]] = defaultdict(list)
    for pilot_id, name in session.execute(
        select(PilotParty.pilot_id, Organisation.name)
        .join(Organisation, Organisation.id == PilotParty.organisation_id)
        .where(PilotParty.pilot_id.in_(ids))
    ):
        parties[pilot_id].append(name)
    milestones: dict[int, list[str]] = defaultdict(list)
    for pilot_id, title in session.execute(
        select(PilotMilestone.pilot_id, PilotMilestone.title).where(PilotMilestone.pilot_id.in_(ids))
    ):
        milestones[pilot_id].append(title)
    for pilot in session.execute(
        select(
            Pilot.id,
            Pilot.title_nl,
            Pilot.title_en,
            Pilot.summary_nl,
            Pilot.summary_en,
            Pilot.programme_id,
            Pilot.product_group_id,
            Pilot.country,
            Pilot.phase,
            Pilot.starts_on,
        ).where(Pilot.id.in_(ids), _LIVE)
    ):
        programme = programmes[pilot.programme_id]
        group = groups.get(pilot.product_group_id) if pilot.product_group_id else None
        yield Document(
            record_id=pilot.id,
            title=bilingual(pilot.title_nl, pilot.title_en),
            summary=bilingual(pilot.summary_nl, pilot.summary_en),
            about=(
                *(bilingual(group.name_nl, group.name_en) if group else ()),
                *(text for s in strategies[pilot.id] for text in bilingual(s.name_nl, s.name_en)),
                *label_names(pilot.phase.msgid),
                *bilingual(programme.name_nl, programme.name_en),
                *both(programme.short_name),
                *country_names(pilot.country),
                *both(*parties[pilot.id]),
            ),
            body=both(*milestones[pilot.id]),
            programme_id=pilot.programme_id,
            product_group_id=pilot.product_group_id,
            country=pilot.country,
            year=pilot.starts_on.year if pilot.starts_on else None,
        )


PILOTS = register(
    Kind(
        name="pilot",
        label=N_("Pilots"),
        model=Pilot,
        documents=documents,
        cards=cards_of(Pilot, route="pilot", id_param="pilot_id", text="summary", date=lambda p: p.starts_on),
        related={
            PilotParty: owned_by("pilot_id"),
            PilotMilestone: owned_by("pilot_id"),
            Organisation: naming(PilotParty.organisation_id, PilotParty.pilot_id),
            # Vocabularies change by hand and rarely (a large fan-out is queued, not done at once).
            ProductGroup: naming(Pilot.product_group_id, Pilot.id),
            Strategy: naming(pilot_strategies.c.strategy_id, pilot_strategies.c.pilot_id),
            Programme: naming(Pilot.programme_id, Pilot.id),
        },
    )
)
