"""Pilots still missing a translation: the coordinators' queue of titles and summaries to translate."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, joinedload

from hub.pagination import Page, paginate
from hub.pilots.models import Pilot
from hub.records import LANGUAGES


def _untranslated() -> ColumnElement[bool]:
    """The other language's title is empty, or its summary while the source has one."""
    cases = []
    for source in LANGUAGES:
        for other in LANGUAGES:
            if other == source:
                continue
            title, summary = getattr(Pilot, f"title_{other}"), getattr(Pilot, f"summary_{other}")
            source_summary = getattr(Pilot, f"summary_{source}")
            cases.append(
                and_(
                    Pilot.source_language == source,
                    or_(title == "", and_(summary == "", source_summary != "")),
                )
            )
    return or_(*cases)


def untranslated_pilots(
    session: Session, *, programme_ids: Collection[int] | None, page: int = 1
) -> Page[Pilot]:
    """The translation queue: live pilots kept here whose title or summary still lacks its
    translation, oldest change first."""
    conditions = [Pilot.withdrawn_at.is_(None), Pilot.home_hub.is_(None), _untranslated()]
    if programme_ids is not None:
        conditions.append(Pilot.programme_id.in_(list(programme_ids)))
    statement = (
        select(Pilot)
        .where(*conditions)
        .order_by(Pilot.updated_at, Pilot.id)
        .options(joinedload(Pilot.programme))
    )
    return paginate(session, statement, page=page)
