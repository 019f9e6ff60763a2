"""Queries over pilots: the public list (filtered, searched, sorted, paginated), its facets, a
pilot's details, and the coordinators' list."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import nullcontext
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, Select, bindparam, func, select, text
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.filters import InvalidFilter, QueryFilters
from hub.i18n import N_, LabelledEnum
from hub.pagination import Page, paginate
from hub.pilots.models import Pilot, PilotParty, PilotSdg, PilotStatus, pilot_strategies
from hub.pilots.search import PILOTS
from hub.programmes.models import Programme
from hub.queries import PublicFilters, matching, workspace_scope
from hub.search import query
from hub.search.models import document_id
from hub.taxonomy import sdgs
from hub.taxonomy.models import ProductGroup, Strategy

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class Sort(LabelledEnum):
    RELEVANCE = "relevance", N_("Best match")  # the default with a search; newest first without
    NEWEST = "newest", N_("Newest first")
    OLDEST = "oldest", N_("Oldest first")
    TITLE = "title", N_("Title")
    VALUE = "value", N_("Contract value")


@dataclasses.dataclass(frozen=True)
class PilotFilters(PublicFilters):
    programme: str | None = None
    country: str | None = None
    product_group: str | None = None
    strategy: str | None = None
    sdg: int | None = None  # the number of a Sustainable Development Goal
    status: PilotStatus | None = None
    year: int | None = None
    sort: Sort = Sort.NEWEST
    per_page: int = PAGE_SIZE


@dataclasses.dataclass(frozen=True)
class Facets:
    """The values each filter can take, for the filter form and for validating input."""

    programmes: Sequence[tuple[str, str]]  # (code, short name)
    countries: Sequence[str]
    product_groups: Sequence[ProductGroup]
    strategies: Sequence[Strategy]
    years: Sequence[int]


# The distinct countries of live pilots by skipping through ix_pilots_country_starts_on once per
# country (a "loose index scan"): SELECT DISTINCT would read all rows, milliseconds at 10,000 pilots.
_LIVE_COUNTRIES = text(
    """
    WITH RECURSIVE walk(country) AS (
        SELECT min(country) FROM pilots
        UNION ALL
        SELECT (SELECT min(p.country) FROM pilots p WHERE p.country > walk.country)
        FROM walk WHERE walk.country IS NOT NULL
    )
    SELECT country FROM walk
    WHERE country IS NOT NULL AND EXISTS (
        SELECT 1 FROM pilots p WHERE p.country = walk.country AND p.withdrawn_at IS NULL
    )
    ORDER BY country
    """
)
# First and last start dates of live pilots: two seeks in ix_pilots_live_starts_on.
_LIVE = Pilot.withdrawn_at.is_(None)
_YEAR_RANGE = select(
    select(func.min(Pilot.starts_on)).where(_LIVE).scalar_subquery(),
    select(func.max(Pilot.starts_on)).where(_LIVE).scalar_subquery(),
)
_PROGRAMMES = select(Programme.code, Programme.short_name).order_by(Programme.starts_on, Programme.id)
_PRODUCT_GROUPS = select(ProductGroup).order_by(ProductGroup.position)
_STRATEGIES = select(Strategy).order_by(Strategy.position)


def facets(session: Session) -> Facets:
    first, last = session.execute(_YEAR_RANGE).one()
    return Facets(
        programmes=session.execute(_PROGRAMMES).all(),
        countries=session.scalars(_LIVE_COUNTRIES).all(),
        product_groups=session.scalars(_PRODUCT_GROUPS).all(),
        strategies=session.scalars(_STRATEGIES).all(),
        years=list(range(last.year, first.year - 1, -1)) if first and last else [],
    )


def parse_filters(
    session: Session, params: Mapping[str, str], *, max_per_page: int = MAX_PAGE_SIZE
) -> PilotFilters:
    """Filters from query parameters; an unknown value raises ``InvalidFilter`` (shown as 400).

    Only the values given are looked up, one index seek each, so an unfiltered list (the API's
    usual request) costs no lookups at all.
    """

    def pick(field: str, allowed: Sequence[str] | None = None) -> str | None:
        value = params.get(field, "").strip()
        if not value:
            return None
        known = value in allowed if allowed is not None else _exists(session, field, value)
        if not known:
            raise InvalidFilter(field, value)
        return value

    def integer(field: str, default: int | None, low: int, high: int) -> int | None:
        value = params.get(field, "").strip()
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            raise InvalidFilter(field, value) from None
        if not low <= number <= high:
            raise InvalidFilter(field, value)
        return number

    status = pick("status", [s.value for s in PilotStatus])
    sort = pick("sort", [s.value for s in Sort])
    read = QueryFilters(session, params)
    return PilotFilters(
        programme=pick("programme"),
        country=pick("country"),
        product_group=pick("product_group"),
        strategy=pick("strategy"),
        sdg=integer("sdg", None, sdgs.FIRST, sdgs.LAST),
        status=PilotStatus(status) if status else None,
        year=integer("year", None, 1900, 2200),
        q=read.search(),
        sort=Sort(sort) if sort else (Sort.RELEVANCE if query.parse(read.search()) else Sort.NEWEST),
        page=read.page(),
        per_page=integer("per_page", PAGE_SIZE, 1, max_per_page) or PAGE_SIZE,
    )


# A filter value is known when this finds it: a programme, product group or strategy code, or a
# country some live pilot is in.
_LOOKUPS: dict[str, Any] = {
    "programme": select(Programme.id).where(Programme.code == bindparam("value")),
    "product_group": select(ProductGroup.id).where(ProductGroup.code == bindparam("value")),
    "strategy": select(Strategy.id).where(Strategy.code == bindparam("value")),
    "country": select(Pilot.id).where(Pilot.country == bindparam("value"), _LIVE),
}


def _exists(session: Session, field: str, value: str) -> bool:
    return session.connection().execute(_LOOKUPS[field].limit(1), {"value": value}).first() is not None


@dataclasses.dataclass
class PilotRow:
    """What a list shows of a pilot; built from columns, not ORM objects, to keep lists cheap."""

    id: int
    uid: str
    title_nl: str
    title_en: str
    summary_nl: str
    summary_en: str
    source_language: str
    programme: str
    programme_name: str
    country: str
    product_group: str | None
    status: PilotStatus
    phase: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    contract_value: Decimal | None
    home_hub: str | None
    is_demo: bool
    updated_at: dt.datetime
    strategies: list[str] = dataclasses.field(default_factory=list)

    def title(self, language: str) -> tuple[str, bool]:
        """The title in ``language``, or in the source language with ``True`` (not yet translated)."""
        wanted = self.title_nl if language == "nl" else self.title_en
        if wanted:
            return wanted, False
        return (self.title_nl or self.title_en), True


@dataclasses.dataclass(frozen=True)
class PilotPage:
    rows: list[PilotRow]
    total: int
    filters: PilotFilters
    more: bool = False  # more match than ``total`` (a search alone counts up to query.COUNT_CAP)
    shown: int | None = None  # how many can be paged through, when not all (query.RANKED)

    @property
    def pages(self) -> int:
        return max(1, math.ceil((self.total if self.shown is None else self.shown) / self.filters.per_page))


Query = tuple[Select[*tuple[Any, ...]], dict[str, Any]]


def list_query(session: Session, filters: PilotFilters, language: str, dense: bool = False) -> Query:
    """The page query and its parameters (also used by the query-plan test and the benchmark);
    ``dense``: a search alone matched more than the index counts (``query.COUNT_CAP``)."""
    dialect = session.get_bind().dialect.name
    statement = _page_statement(dialect, _shape(filters), filters.sort, language, dense)
    return statement, _params(session, filters)


def count_query(session: Session, filters: PilotFilters) -> Query:
    dialect = session.get_bind().dialect.name
    shape = _shape(filters)
    return _count_statement(dialect, shape, _searched_alone(shape, filters.sort)), _params(session, filters)


# Statements are built once per combination of filters in use (their values are bound
# parameters): building a SELECT of this size costs more than SQLite takes to run it.
FILTERS = ("programme", "product_group", "strategy", "sdg", "country", "status", "year", "q")
Shape = tuple[str, ...]


def _shape(filters: PilotFilters) -> Shape:
    # A search of punctuation (or stop words) only has no words to look for: it filters nothing.
    return tuple(
        name for name in FILTERS if getattr(filters, name) and (name != "q" or query.parse(filters.q))
    )


def _params(session: Session, filters: PilotFilters) -> dict[str, Any]:
    params: dict[str, Any] = {
        "limit": filters.per_page,
        "offset": (filters.page - 1) * filters.per_page,
    }
    for name in ("programme", "product_group", "strategy", "sdg", "country", "status"):
        if getattr(filters, name):
            params[name] = getattr(filters, name)
    if filters.year:
        params["year_start"] = dt.date(filters.year, 1, 1)
        params["year_end"] = dt.date(filters.year + 1, 1, 1)
    params.update(_search_params(session, filters.q))
    return params


def _search_params(session: Session, q: str) -> dict[str, str]:
    """The ``search`` parameter of the search index's match (none for a search without words)."""
    searched = query.parse(q)
    return {"search": query.search_text(session, searched)} if searched else {}


def _conditions(dialect: str, shape: Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_LIVE]
    if "programme" in shape:
        conditions.append(
            Pilot.programme_id
            == select(Programme.id).where(Programme.code == bindparam("programme")).scalar_subquery()
        )
    if "product_group" in shape:
        conditions.append(
            Pilot.product_group_id
            == select(ProductGroup.id)
            .where(ProductGroup.code == bindparam("product_group"))
            .scalar_subquery()
        )
    if "strategy" in shape:
        strategy_id = select(Strategy.id).where(Strategy.code == bindparam("strategy")).scalar_subquery()
        conditions.append(
            Pilot.id.in_(
                select(pilot_strategies.c.pilot_id).where(pilot_strategies.c.strategy_id == strategy_id)
            )
        )
    if "sdg" in shape:
        conditions.append(Pilot.id.in_(select(PilotSdg.pilot_id).where(PilotSdg.sdg == bindparam("sdg"))))
    if "country" in shape:
        conditions.append(Pilot.country == bindparam("country"))
    if "status" in shape:
        conditions.append(Pilot.status == bindparam("status", type_=Pilot.__table__.c.status.type))
    if "year" in shape:
        conditions.append(Pilot.starts_on >= bindparam("year_start", type_=Pilot.__table__.c.starts_on.type))
        conditions.append(Pilot.starts_on < bindparam("year_end", type_=Pilot.__table__.c.starts_on.type))
    if "q" in shape:
        conditions.append(Pilot.id.in_(query.matching_ids(dialect, "pilot")))
    return conditions


def _ordering(sort: Sort, language: str) -> list[Any]:
    title = Pilot.title_nl if language == "nl" else Pilot.title_en
    orderings: dict[Sort, list[Any]] = {
        Sort.RELEVANCE: [Pilot.starts_on.desc(), Pilot.id.desc()],  # without a search
        Sort.NEWEST: [Pilot.starts_on.desc(), Pilot.id.desc()],
        Sort.OLDEST: [Pilot.starts_on.asc(), Pilot.id.asc()],
        # Untranslated titles (empty in this language) go last rather than first.
        Sort.TITLE: [title == "", title, Pilot.id],
        Sort.VALUE: [Pilot.contract_value.desc().nulls_last(), Pilot.id],
    }
    return orderings[sort]


@lru_cache(maxsize=512)
def _page_statement(
    dialect: str, shape: Shape, sort: Sort, language: str, dense: bool
) -> Select[*tuple[Any, ...]]:
    if _searched_alone(shape, sort):
        # The index ranks and cuts the page (its bounds: ``hub.search.query``); only the page
        # meets the pilots.
        ranked = query.best_first(
            dialect, (PILOTS.number,), dense={PILOTS.number} if dense else ()
        ).subquery()
        pilot_id = ranked.c.id - document_id(PILOTS.number, 0)
        return _columns().join(ranked, Pilot.id == pilot_id).order_by(ranked.c.rank, ranked.c.id)
    return (
        _rows_statement(dialect, shape, sort, language)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


def _searched_alone(shape: Shape, sort: Sort) -> bool:
    """A search by relevance with no other filter: the search index alone counts and ranks it."""
    return sort is Sort.RELEVANCE and shape == ("q",)


@lru_cache(maxsize=512)
def _rows_statement(dialect: str, shape: Shape, sort: Sort, language: str) -> Select[*tuple[Any, ...]]:
    """Every pilot matching the filters, as ``PilotRow`` columns, in the list's order."""
    if sort is Sort.RELEVANCE and "q" in shape:
        # The matches with their rank, joined: they filter as the ``q`` condition would.
        ranked = query.matches(dialect, "pilot").subquery()
        rest = tuple(name for name in shape if name != "q")
        return (
            _columns()
            .join(ranked, ranked.c.record_id == Pilot.id)
            .where(*_conditions(dialect, rest))
            .order_by(ranked.c.rank, Pilot.id)
        )
    return _columns().where(*_conditions(dialect, shape)).order_by(*_ordering(sort, language))


def _columns() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Pilot.id,
            Pilot.uid,
            Pilot.title_nl,
            Pilot.title_en,
            Pilot.summary_nl,
            Pilot.summary_en,
            Pilot.source_language,
            Programme.code,
            Programme.short_name,
            Pilot.country,
            ProductGroup.code,
            Pilot.status,
            Pilot.phase,
            Pilot.starts_on,
            Pilot.ends_on,
            Pilot.contract_value,
            Pilot.home_hub,
            Pilot.is_demo,
            Pilot.updated_at,
        )
        .join(Programme, Pilot.programme_id == Programme.id)
        .outerjoin(ProductGroup, Pilot.product_group_id == ProductGroup.id)
    )


@lru_cache(maxsize=128)
def _count_statement(dialect: str, shape: Shape, bounded: bool) -> Select[*tuple[Any, ...]]:
    if bounded:  # the index holds live pilots only: its matches are the count (up to its bound)
        return select(query.count_of(dialect, PILOTS.number))
    return select(func.count()).select_from(Pilot).where(*_conditions(dialect, shape))


# The strategies of a page of pilots, in one query.
_PAGE_STRATEGIES = (
    select(pilot_strategies.c.pilot_id, Strategy.code)
    .join(Strategy, Strategy.id == pilot_strategies.c.strategy_id)
    .where(pilot_strategies.c.pilot_id.in_(bindparam("ids", expanding=True)))
    .order_by(pilot_strategies.c.pilot_id, Strategy.position)
)


def list_pilots(session: Session, *, filters: PilotFilters, language: str) -> PilotPage:
    # Plain columns through the Core connection: no ORM identity map or entity rows needed here.
    connection = session.connection()
    bounded = _searched_alone(_shape(filters), filters.sort)  # the index's bounds apply
    with query.from_the_index(connection) if bounded else nullcontext():
        total = connection.execute(*count_query(session, filters)).scalar() or 0
    dense = bounded and total > query.COUNT_CAP
    with query.from_the_index(connection, newest_first=True) if bounded else nullcontext():
        rows = [PilotRow(*row) for row in connection.execute(*list_query(session, filters, language, dense))]
    _add_strategies(connection, rows)
    if not bounded:
        return PilotPage(rows, total, filters)
    return PilotPage(rows, min(total, query.COUNT_CAP), filters, more=dense, shown=min(total, query.RANKED))


def download_query(session: Session, filters: PilotFilters, language: str) -> Query:
    """Every pilot matching ``filters``, in the list's order, not one page (the downloads)."""
    dialect = session.get_bind().dialect.name
    return _rows_statement(dialect, _shape(filters), filters.sort, language), _params(session, filters)


def iter_pilot_rows(
    session: Session, *, filters: PilotFilters, language: str, chunk: int = 500
) -> Iterator[list[PilotRow]]:
    """Every matching pilot in chunks of ``chunk`` rows, streamed from the database (never all at once)."""
    connection = session.connection()
    statement, params = download_query(session, filters, language)
    result = connection.execute(statement.execution_options(yield_per=chunk), params)
    for partition in result.partitions():
        rows = [PilotRow(*row) for row in partition]
        _add_strategies(connection, rows)
        yield rows


def _add_strategies(connection: Connection, rows: list[PilotRow]) -> None:
    by_id = {row.id: row for row in rows}
    if by_id:
        for pilot_id, code in connection.execute(_PAGE_STRATEGIES, {"ids": list(by_id)}):
            by_id[pilot_id].strategies.append(code)


def get_pilot(session: Session, *, pilot_id: int) -> Pilot | None:
    return session.scalar(
        select(Pilot)
        .where(Pilot.id == pilot_id)
        .options(
            joinedload(Pilot.programme),
            joinedload(Pilot.product_group),
            selectinload(Pilot.strategies),
            selectinload(Pilot.sdg_links),
            selectinload(Pilot.parties).joinedload(PilotParty.organisation),
            selectinload(Pilot.progress),
            selectinload(Pilot.milestones),
        )
    )


def pilots_of_organisation(session: Session, *, organisation_id: int) -> dict[str, list[Pilot]]:
    """The organisation's pilots, grouped by its role in them."""
    grouped: dict[str, list[Pilot]] = defaultdict(list)
    rows = session.execute(
        select(PilotParty.role, Pilot)
        .join(Pilot, Pilot.id == PilotParty.pilot_id)
        .where(PilotParty.organisation_id == organisation_id, Pilot.withdrawn_at.is_(None))
        .order_by(Pilot.starts_on.desc(), Pilot.id)
        .options(joinedload(Pilot.programme))
    )
    for role, pilot in rows:
        grouped[role.value].append(pilot)
    return dict(grouped)


# --- the coordinators' list (the translation queue: hub.pilots.translations) ---


def pilots_of(
    session: Session,
    *,
    programme_ids: Collection[int] | None,
    q: str = "",
    programme_id: int | None = None,
    status: PilotStatus | None = None,
    archived: bool = False,
    page: int = 1,
) -> Page[Pilot]:
    """The coordinators' list: the live (or archived) pilots of these programmes (None: all),
    newest first; ``q`` is a text in titles or summaries (as in the other coordinators' lists: the
    search index holds no archived pilot)."""
    conditions = workspace_scope(
        Pilot, programme_ids=programme_ids, programme_id=programme_id, archived=archived
    )
    if status is not None:
        conditions.append(Pilot.status == status)
    if q:
        conditions.append(matching(q, Pilot.title_nl, Pilot.title_en, Pilot.summary_nl, Pilot.summary_en))
    statement = (
        select(Pilot)
        .where(*conditions)
        .order_by(Pilot.starts_on.desc().nulls_last(), Pilot.id.desc())
        .options(joinedload(Pilot.programme))
    )
    return paginate(session, statement, page=page)
