"""Library entries in the hub's search: what a live entry says, and how it shows as a result.

An entry is found by its titles and texts, its speakers, and by what it is about: its kind (and
kind of tool), product group, strategy, phase and programme by their names in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.library.models import LibraryItem
from hub.programmes.models import Programme
from hub.search.index import Card, Document, Kind, bilingual, both, label_names, register
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = LibraryItem.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live entries among ``ids``, in four queries."""
    programmes = {p.id: p for p in session.scalars(select(Programme))}
    groups = {g.id: g for g in session.scalars(select(ProductGroup))}
    strategies = {s.id: s for s in session.scalars(select(Strategy))}
    for item in session.scalars(select(LibraryItem).where(LibraryItem.id.in_(ids), _LIVE)):
        moment = item.held_on or item.created_at  # a webinar's day, else when it came
        programme = programmes[item.programme_id]
        group = groups.get(item.product_group_id) if item.product_group_id else None
        strategy = strategies.get(item.strategy_id) if item.strategy_id else None
        yield Document(
            record_id=item.id,
            title=bilingual(item.title_nl, item.title_en),
            summary=bilingual(item.body_nl, item.body_en),
            about=(
                *label_names(item.kind.msgid),
                *(label_names(item.tool_kind.msgid) if item.tool_kind else ()),
                *(bilingual(group.name_nl, group.name_en) if group else ()),
                *(bilingual(strategy.name_nl, strategy.name_en) if strategy else ()),
                *(label_names(item.phase.msgid) if item.phase else ()),
                *bilingual(programme.name_nl, programme.name_en),
                *both(programme.short_name),
            ),
            body=both(item.speakers),
            programme_id=item.programme_id,
            product_group_id=item.product_group_id,
            year=moment.year if moment else None,
        )


def cards(session: Session, ids: Sequence[int], language: str) -> Mapping[int, Card]:
    found: dict[int, Card] = {}
    for item in session.scalars(select(LibraryItem).where(LibraryItem.id.in_(ids))):
        title = item.localized("title", language)
        found[item.id] = Card(
            title=title.text,
            route="library_item",
            params={"item_id": item.id},
            text=item.localized("body", language).text,
            untranslated=title.fallback,
            # A webinar's day, else when the entry came to the library.
            date=item.held_on or (item.created_at.date() if item.created_at else None),
        )
    return found


def _of_product_groups(session: Session, groups: Sequence[Any]) -> Iterable[int]:
    ids = [group.id for group in groups]
    return session.scalars(select(LibraryItem.id).where(LibraryItem.product_group_id.in_(ids)))


def _of_strategies(session: Session, strategies: Sequence[Any]) -> Iterable[int]:
    ids = [strategy.id for strategy in strategies]
    return session.scalars(select(LibraryItem.id).where(LibraryItem.strategy_id.in_(ids)))


def _of_programmes(session: Session, programmes: Sequence[Any]) -> Iterable[int]:
    ids = [programme.id for programme in programmes]
    return session.scalars(select(LibraryItem.id).where(LibraryItem.programme_id.in_(ids)))


LIBRARY = register(
    Kind(
        name="library",
        label=N_("Library entries"),
        model=LibraryItem,
        documents=documents,
        cards=cards,
        related={ProductGroup: _of_product_groups, Strategy: _of_strategies, Programme: _of_programmes},
    )
)
