"""Links between lessons and pilots: the suggestions (with why), the links made so far, and
confirming, removing and turning them down.

A link is a person's statement, so only a person makes one: a suggestion becomes a link when a
coordinator confirms it. Whoever may edit the lesson's programme or the pilot's programme may
link them (a Flemish coordinator links a Flemish lesson to a ProCirc pilot this hub mirrors).
A link is kept by the hub it was made on and travels from there; another hub's link is read-only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from hub.accounts.services import Principal
from hub.changes import archive, save
from hub.db import utcnow
from hub.i18n import format_local_date
from hub.i18n import gettext as _
from hub.lessons.explain import explain
from hub.lessons.models import Lesson, LessonPilotLink, LinkKind, SuggestionDismissal
from hub.lessons.suggest import IndexCache, Suggestion, suggest_lessons, suggest_pilots
from hub.pilots.models import Pilot
from hub.refusals import Refused
from hub.taxonomy.models import ProductGroup, Strategy

NOTE_MAX = 2000
SUGGESTIONS = 10
R = TypeVar("R", Lesson, Pilot)


# --- what the linking pages show ---


def links_of(
    session: Session, *, pilot_id: int | None = None, lesson_id: int | None = None
) -> list[LessonPilotLink]:
    """The live links of a pilot or of a lesson (give one), every hub's, newest first."""
    if (pilot_id is None) == (lesson_id is None):
        raise TypeError("give a pilot_id or a lesson_id")
    condition = (
        LessonPilotLink.pilot_id == pilot_id
        if pilot_id is not None
        else LessonPilotLink.lesson_id == lesson_id
    )
    return list(
        session.scalars(
            select(LessonPilotLink)
            .where(condition, LessonPilotLink.withdrawn_at.is_(None))
            .options(selectinload(LessonPilotLink.lesson), selectinload(LessonPilotLink.pilot))
            .order_by(LessonPilotLink.made_at.desc(), LessonPilotLink.id)
        )
    )


@dataclasses.dataclass(frozen=True)
class Suggested:
    """A suggested lesson (or pilot) with the reasons why, in the reader's language."""

    record: Lesson | Pilot
    why: list[str]
    score: float


def suggested_lessons(
    session: Session,
    *,
    pilot: Pilot,
    programmes: Collection[int] | None,
    cache: IndexCache,
    language: str,
    limit: int = SUGGESTIONS,
) -> list[Suggested]:
    """The lessons worth linking to ``pilot`` (of ``programmes`` only, when given), best first; none
    for a withdrawn pilot."""
    if pilot.withdrawn_at is not None:
        return []
    ranked = suggest_lessons(session, pilot_id=pilot.id, limit=limit, programmes=programmes, cache=cache)
    return _explained(session, ranked, Lesson, pilot, language)


def suggested_pilots(
    session: Session,
    *,
    lesson: Lesson,
    programmes: Collection[int] | None,
    cache: IndexCache,
    language: str,
    limit: int = SUGGESTIONS,
) -> list[Suggested]:
    """The pilots ``lesson`` may apply to (of ``programmes`` only, when given), best first; none for
    a withdrawn lesson."""
    if lesson.withdrawn_at is not None:
        return []
    ranked = suggest_pilots(session, lesson_id=lesson.id, limit=limit, programmes=programmes, cache=cache)
    return _explained(session, ranked, Pilot, lesson, language)


def _explained(
    session: Session,
    suggestions: Sequence[Suggestion],
    model: type[R],
    subject: Lesson | Pilot,
    language: str,
) -> list[Suggested]:
    """The suggested records (of ``model``) with why each suits ``subject``."""
    wanted = select(model).where(model.id.in_([s.id for s in suggestions]))
    records = {record.id: record for record in session.scalars(wanted.options(selectinload(model.programme)))}
    groups = {g.code: g for g in session.scalars(select(ProductGroup))}
    strategies = {s.code: s for s in session.scalars(select(Strategy))}
    other = "en" if language == "nl" else "nl"
    texts_of = _texts(subject)
    found = []
    for suggestion in suggestions:
        record = records[suggestion.id]
        texts = _texts(record)
        phrases = explain(
            suggestion.reasons,
            texts=[texts[language], texts_of[language], texts[other], texts_of[other]],
            groups=groups,
            strategies=strategies,
            language=language,
        )
        found.append(Suggested(record, phrases, suggestion.score))
    return found


def _texts(record: Lesson | Pilot) -> dict[str, str]:
    body = "body" if isinstance(record, Lesson) else "summary"
    return {
        lang: f"{getattr(record, f'title_{lang}')} {getattr(record, f'{body}_{lang}')}"
        for lang in ("nl", "en")
    }


# --- making, removing and turning down links ---


def may_link(principal: Principal, lesson: Lesson, pilot: Pilot) -> bool:
    return principal.may_edit_programme(lesson.programme_id) or principal.may_edit_programme(
        pilot.programme_id
    )


def _summary(lesson: Lesson, pilot: Pilot) -> str:
    """The audit log's line for a link."""
    return f"{lesson.title_en or lesson.title_nl} → {pilot.title_en or pilot.title_nl}"


def _check_live(lesson: Lesson, pilot: Pilot) -> None:
    if lesson.withdrawn_at is not None:
        raise Refused(
            _(
                "The lesson “%(title)s” was withdrawn at its home hub on %(date)s: it cannot be linked.",
                title=lesson.title_en or lesson.title_nl,
                date=format_local_date(lesson.withdrawn_at),
            )
        )
    if pilot.withdrawn_at is not None:
        raise Refused(
            _(
                "The pilot “%(title)s” was withdrawn at its home hub on %(date)s: it cannot be linked.",
                title=pilot.title_en or pilot.title_nl,
                date=format_local_date(pilot.withdrawn_at),
            )
        )


def _local_link(session: Session, lesson: Lesson, pilot: Pilot, kind: LinkKind) -> LessonPilotLink | None:
    return session.scalars(
        select(LessonPilotLink).where(
            LessonPilotLink.lesson_id == lesson.id,
            LessonPilotLink.pilot_id == pilot.id,
            LessonPilotLink.kind == kind,
            LessonPilotLink.home_hub.is_(None),
        )
    ).one_or_none()


def confirm(
    session: Session,
    principal: Principal,
    *,
    lesson: Lesson,
    pilot: Pilot,
    kind: LinkKind,
    note: str = "",
) -> tuple[LessonPilotLink, bool]:
    """The link, made (True) or found already made on this hub (False): never a duplicate, even
    when two people confirm the same suggestion at once (a unique index decides; the loser finds
    the winner's link)."""
    if not may_link(principal, lesson, pilot):
        raise Refused(_("You may link only lessons or pilots of your own programmes."), status=403)
    _check_live(lesson, pilot)
    note = note.strip()[:NOTE_MAX]
    existing = _local_link(session, lesson, pilot, kind)
    if existing is not None and existing.withdrawn_at is None:
        return existing, False
    values = {
        "lesson_id": lesson.id,
        "pilot_id": pilot.id,
        "kind": kind,
        "note": note,
        "made_by": principal.name or principal.email,
        "made_by_user_id": principal.user_id,
        "made_at": utcnow(),
        "withdrawn_at": None,
    }
    record = existing or LessonPilotLink()
    try:
        with session.begin_nested():
            save(
                session,
                record=record,
                values=values,
                user_id=principal.user_id,
                programme_id=lesson.programme_id,
                summary=_summary(lesson, pilot),
            )
    except IntegrityError:
        won = _local_link(session, lesson, pilot, kind)
        if won is None:
            raise
        return won, False
    for dismissal in session.scalars(
        select(SuggestionDismissal).where(
            SuggestionDismissal.lesson_id == lesson.id, SuggestionDismissal.pilot_id == pilot.id
        )
    ):
        session.delete(dismissal)  # confirmed after all
    return record, True


def remove(session: Session, principal: Principal, link: LessonPilotLink) -> None:
    """Withdraws a link made on this hub: other hubs get its tombstone and drop it too."""
    if not may_link(principal, link.lesson, link.pilot):
        raise Refused(_("You may change only links of your own programmes' lessons or pilots."), status=403)
    if link.home_hub is not None:
        raise Refused(
            _(
                "This link was made on %(home)s and is kept there: it can be removed only there.",
                home=link.home_hub,
            )
        )
    archive(
        session,
        record=link,
        user_id=principal.user_id,
        programme_id=link.lesson.programme_id,
        summary=_summary(link.lesson, link.pilot),
    )


def dismiss(session: Session, principal: Principal, *, lesson: Lesson, pilot: Pilot) -> None:
    """Turns a suggestion down: the lesson is not suggested for this pilot again (nor the pilot
    for the lesson). Kept on this hub only; a second click changes nothing."""
    if not may_link(principal, lesson, pilot):
        raise Refused(_("You may link only lessons or pilots of your own programmes."), status=403)
    try:
        with session.begin_nested():
            session.add(
                SuggestionDismissal(
                    lesson_id=lesson.id, pilot_id=pilot.id, dismissed_by_user_id=principal.user_id
                )
            )
    except IntegrityError:
        pass  # turned down already
