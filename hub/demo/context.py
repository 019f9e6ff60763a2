"""What every part of the demo generator shares: the seeded rng, looked-up ids and bulk inserts."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from hub.db import Base
from hub.demo.material import FICTITIOUS_EN, FICTITIOUS_NL
from hub.organisations.models import Sector
from hub.taxonomy.models import ProductGroup, Strategy

# Rows per INSERT statement: large enough to be fast, small enough to bound memory and the
# statement size (SQLAlchemy splits further where a driver needs it).
BATCH_SIZE = 1000


@dataclass
class Org:
    """An organisation as the generator needs it; ``id`` is set once it is inserted."""

    name: str
    sector: Sector
    country: str
    city: str = ""
    description_nl: str = FICTITIOUS_NL
    description_en: str = FICTITIOUS_EN
    id: int = 0


@dataclass
class Demo:
    """The generator's state. Only ``rng`` and ``today`` decide anything, so one seed loaded on one
    day gives one network: ``today`` is the day the pilots' statuses describe and the day the
    demo's future (the event to come, the open call) is dated from."""

    session: Session
    rng: random.Random
    today: dt.date
    product_groups: dict[str, int] = field(default_factory=dict)
    strategies: dict[str, int] = field(default_factory=dict)
    programmes: dict[str, int] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def start(cls, session: Session, seed: int, today: dt.date) -> Demo:
        demo = cls(session, random.Random(seed), today)
        demo.product_groups = {
            code: id_ for code, id_ in session.execute(select(ProductGroup.code, ProductGroup.id))
        }
        demo.strategies = {code: id_ for code, id_ in session.execute(select(Strategy.code, Strategy.id))}
        return demo

    def uid(self) -> str:
        # Not uuid4(): the uids must follow from the seed like everything else.
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def record(self, **values: Any) -> dict[str, Any]:
        """The values of a new demo ``Record`` row."""
        return {"uid": self.uid(), "is_demo": True, **values}

    def insert(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
        """Bulk-insert ``rows`` (each with a ``uid``) and return their ids, in the order of ``rows``.

        The Core table, not the ORM entity: ORM bulk INSERT regroups rows by which values are
        None, which split 10,000 pilots into thousands of statements. Ids are matched back by
        uid: asking for RETURNING in parameter order makes SQLite insert one row at a time.
        """
        table = _table(model)
        statement = insert(table).returning(table.c.uid, table.c.id)
        ids: dict[str, int] = {}
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            ids.update((uid, id_) for uid, id_ in self.session.execute(statement, batch))
        self.counts[table.name] += len(rows)
        return [ids[row["uid"]] for row in rows]

    def insert_plain(self, target: type[Base] | Table, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk-insert rows whose ids nobody needs (link tables, leaf rows)."""
        table = _table(target)
        for start in range(0, len(rows), BATCH_SIZE):
            self.session.execute(insert(table), rows[start : start + BATCH_SIZE])
        self.counts[table.name] += len(rows)

    # Drawing helpers -------------------------------------------------------------------------

    def date_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def log_uniform(self, low: float, high: float) -> float:
        """Sizes and money spread over orders of magnitude: many small, a few large."""
        return math.exp(self.rng.uniform(math.log(low), math.log(high)))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability


def _table(target: type[Base] | Table) -> Table:
    table = target if isinstance(target, Table) else target.__table__
    assert isinstance(table, Table)
    return table
