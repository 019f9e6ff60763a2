"""Organisations in the hub's search: what a live organisation says, and how it shows as a result.

An organisation is found by its name (the same in both languages), its description, where it is
(country and city), its sector, the programmes it takes part in and its roles there, and the
titles of its supporting actions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.organisations.models import Organisation, Participation, Role, SupportingAction
from hub.programmes.models import Programme
from hub.search.index import (
    Card,
    Document,
    Kind,
    bilingual,
    both,
    by_id,
    country_names,
    label_names,
    owned_by,
    register,
)

_LIVE = Organisation.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live organisations among ``ids``, in four queries."""
    programmes = by_id(session, Programme)
    taking_part: dict[int, list[tuple[int, Role]]] = defaultdict(list)
    for organisation_id, programme_id, role in session.execute(
        select(Participation.organisation_id, Participation.programme_id, Participation.role).where(
            Participation.organisation_id.in_(ids), Participation.withdrawn_at.is_(None)
        )
    ):
        taking_part[organisation_id].append((programme_id, role))
    actions: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for organisation_id, title_nl, title_en in session.execute(
        select(SupportingAction.organisation_id, SupportingAction.title_nl, SupportingAction.title_en).where(
            SupportingAction.organisation_id.in_(ids), SupportingAction.withdrawn_at.is_(None)
        )
    ):
        actions[organisation_id].append((title_nl, title_en))
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
                *(text for p in sorted(programme_ids) for text in _programme_names(programmes[p])),
                *(text for role in sorted({role for _p, role in parts}) for text in label_names(role.msgid)),
            ),
            body=tuple(text for nl, en in actions[organisation.id] for text in bilingual(nl, en)),
            # A programme only when it takes part in one: a filter on another would hide it.
            programme_id=next(iter(programme_ids)) if len(programme_ids) == 1 else None,
            country=organisation.country,
        )


def _programme_names(programme: Programme) -> tuple[tuple[str, str], ...]:
    return (*bilingual(programme.name_nl, programme.name_en), *both(programme.short_name))


def cards(session: Session, ids: Sequence[int], language: str) -> Mapping[int, Card]:
    found: dict[int, Card] = {}
    for organisation in session.scalars(select(Organisation).where(Organisation.id.in_(ids))):
        found[organisation.id] = Card(
            title=organisation.name,
            route="organisation",
            params={"organisation_id": organisation.id},
            text=organisation.localized("description", language).text,
        )
    return found


ORGANISATIONS = register(
    Kind(
        name="organisation",
        label=N_("Organisations"),
        model=Organisation,
        documents=documents,
        cards=cards,
        related={Participation: owned_by("organisation_id"), SupportingAction: owned_by("organisation_id")},
    )
)
