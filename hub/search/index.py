"""Keeping the search index in step with the records.

Each searchable kind of record declares a :class:`Kind` in its own domain (``hub/<domain>/search.py``):
which records are public and what they say (its ``documents``), and how a result is shown (its
``cards``). The index follows every write:

- writes through the ORM (forms, participants' publishing, the demo) are seen when the session
  flushes: the records a flush touched are indexed again in the same transaction;
- the sync's and the mirror's bulk Core writes call :func:`written` with the ids they wrote, which
  queues them; :func:`catch_up_all` indexes the queue right after the run (and the scheduler's
  ``search.catch_up`` job every minute, should a process stop in between).

:func:`rebuild` indexes everything again (``hub search rebuild``; ``hub migrate`` runs it when the
index was built with another version of the analysis).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import chain, islice
from typing import Any

from babel import Locale
from sqlalchemy import Select, Table, delete, event, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, UOWTransaction

from hub import i18n
from hub.search import analysis
from hub.search.models import (
    PG_INSERT,
    TERMS,
    SearchDocument,
    SearchPending,
    SearchState,
    SearchWord,
    document_id,
)

# Raise when the analysis changes what terms a text gets: indexes of another version are rebuilt.
ANALYSIS_VERSION = 2  # 2: documents' ids tell their kind
BATCH = 500
SETTLE_AFTER = 10_000  # documents indexed by one catch-up after which the index is settled
_DOCUMENTS: Table = SearchDocument.__table__  # type: ignore[assignment]
Texts = tuple[tuple[str, str], ...]  # (language, text) pairs


def both(*texts: str | None) -> Texts:
    """Names that are the same in both languages (organisations, programmes), analysed as both."""
    return tuple((language, text) for text in texts if text for language in analysis.LANGUAGES)


def bilingual(nl: str | None, en: str | None) -> Texts:
    return tuple((language, text) for language, text in (("nl", nl), ("en", en)) if text)


def by_id(session: Session, model: type[Any]) -> dict[int, Any]:
    """A small table a batch of documents names (programmes, product groups, strategies), by id."""
    return {row.id: row for row in session.scalars(select(model))}


class Names:
    """The names of a small table's rows that a batch of documents names (programmes, product groups,
    strategies), the table read once: ``programme_names(pilot.programme_id)`` gives the programme's
    ``name_nl`` and ``name_en``, and its ``short_name`` (the same in both languages) where the table
    has one. An id of None names nothing."""

    def __init__(self, session: Session, model: type[Any]) -> None:
        self._rows = by_id(session, model)

    def __call__(self, *ids: int | None) -> Texts:
        rows = [self._rows[row_id] for row_id in ids if row_id is not None]
        return tuple(text for row in rows for text in self._names_of(row))

    @staticmethod
    def _names_of(row: Any) -> Texts:
        return (*bilingual(row.name_nl, row.name_en), *both(getattr(row, "short_name", None)))


def per_record(
    session: Session, ids: Sequence[int], statement: Select[*tuple[Any, ...]]
) -> defaultdict[int, list[Any]]:
    """What the records ``ids`` have several of (a pilot's parties, an event's product groups): the
    rows of ``statement``, which selects the record's id first, by record. A row is kept as its
    second column, or as the tuple of the columns after the id where there are more."""
    record = statement.selected_columns[0]
    found: defaultdict[int, list[Any]] = defaultdict(list)
    for record_id, *values in session.execute(statement.where(record.in_(ids))):
        found[record_id].append(values[0] if len(values) == 1 else tuple(values))
    return found


@lru_cache(maxsize=1024)
def label_names(msgid: str) -> Texts:
    """A label of the interface (a phase, a kind of lesson) as each language's catalog has it."""
    return tuple((language, i18n.translations(language).ugettext(msgid)) for language in analysis.LANGUAGES)


@lru_cache(maxsize=1024)
def country_names(code: str | None) -> Texts:
    """A country's names in both languages ("BE": België, Belgium)."""
    if not code:
        return ()
    return tuple(
        (language, str(Locale(language).territories.get(code.upper(), code)))
        for language in analysis.LANGUAGES
    )


@dataclasses.dataclass(frozen=True)
class Document:
    """What a public record says, by weight, and the filters every kind shares."""

    record_id: int
    title: Texts = ()
    summary: Texts = ()
    about: Texts = ()  # names of its product group, strategies, phase, programme, country, parties
    body: Texts = ()
    programme_id: int | None = None
    product_group_id: int | None = None
    country: str | None = None
    year: int | None = None


@dataclasses.dataclass(frozen=True)
class Card:
    """A result as the search page shows it: a title linking to the record, the text its snippet
    is cut from, and a date."""

    title: str
    route: str  # the record's page, by route name
    params: Mapping[str, Any]
    text: str = ""
    untranslated: bool = False
    date: dt.date | None = None


Related = Callable[[Session, Sequence[Any]], Iterable[int]]
Cards = Callable[[Session, Sequence[int], str], Mapping[int, Card]]


def owned_by(attribute: str) -> Related:
    """Objects that are part of a record (a pilot's parties): the records their ``attribute`` names."""

    def owners(session: Session, objects: Sequence[Any]) -> Iterable[int]:
        return [value for value in (getattr(o, attribute) for o in objects) if value is not None]

    return owners


def naming(column: Any, record: Any) -> Related:
    """Objects that records name (a product group): the ``record`` ids whose ``column`` is one of
    them (``naming(Pilot.product_group_id, Pilot.id)``; a link table's columns work too)."""

    def namers(session: Session, objects: Sequence[Any]) -> Iterable[int]:
        return session.scalars(select(record).where(column.in_([o.id for o in objects])))

    return namers


def cards_by(model: type[Any], card: Callable[[Any, str], Card]) -> Cards:
    """The ``cards`` of a kind: each of its records among ``ids`` as ``card(record, language)``."""

    def cards(session: Session, ids: Sequence[int], language: str) -> Mapping[int, Card]:
        return {
            record.id: card(record, language)
            for record in session.scalars(select(model).where(model.id.in_(ids)))
        }

    return cards


def cards_of(
    model: type[Any],
    *,
    route: str,
    id_param: str,
    text: str,
    date: Callable[[Any], dt.date | None],
    title: str = "title",
) -> Cards:
    """The ``cards`` of a kind whose records are ``Bilingual``: the ``title`` and ``text`` fields
    in the reader's language (or the other, marked untranslated), linking to ``route``."""

    def card(record: Any, language: str) -> Card:
        heading = record.localized(title, language)
        return Card(
            title=heading.text,
            route=route,
            params={id_param: record.id},
            text=record.localized(text, language).text,
            untranslated=heading.fallback,
            date=date(record),
        )

    return cards_by(model, card)


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of record in the index (``name`` is stored; ``label`` is a msgid, the plural)."""

    name: str
    label: str
    number: int  # stored in its documents' ids (``models.document_id``): never reuse or change one
    model: type[Any]
    documents: Callable[[Session, Sequence[int]], Iterable[Document]]
    cards: Cards
    # Writes to other records that change what this kind's records say: object -> record ids.
    related: Mapping[type[Any], Related] = dataclasses.field(default_factory=dict)


_KINDS: dict[str, Kind] = {}
# model -> (kind, None for the kind's own records, or how its objects lead to the kind's records)
_WATCHED: dict[type[Any], list[tuple[str, Related | None]]] = defaultdict(list)


def register(**fields: Any) -> Kind:
    """Declare a kind of record (its domain's ``search.py`` does, when imported): the :class:`Kind`
    of these fields, which the index follows from then on."""
    kind = Kind(**fields)
    if any(known.number == kind.number for known in _KINDS.values() if known.name != kind.name):
        raise ValueError(f"the search kind {kind.name!r} has a number another kind has: {kind.number}")
    _KINDS[kind.name] = kind
    _WATCHED[kind.model].append((kind.name, None))
    for model, related in kind.related.items():
        _WATCHED[model].append((kind.name, related))
    return kind


def kinds() -> tuple[Kind, ...]:
    return tuple(_KINDS.values())


def kind_named(name: str) -> Kind:
    return _KINDS[name]


def kind_numbered(number: int) -> Kind:
    return next(kind for kind in _KINDS.values() if kind.number == number)


# --- writing the index ---


def refresh(session: Session, *, kind: str, ids: Iterable[int]) -> None:
    """Index these records of ``kind`` again (dropping those no longer public)."""
    declared = _KINDS[kind]
    for chunk in _chunks(sorted(set(ids)), BATCH):
        documents = list(declared.documents(session, chunk))
        session.execute(
            delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.record_id.in_(chunk))
        )
        _insert(session, kind, documents)


def watches(model: type[Any]) -> bool:
    """Whether writes to ``model`` change the index."""
    return model in _WATCHED


def written(session: Session, model: type[Any], ids: Iterable[int]) -> None:
    """Bulk writes (the sync's, the mirror's) to these records of ``model``: queue what they
    change for :func:`catch_up` (cheap, so the batch's write transaction stays short)."""
    ids = sorted(set(ids))
    if not ids or model not in _WATCHED:
        return
    for kind, related in _WATCHED[model]:
        if related is None:
            _queue(session, kind, ids)
        else:
            for chunk in _chunks(ids, BATCH):
                objects = session.scalars(select(model).where(model.id.in_(chunk))).all()
                _queue(session, kind, related(session, objects))


def _queue(session: Session, kind: str, ids: Iterable[int]) -> None:
    rows = [{"kind": kind, "record_id": record_id} for record_id in sorted(set(ids))]
    if rows:
        session.execute(_upsert(session, SearchPending).on_conflict_do_nothing(), rows)


def catch_up(session: Session, *, limit: int = BATCH) -> int:
    """Index up to ``limit`` queued records (in the caller's transaction); how many there were."""
    queued = session.execute(
        select(SearchPending.kind, SearchPending.record_id)
        .order_by(SearchPending.kind, SearchPending.record_id)
        .limit(limit)
    ).all()
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, record_id in queued:
        by_kind[kind].append(record_id)
    for kind, ids in by_kind.items():
        if kind in _KINDS:
            refresh(session, kind=kind, ids=ids)
        session.execute(
            delete(SearchPending).where(SearchPending.kind == kind, SearchPending.record_id.in_(ids))
        )
    return len(queued)


def catch_up_all(session: Session) -> int:
    """Index everything queued, committing a batch at a time (after a run; the scheduler's job)."""
    done = 0
    while count := catch_up(session):
        session.commit()
        done += count
    if done >= SETTLE_AFTER:
        settle(session)
        session.commit()
    return done


def catch_up_job(session: Session) -> None:
    """The scheduler's ``search.catch_up``: what a run queued and a stopped process left."""
    catch_up_all(session)


def rebuild(
    session: Session, *, only: Sequence[str] = (), progress: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Index every record of every kind (or of ``only``) again; returns the count per kind."""
    counts: dict[str, int] = {}
    for declared in kinds():
        if only and declared.name not in only:
            continue
        session.execute(delete(SearchDocument).where(SearchDocument.kind == declared.name))
        session.execute(delete(SearchPending).where(SearchPending.kind == declared.name))
        ids = list(session.scalars(select(declared.model.id).order_by(declared.model.id)))
        counts[declared.name] = 0
        for done, chunk in enumerate(_chunks(ids, BATCH)):
            documents = list(declared.documents(session, chunk))
            _insert(session, declared.name, documents)
            counts[declared.name] += len(documents)
            if progress:
                progress(declared.name, min((done + 1) * BATCH, len(ids)), len(ids))
    if not only:
        session.execute(delete(SearchState))
        session.add(SearchState(id=1, analysis_version=ANALYSIS_VERSION))
        session.flush()
    settle(session)
    return counts


def settle(session: Session) -> None:
    """After many documents were written: SQLite's FTS5 merges its index into one segment (a
    search then reads each term's list once, not once per segment: 3 to 8 times faster), and
    PostgreSQL's planner learns the new table (without, it scans every row for a common word)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE search_documents"))
    else:
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))


def is_current(session: Session) -> bool:
    """Whether the index was built with this analysis (an empty hub's index always is)."""
    version = session.scalar(select(SearchState.analysis_version))
    if version == ANALYSIS_VERSION:
        return True
    return version is None and not any(
        session.scalar(select(func.count()).select_from(k.model)) for k in kinds()
    )


def _insert(session: Session, kind: str, documents: list[Document]) -> None:
    if not documents:
        return
    rows = []
    words: set[str] = set()
    number = _KINDS[kind].number
    for document in documents:
        title, title_parts = analysis.analyse(document.title)
        summary, summary_parts = analysis.analyse(document.summary)
        about, about_parts = analysis.analyse(document.about)
        body, body_parts = analysis.analyse(document.body)
        rows.append(
            {
                "id": document_id(number, document.record_id),
                "kind": kind,
                "record_id": document.record_id,
                "programme_id": document.programme_id,
                "product_group_id": document.product_group_id,
                "country": document.country,
                "year": document.year,
                "title": " ".join(title),
                "summary": " ".join(summary),
                # Order means nothing to the match (no phrases); sorted, a record always gets
                # the same row. A name said twice is no more relevant.
                "about": " ".join(sorted(set(about))),
                "body": " ".join(sorted(body)),
                "parts": " ".join(sorted(set(chain(title_parts, summary_parts, about_parts, body_parts)))),
            }
        )
        words.update(_known_words(document))
    # Core: no ORM bookkeeping per row
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            PG_INSERT, [{TERMS.get(key, key): value for key, value in row.items()} for row in rows]
        )
    else:
        session.execute(insert(_DOCUMENTS), rows)
    if words:
        session.execute(
            _upsert(session, SearchWord).on_conflict_do_nothing(), [{"word": word} for word in sorted(words)]
        )


def _upsert(session: Session, model: type[Any]) -> Any:
    """An INSERT that can skip rows already there (ON CONFLICT), in the session's dialect."""
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return dialect_insert(model)


def _known_words(document: Document) -> Iterator[str]:
    """The words a misspelling is corrected to: those of titles and names."""
    for _language, written in chain(document.title, document.about):
        yield from _spelled(written) if len(written) <= 60 else _spelled.__wrapped__(written)


@lru_cache(maxsize=8192)  # names recur
def _spelled(text: str) -> tuple[str, ...]:
    return tuple(word for word in analysis.words(text) if len(word) >= 4 and word.isalpha())


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- following the ORM's writes ---

_PENDING = "search_pending"
FOLLOW = "search_follows"  # session.info[FOLLOW] = False: a session on a database without the index


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context: UOWTransaction) -> None:
    """The records this flush wrote, by kind (related objects are resolved after the flush)."""
    if not _WATCHED or not session.info.get(FOLLOW, True):
        return
    pending: dict[tuple[str, Related | None], list[Any]] = session.info.setdefault(
        _PENDING, defaultdict(list)
    )
    changed = (instance for instance in session.dirty if session.is_modified(instance))
    for instance in chain(session.new, changed, session.deleted):
        for kind, related in _WATCHED.get(type(instance), ()):
            pending[(kind, related)].append(instance.id if related is None else instance)


@event.listens_for(Session, "after_flush_postexec")
def _index_flushed(session: Session, _context: UOWTransaction) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    ids: dict[str, set[int]] = defaultdict(set)
    for (kind, related), noted in pending.items():
        ids[kind].update(noted if related is None else related(session, noted))
    for kind, record_ids in ids.items():
        # A renamed programme or product group may touch thousands of records: those wait for
        # the catch-up job rather than hold up the coordinator's request.
        if len(record_ids) > BATCH:
            _queue(session, kind, record_ids)
        elif record_ids:
            refresh(session, kind=kind, ids=record_ids)
