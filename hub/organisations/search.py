"""Organisations in the hub's search: what a live organisation says, and how it shows as a result.

An organisation is found by its name (the same in both languages), its description, where it is
(country and city), its sector, the programmes it takes part in and its roles there, and the
titles of its supporting actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.organisations.models import Organisation, Participation, Role, SupportingAction
from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Card, Document, Names, bilingual, both, country_names, label_names, per_record

_LIVE = Organisation.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live organisations among ``ids``, in four queries."""
    programme_names = Names(session, Programme)
    taking_part: dict[int, list[tuple[int, Role]]] = per_record(
        session,
        ids,
        select(Participation.organisation_id, Participation.programme_id, Participation.role).where(
            Participation.withdrawn_at.is_(None)
        ),
    )
    actions: dict[int, list[tuple[str, str]]] = per_record(
        session,
        ids,
        select(SupportingAction.organisation_id, SupportingAction.title_nl, SupportingAction.title_en).where(
            SupportingAction.withdrawn_at.is_(None)
        ),
    )
    for organisation in session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.description_nl,
            Organisation.description_en,
            Organisation.sector,
            Organisation.country,
            Organisation.city,
        ).where(Organisation.id.in_(ids), _LIVE)
    ):
        parts = taking_part[organisation.id]
        programme_ids = {programme_id for programme_id, _role in parts}
        yield Document(
            record_id=organisation.id,
            title=both(organisation.name),
            summary=bilingual(organisation.description_nl, organisation.description_en),
            about=(
                *label_names(organisation.sector.msgid),
                *country_names(organisation.country),
                *both(organisation.city),
                *programme_names(*sorted(programme_ids)),
                *(text for role in sorted({role for _p, role in parts}) for text in label_names(role.msgid)),
            ),
            body=tuple(text for nl, en in actions[organisation.id] for text in bilingual(nl, en)),
            # A programme only when it takes part in one: a filter on another would hide it.
            programme_id=next(iter(programme_ids)) if len(programme_ids) == 1 else None,
            country=organisation.country,
        )


def card(organisation: Organisation, language: str) -> Card:
    return Card(
        title=organisation.name,
        route="organisation",
        params={"organisation_id": organisation.id},
        text=organisation.localized("description", language).text,
    )


ORGANISATIONS = index.register(
    name="organisation",
    number=4,
    label=N_("Organisations"),
    model=Organisation,
    documents=documents,
    cards=index.cards_by(Organisation, card),
    related={
        Participation: index.owned_by("organisation_id"),
        SupportingAction: index.owned_by("organisation_id"),
    },
)
