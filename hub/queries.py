"""What the record lists' queries share: a vocabulary entry by its code, a text search (a LIKE for
the coordinators' lists, the search index for the public ones), what the coordinators' lists show
of a kind, the latest first, the filters of a public list, and the orders and pages of a public
list of lessons, entries or news."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from typing import Any, Self

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from hub.filters import QueryFilters
from hub.i18n import N_, LabelledEnum
from hub.pagination import Page, escape_like, paginate
from hub.programmes.models import Programme
from hub.search import query
from hub.taxonomy.models import Phase, ProductGroup

# The fields of a list's filters that choose its order and page, not what it holds.
_NOT_FILTERS = ("sort", "page", "per_page")


@dataclasses.dataclass(frozen=True)
class PublicFilters:
    """What the filters of a public list share: ``q``, what was typed in its search box, and the
    page. A kind's filters add their own fields (and ``sort``, in its own orders)."""

    q: str = ""
    page: int = 1

    @property
    def active(self) -> bool:
        """Whether a filter narrows the list (a search or a choice; not its order or page)."""
        return any(
            getattr(self, field.name) for field in dataclasses.fields(self) if field.name not in _NOT_FILTERS
        )

    @property
    def searched(self) -> bool:
        """Whether ``q`` has words to look for (punctuation or stop words alone filter nothing)."""
        return bool(query.parse(self.q))


def by_code(column: Any, model: Any, code: str) -> ColumnElement[bool]:
    """``column`` refers to the row of ``model`` (a programme, a product group ...) with ``code``."""
    comparison: ColumnElement[bool] = column == select(model.id).where(model.code == code).scalar_subquery()
    return comparison


def matching(q: str, *columns: Any) -> ColumnElement[bool]:
    """One of ``columns`` holds ``q``, in any case (``%`` and ``_`` in it are plain characters)."""
    pattern = escape_like(q)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def workspace_scope(
    model: Any,
    *,
    programme_ids: Collection[int] | None,
    programme_id: int | None = None,
    archived: bool = False,
) -> list[ColumnElement[bool]]:
    """A coordinators' list of ``model``: its live (or archived) records of these programmes (None:
    all), of ``programme_id`` only when given."""
    conditions: list[ColumnElement[bool]] = [
        model.withdrawn_at.is_not(None) if archived else model.withdrawn_at.is_(None)
    ]
    if programme_ids is not None:
        conditions.append(model.programme_id.in_(list(programme_ids)))
    if programme_id is not None:
        conditions.append(model.programme_id == programme_id)
    return conditions


def tagged(model: Any, *, programme: str | None, product_group: str | None) -> list[ColumnElement[bool]]:
    """The live records of ``model`` (lessons, library entries) of a programme and a product group
    (by code; None: any)."""
    conditions: list[ColumnElement[bool]] = [model.withdrawn_at.is_(None)]
    if programme:
        conditions.append(by_code(model.programme_id, Programme, programme))
    if product_group:
        conditions.append(by_code(model.product_group_id, ProductGroup, product_group))
    return conditions


def latest_first(model: Any, conditions: Iterable[ColumnElement[bool]], moment: Any) -> Select[Any]:
    """The rows of ``model`` meeting ``conditions``, the latest ``moment`` first, with their programme
    and product group (what a list of lessons or library entries shows)."""
    return (
        select(model)
        .where(*conditions)
        .order_by(moment.desc(), model.id.desc())
        .options(joinedload(model.programme), joinedload(model.product_group))
    )


class Sort(LabelledEnum):
    """The orders of a public list of lessons, library entries or news items."""

    RELEVANCE = "relevance", N_("Best match")  # the default with a search; newest first without
    NEWEST = "newest", N_("Newest first")
    OLDEST = "oldest", N_("Oldest first")
    TITLE = "title", N_("Title")


def read_sort(read: QueryFilters, q: str) -> Sort:
    """The order asked for, else the best match first for a search with words to look for, else
    the newest first."""
    return read.member("sort", Sort) or (Sort.RELEVANCE if query.parse(q) else Sort.NEWEST)


@dataclasses.dataclass(frozen=True)
class TaggedFilters(PublicFilters):
    """The filters of a public list of lessons or library entries: the records of a programme and a
    product group (by code) in a procurement phase, in an order of ``Sort``. Each of the two adds
    its own filters (its kinds, ...)."""

    programme: str | None = None
    product_group: str | None = None
    phase: Phase | None = None
    sort: Sort = Sort.NEWEST

    @classmethod
    def read(cls, read: QueryFilters, **own: Any) -> Self:
        """The filters a request asks for; ``own``: the kind's own, read by the caller. An unknown
        value raises ``InvalidFilter`` (shown as 400)."""
        q = read.search()
        return cls(
            programme=read.code("programme", Programme.code),
            product_group=read.code("product_group", ProductGroup.code),
            phase=read.member("phase", Phase),
            q=q,
            sort=read_sort(read, q),
            page=read.page(),
            **own,
        )

    def conditions(self, model: Any) -> list[ColumnElement[bool]]:
        """The live records of ``model`` these filters let through but for ``q`` (which
        ``tagged_page`` looks up in the search index)."""
        conditions = tagged(model, programme=self.programme, product_group=self.product_group)
        if self.phase:
            conditions.append(model.phase == self.phase)
        return conditions


def found(session: Session, model: Any, kind: str, q: str) -> ColumnElement[bool]:
    """The record is one of ``kind`` the search index finds for ``q`` (which has words: see
    ``hub.search.query.parse``)."""
    dialect = session.get_bind().dialect.name
    search = query.search_text(session, query.parse(q))
    searched = query.matching_ids(dialect, kind).params(search=search)
    condition: ColumnElement[bool] = model.id.in_(searched)
    return condition


def title_in(model: Any, language: str) -> ColumnElement[str]:
    """The title in ``language``, else in the other one (untranslated titles sort among the rest)."""
    wanted, other = (model.title_nl, model.title_en) if language == "nl" else (model.title_en, model.title_nl)
    return func.coalesce(func.nullif(wanted, ""), other)


def listed(
    session: Session,
    statement: Select[Any],
    *,
    model: Any,
    kind: str,
    q: str,
    sort: Sort,
    moment: Any,
    language: str,
) -> Select[Any]:
    """``statement`` (a public list's records of ``model``, filtered) searched for ``q`` in the
    search index's ``kind`` and put in the order of ``sort``: the best match first (then the
    newest) joins the ranked matches; ``moment`` is what newest and oldest go by."""
    statement = statement.order_by(None)
    searched = query.parse(q)
    if searched and sort is Sort.RELEVANCE:
        search = query.search_text(session, searched)
        ranked = query.matches(session.get_bind().dialect.name, kind).params(search=search).subquery()
        return statement.join(ranked, ranked.c.record_id == model.id).order_by(
            ranked.c.rank, moment.desc(), model.id.desc()
        )
    if searched:
        statement = statement.where(found(session, model, kind, q))
    orders = {
        Sort.OLDEST: (moment.asc(), model.id.asc()),
        Sort.TITLE: (title_in(model, language), model.id),
    }
    return statement.order_by(*orders.get(sort, (moment.desc(), model.id.desc())))


def tagged_page(
    session: Session,
    model: Any,
    conditions: Iterable[ColumnElement[bool]],
    *,
    kind: str,
    filters: TaggedFilters,
    language: str,
    per_page: int,
) -> Page[Any]:
    """One page of a public list of ``model`` (lessons, library entries): the records ``filters``
    and ``conditions`` (the kind's own filters) let through, ``filters.q`` looked up in the search
    index's ``kind``, in the order of ``filters.sort`` (the newest by when they were added)."""
    statement = listed(
        session,
        latest_first(model, [*filters.conditions(model), *conditions], model.created_at),
        model=model,
        kind=kind,
        q=filters.q,
        sort=filters.sort,
        moment=model.created_at,
        language=language,
    )
    return paginate(session, statement, page=filters.page, per_page=per_page)


def titled_page(
    session: Session, model: Any, conditions: list[ColumnElement[bool]], *, q: str, page: int
) -> Page[Any]:
    """One page of a coordinators' list of ``model`` (lessons, library entries): the records meeting
    ``conditions`` with ``q`` in a title, the last changed first."""
    if q:
        conditions = [*conditions, matching(q, model.title_nl, model.title_en)]
    return paginate(session, latest_first(model, conditions, model.updated_at), page=page)
