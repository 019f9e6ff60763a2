"""The lesson's fields are declared once (hub.lessons.fields): the typed input, the coordinators' form,
a source's sync and the federation carry them all, or a subset declared here with its reason, so
that a field added in one place and not in the others fails here."""

from __future__ import annotations

from starlette.testclient import TestClient

from connectors.targets import TARGETS
from hub.lessons.fields import FIELDS, TEXT_NAMES, TEXTS
from hub.lessons.models import Lesson
from hub.lessons.writes import LessonInput
from hub.sync.kinds import KINDS as SYNCED
from tests.coordinators import Network
from tests.fields import NOT_FIELDS, federated, form_fields, input_fields, own_columns

# Vocabulary entries are named by code outside the hub: the column they fill.
BY_CODE = {"programme": "programme_id", "product_group": "product_group_id", "strategy": "strategy_id"}
# The lesson's collections: the pilots it was learned in and its documents.
COLLECTIONS = {"pilots", "attachments"}
SOURCE_LEAVES_OUT = {"programme_id"}  # a source feeds one programme, its own


def test_the_fields_are_the_lessons_own_columns() -> None:
    assert own_columns(Lesson) == set(FIELDS)
    assert len(FIELDS) == len(set(FIELDS))
    assert set(TEXTS) <= set(FIELDS)
    assert {f"{name}_nl" for name in TEXT_NAMES} <= set(TEXTS)


def test_the_typed_input_has_every_field() -> None:
    assert input_fields(LessonInput) - {"pilot_ids", "attachments"} == set(FIELDS)


def test_a_sync_writes_every_field_and_a_source_feeds_a_declared_subset() -> None:
    assert set(SYNCED["lesson"].blank) - NOT_FIELDS == set(FIELDS)
    fed = {BY_CODE.get(name, name) for name in TARGETS["lesson"].fields}
    assert fed - COLLECTIONS == set(FIELDS) - SOURCE_LEAVES_OUT


def test_federation_sends_every_field_and_the_collections() -> None:
    assert federated("lessons") == (set(FIELDS), COLLECTIONS)


def test_the_coordinators_form_has_every_field(coordinator: TestClient, network: Network) -> None:
    names = form_fields(coordinator, "/en/coordinator/lessons/new", besides={"pilot_numbers"})
    assert {name for name in names if not name.startswith("attachment_")} == set(FIELDS)
