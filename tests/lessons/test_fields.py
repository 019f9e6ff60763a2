"""The lesson's fields are declared once (hub.lessons.fields): the typed input, the coordinators' form,
a source's sync and the federation carry them all, or a subset declared here with its reason, so
that a field added in one place and not in the others fails here."""

from __future__ import annotations

import dataclasses
import re

from starlette.testclient import TestClient

from connectors.targets import TARGETS
from hub.federation.fields import Bilingual
from hub.federation.kinds import KINDS as FEDERATED
from hub.lessons.fields import FIELDS, TEXT_NAMES, TEXTS
from hub.lessons.models import Lesson
from hub.lessons.writes import LessonInput
from hub.sync.kinds import KINDS as SYNCED
from hub.sync.kinds import MANAGED
from tests.coordinators import Network

# Vocabulary entries are named by code outside the hub: the column they fill.
BY_CODE = {"programme": "programme_id", "product_group": "product_group_id", "strategy": "strategy_id"}
# Not the lesson's values: the record's identity and bookkeeping.
NOT_FIELDS = {"id", "mirrored", *MANAGED}
# The lesson's collections: the pilots it was learned in and its documents.
COLLECTIONS = {"pilots", "attachments"}
SOURCE_LEAVES_OUT = {"programme_id"}  # a source feeds one programme, its own


def test_the_fields_are_the_lessons_own_columns() -> None:
    assert set(Lesson.__table__.c.keys()) - NOT_FIELDS == set(FIELDS)
    assert len(FIELDS) == len(set(FIELDS))
    assert set(TEXTS) <= set(FIELDS)
    assert {f"{name}_nl" for name in TEXT_NAMES} <= set(TEXTS)


def test_the_typed_input_has_every_field() -> None:
    names = {field.name for field in dataclasses.fields(LessonInput)}
    assert names - {"pilot_ids", "attachments"} == set(FIELDS)


def test_a_sync_writes_every_field_and_a_source_feeds_a_declared_subset() -> None:
    assert set(SYNCED["lesson"].blank) - NOT_FIELDS == set(FIELDS)
    fed = {BY_CODE.get(name, name) for name in TARGETS["lesson"].fields}
    assert fed - COLLECTIONS == set(FIELDS) - SOURCE_LEAVES_OUT


def test_federation_sends_every_field_and_the_collections() -> None:
    kind = FEDERATED["lessons"]
    names = {"source_language"} if kind.bilingual else set()
    for field in kind.fields:
        if isinstance(field, Bilingual):
            names |= {f"{field.name}_nl", f"{field.name}_en"}
        else:
            names.add(field.attribute)
    assert names == set(FIELDS)
    assert {child.name for child in kind.children} == COLLECTIONS


def test_the_coordinators_form_has_every_field(coordinator: TestClient, network: Network) -> None:
    page = coordinator.get("/en/coordinator/lessons/new")
    assert page.status_code == 200
    form = re.search(r'<form method="post"[^>]*class="workspace-form".*?</form>', page.text, re.S)
    assert form is not None
    names = set(re.findall(r'name="([^"]+)"', form.group())) - {"csrf_token", "pilot_numbers"}
    assert {name for name in names if not name.startswith("attachment_")} == set(FIELDS)
