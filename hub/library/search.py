"""Library entries in the hub's search: what a live entry says, and how it shows as a result.

An entry is found by its titles and texts, its speakers, and by what it is about: its kind (and
kind of tool), product group, strategy, phase and programme by their names in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.i18n import N_
from hub.library.models import LibraryItem
from hub.programmes.models import Programme
from hub.search.index import (
    Document,
    Kind,
    bilingual,
    both,
    by_id,
    cards_of,
    label_names,
    naming,
    register,
)
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = LibraryItem.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live entries among ``ids``, in four queries."""
    programmes = by_id(session, Programme)
    groups = by_id(session, ProductGroup)
    strategies = by_id(session, Strategy)
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


def _day(item: LibraryItem) -> dt.date | None:
    """A webinar's day, else when the entry came to the library."""
    return item.held_on or (item.created_at.date() if item.created_at else None)


LIBRARY = register(
    Kind(
        name="library",
        label=N_("Library entries"),
        model=LibraryItem,
        documents=documents,
        cards=cards_of(LibraryItem, route="library_item", id_param="item_id", text="body", date=_day),
        related={
            ProductGroup: naming(LibraryItem.product_group_id, LibraryItem.id),
            Strategy: naming(LibraryItem.strategy_id, LibraryItem.id),
            Programme: naming(LibraryItem.programme_id, LibraryItem.id),
        },
    )
)
