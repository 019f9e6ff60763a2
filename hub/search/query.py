"""A search box's text as a query: the same analysis as the records, then a match on either database.

Whatever is typed is searched as text: the query is rebuilt from the analysed words alone, so
quotes, ``AND``/``OR``/``NOT``/``NEAR``, ``*``, brackets, ``:``, ``^``, ``-``, ``%``, ``_``,
backslashes, NUL and emoji never reach FTS5's or ``to_tsquery``'s syntax.

Each word matches a record when the record has one of the word's stems (Dutch or English), a word
of the same glossary concept (``meubilair`` also finds "furniture"), or all the parts of the word
when it is a compound (``kantoorstoelen`` finds "kantoor" + "stoelen"); the last word also matches
as a prefix (while typing), or, when it is a word in its own right, also matches the longer words
of titles and names that begin with it. All words must match.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    Integer,
    ScalarSelect,
    Select,
    String,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from hub.search import analysis, index
from hub.search.glossary import GLOSSARY
from hub.search.models import SearchDocument, document_id
from hub.search.vocabulary import KNOWN, Vocabulary

MAX_WORDS = 8
MAX_QUERY = 500  # characters of a query that are read
MIN_PREFIX = 3
PREFIX_WORDS = 30  # known words a last word in its own right is completed with, at most
# Relevance: title above summary above what it is about and the rest, compound parts last.
_BM25 = "bm25(search_fts, 10.0, 4.0, 2.0, 1.0, 0.5)"
_TS_WEIGHTS = "'{0.05, 0.2, 0.4, 1.0}'::float4[]"  # D, C, B, A


@dataclasses.dataclass(frozen=True)
class Word:
    text: str  # folded, as typed
    stems: tuple[str, ...]  # any of these matches
    parts: tuple[tuple[str, ...], ...] = ()  # or one of each of these (a compound's parts)
    prefix: bool = False  # or a term starting with ``text``


@dataclasses.dataclass(frozen=True)
class Query:
    text: str
    words: tuple[Word, ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def terms(self) -> frozenset[str]:
        """Every term that counts as a match (for highlighting)."""
        return frozenset(
            term for word in self.words for term in (*word.stems, *(t for part in word.parts for t in part))
        )

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(word.text for word in self.words if word.prefix)

    def expression(self, dialect: str) -> str:
        """The full-text query for ``dialect``: FTS5's MATCH syntax or ``to_tsquery``'s."""
        if dialect == "postgresql":
            return " & ".join(_alternatives(word, "'{}'", "'{}':*", " | ", " & ") for word in self.words)
        return " AND ".join(_alternatives(word, '"{}"', '"{}"*', " OR ", " AND ") for word in self.words)


def _alternatives(word: Word, term: str, prefix: str, either: str, each: str) -> str:
    options = [term.format(stem) for stem in word.stems]
    if word.prefix:
        options.append(prefix.format(word.text))
    if word.parts:
        options.append(
            "("
            + each.join("(" + either.join(term.format(t) for t in part) + ")" for part in word.parts)
            + ")"
        )
    return "(" + either.join(options) + ")"


@lru_cache(maxsize=1024)
def parse(typed: str) -> Query:
    """The query of a search box entry; empty (false) when it has no word to look for."""
    found: list[str] = []
    for word in analysis.words(typed[:MAX_QUERY]):
        if word not in found and not any(word in stop for stop in analysis.STOP_WORDS.values()):
            found.append(word)
    found = found[:MAX_WORDS]
    return Query(
        text=typed[:MAX_QUERY],
        words=tuple(
            _word(word, prefix=n == len(found) - 1 and _typing(word, n)) for n, word in enumerate(found)
        ),
    )


def _typing(word: str, position: int) -> bool:
    """Whether the last word may still be being typed, and so is also looked for as a prefix
    ("Rijkswat"): not when it is a word in its own right ("materiaal": its other forms are found
    by its stems, the compounds it starts by their parts, and a prefix of a common word costs a
    merge of every term it starts); a short one only after other words ("Dienst I"), as alone it
    would match nearly everything."""
    if len(word) < MIN_PREFIX:
        return position > 0
    return not analysis.is_word(word)


def _word(word: str, *, prefix: bool) -> Word:
    parts: tuple[tuple[str, ...], ...] = ()
    # A compound the glossary knows is not split: its concept's words already say what its parts
    # would ("tweedehandsaankoop": second-hand), and a part such as "aankoop" matches every record.
    for language in () if word in _CONCEPTS else analysis.LANGUAGES:
        compound = analysis.compound_parts(word, language)
        if compound:
            parts = tuple(_stems(part) for part in compound)
            break
    return Word(text=word, stems=_stems(word), parts=parts, prefix=prefix)


def _stems(word: str) -> tuple[str, ...]:
    """The word's stems in both languages and those of the words of its glossary concepts."""
    stems = {analysis.stem(word, language) for language in analysis.LANGUAGES}
    for concept in _CONCEPTS.get(word, ()):
        stems.update(_CONCEPT_STEMS[concept])
    return tuple(sorted(stems))


# --- the last word completed with the index's known words ---


def completed(query: Query, vocabulary: Vocabulary) -> Query:
    """``query`` with its last word, when it is a word in its own right (so not also a prefix),
    also matching the longer known words that begin with it ("voorbeeld": "Voorbeeldegem"): the
    words of titles and names in the index, at most ``PREFIX_WORDS``. Unlike a prefix, which
    merges the lists of every term it begins (all forms of a common word), this adds only them."""
    last = query.words[-1] if query else None
    if last is None or last.prefix or len(last.text) < MIN_PREFIX:
        return query
    longer = vocabulary.starting(last.text, PREFIX_WORDS)
    if not longer:
        return query
    stems = {
        *last.stems,
        *(analysis.stem(word, language) for word in longer for language in analysis.LANGUAGES),
    }
    words = (*query.words[:-1], dataclasses.replace(last, stems=tuple(sorted(stems))))
    return dataclasses.replace(query, words=words)


def completed_in(session: Session, query: Query) -> Query:
    """``query`` :func:`completed` with the known words of the session's database (what a page
    searches for, and so what its snippets mark)."""
    return completed(query, KNOWN.of(session, checked=False))


def search_text(session: Session, query: Query) -> str:
    """The ``search`` parameter of ``query`` on the session's database (:func:`completed_in`)."""
    return completed_in(session, query).expression(session.get_bind().dialect.name)


# --- the glossary: words of one concept, in either language, find each other ---


def _glossary() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(word or stem -> concepts, concept -> the stems of its words in both languages)."""
    concepts: dict[str, set[str]] = defaultdict(set)
    stems: dict[str, set[str]] = defaultdict(set)
    for concept, forms in GLOSSARY.items():
        for form in forms:
            written = analysis.words(form)
            if len(written) != 1:  # "second life", "ict-apparatuur": not one word
                continue
            concepts[written[0]].add(concept)
            for language in analysis.LANGUAGES:
                stems[concept].add(analysis.stem(written[0], language))
    return concepts, stems


_CONCEPTS, _CONCEPT_STEMS = _glossary()


# --- matching in the database ---

_FTS = table("search_fts", column("rowid"))
_VECTOR: ColumnElement[Any] = literal_column("search_documents.search_vector")


def _tsquery() -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("search", type_=String))


def _pg_rank() -> ColumnElement[Any]:
    # ``ts_rank``: a quarter of ``ts_rank_cd``'s cost per match; without phrases proximity says little.
    return -func.ts_rank(literal_column(_TS_WEIGHTS), _VECTOR, _tsquery())


def matches(dialect: str, kind: str) -> Select[int, Any]:
    """The records of ``kind`` matching the ``search`` parameter (``Query.expression``): record id
    and rank (lower is better), on SQLite through FTS5's BM25, on PostgreSQL through ``ts_rank``."""
    number = index.kind_named(kind).number
    hits = _hits(dialect, number, (), ranked=True).subquery()
    return select((hits.c.id - document_id(number, 0)).label("record_id"), hits.c.rank)


def matching_ids(dialect: str, kind: str) -> Select[int]:
    """The ids of the records of ``kind`` matching ``search`` (for an ``IN`` condition)."""
    number = index.kind_named(kind).number
    hits = _hits(dialect, number, (), ranked=False).subquery()
    return select(hits.c.id - document_id(number, 0))


# --- the matches of one kind, or of several, counted and ranked within bounds ---
#
# A document's id is its kind's number × KIND_SPAN + its record's id, so the matches of one kind
# are a range of ids: FTS5 and PostgreSQL (a GIN index per kind) go straight to it, and a match's
# kind and record need no join. A word most records have ("materiaal", "aankoop") matches tens of
# thousands: such a search is counted up to COUNT_CAP ("10,000+") and ranks the RANKED most recent
# matches of each kind, so it costs about what a narrow one does; a narrower search is counted and
# ranked in full.

COUNT_CAP = 10_000
RANKED = 500


def _in_kind(ident: ColumnElement[int], number: int) -> ColumnElement[bool]:
    # Written out, not bound: PostgreSQL then sees that the kind's partial GIN index applies.
    low, high = document_id(number, 0), document_id(number + 1, 0) - 1
    return ident.between(literal_column(str(low)), literal_column(str(high)))


def _hits(
    dialect: str,
    number: int,
    conditions: Sequence[ColumnElement[bool]],
    *,
    ranked: bool,
    dense: bool = False,
) -> Select[*tuple[Any, ...]]:
    """The documents of the kind numbered ``number`` matching ``search`` within ``conditions``
    (on ``SearchDocument``'s columns): their id, and their rank when ``ranked``."""
    ident: ColumnElement[int]
    if dialect == "postgresql":
        ident = SearchDocument.__table__.c.id
        rank = [_pg_rank().label("rank")] if ranked else []
        match = _VECTOR.op("@@")(_tsquery())
        # Most of the kind matches: reading its newest documents until enough match beats
        # reading every match from the index, which ``IS TRUE`` keeps the planner from doing.
        statement = select(ident.label("id"), *rank).where(match.is_(True) if dense else match)
    else:
        ident = _FTS.c.rowid
        rank = [literal_column(_BM25).label("rank")] if ranked else []
        statement = select(ident.label("id"), *rank).select_from(_FTS).where(text("search_fts MATCH :search"))
        if conditions:
            statement = statement.join(SearchDocument, SearchDocument.id == ident)
    return statement.where(_in_kind(ident, number), *conditions)


def counted(
    dialect: str, numbers: Sequence[int], conditions: Sequence[ColumnElement[bool]] = ()
) -> Executable:
    """(kind number, matches) for each of ``numbers``, counted up to ``COUNT_CAP + 1``; on
    PostgreSQL run it :func:`from_the_index`."""
    counts = [
        select(literal(number).label("number"), count_of(dialect, number, conditions).label("matches"))
        for number in numbers
    ]
    return counts[0] if len(counts) == 1 else union_all(*counts)


def count_of(dialect: str, number: int, conditions: Sequence[ColumnElement[bool]] = ()) -> ScalarSelect[int]:
    """The matches of the kind numbered ``number``, counted up to ``COUNT_CAP + 1``."""
    hits = _hits(dialect, number, conditions, ranked=False).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(hits).scalar_subquery()


@contextmanager
def from_the_index(connection: Connection, *, newest_first: bool = False) -> Iterator[None]:
    """PostgreSQL reads the matches through the GIN indexes (or, with ``newest_first``, also a
    kind's documents from the newest: :func:`best_first`'s dense kinds), never the whole table.
    Its estimate of how many documents a query of several words matches is often far off (ten
    words of one concept: 20,000 where 6,000 do), and then it reads every row (half a second)."""
    settings = ("enable_seqscan",) if newest_first else ("enable_seqscan", "enable_indexscan")
    if connection.dialect.name != "postgresql":
        yield
        return
    for setting in settings:
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    try:
        yield
    finally:
        for setting in settings:
            connection.exec_driver_sql(f"SET LOCAL {setting} = on")


def _window(
    dialect: str, number: int, conditions: Sequence[ColumnElement[bool]], *, dense: bool
) -> Select[*tuple[Any, ...]]:
    """The ``RANKED`` most recent matches of a kind, with their rank (computed for those only)."""
    if dialect != "postgresql":  # FTS5 reads its lists from the end, ranking as it goes
        hits = _hits(dialect, number, conditions, ranked=True)
        return select(hits.order_by(_FTS.c.rowid.desc()).limit(RANKED).subquery())
    # Where few match, ``+ 0`` keeps the planner from reading the kind's documents from the newest
    # until enough match: the matches come from the index, and are sorted. Ranked afterwards, as
    # ``ts_rank`` reads each document's vector (a few µs a document).
    newest = SearchDocument.id.desc() if dense else (SearchDocument.id + 0).desc()
    found = _hits(dialect, number, conditions, ranked=False, dense=dense).order_by(newest).limit(RANKED)
    window = found.subquery()
    return select(SearchDocument.id, _pg_rank().label("rank")).join(window, window.c.id == SearchDocument.id)


def best_first(
    dialect: str,
    numbers: Sequence[int],
    conditions: Sequence[ColumnElement[bool]] = (),
    *,
    dense: Collection[int] = (),
) -> Select[*tuple[Any, ...]]:
    """The ``RANKED`` most recent matches of each kind of ``numbers`` (most recently indexed: newest
    or last changed), best first: (document id, rank); paged with ``limit`` and ``offset``. The
    kinds in ``dense`` had more than ``COUNT_CAP`` matches. On PostgreSQL run it
    ``from_the_index(connection, newest_first=True)``."""
    windows = [_window(dialect, number, conditions, dense=number in dense) for number in numbers]
    found = (union_all(*windows) if len(windows) > 1 else windows[0]).subquery()
    return (
        select(found.c.id, found.c.rank)
        .order_by(found.c.rank, found.c.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
