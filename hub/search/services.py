"""The hub's search: the matches of a query across every kind of record, counted per kind and
shown a page at a time, with the filters every kind shares (programme, product group, country,
year). The matching and ranking are the index's (``hub.search.query``); this module filters,
counts, orders and pages them, and fetches each result's card from its kind.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Executable, Integer, bindparam, select
from sqlalchemy.orm import Session

from hub import i18n
from hub.filters import InvalidFilter, QueryFilters
from hub.programmes.models import Programme
from hub.search import index
from hub.search import query as bounds  # its COUNT_CAP and RANKED, read when used
from hub.search.index import Card, Kind
from hub.search.models import KIND_SPAN, SearchDocument
from hub.search.query import (
    Query,
    best_first,
    counted,
    from_the_index,
    parse,
    search_text,
)
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
    """One page of results, and how many there are of each kind (the chosen kind left aside).
    Counts are exact up to ``COUNT_CAP``; a kind in ``beyond`` has more than that."""

    counts: Mapping[str, int]
    items: Sequence[Result]
    number: int
    kind: str | None = None
    per_page: int = PAGE_SIZE

    def count_of(self, kind: str) -> int:
        return min(self.counts.get(kind, 0), bounds.COUNT_CAP)

    @property
    def ranked(self) -> int:
        """How many of the most recent matches of each kind are ranked and shown."""
        return bounds.RANKED

    @property
    def beyond(self) -> frozenset[str]:
        return frozenset(kind for kind, count in self.counts.items() if count > bounds.COUNT_CAP)

    def _sum(self, kinds: Iterable[str], most: int) -> int:
        return sum(min(self.counts.get(kind, 0), most) for kind in kinds)

    @property
    def _chosen(self) -> Iterable[str]:
        return [self.kind] if self.kind else list(self.counts)

    @property
    def total(self) -> int:
        """The matches of the chosen kind, or of all (each kind's counted up to ``COUNT_CAP``)."""
        return self._sum(self._chosen, bounds.COUNT_CAP)

    @property
    def more(self) -> bool:
        """Whether there are more matches than ``total`` says."""
        return any(kind in self.beyond for kind in self._chosen)

    @property
    def shown(self) -> int:
        """The matches that can be paged through: the ``RANKED`` most recent of each kind."""
        return self._sum(self._chosen, bounds.RANKED)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.shown / self.per_page))

    @property
    def found(self) -> int:
        """Every match, whatever the kind chosen (each kind's counted up to ``COUNT_CAP``)."""
        return self._sum(self.counts, bounds.COUNT_CAP)


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
    found = Results(counts(session, query, filters), [], page, kind, per_page)
    if not query or not found.total:
        return found
    dialect = session.get_bind().dialect.name
    kinds = [index.kind_named(name) for name in ([kind] if kind else found.counts)]
    numbers = tuple(k.number for k in kinds)
    dense = frozenset(k.number for k in kinds if k.name in found.beyond)
    statement = _page_statement(dialect, _shape(filters), numbers, dense)
    params = {**_params(session, query, filters), "limit": per_page, "offset": (page - 1) * per_page}
    connection = session.connection()
    with from_the_index(connection, newest_first=True):
        rows = connection.execute(statement, params).all()
    return dataclasses.replace(found, items=_cards(session, rows, language))


def counts(session: Session, query: Query, filters: SharedFilters = NO_FILTERS) -> dict[str, int]:
    """How many records of each kind match ``query`` within ``filters`` (kinds with none left out),
    counted up to ``COUNT_CAP + 1`` (which stands for "more than ``COUNT_CAP``")."""
    if not query:
        return {}
    dialect = session.get_bind().dialect.name
    kinds = {kind.number: kind.name for kind in index.kinds()}
    statement = _count_statement(dialect, _shape(filters), tuple(kinds))
    connection = session.connection()
    with from_the_index(connection):
        rows = connection.execute(statement, _params(session, query, filters)).all()
    return {kinds[number]: count for number, count in rows if count}


def _cards(session: Session, rows: Sequence[Any], language: str) -> list[Result]:
    """The cards of a page's rows (document id, rank), one query per kind, in the rows' order; a
    record gone since the query (no card) is left out."""
    found = [divmod(row[0], KIND_SPAN) for row in rows]  # (kind number, record id)
    by_kind: dict[int, list[int]] = defaultdict(list)
    for number, record_id in found:
        by_kind[number].append(record_id)
    cards = {
        number: index.kind_numbered(number).cards(session, ids, language) for number, ids in by_kind.items()
    }
    return [
        Result(index.kind_numbered(number), record_id, cards[number][record_id])
        for number, record_id in found
        if record_id in cards[number]
    ]


# Statements are built once per combination of filters in use; their values are bound parameters.
Shape = tuple[str, ...]
_SHARED = ("programme", "product_group", "country", "year")


def _shape(filters: SharedFilters) -> Shape:
    return tuple(name for name in _SHARED if getattr(filters, name))


def _params(session: Session, query: Query, filters: SharedFilters) -> dict[str, Any]:
    params: dict[str, Any] = {"search": search_text(session, query)}
    params.update({name: getattr(filters, name) for name in _SHARED if getattr(filters, name)})
    return params


def _conditions(shape: Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
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
    return conditions


# Only the kinds this process declares are counted and shown (``index.kinds()``).
@lru_cache(maxsize=128)
def _count_statement(dialect: str, shape: Shape, numbers: tuple[int, ...]) -> Executable:
    return counted(dialect, numbers, _conditions(shape))


@lru_cache(maxsize=512)
def _page_statement(
    dialect: str, shape: Shape, numbers: tuple[int, ...], dense: frozenset[int]
) -> Executable:
    return best_first(dialect, numbers, _conditions(shape), dense=dense)
