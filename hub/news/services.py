"""News items in the database: the public list (searched through the search index), newest first
unless asked otherwise, and its download."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from hub.filters import QueryFilters
from hub.news.models import NewsItem
from hub.pagination import Page
from hub.programmes.models import Programme
from hub.queries import PublicFilters, Sort, found, listed, read_sort

NEWS_PER_PAGE = 20
CHUNK = 500  # rows of a download read at a time


@dataclasses.dataclass(frozen=True)
class NewsFilters(PublicFilters):
    sort: Sort = Sort.NEWEST


def parse_filters(params: Mapping[str, str]) -> NewsFilters:
    """Filters from query parameters; an unknown value raises ``InvalidFilter`` (shown as 400)."""
    read = QueryFilters(None, params)
    q = read.search()
    return NewsFilters(q=q, sort=read_sort(read, q), page=read.page())


def news_statements(
    session: Session,
    *,
    page: int,
    per_page: int = NEWS_PER_PAGE,
    filters: NewsFilters | None = None,
    language: str = "en",
) -> tuple[Select[Any], Select[Any]]:
    """The count of live news items matching ``filters`` and one page of them (a test reads their
    query plans).

    Live means not withdrawn at the source. Unsearched, both are served by
    ``ix_news_items_live_published_at`` (partial: live items only), newest first.
    """
    count, items = _statements(session, filters or NewsFilters(), language)
    return count, items.offset((page - 1) * per_page).limit(per_page)


def _statements(session: Session, filters: NewsFilters, language: str) -> tuple[Select[Any], Select[Any]]:
    live = NewsItem.withdrawn_at.is_(None)
    count = select(func.count()).select_from(NewsItem).where(live)
    if filters.searched:
        count = count.where(found(session, NewsItem, "news", filters.q))
    items = listed(
        session,
        select(NewsItem).where(live),
        model=NewsItem,
        kind="news",
        q=filters.q,
        sort=filters.sort,
        moment=NewsItem.published_at,
        language=language,
    )
    return count, items


def list_news(
    session: Session, *, filters: NewsFilters | None = None, language: str, per_page: int = NEWS_PER_PAGE
) -> Page[NewsItem]:
    """One page of live news items matching ``filters``, and how many there are in all."""
    filters = filters or NewsFilters()
    count, items = news_statements(
        session, page=filters.page, per_page=per_page, filters=filters, language=language
    )
    total = session.scalar(count) or 0
    rows = session.scalars(items.options(joinedload(NewsItem.programme))).all()
    return Page(rows, total, filters.page, per_page)


def iter_news(
    session: Session, *, filters: NewsFilters, language: str
) -> Iterator[Sequence[tuple[NewsItem, str]]]:
    """Every live news item matching ``filters``, in the list's order, with its programme's code, in
    chunks (the download; freed once used: see ``hub.opendata.services``).

    The codes come from one small lookup: joining programmes would make the planners walk them
    and sort the news instead of reading the index in order.
    """
    codes = {
        programme_id: code for programme_id, code in session.execute(select(Programme.id, Programme.code))
    }
    _count, items = _statements(session, filters, language)
    for partition in session.scalars(items.execution_options(yield_per=CHUNK)).partitions():
        yield [(item, codes[item.programme_id]) for item in partition]


def latest(session: Session, *, limit: int = 3) -> Sequence[NewsItem]:
    """The live news items published last, for the home page."""
    return session.scalars(
        select(NewsItem)
        .where(NewsItem.withdrawn_at.is_(None))
        .options(joinedload(NewsItem.programme))
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
        .limit(limit)
    ).all()
