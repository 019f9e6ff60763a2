"""What the record lists' queries share: a vocabulary entry by its code, a text search (a LIKE for
the coordinators' lists, the search index for the public ones), what the coordinators' lists show
of a kind, the latest first, and the orders of a public list of lessons, entries or news."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import joinedload

from hub.filters import QueryFilters
from hub.i18n import N_, LabelledEnum
from hub.pagination import escape_like
from hub.search import query
from hub.search.models import SearchDocument


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


def found(model: Any, kind: str, q: str, dialect: str) -> ColumnElement[bool]:
    """The record is one of ``kind`` the search index finds for ``q`` (which has words: see
    ``hub.search.query.parse``)."""
    searched = query.matching_ids(dialect, kind).params(search=query.parse(q).expression(dialect))
    condition: ColumnElement[bool] = model.id.in_(searched)
    return condition


def title_in(model: Any, language: str) -> ColumnElement[str]:
    """The title in ``language``, else in the other one (untranslated titles sort among the rest)."""
    wanted, other = (model.title_nl, model.title_en) if language == "nl" else (model.title_en, model.title_nl)
    return func.coalesce(func.nullif(wanted, ""), other)


def listed(
    statement: Select[Any],
    *,
    model: Any,
    kind: str,
    q: str,
    sort: Sort,
    moment: Any,
    language: str,
    dialect: str,
) -> Select[Any]:
    """``statement`` (a public list's records of ``model``, filtered) searched for ``q`` in the
    search index's ``kind`` and put in the order of ``sort``: the best match first (then the
    newest) joins the ranked matches; ``moment`` is what newest and oldest go by."""
    statement = statement.order_by(None)
    searched = query.parse(q)
    if searched and sort is Sort.RELEVANCE:
        ranked = (
            query.matches(dialect)
            .where(SearchDocument.kind == kind)
            .params(search=searched.expression(dialect))
            .subquery()
        )
        return statement.join(ranked, ranked.c.record_id == model.id).order_by(
            ranked.c.rank, moment.desc(), model.id.desc()
        )
    if searched:
        statement = statement.where(found(model, kind, q, dialect))
    orders = {
        Sort.OLDEST: (moment.asc(), model.id.asc()),
        Sort.TITLE: (title_in(model, language), model.id),
    }
    return statement.order_by(*orders.get(sort, (moment.desc(), model.id.desc())))
