"""One write path for pilots: the typed input, its rules wherever a pilot is written, local additions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from connectors.messages import Problem
from hub.federation.fields import Lookups
from hub.federation.kinds import KINDS as FEDERATED
from hub.pilots.models import PilotStatus
from hub.pilots.writes import PilotInput, add_locally, create_pilot, update_pilot
from hub.refusals import Invalid
from hub.sync.kinds import KINDS as SYNCED
from hub.sync.kinds import Lookups as SyncLookups
from hub.taxonomy.models import Phase
from tests import factories


def pilot_input(programme_id: int, **changes: Any) -> PilotInput:
    data = PilotInput(
        programme_id=programme_id,
        source_language="en",
        country="NL",
        phase=Phase.TENDER,
        status=PilotStatus.RUNNING,
        title_en="Circular office chairs",
        starts_on=dt.date(2021, 3, 1),
    )
    return dataclasses.replace(data, **changes)


def test_a_pilot_is_created_and_updated_with_its_audit(session: Session) -> None:
    programme = factories.programme(session, "procirc")
    user = factories.user(session)
    goal = factories.strategy(session, "reduce_materials")
    data = pilot_input(programme.id, strategy_ids=(goal.id,), sdgs=(13, 12))
    pilot = create_pilot(session, data=data, user_id=user.id)
    assert pilot.id is not None
    assert [s.code for s in pilot.strategies] == ["reduce_materials"]
    assert pilot.sdgs == [12, 13]
    assert PilotInput.of(pilot) == dataclasses.replace(data, sdgs=(12, 13))

    changed = update_pilot(
        session, pilot=pilot, data=dataclasses.replace(data, sdgs=(12, 13)), user_id=user.id
    )
    assert not changed
    changed = update_pilot(
        session, pilot=pilot, data=dataclasses.replace(data, title_en="Chairs"), user_id=user.id
    )
    assert changed and pilot.title_en == "Chairs"


def test_the_rules_hold_for_every_write(session: Session) -> None:
    programme = factories.programme(session, "procirc")
    backwards = pilot_input(programme.id, ends_on=dt.date(2021, 2, 1))
    with pytest.raises(Invalid) as raised:
        create_pilot(session, data=backwards, user_id=1)
    assert list(raised.value.errors) == ["ends_on"]

    pilot = factories.pilot(session, programme)
    no_baseline = dataclasses.replace(PilotInput.of(pilot), waste_result_t=Decimal(3))
    with pytest.raises(Invalid) as raised:
        update_pilot(session, pilot=pilot, data=no_baseline, user_id=1)
    assert list(raised.value.errors) == ["waste_result_t"]
    assert pilot.waste_result_t is None


def test_a_source_and_a_peer_hub_are_held_to_the_same_rules() -> None:
    fields = {
        "title_en": "Chairs",
        "country": "NL",
        "status": "running",
        "phase": "tender",
        "starts_on": dt.date(2021, 3, 1),
        "ends_on": dt.date(2021, 2, 1),
    }
    with pytest.raises(Problem) as problem:
        SYNCED["pilot"].build(fields, SyncLookups(product_groups={}, community_ids=set()))
    assert problem.value.message == "ends_on: the pilot ends before it starts"

    document = {
        "source_language": "en",
        "programme": "procirc",
        "title": {"nl": None, "en": "Chairs"},
        "summary": {"nl": None, "en": None},
        "country": "NL",
        "phase": "tender",
        "status": "running",
        "co2_result_t": "12.5",
        "strategies": [],
        "parties": [],
    }
    lookups = Lookups(codes={"programmes": {"procirc": 1}}, uids={})
    with pytest.raises(Problem) as problem:
        FEDERATED["pilots"].values(document, lookups)
    assert problem.value.values["field"] == "co2_result_t"
    assert FEDERATED["pilots"].values({**document, "co2_baseline_t": "20"}, lookups)[0]["co2_result_t"]


def test_local_additions_are_marked_local(session: Session) -> None:
    programme = factories.programme(session, "procirc")
    user = factories.user(session)
    pilot = factories.pilot(session, programme, title_en="Chairs", local_fields=["summary_en"])
    add_locally(session, pilot=pilot, values={"title_en": "Chairs", "title_nl": "Stoelen"}, user_id=user.id)
    assert pilot.title_nl == "Stoelen"
    assert pilot.local_fields == ["summary_en", "title_nl"]
    with pytest.raises(ValueError, match="country"):
        add_locally(session, pilot=pilot, values={"country": "BE"}, user_id=user.id)
