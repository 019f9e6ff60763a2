"""A search box's text as a query: the same analysis as the records, then a match on either database.

Whatever is typed is searched as text: the query is rebuilt from the analysed words alone, so
quotes, ``AND``/``OR``/``NOT``/``NEAR``, ``*``, brackets, ``:``, ``^``, ``-``, ``%``, ``_``,
backslashes, NUL and emoji never reach FTS5's or ``to_tsquery``'s syntax.

Each word matches a record when the record has one of the word's stems (Dutch or English), a word
of the same glossary concept (``meubilair`` also finds "furniture"), or all the parts of the word
when it is a compound (``kantoorstoelen`` finds "kantoor" + "stoelen"); the last word also matches
as a prefix (while typing). All words must match.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

from hub.search import analysis
from hub.search.glossary import GLOSSARY
from hub.search.models import SearchDocument

MAX_WORDS = 8
MAX_QUERY = 500  # characters of a query that are read
MIN_PREFIX = 3
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
        # The last word is being typed: a prefix ("Rijkswat"); a short one only after other words
        # ("Dienst I"), as alone it would match nearly everything.
        words=tuple(
            _word(word, prefix=n == len(found) - 1 and (len(word) >= MIN_PREFIX or n > 0))
            for n, word in enumerate(found)
        ),
    )


def _word(word: str, *, prefix: bool) -> Word:
    parts: tuple[tuple[str, ...], ...] = ()
    for language in analysis.LANGUAGES:
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


def matches(dialect: str) -> Select[int, str, Any]:
    """The records matching the ``search`` parameter (``Query.expression``): record id, kind and
    rank (lower is better), on SQLite through FTS5's BM25, on PostgreSQL through ``ts_rank`` (a
    quarter of ``ts_rank_cd``'s cost per match, and without phrases proximity says little)."""
    if dialect == "postgresql":
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("search", type_=String))
        rank = -func.ts_rank(literal_column(_TS_WEIGHTS), _VECTOR, tsquery)
        return select(SearchDocument.record_id, SearchDocument.kind, rank.label("rank")).where(
            _VECTOR.op("@@")(tsquery)
        )
    return (
        select(SearchDocument.record_id, SearchDocument.kind, literal_column(_BM25).label("rank"))
        .select_from(_FTS)
        .join(SearchDocument, SearchDocument.id == _FTS.c.rowid)
        .where(text("search_fts MATCH :search"))
    )


def matching_ids(dialect: str, kind: str) -> Select[int]:
    """The ids of the records of ``kind`` matching ``search`` (for an ``IN`` condition)."""
    return matches(dialect).with_only_columns(SearchDocument.record_id).where(SearchDocument.kind == kind)
