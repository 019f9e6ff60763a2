"""Writing a lesson: one typed input and one write path, audited, that holds the lesson's rules;
and adding a lesson to the lessons drawn at a meeting (recorded from its close-out).

A source's sync and a peer's mirror write lesson rows in bulk, with the same fields
(``fields.FIELDS``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from hub import changes
from hub.i18n import gettext as _
from hub.inputs import TitledInput
from hub.lessons import linked
from hub.lessons.fields import FIELDS
from hub.lessons.models import Lesson, LessonAttachment, LessonKind
from hub.pilots.models import Pilot
from hub.refusals import Invalid
from hub.taxonomy.models import Phase

if TYPE_CHECKING:
    from hub.communities.models import CloseOut


class Attachment(NamedTuple):
    """A document that goes with a lesson (a template, a report), kept elsewhere and linked."""

    title: str
    url: str


@dataclasses.dataclass(frozen=True)
class LessonInput(TitledInput[Lesson]):
    """A lesson's values (``fields.FIELDS``), typed, with the pilots it was learned in by id and
    its documents in order."""

    FIELDS = FIELDS

    programme_id: int
    source_language: str
    kind: LessonKind
    title_nl: str = ""
    title_en: str = ""
    body_nl: str = ""
    body_en: str = ""
    resources_nl: str = ""
    resources_en: str = ""
    evidence_nl: str = ""
    evidence_en: str = ""
    transfer_nl: str = ""
    transfer_en: str = ""
    product_group_id: int | None = None
    strategy_id: int | None = None
    phase: Phase | None = None
    pilot_ids: tuple[int, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def links_of(cls, lesson: Lesson) -> dict[str, Any]:
        return {
            "pilot_ids": tuple(p.id for p in lesson.pilots),
            "attachments": tuple(Attachment(a.title, a.url) for a in lesson.attachments),
        }


def _web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _errors(data: LessonInput, pilots_refused: str | None) -> dict[str, str]:
    """The rules ``data`` breaks, by field: a title in the source language, a title and a web
    address for each document, and only pilots that exist and are not archived (``linked.find``:
    one linked already may stay after it was archived)."""
    errors: dict[str, str] = {}
    if not data.title:
        errors[f"title_{data.source_language}"] = _("Enter the title in the source language.")
    for attachment in data.attachments:
        if not attachment.title:
            errors.setdefault("attachments", _("Give this document a title."))
        elif not _web_address(attachment.url):
            errors.setdefault("attachments", _("Enter a web address starting with http:// or https://."))
    if pilots_refused:
        errors["pilot_ids"] = pilots_refused
    return errors


def create_lesson(session: Session, *, data: LessonInput, user_id: int) -> Lesson:
    """A new lesson of this hub from ``data``, audited in the name of ``user_id``. Raises
    Invalid."""
    lesson = Lesson()
    _save(session, lesson, data, user_id)
    return lesson


def update_lesson(session: Session, *, lesson: Lesson, data: LessonInput, user_id: int) -> bool:
    """Sets the lesson's values to ``data``, auditing what changed; False if nothing did. The
    caller has checked that the lesson is kept here. Raises Invalid."""
    return _save(session, lesson, data, user_id)


def _links(pilots: Sequence[Pilot], attachments: Collection[Attachment]) -> dict[str, Any]:
    """The lesson's pilots and documents as the audit log shows them."""
    return {"pilots": [p.id for p in pilots], "attachments": [f"{t} <{u}>" for t, u in attachments]}


def _save(session: Session, lesson: Lesson, data: LessonInput, user_id: int) -> bool:
    """Saves the fields through the audited ``changes.save``; the pilots and documents, when they
    changed, get an entry of their own that names them (the shared snapshot cannot)."""
    new = lesson.id is None
    kept = set() if new else {p.id for p in lesson.pilots}
    pilots, refused = linked.find(session, linked.PILOTS, data.pilot_ids, kept=kept)
    errors = _errors(data, refused)
    if errors:
        raise Invalid(errors)
    before = {} if new else _links(lesson.pilots, [Attachment(a.title, a.url) for a in lesson.attachments])
    saved = changes.save_input(session, record=lesson, data=data, user_id=user_id)
    relinked = changes.save_links(
        session,
        record=lesson,
        before=before,
        after=_links(pilots, data.attachments),
        links={
            "pilots": pilots,
            # Documents have no identity of their own: changed, they are replaced all.
            "attachments": [
                LessonAttachment(title=t, url=u, position=i) for i, (t, u) in enumerate(data.attachments)
            ],
        },
        user_id=user_id,
        programme_id=lesson.programme_id,
        summary=data.title,
    )
    return saved or relinked


def add_to_closeout(session: Session, *, closeout: CloseOut, lesson: Lesson, user_id: int) -> None:
    """Adds ``lesson`` to the lessons drawn at the close-out's meeting, audited. The caller has
    checked that this person may moderate the meeting's community and that it is kept here."""
    before = [item.id for item in closeout.lessons]
    meeting = closeout.meeting
    changes.save_links(
        session,
        record=closeout,
        before={"lessons": before},
        after={"lessons": [*before, lesson.id]},
        links={"lessons": [*closeout.lessons, lesson]},
        user_id=user_id,
        programme_id=meeting.community.programme_id,
        summary=meeting.title_en or meeting.title_nl,
    )
