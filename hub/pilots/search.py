"""Pilots in the hub's search: what a live pilot says, and how it shows as a result.

A pilot is found by its titles and summaries, by what it is about (product group, strategies,
phase, programme, country and parties, by their names in both languages) and by its milestones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.organisations.models import Organisation
from hub.pilots.models import Pilot, PilotMilestone, PilotParty, pilot_strategies
from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Document, Names, bilingual, both, country_names, label_names, per_record
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = Pilot.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live pilots among ``ids``, in seven queries."""
    programme_names = Names(session, Programme)
    group_names = Names(session, ProductGroup)
    strategy_names = Names(session, Strategy)
    strategy_ids: dict[int, list[int]] = per_record(
        session, ids, select(pilot_strategies.c.pilot_id, pilot_strategies.c.strategy_id)
    )
    parties: dict[int, list[str]] = per_record(
        session,
        ids,
        select(PilotParty.pilot_id, Organisation.name).join(
            Organisation, Organisation.id == PilotParty.organisation_id
        ),
    )
    milestones: dict[int, list[str]] = per_record(
        session, ids, select(PilotMilestone.pilot_id, PilotMilestone.title)
    )
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
        yield Document(
            record_id=pilot.id,
            title=bilingual(pilot.title_nl, pilot.title_en),
            summary=bilingual(pilot.summary_nl, pilot.summary_en),
            about=(
                *group_names(pilot.product_group_id),
                *strategy_names(*strategy_ids[pilot.id]),
                *label_names(pilot.phase.msgid),
                *programme_names(pilot.programme_id),
                *country_names(pilot.country),
                *both(*parties[pilot.id]),
            ),
            body=both(*milestones[pilot.id]),
            programme_id=pilot.programme_id,
            product_group_id=pilot.product_group_id,
            country=pilot.country,
            year=pilot.starts_on.year if pilot.starts_on else None,
        )


PILOTS = index.register(
    name="pilot",
    number=1,
    label=N_("Pilots"),
    model=Pilot,
    documents=documents,
    cards=index.cards_of(
        Pilot, route="pilot", id_param="pilot_id", text="summary", date=lambda p: p.starts_on
    ),
    related={
        PilotParty: index.owned_by("pilot_id"),
        PilotMilestone: index.owned_by("pilot_id"),
        Organisation: index.naming(PilotParty.organisation_id, PilotParty.pilot_id),
        # Vocabularies change by hand and rarely (a large fan-out is queued, not done at once).
        ProductGroup: index.naming(Pilot.product_group_id, Pilot.id),
        Strategy: index.naming(pilot_strategies.c.strategy_id, pilot_strategies.c.pilot_id),
        Programme: index.naming(Pilot.programme_id, Pilot.id),
    },
)
