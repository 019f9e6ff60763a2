"""When a search finds nothing: a spelling suggestion from the index's own words, and how much the
same query finds without its filters.

The known words (``SearchWord``: the words of titles and names) are kept in the process, per
database: they only grow, so they are read again when a minute has passed or when the table's
count (or its first or last word) changed. A suggestion then costs a comparison of each unknown
query word with the known words of about its length (rapidfuzz), milliseconds at 100,000 pilots.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.search import analysis
from hub.search.models import SearchWord
from hub.search.query import MAX_QUERY, Query, parse
from hub.search.services import NO_FILTERS, Results, SharedFilters, counts

MIN_LENGTH = 4  # shorter words are left as typed (as the index keeps no shorter known words)
REFRESH_SECONDS = 60.0
_WORD = re.compile(r"[^\W_]+")


def max_edits(word: str) -> int:
    """How many letters may be wrong: one in a short word, two in a longer one."""
    return 1 if len(word) <= 5 else 2


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The known words, and the same grouped by (length, first letter) to compare with fewer."""

    words: frozenset[str]
    groups: Mapping[tuple[int, str], Sequence[str]]

    @classmethod
    def of(cls, words: Iterable[str]) -> Vocabulary:
        known = frozenset(words)
        groups: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in sorted(known):
            groups[(len(word), word[0])].append(word)
        return cls(known, dict(groups))

    def closest(self, word: str) -> str | None:
        """The known word fewest edits away (at most ``max_edits``): first among those that begin
        with the same letter (a first letter is seldom mistyped; comparing with them alone is many
        times quicker), then among all."""
        edits = max_edits(word)
        lengths = range(len(word) - edits, len(word) + edits + 1)
        starting = [known for length in lengths for known in self.groups.get((length, word[0]), ())]
        best = process.extractOne(word, starting, scorer=Levenshtein.distance, score_cutoff=edits)
        if best is None:
            others = [
                known
                for (length, first), group in self.groups.items()
                if length in lengths and first != word[0]
                for known in group
            ]
            best = process.extractOne(word, others, scorer=Levenshtein.distance, score_cutoff=edits)
        return best[0] if best else None


class KnownWords:
    """The index's words, per database, kept in the process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, tuple[object, ...], Vocabulary]] = {}  # read at, table state

    def of(self, session: Session) -> Vocabulary:
        key = session.get_bind().engine.url.render_as_string(hide_password=True)
        now = self._clock()
        state = tuple(
            session.execute(select(func.count(), func.min(SearchWord.word), func.max(SearchWord.word))).one()
        )
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[1] == state and now - kept[0] < REFRESH_SECONDS:
                return kept[2]
        vocabulary = Vocabulary.of(session.scalars(select(SearchWord.word)))
        with self._lock:
            self._kept[key] = (now, state, vocabulary)
        return vocabulary


KNOWN = KnownWords()


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
