"""A library entry's fields are declared once (hub.library.fields): the typed input, the coordinators'
form and the federation carry them all, so that a field added in one place and not in the others
fails here; and the entry's rules, which the form shows and the write path holds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from starlette.testclient import TestClient

from hub.federation.fields import Bilingual
from hub.federation.kinds import KINDS as FEDERATED
from hub.library.fields import FIELDS, TEXTS, errors_of, web_address
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.library.writes import LibraryItemInput
from hub.sync.kinds import MANAGED
from tests.coordinators import Network

NOT_FIELDS = {"id", "mirrored", *MANAGED}  # the record's identity and bookkeeping
COLLECTIONS = {"pilots", "lessons"}  # what the entry is linked from


def test_the_fields_are_the_entrys_own_columns() -> None:
    assert set(LibraryItem.__table__.c.keys()) - NOT_FIELDS == set(FIELDS)
    assert len(FIELDS) == len(set(FIELDS))
    assert set(TEXTS) <= set(FIELDS)


def test_the_typed_input_has_every_field() -> None:
    names = {field.name for field in dataclasses.fields(LibraryItemInput)}
    assert names - {"pilot_ids", "lesson_ids"} == set(FIELDS)


def test_federation_sends_every_field_and_the_collections() -> None:
    kind = FEDERATED["library_items"]
    names = {"source_language"} if kind.bilingual else set()
    for field in kind.fields:
        if isinstance(field, Bilingual):
            names |= {f"{field.name}_nl", f"{field.name}_en"}
        else:
            names.add(field.attribute)
    assert names == set(FIELDS)
    assert {child.name for child in kind.children} == COLLECTIONS


def test_the_coordinators_form_has_every_field(coordinator: TestClient, network: Network) -> None:
    page = coordinator.get("/en/coordinator/library/new")
    assert page.status_code == 200
    form = re.search(r'<form method="post"[^>]*class="workspace-form".*?</form>', page.text, re.S)
    assert form is not None
    names = set(re.findall(r'name="([^"]+)"', form.group()))
    assert names - {"csrf_token", "pilot_numbers", "lesson_numbers"} == set(FIELDS)


def test_the_rules() -> None:
    webinar = {
        "source_language": "en",
        "title_en": "Circular furniture",
        "kind": LibraryKind.WEBINAR,
        "url": "https://example.org/recording",
        "held_on": dt.date(2018, 6, 12),
        "speakers": "Lotte Peeters",
    }
    assert errors_of(webinar) == {}
    assert list(errors_of({**webinar, "kind": LibraryKind.DOCUMENT})) == ["held_on", "speakers"]
    assert list(errors_of({**webinar, "tool_kind": ToolKind.GUIDE})) == ["tool_kind"]
    assert errors_of({"kind": LibraryKind.TOOLBOX, "tool_kind": ToolKind.GUIDE}) == {}
    assert list(errors_of({**webinar, "title_en": "", "url": "javascript:alert(1)"})) == ["title_en", "url"]
    # A rule over a value missing (one the form could not read) is not checked.
    assert errors_of({"tool_kind": ToolKind.GUIDE, "held_on": dt.date(2018, 6, 12)}) == {}
    assert errors_of({"source_language": "nl", "kind": LibraryKind.TOOLBOX}) == {}


def test_a_link_has_its_scheme_in_lower_case() -> None:
    assert web_address("HTTPS://example.org/Recording") == "https://example.org/Recording"
    assert web_address("example.org/Page") == "example.org/Page"
