"""Writing a pilot: one typed input and one write path, audited, that holds the pilot's rules.

The coordinators' form and a participant's published entry write through here; a source's sync
and a peer's mirror write rows in bulk, checked with the same rules (``fields.broken``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hub import changes
from hub.i18n import gettext as _
from hub.inputs import TitledInput
from hub.pilots.fields import FIELDS, LOCAL_FIELDS, broken
from hub.pilots.models import Pilot, PilotParty, PilotRole, PilotStatus
from hub.refusals import Invalid
from hub.taxonomy.models import Phase
from hub.taxonomy.services import strategies_by_id


@dataclasses.dataclass(frozen=True)
class PilotInput(TitledInput[Pilot]):
    """A pilot's values (``fields.FIELDS``), typed, with its strategies by id and its Sustainable
    Development Goals by number."""

    FIELDS = FIELDS

    programme_id: int
    source_language: str
    country: str
    phase: Phase
    status: PilotStatus
    title_nl: str = ""
    title_en: str = ""
    summary_nl: str = ""
    summary_en: str = ""
    product_group_id: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    contract_value: Decimal | None = None
    raw_materials_baseline_t: Decimal | None = None
    raw_materials_result_t: Decimal | None = None
    waste_baseline_t: Decimal | None = None
    waste_result_t: Decimal | None = None
    co2_baseline_t: Decimal | None = None
    co2_result_t: Decimal | None = None
    strategy_ids: tuple[int, ...] = ()
    sdgs: tuple[int, ...] = ()
    parties: tuple[tuple[int, PilotRole], ...] = ()  # (organisation id, role), in the order shown

    @classmethod
    def links_of(cls, pilot: Pilot) -> dict[str, Any]:
        return {
            "strategy_ids": tuple(s.id for s in pilot.strategies),
            "sdgs": tuple(pilot.sdgs),
            "parties": tuple((party.organisation_id, party.role) for party in pilot.parties),
        }


def errors_of(data: PilotInput) -> dict[str, str]:
    """The rules ``data`` breaks, by field (empty if none)."""
    errors: dict[str, str] = {}
    for rule in broken(data.values()):
        errors.setdefault(rule.field, _(rule.message))
    return errors


def create_pilot(session: Session, *, data: PilotInput, user_id: int, summary: str | None = None) -> Pilot:
    """A new pilot of this hub from ``data``, audited in the name of ``user_id`` (``summary``: the
    audit's line, by default the title). Raises Invalid."""
    pilot = Pilot()
    _save(session, pilot, data, user_id, summary)
    return pilot


def update_pilot(
    session: Session, *, pilot: Pilot, data: PilotInput, user_id: int, summary: str | None = None
) -> bool:
    """Sets the pilot's values to ``data``, auditing what changed; False if nothing did. The
    caller has checked that the pilot is kept here. Raises Invalid."""
    return _save(session, pilot, data, user_id, summary)


def _save(session: Session, pilot: Pilot, data: PilotInput, user_id: int, summary: str | None) -> bool:
    errors = errors_of(data)
    if errors:
        raise Invalid(errors)
    values = data.values()
    values["strategies"] = strategies_by_id(session, ids=data.strategy_ids)
    values["sdgs"] = sorted(data.sdgs)
    values["parties"] = _parties(pilot, data.parties)
    return changes.save_input(
        session, record=pilot, data=data, user_id=user_id, values=values, summary=summary
    )


def _parties(pilot: Pilot, chosen: tuple[tuple[int, PilotRole], ...]) -> list[PilotParty]:
    """The pilot's parties as chosen, keeping the rows it has (a row is its organisation and role)."""
    kept = {(party.organisation_id, party.role): party for party in pilot.parties}
    parties = []
    for position, key in enumerate(dict.fromkeys(chosen)):
        party = kept.get(key) or PilotParty(organisation_id=key[0], role=key[1])
        party.position = position
        parties.append(party)
    return parties


def add_locally(session: Session, *, pilot: Pilot, values: Mapping[str, Any], user_id: int) -> None:
    """Translations and a product-group tag (``fields.LOCAL_FIELDS``) added here to a pilot synced
    from a source; the fields changed are marked local, so later syncs keep them."""
    unknown = set(values) - set(LOCAL_FIELDS)
    if unknown:
        raise ValueError(f"not a field a coordinator adds to a synced pilot: {sorted(unknown)}")
    changed = [name for name in LOCAL_FIELDS if name in values and getattr(pilot, name) != values[name]]
    local = {name: values[name] for name in changed}
    local["local_fields"] = sorted(set(pilot.local_fields or ()) | set(changed))
    changes.save(
        session,
        record=pilot,
        values=local,
        user_id=user_id,
        programme_id=pilot.programme_id,
        summary=pilot.title_nl or pilot.title_en,
    )
