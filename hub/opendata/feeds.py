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
    return f"{base_url.rstrip('/')}/feeds/{language}/{kind}.atom"


def render(session: Session, *, kind: str, language: str, base_url: str) -> bytes:
    """The feed of ``kind`` ("pilots" or "lessons") in ``language``, as bytes."""
    base = base_url.rstrip("/")
    hub_name = translate(HUB_NAME, language)
    feed = atom.Feed(
        url=feed_url(base, kind, language),
        title=f"{translate(TITLES[kind], language)} · {hub_name}",
        language=language,
        author=hub_name,
        author_uri=f"{base}/{language}/",
        page=f"{base}/{language}/pilots" if kind == "pilots" else None,
    )
    if kind == "pilots":
        entries = [pilot_entry(p, base, language) for p in services.feed_pilots(session)]
    else:
        entries = [lesson_entry(lesson, base, language) for lesson in services.feed_lessons(session)]
    return atom.render(feed, entries)


def pilot_entry(pilot: Pilot, base: str, language: str) -> atom.Entry:
    return atom.Entry(
        uri=record_uri(home_of(pilot, base), "pilots", pilot.uid),
        link=f"{base}/{language}/pilots/{pilot.id}",
        title=pilot.localized("title", language),
        summary=pilot.localized("summary", language),
        updated=pilot.updated_at,
        published=pilot.created_at,
        author=_name(pilot.programme, language),
        category=_category(pilot.product_group, language),
    )


def lesson_entry(lesson: Lesson, base: str, language: str) -> atom.Entry:
    return atom.Entry(
        uri=record_uri(home_of(lesson, base), "lessons", lesson.uid),
        link=f"{base}/{language}/lessons/{lesson.id}",
        title=lesson.localized("title", language),
        summary=lesson.localized("body", language),
        updated=lesson.updated_at,
        published=lesson.created_at,
        author=_name(lesson.programme, language),
        category=_category(lesson.product_group, language),
    )


def _name(programme: Programme, language: str) -> str:
    return programme.localized("name", language).text or programme.short_name


def _category(group: ProductGroup | None, language: str) -> tuple[str, str] | None:
    return (group.code, group.name(language)) if group else None
