"""The index's known words: the words of titles and names (``SearchWord``), kept in the process per
database. A misspelt query word is compared with them (``hub.search.suggestions``), and a query's
last word is completed with those that begin with it (``hub.search.query.completed``). They only
grow, so they are read again when a minute has passed or (where asked) when the table's count, or
its first or last word, changed.
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.search.models import SearchWord

REFRESH_SECONDS = 60.0


def max_edits(word: str) -> int:
    """How many letters may be wrong: one in a short word, two in a longer one."""
    return 1 if len(word) <= 5 else 2


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The known words, and the same grouped by (length, first letter) to compare with fewer."""

    words: frozenset[str]
    groups: Mapping[tuple[int, str], Sequence[str]]
    ordered: Sequence[str] = ()

    @classmethod
    def of(cls, words: Iterable[str]) -> Vocabulary:
        ordered = sorted(set(words))
        groups: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in ordered:
            groups[(len(word), word[0])].append(word)
        return cls(frozenset(ordered), dict(groups), tuple(ordered))

    def starting(self, prefix: str, most: int) -> list[str]:
        """Up to ``most`` known words longer than ``prefix`` that begin with it, alphabetically."""
        first = bisect.bisect_right(self.ordered, prefix)
        found = []
        for word in self.ordered[first : first + most]:
            if not word.startswith(prefix):
                break
            found.append(word)
        return found

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

    def of(self, session: Session, *, checked: bool = True) -> Vocabulary:
        """The words of the session's database. ``checked``: read them again at once when the table
        changed (a small query); a search's completion does without, a spelling suggestion not."""
        key = session.get_bind().engine.url.render_as_string(hide_password=True)
        now = self._clock()
        with self._lock:
            kept = self._kept.get(key)
        fresh = kept is not None and now - kept[0] < REFRESH_SECONDS
        if kept is not None and fresh and not checked:
            return kept[2]
        state = tuple(
            session.execute(select(func.count(), func.min(SearchWord.word), func.max(SearchWord.word))).one()
        )
        if kept is not None and fresh and kept[1] == state:
            return kept[2]
        vocabulary = Vocabulary.of(session.scalars(select(SearchWord.word)))
        with self._lock:
            self._kept[key] = (now, state, vocabulary)
        return vocabulary

    def forget(self) -> None:
        """Read every database's words again when next asked (the tests' databases change within
        a minute)."""
        with self._lock:
            self._kept.clear()


KNOWN = KnownWords()
