"""The hub's Atom feeds per language: new and updated pilots and lessons, mirrored ones included."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub import i18n
from hub.federation.identity import home_of, record_uri
from hub.i18n import N_
from hub.lessons.models import Lesson
from hub.opendata import atom, services
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.taxonomy.models import ProductGroup
from hub.urls import absolute_url

HUB_NAME = N_("Circular procurement hub")
TITLES = {
    "pilots": N_("New and updated pilots"),
    "lessons": N_("New and updated lessons"),
}
KINDS = tuple(TITLES)


def translate(message: str, language: str) -> str:
    """``message`` in ``language`` (the feed's, not the request's)."""
    return i18n.translations(language).ugettext(message)


def feed_url(base_url: str, kind: str, language: str) -> str:
    """The address of the feed of ``kind`` ("pilots", "lessons" or "newsletter") in ``language``."""
    return absolute_url(base_url, f"feed_{kind}", lang=language)


def render(session: Session, *, kind: str, language: str, base_url: str) -> bytes:
    """The feed of ``kind`` ("pilots" or "lessons") in ``language``, as bytes."""
    base = base_url.rstrip("/")
    hub_name = translate(HUB_NAME, language)
    feed = atom.Feed(
        url=feed_url(base, kind, language),
        title=f"{translate(TITLES[kind], language)} · {hub_name}",
        language=language,
        author=hub_name,
        author_uri=absolute_url(base, "home", lang=language),
        page=absolute_url(base, "pilots", lang=language) if kind == "pilots" else None,
    )
    if kind == "pilots":
        entries = [pilot_entry(p, base, language) for p in services.feed_pilots(session)]
    else:
        entries = [lesson_entry(lesson, base, language) for lesson in services.feed_lessons(session)]
    return atom.render(feed, entries)


def pilot_entry(pilot: Pilot, base: str, language: str) -> atom.Entry:
    page = absolute_url(base, "pilot", lang=language, pilot_id=pilot.id)
    return _entry(pilot, "pilots", page, "summary", base, language)


def lesson_entry(lesson: Lesson, base: str, language: str) -> atom.Entry:
    page = absolute_url(base, "lesson", lang=language, lesson_id=lesson.id)
    return _entry(lesson, "lessons", page, "body", base, language)


def _entry(record: Pilot | Lesson, kind: str, page: str, text: str, base: str, language: str) -> atom.Entry:
    """A pilot or a lesson (``kind``) with its ``page`` on this hub, summarised by its field ``text``."""
    return atom.Entry(
        uri=record_uri(home_of(record, base), kind, record.uid),
        link=page,
        title=record.localized("title", language),
        summary=record.localized(text, language),
        updated=record.updated_at,
        published=record.created_at,
        author=_name(record.programme, language),
        category=_category(record.product_group, language),
    )


def _name(programme: Programme, language: str) -> str:
    return programme.localized("name", language).text or programme.short_name


def _category(group: ProductGroup | None, language: str) -> tuple[str, str] | None:
    return (group.code, group.name(language)) if group else None
