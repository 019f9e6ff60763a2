"""News items in the database: the public list, newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from hub.news.models import NewsItem

NEWS_PER_PAGE = 20


def news_statements(*, page: int, per_page: int = NEWS_PER_PAGE) -> tuple[Select[Any], Select[Any]]:
    """The count of live news items and one page of them (a test reads their query plans).

    Live means not withdrawn at the source; newest first. Both are served by
    ``ix_news_items_live_published_at`` (partial: live items only).
    """
    live = NewsItem.withdrawn_at.is_(None)
    count = select(func.count()).select_from(NewsItem).where(live)
    items = (
        select(NewsItem)
        .where(live)
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return count, items


def list_news(
    session: Session, *, page: int = 1, per_page: int = NEWS_PER_PAGE
) -> tuple[list[NewsItem], int]:
    """One page of live news items, newest first, and how many there are in all."""
    count, items = news_statements(page=page, per_page=per_page)
    total = session.scalar(count) or 0
    rows = session.scalars(items.options(joinedload(NewsItem.programme))).all()
    return list(rows), total
