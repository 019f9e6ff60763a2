"""The pilot's fields are declared once (hub.pilots.fields): every way a pilot comes in or goes out
carries them all, or a subset declared here with its reason, so that a field added in one place
and not in the others fails here."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from starlette.testclient import TestClient

from connectors.targets import TARGETS
from hub.federation.fields import Bilingual
from hub.federation.kinds import KINDS as FEDERATED
from hub.opendata.downloads import COLUMNS
from hub.participants import forms as participant_forms
from hub.pilots.fields import FIELDS, IMPACT_FIELDS, LOCAL_FIELDS, RULES, TEXTS, broken
from hub.pilots.models import Pilot
from hub.pilots.writes import PilotInput
from hub.sync.kinds import KINDS as SYNCED
from hub.sync.kinds import MANAGED
from tests.coordinators import Network

# Vocabulary entries and records are named by code or uid outside the hub: the column they fill.
BY_CODE = {"programme": "programme_id", "product_group": "product_group_id"}
# Not the pilot's values: their collections (strategies, goals, parties, progress, milestones),
# the record's identity and bookkeeping, and a form's token.
NOT_FIELDS = {"id", "mirrored", *MANAGED}

# What each way leaves out of the pilot's fields, and why.
SOURCE_LEAVES_OUT = {
    "programme_id",  # a source feeds one programme, its own
    "source_language",  # told by which texts a source gives
    *IMPACT_FIELDS,  # measured by the pilot's team, entered here
}
PARTICIPANT_LEAVES_OUT = {
    "programme_id",  # the entry's
    "country",  # the participant's organisation's
    "contract_value",  # the coordinators' to enter
}
DOWNLOAD_LEAVES_OUT = {*IMPACT_FIELDS}  # the downloads keep the shape of the former API


def fields_of(names: Iterable[str]) -> set[str]:
    return {BY_CODE.get(name, name) for name in names}


def test_the_fields_are_the_pilots_own_columns() -> None:
    assert set(Pilot.__table__.c.keys()) - NOT_FIELDS == set(FIELDS)
    assert len(FIELDS) == len(set(FIELDS))
    assert set(LOCAL_FIELDS) <= set(FIELDS)
    assert set(TEXTS) | set(IMPACT_FIELDS) <= set(FIELDS)


def test_the_typed_input_has_every_field() -> None:
    names = [field.name for field in dataclasses.fields(PilotInput)]
    assert set(names) - {"strategy_ids", "sdgs", "parties"} == set(FIELDS)  # links, not columns


def test_a_sync_writes_every_field_and_a_source_feeds_a_declared_subset() -> None:
    assert set(SYNCED["pilot"].blank) - NOT_FIELDS == set(FIELDS)
    assert fields_of(TARGETS["pilot"].fields) == set(FIELDS) - SOURCE_LEAVES_OUT


def test_federation_sends_every_field() -> None:
    kind = FEDERATED["pilots"]
    names = {"source_language"} if kind.bilingual else set()
    for field in kind.fields:
        if isinstance(field, Bilingual):
            names |= {f"{field.name}_nl", f"{field.name}_en"}
        else:
            names.add(field.attribute)
    assert names == set(FIELDS)


def test_the_participants_form_reports_a_declared_subset() -> None:
    own = {
        name
        for name in participant_forms.PILOT_FIELDS
        if name not in ("goal_ids", "strategy_ids", "progress") and not name.startswith("milestone_")
    }
    assert own == set(FIELDS) - PARTICIPANT_LEAVES_OUT


def test_the_downloads_give_a_declared_subset() -> None:
    columns = {re.sub(r"_amount$", "", name) for name in COLUMNS["pilots"]}
    columns -= {"url", "strategies", "demo", "contract_value_currency"}
    assert fields_of(columns) - NOT_FIELDS == set(FIELDS) - DOWNLOAD_LEAVES_OUT


def test_the_coordinators_form_has_every_field(coordinator: TestClient, network: Network) -> None:
    page = coordinator.get("/en/coordinator/pilots/new")
    assert page.status_code == 200
    form = re.search(r'<form method="post"[^>]*class="workspace-form".*?</form>', page.text, re.S)
    assert form is not None
    links = {"strategy_ids", "sdgs", "party_organisation", "party_role"}
    names = set(re.findall(r'name="([^"]+)"', form.group())) - {"csrf_token", *links}
    assert names == set(FIELDS)


def test_the_rules_read_declared_fields() -> None:
    for rule in RULES:
        assert {rule.field, *rule.reads} <= set(FIELDS)
    assert [rule.field for rule in broken({"starts_on": 2, "ends_on": 1, "co2_result_t": 1})] == [
        "ends_on",
        "co2_result_t",
    ]
    assert broken({"co2_result_t": 1}, unread={"co2_baseline_t"}) == []
