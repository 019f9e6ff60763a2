"""A library entry's fields are declared once (hub.library.fields): the typed input, the coordinators'
form and the federation carry them all, so that a field added in one place and not in the others
fails here; and the entry's rules, which the form shows and the write path holds."""

from __future__ import annotations

import datetime as dt

from starlette.testclient import TestClient

from hub.library.fields import FIELDS, TEXTS, errors_of, web_address
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.library.writes import LibraryItemInput
from tests.coordinators import Network
from tests.fields import federated, form_fields, input_fields, own_columns

COLLECTIONS = {"pilots", "lessons"}  # what the entry is linked from


def test_the_fields_are_the_entrys_own_columns() -> None:
    assert own_columns(LibraryItem) == set(FIELDS)
    assert len(FIELDS) == len(set(FIELDS))
    assert set(TEXTS) <= set(FIELDS)


def test_the_typed_input_has_every_field() -> None:
    assert input_fields(LibraryItemInput) - {"pilot_ids", "lesson_ids"} == set(FIELDS)


def test_federation_sends_every_field_and_the_collections() -> None:
    assert federated("library_items") == (set(FIELDS), COLLECTIONS)


def test_the_coordinators_form_has_every_field(coordinator: TestClient, network: Network) -> None:
    path = "/en/coordinator/library/new"
    assert form_fields(coordinator, path, besides={"pilot_numbers", "lesson_numbers"}) == set(FIELDS)


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
