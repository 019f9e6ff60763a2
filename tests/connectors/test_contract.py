"""The contract every registered connector keeps, checked on its own example source.

A connector added through the ``hub.connectors`` entry points is picked up here without a line of
test code: whatever it is, it must yield well-formed items, round-trip its options, name the
option that is wrong, honour a conditional GET and stay clear of the database.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from connectors import registry
from connectors.base import Connector, Cursor, Item, ItemError
from connectors.fetch import Fetcher
from connectors.messages import OptionsError
from connectors.targets import TARGETS
from tests.connectors.fixture_server import FixtureServer

KINDS = sorted(registry.available())


def with_base(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, dict):
        return {key: with_base(item, base) for key, item in value.items()}
    return value


def test_the_package_registers_its_connectors() -> None:
    assert {"feed", "tabular", "hub"} <= set(KINDS)
    with pytest.raises(OptionsError) as caught:
        registry.connector_class("carrier-pigeon")
    assert (caught.value.field, caught.value.values) == ("kind", {"kind": "carrier-pigeon"})


@pytest.mark.parametrize("kind", KINDS)
def test_connector_contract(kind: str, server: FixtureServer, fetcher: Fetcher) -> None:
    cls = registry.connector_class(kind)
    assert cls.kind == kind
    example = cls.example()
    base = server.base.encode()
    server.serve(
        {path: (kind_, body.replace(b"{base}", base)) for path, (kind_, body) in example.files.items()}
    )
    raw = with_base(dict(example.options), server.base)

    # Options: parsed, round-tripped through what is stored, and wrong ones named.
    connector: Connector[Any] = registry.build(kind, raw)
    options = connector.options
    assert isinstance(options, cls.options_type)
    stored = options.to_dict()
    assert json.loads(json.dumps(stored)) == stored  # storable as JSON
    assert cls.options_type.parse(stored) == options
    for invalid in ({}, {**raw, "no-such-option": 1}):
        with pytest.raises(OptionsError) as caught:
            cls.options_type.parse(invalid)
        assert caught.value.field, f"{invalid} gave no field"

    # Items: well-formed, with unique ids and fields already typed for their target.
    cursor = Cursor()
    results = list(connector.items(fetcher, cursor))
    assert results, "the example source gave nothing"
    errors = [result for result in results if isinstance(result, ItemError)]
    assert errors == []
    items = [result for result in results if isinstance(result, Item)]
    assert len(items) == len(results)
    ids = [item.external_id for item in items]
    assert all(isinstance(external_id, str) and external_id for external_id in ids)
    assert len(set(ids)) == len(ids)
    for item in items:
        if cls.mirror:  # another hub's records, as its API sends them
            assert set(item.fields) == {"kind", "document", "after"}  # after: the cursor of its page
            assert item.fields["document"]["uid"] == item.external_id
        else:
            assert item.fields and TARGETS[stored["target"]].coerce(item.fields) == item.fields
        assert item.url is None or item.url.startswith(("http://", "https://"))
    assert not cursor.not_modified
    assert json.loads(json.dumps(cursor.state)) == cursor.state

    # A second run with what the first left: the source says nothing changed (an incremental
    # source says so by sending nothing after the cursor).
    again = Cursor(state=dict(cursor.state))
    assert list(connector.items(fetcher, again)) == []
    assert again.not_modified or cls.mirror


def test_connector_modules_never_import_the_hub_or_a_database() -> None:
    code = """
import json, sys
from connectors import registry
for cls in registry.available().values():
    cls.example()
print(json.dumps(sorted(sys.modules)))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    modules = json.loads(result.stdout)

    assert {"connectors.feed", "connectors.tabular", "feedparser"} <= set(modules)  # it did load them
    assert [
        name for name in modules if name.split(".")[0] in ("hub", "sqlalchemy", "alembic", "psycopg")
    ] == []
