"""The demo network's library: GDCA's learning network as the seeds describe it (webinars, legal
questions and answers, a toolbox and documents), bilingual, linked from GDCA pilots and lessons."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.demo.generate import load_demo
from hub.demo.library import LIBRARY
from hub.library.models import LibraryItem, LibraryKind


def test_the_demo_library(session: Session) -> None:
    summary = load_demo(session)
    items = session.scalars(select(LibraryItem).order_by(LibraryItem.id)).all()
    assert summary.library_items == len(items) == len(LIBRARY)
    assert set(Counter(item.kind for item in items)) == set(LibraryKind)
    for item in items:
        assert item.is_demo and item.programme.code == "gdca" and item.source_language == "nl"
        assert item.title_nl and item.title_en and item.body_nl and item.body_en
        assert item.url and item.url.startswith("https://example.org/")
        is_webinar = item.kind is LibraryKind.WEBINAR
        assert (item.held_on is not None, bool(item.speakers)) == (is_webinar, is_webinar)
        assert (item.tool_kind is not None) == (item.kind is LibraryKind.TOOLBOX)
        for pilot in item.pilots:  # pilots of its own product group, from GDCA
            assert pilot.programme.code == "gdca" and pilot.product_group_id == item.product_group_id
        for lesson in item.lessons:
            assert lesson.product_group_id == item.product_group_id
    assert sum(len(item.pilots) for item in items) >= 5
    assert sum(len(item.lessons) for item in items) >= 10
