"""Queries over lessons: the public filtered list and the coordinators' list, one lesson with its
links, the links of a pilot, and how much lessons are reused."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.filters import QueryFilters
from hub.lessons.models import Lesson, LessonKind, LessonPilotLink, LinkKind, lesson_pilots
from hub.pagination import Page, paginate
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.queries import TaggedFilters, tagged, tagged_page, title_in, titled_page, workspace_scope
from hub.records import live_counts
from hub.taxonomy.models import ProductGroup

PAGE_SIZE = 25
TOP_REUSED = 10
_LIVE = Lesson.withdrawn_at.is_(None)


@dataclasses.dataclass(frozen=True)
class LessonFilters(TaggedFilters):
    kind: LessonKind | None = None


def parse_filters(session: Session, params: Mapping[str, str]) -> LessonFilters:
    """Filters from query parameters; an unknown value raises ``InvalidFilter`` (shown as 400)."""
    read = QueryFilters(session, params)
    return LessonFilters.read(read, kind=read.member("kind", LessonKind))


def list_lessons(session: Session, *, filters: LessonFilters, language: str) -> Page[Lesson]:
    """One page of live lessons matching ``filters`` (``q`` through the search index), in the order
    of ``filters.sort``."""
    kinds = [Lesson.kind == filters.kind] if filters.kind else []
    return tagged_page(
        session, Lesson, kinds, kind="lesson", filters=filters, language=language, per_page=PAGE_SIZE
    )


def lessons_of(
    session: Session,
    *,
    programme_ids: Collection[int] | None,
    q: str = "",
    programme_id: int | None = None,
    product_group_id: int | None = None,
    archived: bool = False,
    page: int = 1,
) -> Page[Lesson]:
    """The coordinators' list: the live (or archived) lessons of these programmes (None: all), last
    changed first; ``q`` searches the titles."""
    conditions = workspace_scope(
        Lesson, programme_ids=programme_ids, programme_id=programme_id, archived=archived
    )
    if product_group_id is not None:
        conditions.append(Lesson.product_group_id == product_group_id)
    return titled_page(session, Lesson, conditions, q=q, page=page)


# --- links between lessons and pilots ---


@dataclasses.dataclass(frozen=True)
class Statement:
    """One hub's say that a lesson bears on a pilot: who made the link, where, when and why."""

    made_by: str
    home_hub: str | None  # None: made on this hub
    made_at: dt.datetime
    note: str


@dataclasses.dataclass
class LinkGroup:
    """A (lesson, pilot, kind) link as people see it: once, with what every hub said about it."""

    lesson: Lesson
    pilot: Pilot
    kind: LinkKind
    statements: list[Statement]

    @property
    def withdrawn(self) -> bool:
        """The lesson or the pilot was withdrawn at its home hub: the link is kept, but marked."""
        return self.lesson.withdrawn_at is not None or self.pilot.withdrawn_at is not None


_KIND_ORDER = {kind: position for position, kind in enumerate(LinkKind)}


def group_links(links: Iterable[LessonPilotLink]) -> list[LinkGroup]:
    """Joins the links two hubs hold for the same lesson, pilot and kind; removed links are left out.

    Groups come in the order of their first link, by kind, withdrawn records last.
    """
    groups: dict[tuple[int, int, LinkKind], LinkGroup] = {}
    for link in links:
        if link.withdrawn_at is not None:
            continue
        group = groups.setdefault(
            (link.lesson_id, link.pilot_id, link.kind), LinkGroup(link.lesson, link.pilot, link.kind, [])
        )
        group.statements.append(Statement(link.made_by, link.home_hub, link.made_at, link.note))
    return sorted(groups.values(), key=lambda group: (group.withdrawn, _KIND_ORDER[group.kind]))


def by_kind(groups: Sequence[LinkGroup]) -> list[tuple[LinkKind, list[LinkGroup]]]:
    """``groups`` under their kinds, in the kinds' order (for a heading per kind)."""
    kinds: dict[LinkKind, list[LinkGroup]] = {}
    for group in sorted(groups, key=lambda group: (_KIND_ORDER[group.kind], group.withdrawn)):
        kinds.setdefault(group.kind, []).append(group)
    return list(kinds.items())


def _links(session: Session, condition: ColumnElement[bool]) -> list[LinkGroup]:
    links = session.scalars(
        select(LessonPilotLink)
        .where(condition, LessonPilotLink.withdrawn_at.is_(None))
        .order_by(LessonPilotLink.made_at, LessonPilotLink.id)
        .options(
            joinedload(LessonPilotLink.lesson).joinedload(Lesson.programme),
            joinedload(LessonPilotLink.pilot).joinedload(Pilot.programme),
        )
    )
    return group_links(links)


@dataclasses.dataclass(frozen=True)
class LessonDetail:
    lesson: Lesson
    links: list[LinkGroup]

    @property
    def links_by_kind(self) -> list[tuple[LinkKind, list[LinkGroup]]]:
        return by_kind(self.links)


def load_lesson(session: Session, *, lesson_id: int) -> Lesson | None:
    """A lesson (withdrawn ones too) with its programme, tags, pilots and documents: what its page and
    its form show."""
    return session.scalar(
        select(Lesson)
        .where(Lesson.id == lesson_id)
        .options(
            joinedload(Lesson.programme),
            joinedload(Lesson.product_group),
            joinedload(Lesson.strategy),
            selectinload(Lesson.pilots).joinedload(Pilot.programme),
            selectinload(Lesson.attachments),
        )
    )


def get_lesson(session: Session, *, lesson_id: int) -> LessonDetail | None:
    """A lesson (withdrawn ones too: links elsewhere still lead here) with its pilots and links."""
    lesson = load_lesson(session, lesson_id=lesson_id)
    if lesson is None:
        return None
    return LessonDetail(lesson, _links(session, LessonPilotLink.lesson_id == lesson_id))


@dataclasses.dataclass(frozen=True)
class PilotLessons:
    """What a pilot page shows of lessons: those linked to it, and those learned in it."""

    links: list[LinkGroup]
    learned: Sequence[Lesson]


def lessons_of_pilot(session: Session, *, pilot_id: int) -> PilotLessons:
    learned = session.scalars(
        select(Lesson)
        .join(lesson_pilots, lesson_pilots.c.lesson_id == Lesson.id)
        .where(lesson_pilots.c.pilot_id == pilot_id, _LIVE)
        .order_by(Lesson.created_at.desc(), Lesson.id.desc())
        .options(joinedload(Lesson.programme))
    ).all()
    return PilotLessons(_links(session, LessonPilotLink.pilot_id == pilot_id), learned)


# --- reuse ---

# A live link of a kind that says the pilot put the lesson to use, to a live pilot.
_USED = (
    LessonPilotLink.withdrawn_at.is_(None),
    LessonPilotLink.kind.in_([kind for kind in LinkKind if kind.used]),
    Pilot.withdrawn_at.is_(None),
)


@dataclasses.dataclass(frozen=True)
class ReuseRow:
    programme_code: str
    programme: str
    product_group_code: str | None
    product_group_nl: str | None
    product_group_en: str | None
    lessons: int
    reused: int

    def product_group(self, language: str) -> str | None:
        return self.product_group_nl if language == "nl" else self.product_group_en

    @property
    def share(self) -> float:
        return self.reused / self.lessons if self.lessons else 0.0


@dataclasses.dataclass(frozen=True)
class ReuseOverview:
    rows: Sequence[ReuseRow]  # per programme and product group
    top: Sequence[tuple[Lesson, int]]  # the most reused lessons, with their number of pilots
    never: Page[Lesson]  # lessons no pilot has used yet

    @property
    def lessons(self) -> int:
        return sum(row.lessons for row in self.rows)

    @property
    def reused(self) -> int:
        return sum(row.reused for row in self.rows)


def reuse_overview(
    session: Session,
    *,
    programme: str | None = None,
    product_group: str | None = None,
    language: str = "nl",
    page: int = 1,
) -> ReuseOverview:
    """How many live lessons pilots used, per programme and product group; the most reused
    lessons (by distinct pilots, whichever hub recorded the link); and those never used."""
    scope = tagged(Lesson, programme=programme, product_group=product_group)
    # One row per lesson that was used, and by how many pilots: two hubs' links to one pilot count once.
    uses = (
        select(LessonPilotLink.lesson_id, func.count(LessonPilotLink.pilot_id.distinct()).label("pilots"))
        .join(Pilot, Pilot.id == LessonPilotLink.pilot_id)
        .where(*_USED)
        .group_by(LessonPilotLink.lesson_id)
        .subquery()
    )
    rows = [
        ReuseRow(*row)
        for row in session.execute(
            select(
                Programme.code,
                Programme.short_name,
                ProductGroup.code,
                ProductGroup.name_nl,
                ProductGroup.name_en,
                func.count(Lesson.id),
                func.count(uses.c.lesson_id),
            )
            .join(Programme, Programme.id == Lesson.programme_id)
            .outerjoin(ProductGroup, ProductGroup.id == Lesson.product_group_id)
            .outerjoin(uses, uses.c.lesson_id == Lesson.id)
            .where(*scope)
            .group_by(
                Programme.id,
                Programme.code,
                Programme.short_name,
                Programme.starts_on,
                ProductGroup.id,
                ProductGroup.code,
                ProductGroup.name_nl,
                ProductGroup.name_en,
                ProductGroup.position,
            )
            .order_by(
                Programme.starts_on, Programme.id, ProductGroup.position.is_(None), ProductGroup.position
            )
        )
    ]
    top = [
        (lesson, pilots)
        for lesson, pilots in session.execute(
            select(Lesson, uses.c.pilots)
            .join(uses, uses.c.lesson_id == Lesson.id)
            .where(*scope)
            .order_by(uses.c.pilots.desc(), title_in(Lesson, language), Lesson.id)
            .limit(TOP_REUSED)
            .options(joinedload(Lesson.programme), joinedload(Lesson.product_group))
        )
    ]
    used = (
        select(LessonPilotLink.id)
        .join(Pilot, Pilot.id == LessonPilotLink.pilot_id)
        .where(LessonPilotLink.lesson_id == Lesson.id, *_USED)
    )
    never: Page[Lesson] = paginate(
        session,
        select(Lesson)
        .where(*scope, ~exists(used))
        .order_by(title_in(Lesson, language), Lesson.id)
        .options(joinedload(Lesson.programme), joinedload(Lesson.product_group)),
        page=page,
        per_page=PAGE_SIZE,
    )
    return ReuseOverview(rows, top, never)


# --- a product group's lessons ---


def lessons_by_product_group(session: Session) -> dict[int, int]:
    return live_counts(session, Lesson.product_group_id)


def lessons_of_group(session: Session, *, product_group_id: int) -> Sequence[Lesson]:
    """The group's live lessons, by programme."""
    return session.scalars(
        select(Lesson)
        .where(Lesson.product_group_id == product_group_id, Lesson.withdrawn_at.is_(None))
        .order_by(Lesson.programme_id, Lesson.id)
    ).all()
