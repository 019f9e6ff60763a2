"""The digest of an issue: what happened in the network since the issue's ``since``, for one segment.

Four sections: new pilots, new lessons, upcoming meetings and news from the programmes' feeds,
records mirrored from other hubs included (the newsletter speaks for the whole network). A
segment that follows nothing gets everything; otherwise a record is in when its programme or
product group is followed, a meeting also when its community is (or its community's programme
or product group), a news item when its programme is. Each section shows at most
``SECTION_SIZE`` records and links to the list on the hub for the rest; an empty section is left
out.

The window is fixed by the issue: from ``since`` to the moment it started sending (now, for a
draft), so that every segment of one issue, and its page in the archive later, reads the same
period; upcoming meetings are those of the ``MEETING_DAYS`` after that moment.

Each section goes by the records' own dates where they have them, and says which (see
``newsletters/_digest_words.html``): a pilot is new when it started in the window, or arrived on the
hub in it and starts later (or has no start date yet), so that a source of pilots from 2023 added
today brings no "new" pilots; lessons have no date of their own and go by when they arrived; news
by its publication, meetings by their start.

The queries run once per segment (see ``rendering.render_issue``), each on an index: the live
pilots' ``starts_on`` and the ``updated_at`` indexes of pilots and lessons (a record created after
``since`` was also last changed after it), ``ix_meetings_starts_at`` and
``ix_news_items_live_published_at``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from hub.communities.models import Community, Meeting, MeetingMode
from hub.db import utcnow
from hub.i18n import (
    N_,
    format_date,
    format_local_date,
    format_zoned_datetime,
    gettext,
    local_moment,
)
from hub.lessons.models import Lesson
from hub.news.models import NewsItem
from hub.newsletters.models import InterestKind, NewsletterIssue
from hub.newsletters.tokens import Interests
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.records import Localized
from hub.sync.kinds import plain_text
from hub.taxonomy.models import ProductGroup
from hub.urls import absolute_url

SECTION_SIZE = 10
MEETING_DAYS = 60
EXCERPT = 240  # characters of a summary shown under its title
KINDS = ("pilots", "lessons", "meetings", "news")
# Each section's heading, and which of its records' dates it goes by (said under the heading).
HEADINGS = {
    "pilots": N_("New pilots"),
    "lessons": N_("New lessons"),
    "meetings": N_("Upcoming meetings"),
    "news": N_("News from the programmes"),
}
DATED_BY = {
    "pilots": N_(
        "By their start date: pilots that started in this period, and pilots added in it that start later."
    ),
    "lessons": N_("Lessons added to the hub in this period (a lesson has no date of its own)."),
    "meetings": N_("Meetings in the %(num)s days after this issue, by their start."),
    "news": N_("By their date of publication."),
}


@dataclasses.dataclass(frozen=True)
class Follows:
    """The lists a segment follows, by kind (all empty: the whole network)."""

    programmes: frozenset[int] = frozenset()
    product_groups: frozenset[int] = frozenset()
    communities: frozenset[int] = frozenset()

    @classmethod
    def of(cls, interests: Interests) -> Follows:
        def ids(kind: InterestKind) -> frozenset[int]:
            return frozenset(ref for k, ref in interests if k == kind)

        return cls(ids(InterestKind.PROGRAMME), ids(InterestKind.PRODUCT_GROUP), ids(InterestKind.COMMUNITY))

    @property
    def everything(self) -> bool:
        return not (self.programmes or self.product_groups or self.communities)


@dataclasses.dataclass(frozen=True)
class Item:
    """One record as the digest shows it: plain texts (never markup) and an absolute link."""

    title: Localized
    url: str
    summary: Localized
    context: tuple[str, ...] = ()  # what it belongs to: programme, product group, community
    when: dt.datetime | None = None  # a meeting's start, a news item's publication
    starts_on: dt.date | None = None  # a pilot's start
    zone: str = ""  # a meeting's time zone
    mode: MeetingMode | None = None
    location: str = ""


@dataclasses.dataclass(frozen=True)
class Section:
    kind: str  # one of KINDS
    items: Sequence[Item]
    total: int
    more_url: str  # the list on the hub with the rest

    @property
    def heading(self) -> str:
        return gettext(HEADINGS[self.kind])

    @property
    def dated_by(self) -> str:
        """Which of its records' dates the section goes by, in the current language."""
        return (
            gettext(DATED_BY[self.kind], num=MEETING_DAYS)
            if self.kind == "meetings"
            else gettext(DATED_BY[self.kind])
        )

    @property
    def more(self) -> int:
        """How many records the section leaves out."""
        return max(0, self.total - len(self.items))


@dataclasses.dataclass(frozen=True)
class Digest:
    language: str
    since: dt.datetime
    until: dt.datetime
    sections: tuple[Section, ...]  # the non-empty ones, in the order of KINDS

    @property
    def empty(self) -> bool:
        return not self.sections

    def meta(self, item: Item) -> str:
        """The line under an item's title: when (a pilot's start, a meeting's time where it is held,
        a news item's day), where, and what it belongs to; in the current language."""
        if item.starts_on:
            day = format_date(item.starts_on)
            started = item.starts_on <= _last_day_begun(self.until)
            when = (
                gettext("Started on %(date)s", date=day)
                if started
                else gettext("Starts on %(date)s", date=day)
            )
        elif item.zone and item.when:
            when = format_zoned_datetime(item.when, item.zone)
        else:
            when = format_local_date(item.when)
        place = ", ".join(filter(None, (item.mode.label, item.location))) if item.mode else ""
        return " · ".join(filter(None, (when, place, *item.context)))


def window(issue: NewsletterIssue, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(since, until): what an issue covers; until is when it started sending, or now."""
    return issue.since, issue.started_at or now or utcnow()


def build(
    session: Session,
    *,
    issue: NewsletterIssue,
    interests: Interests,
    language: str,
    base_url: str,
    now: dt.datetime | None = None,
    size: int = SECTION_SIZE,
) -> Digest:
    """The digest of ``issue`` for subscribers who read ``language`` and follow ``interests``."""
    since, until = window(issue, now)
    follows = Follows.of(interests)
    links = Links(base_url.rstrip("/"), language)
    more = more_urls(session, follows=follows, links=links)
    sections = []

    builders: dict[str, Callable[[Any, Links], Item]] = {
        "pilots": pilot_item,
        "lessons": lesson_item,
        "meetings": meeting_item,
        "news": news_item,
    }
    for kind, statement in statements(session, since=since, until=until, follows=follows).items():
        records, total = _page(session, statement, size)
        if records:
            items = [builders[kind](record, links) for record in records]
            sections.append(Section(kind, items, total, more[kind]))
    return Digest(language, since, until, tuple(sections))


# --- queries --------------------------------------------------------------------------------------


def _live(session: Session, model: type[Pilot] | type[Lesson]) -> ColumnElement[bool]:
    """``withdrawn_at IS NULL``, told to SQLite to be likely (so it reads the ``updated_at`` index,
    not the narrow one of withdrawn records; see ``hub.opendata.services``)."""
    condition = model.withdrawn_at.is_(None)
    if session.get_bind().dialect.name == "sqlite":
        return func.likely(condition, type_=Boolean)
    return condition


def _followed(model: type[Pilot] | type[Lesson], follows: Follows) -> ColumnElement[bool] | None:
    """The condition for a pilot or lesson (None: no condition, the whole network)."""
    if follows.everything:
        return None
    conditions = _in_followed_lists(model, follows)
    return or_(*conditions) if conditions else false()


def _in_followed_lists(
    model: type[Pilot] | type[Lesson] | type[Community], follows: Follows
) -> list[ColumnElement[bool]]:
    """A record of a followed programme; one of a followed product group."""
    conditions: list[ColumnElement[bool]] = []
    if follows.programmes:
        conditions.append(model.programme_id.in_(sorted(follows.programmes)))
    if follows.product_groups:
        conditions.append(model.product_group_id.in_(sorted(follows.product_groups)))
    return conditions


def _page(session: Session, statement: Select[Any] | None, limit: int) -> tuple[Sequence[Any], int]:
    """The first ``limit`` records of ``statement`` and how many it selects in all."""
    if statement is None:
        return [], 0
    records = session.scalars(statement.limit(limit)).unique().all()
    if len(records) < limit:
        return records, len(records)
    return records, session.scalar(count(statement)) or 0


def count(statement: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(statement.order_by(None).subquery())


def statements(
    session: Session, *, since: dt.datetime, until: dt.datetime, follows: Follows
) -> dict[str, Select[Any] | None]:
    """Each section's query, by kind (None: nothing of that kind can match what is followed)."""
    return {
        "pilots": new_pilots_statement(session, since=since, until=until, follows=follows),
        "lessons": new_lessons_statement(session, since=since, until=until, follows=follows),
        "meetings": meetings_statement(start=until, follows=follows),
        "news": news_statement(since=since, until=until, follows=follows),
    }


def new_pilots_statement(
    session: Session, *, since: dt.datetime, until: dt.datetime, follows: Follows
) -> Select[Any] | None:
    """Live pilots that started in the window, or arrived on this hub in it (made here, synced or
    mirrored) and start after it or have no start date; by start date, latest first, undated last."""
    if not follows.everything and not (follows.programmes or follows.product_groups):
        return None  # only communities followed: no pilot belongs to one
    first, last = _last_day_begun(since), _last_day_begun(until)  # days begin at midnight in Brussels
    started = and_(Pilot.withdrawn_at.is_(None), Pilot.starts_on > first, Pilot.starts_on <= last)
    announced = and_(
        _arrived(session, Pilot, since=since, until=until),
        or_(Pilot.starts_on.is_(None), Pilot.starts_on > last),
    )
    statement = (
        select(Pilot)
        .where(or_(started, announced))
        .order_by(Pilot.starts_on.desc().nulls_last(), Pilot.id.desc())
        .options(joinedload(Pilot.programme), joinedload(Pilot.product_group))
    )
    condition = _followed(Pilot, follows)
    return statement if condition is None else statement.where(condition)


def new_lessons_statement(
    session: Session, *, since: dt.datetime, until: dt.datetime, follows: Follows
) -> Select[Any] | None:
    """Live lessons that arrived on this hub in the window (a lesson has no date of its own),
    newest first."""
    if not follows.everything and not (follows.programmes or follows.product_groups):
        return None
    statement = (
        select(Lesson)
        .where(_arrived(session, Lesson, since=since, until=until))
        .order_by(Lesson.created_at.desc(), Lesson.id.desc())
        .options(joinedload(Lesson.programme), joinedload(Lesson.product_group))
    )
    condition = _followed(Lesson, follows)
    return statement if condition is None else statement.where(condition)


def _last_day_begun(moment: dt.datetime) -> dt.date:
    """The last day that began before ``moment``, in Brussels."""
    return (local_moment(moment) - dt.timedelta(microseconds=1)).date()


def _arrived(
    session: Session, model: type[Pilot] | type[Lesson], *, since: dt.datetime, until: dt.datetime
) -> ColumnElement[bool]:
    """Live records made, synced or mirrored here in the window."""
    return and_(
        model.updated_at > since,  # the index: created after since implies changed after it
        model.created_at > since,
        model.created_at <= until,
        _live(session, model),
    )


def meetings_statement(*, start: dt.datetime, follows: Follows, days: int = MEETING_DAYS) -> Select[Any]:
    """Live meetings of live communities in the ``days`` after ``start``, soonest first."""
    statement = (
        select(Meeting)
        .join(Meeting.community)
        .where(
            Meeting.starts_at >= start,
            Meeting.starts_at < start + dt.timedelta(days=days),
            Meeting.withdrawn_at.is_(None),
            Community.withdrawn_at.is_(None),
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .options(
            contains_eager(Meeting.community).joinedload(Community.programme),
            contains_eager(Meeting.community).joinedload(Community.product_group),
        )
    )
    if follows.everything:
        return statement
    conditions = _in_followed_lists(Community, follows)
    if follows.communities:
        conditions.insert(0, Meeting.community_id.in_(sorted(follows.communities)))
    return statement.where(or_(*conditions))


def news_statement(*, since: dt.datetime, until: dt.datetime, follows: Follows) -> Select[Any] | None:
    """Live news items published in the window, newest first (a followed programme's only)."""
    if not follows.everything and not follows.programmes:
        return None  # news belongs to a programme, and to nothing else
    statement = (
        select(NewsItem)
        .where(
            NewsItem.withdrawn_at.is_(None),  # as written, so that the partial index applies
            NewsItem.published_at > since,
            NewsItem.published_at <= until,
        )
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
        .options(joinedload(NewsItem.programme))
    )
    if follows.programmes:
        statement = statement.where(NewsItem.programme_id.in_(sorted(follows.programmes)))
    return statement


def more_urls(session: Session, *, follows: Follows, links: Links) -> dict[str, str]:
    """Where each section's "more on the hub" leads: the list filtered as closely as it can be."""
    programme = product_group = None
    if len(follows.programmes) == 1:
        (only,) = follows.programmes
        programme = session.scalar(select(Programme.code).where(Programme.id == only))
    if len(follows.product_groups) == 1:
        (only,) = follows.product_groups
        product_group = session.scalar(select(ProductGroup.code).where(ProductGroup.id == only))
    one_programme = programme if not follows.product_groups else None
    one_group = product_group if not follows.programmes else None

    pilots = links.url("pilots")
    lessons = links.url("product_groups")
    if one_programme:
        pilots = links.url("pilots", query={"programme": one_programme})
        lessons = links.url("programme", code=one_programme)
    elif one_group:
        pilots = links.url("pilots", query={"product_group": one_group})
        lessons = links.url("product_group", code=one_group)
    meetings = links.url("communities")
    if len(follows.communities) == 1 and not (follows.programmes or follows.product_groups):
        (community,) = follows.communities
        meetings = links.url("community", community_id=community)
    return {"pilots": pilots, "lessons": lessons, "meetings": meetings, "news": links.url("news")}


# --- records as items -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Links:
    """Absolute links to this hub's pages in one language."""

    base: str
    language: str

    def url(self, name: str, /, *, query: Mapping[str, str] | None = None, **params: Any) -> str:
        """The page of route ``name`` (see ``hub.urls``) on this hub, in this language."""
        return absolute_url(self.base, name, lang=self.language, query=query, **params)


def excerpt(text: Localized, limit: int = EXCERPT) -> Localized:
    """The text on one line, cut at a word before ``limit`` characters."""
    flat = " ".join(text.text.split())
    if len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0].rstrip(".,;:") + "…"
    return text._replace(text=flat)


def _context(programme: Programme, group: ProductGroup | None, language: str) -> tuple[str, ...]:
    return (programme.short_name, group.name(language)) if group else (programme.short_name,)


def pilot_item(pilot: Pilot, links: Links) -> Item:
    item = _record_item(pilot, links.url("pilot", pilot_id=pilot.id), "summary", links.language)
    return dataclasses.replace(item, starts_on=pilot.starts_on)


def lesson_item(lesson: Lesson, links: Links) -> Item:
    return _record_item(lesson, links.url("lesson", lesson_id=lesson.id), "body", links.language)


def _record_item(record: Pilot | Lesson, url: str, text: str, language: str) -> Item:
    """A pilot or a lesson: its title, an excerpt of its field ``text``, its programme and group."""
    return Item(
        title=record.localized("title", language),
        url=url,
        summary=excerpt(record.localized(text, language)),
        context=_context(record.programme, record.product_group, language),
    )


def meeting_item(meeting: Meeting, links: Links) -> Item:
    language = links.language
    community = meeting.community
    return Item(
        title=meeting.localized("title", language),
        url=links.url("meeting", community_id=community.id, meeting_id=meeting.id),
        summary=excerpt(meeting.localized("agenda", language)),
        context=(community.localized("name", language).text, community.programme.short_name),
        when=meeting.starts_at,
        zone=meeting.timezone,
        mode=meeting.mode,
        location=meeting.location,
    )


def news_item(item: NewsItem, links: Links) -> Item:
    """A news item links to the original where the feed gave one; its summary loses its markup."""
    language = links.language
    summary = item.localized("summary", language)
    original = (
        item.origin_url if item.origin_url and item.origin_url.startswith(("https://", "http://")) else ""
    )
    return Item(
        title=item.localized("title", language),
        url=original or links.url("news"),
        summary=excerpt(summary._replace(text=plain_text(summary.text))),
        context=(item.programme.short_name,),
        when=item.published_at,
    )
