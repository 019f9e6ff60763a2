"""A library entry's fields, declared once, and the rules its values obey.

The coordinators' form reads the fields and shows the rules next to them; the entry's write path
(``hub.library.writes``) saves the fields and holds the rules. A peer hub's mirror writes the same
fields, which a test holds it to (tests/library/test_fields.py), and the entry's own rules
(:func:`check_row`, the federated kind's check).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from hub.i18n import N_
from hub.inputs import Breach, check, texts
from hub.library.models import LibraryKind
from hub.records import LANGUAGES

TEXTS = tuple(f"{name}_{lang}" for name in ("title", "body") for lang in LANGUAGES)

# The entry's own values (its columns, not its bookkeeping); the pilots and lessons it is linked
# from are collections of their own.
FIELDS = (
    "programme_id",
    "source_language",
    "kind",
    "tool_kind",
    *TEXTS,
    "url",
    "held_on",
    "speakers",
    "product_group_id",
    "strategy_id",
    "phase",
)


def web_address(url: str) -> str:
    """The entry's link with its scheme in lower case, as other hubs expect it."""
    scheme, colon, rest = url.partition(":")
    return f"{scheme.lower()}:{rest}" if colon else url


def breaches(values: Mapping[str, Any]) -> list[Breach]:
    """The entry's own rules ``values`` break, on every path (the coordinators' form, a peer's
    mirror): a link on the web (http or https), a tool kind only for a toolbox entry, a date and
    speakers only for a webinar. A rule over a value missing from ``values`` (or None) is not
    checked: the form checks the values it could read."""
    found: list[Breach] = []
    url = values.get("url")
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        found.append(Breach("url", N_("Enter a web address starting with http:// or https://.")))
    kind = values.get("kind")
    if kind is None:
        return found
    if values.get("tool_kind") is not None and kind is not LibraryKind.TOOLBOX:
        message = N_("Only a toolbox entry has a tool kind: choose “None”, or the kind Toolbox.")
        found.append(Breach("tool_kind", message))
    if kind is not LibraryKind.WEBINAR:
        if values.get("held_on") is not None:
            found.append(Breach("held_on", N_("Only a webinar has a date it was held: leave this empty.")))
        if values.get("speakers"):
            found.append(Breach("speakers", N_("Only a webinar has speakers: leave this empty.")))
    return found


def check_row(values: Mapping[str, Any]) -> None:
    """Raises the Problem of the first of the entry's own rules ``values`` break: a row a peer's
    mirror writes in bulk."""
    check(breaches(values))


def errors_of(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules ``values`` break, by field (empty if none): the title in the source language (the
    rule of writing an entry here; a peer's is mirrored as its hub wrote it), then the entry's own
    (:func:`breaches`)."""
    found: list[Breach] = []
    source = values.get("source_language")
    if source and f"title_{source}" in values and not values[f"title_{source}"]:
        found.append(Breach(f"title_{source}", N_("Enter the title in the source language.")))
    return texts([*found, *breaches(values)])
