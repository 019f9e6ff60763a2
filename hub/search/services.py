"""The hub's search: the matches of a query across every kind of record, counted per kind and
shown a page at a time, with the filters every kind shares (programme, product group, country,
year). The matching and ranking are the index's (``hub.search.query``); this module filters,
counts, orders and pages them, and fetches each result's card from its kind.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from hub import i18n
from hub.filters import InvalidFilter, QueryFilters
from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Card, Kind
from hub.search.models import SearchDocument
from hub.search.query import Query, matches, parse
from hub.taxonomy.models import ProductGroup

PAGE_SIZE = 20
YEARS = (1900, 2200)


@dataclasses.dataclass(frozen=True)
class SharedFilters:
    """The filters every kind of record has (codes as in the other lists' links)."""

    programme: str | None = None
    product_group: str | None = None
    country: str | None = None
    year: int | None = None

    @property
    def active(self) -> bool:
        return any((self.programme, self.product_group, self.country, self.year))


NO_FILTERS = SharedFilters()


@dataclasses.dataclass(frozen=True)
class SearchFilters:
    """A search page's request: what was typed, the shared filters, the kind chosen and the page."""

    q: str = ""
    shared: SharedFilters = NO_FILTERS
    kind: str | None = None
    page: int = 1

    @property
    def query(self) -> Query:
        return parse(self.q)


@dataclasses.dataclass(frozen=True)
class Result:
    kind: Kind
    record_id: int
    card: Card


@dataclasses.dataclass(frozen=True)
class Results:
    """One page of results, and how many there are of each kind (the chosen kind left aside)."""

    counts: Mapping[str, int]
    items: Sequence[Result]
    total: int  # of the chosen kind, or of all
    number: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def found(self) -> int:
        """Every match, whatever the kind chosen."""
        return sum(self.counts.values())


def parse_filters(session: Session, params: Mapping[str, str]) -> SearchFilters:
    """A search request from query parameters; an unknown value raises ``InvalidFilter`` (400)."""
    read = QueryFilters(session, params)
    return SearchFilters(
        q=read.search(),
        shared=SharedFilters(
            programme=read.code("programme", Programme.code),
            product_group=read.code("product_group", ProductGroup.code),
            country=read.key("country", i18n.country_codes()),
            year=_year(read.text("year")),
        ),
        kind=read.key("kind", [kind.name for kind in index.kinds()]),
        page=read.page(),
    )


def _year(given: str | None) -> int | None:
    if given is None:
        return None
    if not (given.isascii() and given.isdigit() and YEARS[0] <= int(given) <= YEARS[1]):
        raise InvalidFilter("year", given[:20])
    return int(given)


def search(
    session: Session,
    query: Query,
    *,
    language: str,
    filters: SharedFilters = NO_FILTERS,
    kind: str | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Results:
    """The counts per kind and one page of the matches of ``query`` (best first), with their cards."""
    found = counts(session, query, filters)
    total = found.get(kind, 0) if kind else sum(found.values())
    if not query or not total:
        return Results(found, [], total, page, per_page)
    dialect = session.get_bind().dialect.name
    params = {**_params(dialect, query, filters), "limit": per_page, "offset": (page - 1) * per_page}
    if kind:
        params["kind"] = kind
    rows = session.connection().execute(_page_statement(dialect, _shape(filters, kind)), params).all()
    return Results(found, _cards(session, rows, language), total, page, per_page)


def counts(session: Session, query: Query, filters: SharedFilters = NO_FILTERS) -> dict[str, int]:
    """How many records of each kind match ``query`` within ``filters`` (kinds with none left out)."""
    if not query:
        return {}
    dialect = session.get_bind().dialect.name
    statement = _count_statement(dialect, _shape(filters, None))
    rows = session.connection().execute(statement, _params(dialect, query, filters))
    return {kind: count for kind, count in rows if count}


def _cards(session: Session, rows: Sequence[Any], language: str) -> list[Result]:
    """The cards of a page's rows, one query per kind, in the rows' order; a record gone since the
    query (no card) is left out."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for record_id, kind, _rank in rows:
        by_kind[kind].append(record_id)
    cards = {kind: index.kind_named(kind).cards(session, ids, language) for kind, ids in by_kind.items()}
    return [
        Result(index.kind_named(kind), record_id, cards[kind][record_id])
        for record_id, kind, _rank in rows
        if record_id in cards[kind]
    ]


# Statements are built once per combination of filters in use; their values are bound parameters.
Shape = tuple[str, ...]
_SHARED = ("programme", "product_group", "country", "year")


def _shape(filters: SharedFilters, kind: str | None) -> Shape:
    used = tuple(name for name in _SHARED if getattr(filters, name))
    return (*used, "kind") if kind else used


def _params(dialect: str, query: Query, filters: SharedFilters) -> dict[str, Any]:
    params: dict[str, Any] = {
        "search": query.expression(dialect),
        # Only the kinds this process knows: rows of a kind no longer declared are not shown.
        "kinds": [kind.name for kind in index.kinds()],
    }
    params.update({name: getattr(filters, name) for name in _SHARED if getattr(filters, name)})
    return params


def _conditions(shape: Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [SearchDocument.kind.in_(bindparam("kinds", expanding=True))]
    if "programme" in shape:
        conditions.append(
            SearchDocument.programme_id
            == select(Programme.id).where(Programme.code == bindparam("programme")).scalar_subquery()
        )
    if "product_group" in shape:
        conditions.append(
            SearchDocument.product_group_id
            == select(ProductGroup.id)
            .where(ProductGroup.code == bindparam("product_group"))
            .scalar_subquery()
        )
    if "country" in shape:
        conditions.append(SearchDocument.country == bindparam("country", type_=SearchDocument.country.type))
    if "year" in shape:
        conditions.append(SearchDocument.year == bindparam("year", type_=Integer))
    if "kind" in shape:
        conditions.append(SearchDocument.kind == bindparam("kind", type_=SearchDocument.kind.type))
    return conditions


@lru_cache(maxsize=128)
def _count_statement(dialect: str, shape: Shape) -> Select[*tuple[Any, ...]]:
    # Without the rank: counting needs no scoring.
    return (
        matches(dialect)
        .with_only_columns(SearchDocument.kind, func.count())
        .where(*_conditions(shape))
        .group_by(SearchDocument.kind)
    )


@lru_cache(maxsize=128)
def _page_statement(dialect: str, shape: Shape) -> Select[*tuple[Any, ...]]:
    matched = matches(dialect).where(*_conditions(shape)).subquery()
    return (
        select(matched.c.record_id, matched.c.kind, matched.c.rank)
        .order_by(matched.c.rank, matched.c.kind, matched.c.record_id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
