"""A news item's fields, declared once, one typed input and the rules its values obey.

News items come from the programmes' feeds only: a source's sync is their one writer, and writes
them in bulk, each row checked with :func:`check_row` (``hub.sync.kinds.build_news``). No screen
writes a news item, so there is no form path here; tests/news/test_writes.py holds the sync, the
connector target and the typed input to these fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from hub.i18n import N_
from hub.inputs import Breach, TitledInput, check, texts
from hub.news.models import NewsItem
from hub.records import LANGUAGES

TEXTS = tuple(f"{name}_{lang}" for name in ("title", "summary") for lang in LANGUAGES)
# The item's own values (its columns, not its bookkeeping). ``published_at``: when the source
# published it, or else when the hub first saw it.
FIELDS = ("programme_id", "source_language", *TEXTS, "published_at")


@dataclasses.dataclass(frozen=True)
class NewsItemInput(TitledInput[NewsItem]):
    """A news item's values (``FIELDS``), typed; the summaries are sanitised HTML."""

    FIELDS = FIELDS

    programme_id: int
    source_language: str
    published_at: dt.datetime
    title_nl: str = ""
    title_en: str = ""
    summary_nl: str = ""
    summary_en: str = ""


def breaches(values: Mapping[str, Any]) -> list[Breach]:
    """The rules a news item's ``values`` break: a title in its source language (the list and the
    newsletters name an item by it). Not checked without a source language."""
    source = values.get("source_language")
    if source in LANGUAGES and not values.get(f"title_{source}"):
        return [Breach(f"title_{source}", N_("Enter the title in the source language."))]
    return []


def errors_of(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules ``values`` break, by field, translated (empty if none)."""
    return texts(breaches(values))


def check_row(values: Mapping[str, Any]) -> None:
    """Raises the Problem of the first rule ``values`` break: a row a sync writes in bulk."""
    check(breaches(values))
