"""News items in the hub's search: what a live item says, and how it shows as a result.

An item is found by its titles, the text of its summaries (their markup left out) and its
programme's names. News items have no page of their own on the hub (the list links each to the
original): a result leads to the news list, searched for the item's title.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import nh3
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.news.models import NewsItem
from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Card, Document, Names, bilingual

_LIVE = NewsItem.withdrawn_at.is_(None)


def text_of(summary: str) -> str:
    """The text of a summary (sanitised HTML when synced): no tag or attribute is a word of it."""
    if "<" not in summary and "&" not in summary:
        return summary
    return html.unescape(nh3.clean(summary, tags=set())).strip()


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live news items among ``ids``, in two queries."""
    programme_names = Names(session, Programme)
    for item in session.scalars(select(NewsItem).where(NewsItem.id.in_(ids), _LIVE)):
        yield Document(
            record_id=item.id,
            title=bilingual(item.title_nl, item.title_en),
            summary=bilingual(text_of(item.summary_nl), text_of(item.summary_en)),
            about=programme_names(item.programme_id),
            programme_id=item.programme_id,
            year=item.published_at.year,
        )


def card(item: NewsItem, language: str) -> Card:
    title = item.localized("title", language)
    return Card(
        title=title.text,
        route="news",
        params={"query": {"q": title.text}},  # ``url("news", query=...)``: the list, searched
        text=text_of(item.localized("summary", language).text),
        untranslated=title.fallback,
        date=item.published_at.date(),
    )


NEWS = index.register(
    name="news",
    number=7,
    label=N_("News"),
    model=NewsItem,
    documents=documents,
    cards=index.cards_by(NewsItem, card),
    related={Programme: index.naming(NewsItem.programme_id, NewsItem.id)},
)
