"""News items in the hub's search: what a live item says, and how it shows as a result.

An item is found by its titles, the text of its summaries (their markup left out) and its
programme's names. News items have no page of their own on the hub (the list links each to the
original): a result leads to the news list, searched for the item's title.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import nh3
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.news.models import NewsItem
from hub.programmes.models import Programme
from hub.search.index import Card, Document, Kind, bilingual, both, by_id, register

_LIVE = NewsItem.withdrawn_at.is_(None)


def text_of(summary: str) -> str:
    """The text of a summary (sanitised HTML when synced): no tag or attribute is a word of it."""
    if "<" not in summary and "&" not in summary:
        return summary
    return html.unescape(nh3.clean(summary, tags=set())).strip()


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live news items among ``ids``, in two queries."""
    programmes = by_id(session, Programme)
    for item in session.scalars(select(NewsItem).where(NewsItem.id.in_(ids), _LIVE)):
        programme = programmes[item.programme_id]
        yield Document(
            record_id=item.id,
            title=bilingual(item.title_nl, item.title_en),
            summary=bilingual(text_of(item.summary_nl), text_of(item.summary_en)),
            about=(*bilingual(programme.name_nl, programme.name_en), *both(programme.short_name)),
            programme_id=item.programme_id,
            year=item.published_at.year,
        )


def cards(session: Session, ids: Sequence[int], language: str) -> Mapping[int, Card]:
    found: dict[int, Card] = {}
    for item in session.scalars(select(NewsItem).where(NewsItem.id.in_(ids))):
        title = item.localized("title", language)
        found[item.id] = Card(
            title=title.text,
            route="news",
            params={"query": {"q": title.text}},  # ``url("news", query=...)``: the list, searched
            text=text_of(item.localized("summary", language).text),
            untranslated=title.fallback,
            date=item.published_at.date(),
        )
    return found


def _of_programmes(session: Session, programmes: Sequence[Any]) -> Iterable[int]:
    ids = [programme.id for programme in programmes]
    return session.scalars(select(NewsItem.id).where(NewsItem.programme_id.in_(ids)))


NEWS = register(
    Kind(
        name="news",
        label=N_("News"),
        model=NewsItem,
        documents=documents,
        cards=cards,
        related={Programme: _of_programmes},
    )
)
