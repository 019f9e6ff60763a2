"""Confirming, removing and turning down links between lessons and pilots.

A link is a person's statement, so only a person makes one: a suggestion becomes a link when a
coordinator confirms it. Whoever may edit the lesson's programme or the pilot's programme may
link them (a Flemish coordinator links a Flemish lesson to a ProCirc pilot this hub mirrors).
A link is kept by the hub it was made on and travels from there; another hub's link is read-only.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.accounts.services import Principal
from hub.changes import archive, save
from hub.db import utcnow
from hub.i18n import format_local_date
from hub.i18n import gettext as _
from hub.lessons.models import Lesson, LessonPilotLink, LinkKind, SuggestionDismissal
from hub.pilots.models import Pilot

NOTE_MAX = 2000


class LinkRefused(Exception):
    """A link that cannot be made or changed; the message says why, ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def may_link(principal: Principal, lesson: Lesson, pilot: Pilot) -> bool:
    return principal.may_edit_programme(lesson.programme_id) or principal.may_edit_programme(
        pilot.programme_id
    )


def _summary(lesson: Lesson, pilot: Pilot) -> str:
    """The audit log's line for a link."""
    return f"{lesson.title_en or lesson.title_nl} → {pilot.title_en or pilot.title_nl}"


def _check_live(lesson: Lesson, pilot: Pilot) -> None:
    if lesson.withdrawn_at is not None:
        raise LinkRefused(
            _(
                "The lesson “%(title)s” was withdrawn at its home hub on %(date)s: it cannot be linked.",
                title=lesson.title_en or lesson.title_nl,
                date=format_local_date(lesson.withdrawn_at),
            )
        )
    if pilot.withdrawn_at is not None:
        raise LinkRefused(
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
        raise LinkRefused(_("You may link only lessons or pilots of your own programmes."), status=403)
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
        raise LinkRefused(
            _("You may change only links of your own programmes' lessons or pilots."), status=403
        )
    if link.home_hub is not None:
        raise LinkRefused(
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
        raise LinkRefused(_("You may link only lessons or pilots of your own programmes."), status=403)
    try:
        with session.begin_nested():
            session.add(
                SuggestionDismissal(
                    lesson_id=lesson.id, pilot_id=pilot.id, dismissed_by_user_id=principal.user_id
                )
            )
    except IntegrityError:
        pass  # turned down already
