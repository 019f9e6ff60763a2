"""What the tests of a record kind's fields share: the names of the fields each way of writing the
kind carries (its columns, its typed input, the federation, the coordinators' form), to hold them
to the kind's one declaration (its ``FIELDS``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from typing import Any

from starlette.testclient import TestClient

from hub.federation.fields import Bilingual
from hub.federation.kinds import KINDS as FEDERATED
from hub.sync.kinds import MANAGED

NOT_FIELDS = frozenset({"id", "mirrored", *MANAGED})  # a record's identity and bookkeeping


def own_columns(model: Any) -> set[str]:
    """The columns of ``model`` that hold the record's own values."""
    return set(model.__table__.c.keys()) - NOT_FIELDS


def input_fields(input_class: Any) -> set[str]:
    """The fields of a typed input (a dataclass)."""
    return {field.name for field in dataclasses.fields(input_class)}


def federated(kind: str) -> tuple[set[str], set[str]]:
    """The columns a federated kind's fields fill (a bilingual one, one per language; the source
    language, if the kind has one), and the names of its collections (its children)."""
    declared = FEDERATED[kind]
    names = {"source_language"} if declared.bilingual else set()
    for field in declared.fields:
        if isinstance(field, Bilingual):
            names |= {f"{field.name}_nl", f"{field.name}_en"}
        else:
            names.add(field.attribute)
    return names, {child.name for child in declared.children}


def form_fields(client: TestClient, path: str, *, besides: Collection[str] = ()) -> set[str]:
    """The names of the fields of the coordinators' form on the page at ``path``, but for its token
    and those in ``besides``."""
    page = client.get(path)
    assert page.status_code == 200
    form = re.search(r'<form method="post"[^>]*class="workspace-form".*?</form>', page.text, re.S)
    assert form is not None
    return set(re.findall(r'name="([^"]+)"', form.group())) - {"csrf_token", *besides}
