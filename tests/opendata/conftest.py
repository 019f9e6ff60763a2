"""Records for the open data tests: pilots at known moments, lessons and news items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from hub.lessons.models import Lesson, LessonKind
from hub.news.models import NewsItem
from hub.programmes.models import Programme

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    """A moment ``minutes`` after ``T0``: records get distinct, ordered change times."""
    return T0 + dt.timedelta(minutes=minutes)


def lesson(session: Session, programme: Programme, **fields: Any) -> Lesson:
    values: dict[str, Any] = {"title_en": "A lesson", "kind": LessonKind.TIP}
    record = Lesson(programme=programme, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def news_item(session: Session, programme: Programme, **fields: Any) -> NewsItem:
    values: dict[str, Any] = {"title_en": "News", "published_at": T0}
    record = NewsItem(programme_id=programme.id, **{**values, **fields})
    session.add(record)
    session.flush()
    return record
