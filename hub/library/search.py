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
from hub.search import index
from hub.search.index import Document, Names, bilingual, both, label_names
from hub.taxonomy.models import ProductGroup, Strategy

_LIVE = LibraryItem.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live entries among ``ids``, in four queries."""
    programme_names = Names(session, Programme)
    group_names = Names(session, ProductGroup)
    strategy_names = Names(session, Strategy)
    for item in session.scalars(select(LibraryItem).where(LibraryItem.id.in_(ids), _LIVE)):
        moment = item.held_on or item.created_at  # a webinar's day, else when it came
        yield Document(
            record_id=item.id,
            title=bilingual(item.title_nl, item.title_en),
            summary=bilingual(item.body_nl, item.body_en),
            about=(
                *label_names(item.kind.msgid),
                *(label_names(item.tool_kind.msgid) if item.tool_kind else ()),
                *group_names(item.product_group_id),
                *strategy_names(item.strategy_id),
                *(label_names(item.phase.msgid) if item.phase else ()),
                *programme_names(item.programme_id),
            ),
            body=both(item.speakers),
            programme_id=item.programme_id,
            product_group_id=item.product_group_id,
            year=moment.year if moment else None,
        )


def _day(item: LibraryItem) -> dt.date | None:
    """A webinar's day, else when the entry came to the library."""
    return item.held_on or (item.created_at.date() if item.created_at else None)


LIBRARY = index.register(
    name="library",
    number=3,
    label=N_("Library entries"),
    model=LibraryItem,
    documents=documents,
    cards=index.cards_of(LibraryItem, route="library_item", id_param="item_id", text="body", date=_day),
    related={
        ProductGroup: index.naming(LibraryItem.product_group_id, LibraryItem.id),
        Strategy: index.naming(LibraryItem.strategy_id, LibraryItem.id),
        Programme: index.naming(LibraryItem.programme_id, LibraryItem.id),
    },
)
