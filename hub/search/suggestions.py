"""When a search finds nothing: a spelling suggestion from the index's own words, and how much the
same query finds without its filters.

A suggestion compares each unknown query word with the index's known words of about its length
(``hub.search.vocabulary``; rapidfuzz), milliseconds at 100,000 pilots.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from hub.search import analysis
from hub.search.query import MAX_QUERY, Query, parse
from hub.search.services import NO_FILTERS, Results, SharedFilters, counts
from hub.search.vocabulary import KNOWN, KnownWords

MIN_LENGTH = 4  # shorter words are left as typed (as the index keeps no shorter known words)
_WORD = re.compile(r"[^\W_]+")


def corrections(session: Session, query: Query, *, known: KnownWords = KNOWN) -> dict[str, str]:
    """Each word of the query that is not a known word -> the closest known word, if one is close."""
    vocabulary = known.of(session)
    found: dict[str, str] = {}
    for word in analysis.words(query.text[:MAX_QUERY]):
        if word in vocabulary.words or word in found or len(word) < MIN_LENGTH or not word.isalpha():
            continue
        closest = vocabulary.closest(word)
        if closest:
            found[word] = closest
    return found


def spelling(
    session: Session,
    query: Query,
    filters: SharedFilters = NO_FILTERS,
    *,
    known: KnownWords = KNOWN,
) -> str | None:
    """The query with its misspelt words corrected, if that finds something within ``filters``."""
    if not query:
        return None
    replaced = corrections(session, query, known=known)
    if not replaced:
        return None
    text = _replace(query.text, replaced)
    corrected = parse(text)
    return text if corrected and counts(session, corrected, filters) else None


def _replace(text: str, replaced: dict[str, str]) -> str:
    """``text`` with the words ``replaced`` names swapped (the rest as typed)."""

    def swap(match: re.Match[str]) -> str:
        folded = "".join(analysis.words(match.group()))
        return replaced.get(folded, match.group())

    return _WORD.sub(swap, text)


def without_filters(session: Session, query: Query) -> int:
    """How many records of every kind ``query`` finds without any filter."""
    return Results(counts(session, query), [], 1).found
