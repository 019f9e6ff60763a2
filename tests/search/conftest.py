"""A kind of record of the tests' own ("note"), so that the search's counts per kind, kind choice
and cards are tested whatever kinds the hub registers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pytest
from sqlalchemy.orm import Session

from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Card, Document, Kind


@dataclasses.dataclass
class Notes:
    """Notes by id: what each says (title, summary) and its filters; ``gone`` have no card."""

    kind: Kind
    texts: dict[int, Document] = dataclasses.field(default_factory=dict)
    gone: set[int] = dataclasses.field(default_factory=set)

    def add(self, session: Session, record_id: int, title: str, summary: str = "", **shared: object) -> None:
        self.texts[record_id] = Document(
            record_id=record_id,
            title=(("en", title),),
            summary=(("en", summary),),
            **shared,  # type: ignore[arg-type]
        )
        index.refresh(session, kind="note", ids=[record_id])

    def documents(self, session: Session, ids: Sequence[int]) -> Iterable[Document]:
        return [self.texts[i] for i in ids if i in self.texts]

    def cards(self, session: Session, ids: Sequence[int], language: str) -> Mapping[int, Card]:
        return {
            i: Card(
                title=self.texts[i].title[0][1],
                route="programmes",
                params={},
                text=self.texts[i].summary[0][1],
            )
            for i in ids
            if i in self.texts and i not in self.gone
        }


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Notes]:
    kind = Kind(
        name="note",
        label="Notes",
        number=99,  # a test kind's documents: ids of their own
        model=Programme,
        documents=lambda s, i: [],
        cards=lambda s, i, language: {},
    )
    found = Notes(kind)
    kind = dataclasses.replace(kind, documents=found.documents, cards=found.cards)
    found.kind = kind
    monkeypatch.setitem(index._KINDS, "note", kind)
    yield found
