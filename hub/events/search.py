"""Events in the hub's search: what a live event says, and how it shows as a result.

An event is found by its titles and summaries, by what it is about (its kind, product groups and
programme, by their names in both languages, and where it takes place) and by its outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.events.models import Event, event_product_groups
from hub.i18n import N_, TIMEZONE
from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Document, Names, bilingual, both, label_names, per_record
from hub.taxonomy.models import ProductGroup

_LIVE = Event.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live events among ``ids``, in four queries."""
    programme_names = Names(session, Programme)
    group_names = Names(session, ProductGroup)
    group_ids: dict[int, list[int]] = per_record(
        session, ids, select(event_product_groups.c.event_id, event_product_groups.c.product_group_id)
    )
    for event in session.execute(
        select(
            Event.id,
            Event.title_nl,
            Event.title_en,
            Event.summary_nl,
            Event.summary_en,
            Event.outcome_nl,
            Event.outcome_en,
            Event.programme_id,
            Event.kind,
            Event.location,
            Event.starts_at,
            Event.timezone,
        ).where(Event.id.in_(ids), _LIVE)
    ):
        its_groups = sorted(group_ids[event.id])
        yield Document(
            record_id=event.id,
            title=bilingual(event.title_nl, event.title_en),
            summary=bilingual(event.summary_nl, event.summary_en),
            about=(
                *label_names(event.kind.msgid),
                *group_names(*its_groups),
                *programme_names(event.programme_id),
                *both(event.location),
            ),
            body=bilingual(event.outcome_nl, event.outcome_en),
            programme_id=event.programme_id,
            # A product group only when it is about one: a filter on another would hide it.
            product_group_id=its_groups[0] if len(its_groups) == 1 else None,
            year=_local_day(event.starts_at, event.timezone).year,
        )


def _local_day(moment: dt.datetime, timezone: str) -> dt.date:
    """The day of a moment where the event takes place (as its page shows it)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(TIMEZONE)
    return moment.astimezone(zone).date()


EVENTS = index.register(
    name="event",
    number=6,
    label=N_("Events"),
    model=Event,
    documents=documents,
    cards=index.cards_of(
        Event,
        route="event",
        id_param="event_id",
        text="summary",
        date=lambda event: _local_day(event.starts_at, event.timezone),
    ),
    related={
        ProductGroup: index.naming(event_product_groups.c.product_group_id, event_product_groups.c.event_id)
    },
)
