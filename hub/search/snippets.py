"""A result's snippet: a few words of its text around what the query found, the found words marked.

A word of the text is found when the analysis (``hub.search.analysis``) makes of it a term the
query looks for: one of its stems in either language, or a stem of a part of it when it is a
compound ("bureaustoelen" for "stoel"); or when it starts with the query's prefix (the word being
typed). So the snippet marks what the search matched, not only the letters typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from hub.search import analysis
from hub.search.query import Query, parse

ELLIPSIS = "…"
MAX_READ = 20_000  # characters of a text that are looked at: a snippet comes from its beginning
_WORD = re.compile(r"[^\W_]+")


def snippet(text: str | None, query: Query | str, *, words: int = 30) -> Markup:
    """About ``words`` words of ``text`` around its best cluster of found words, each found word
    in ``<mark>``, "…" where the text is cut; all of it HTML-escaped. Empty without text or
    without words to look for."""
    if isinstance(query, str):
        query = parse(query)
    if not text or not query:
        return Markup("")
    cut = len(text) > MAX_READ
    text = unicodedata.normalize("NFC", text[:MAX_READ])
    spans = [match.span() for match in _WORD.finditer(text)]
    if not spans:
        return Markup("")
    found = _found(text, spans, query)
    start, end = _window(found, words)
    return _render(text, spans, found, start, end, cut=cut)


def _found(text: str, spans: Sequence[tuple[int, int]], query: Query) -> list[str | None]:
    """For each word of the text, its folded form when the query finds it, else None."""
    terms, prefixes = query.terms, query.prefixes
    marked: list[str | None] = []
    for begin, end in spans:
        folded = analysis.fold(text[begin:end])
        found = not terms.isdisjoint(_forms(folded)) or any(folded.startswith(p) for p in prefixes)
        marked.append(folded if folded and found else None)
    return marked


@lru_cache(maxsize=65_536)
def _forms(word: str) -> frozenset[str]:
    """The terms a folded word is indexed under: its stems and its parts' stems, both languages
    (a page of 50 summaries repeats most of its words: each is analysed once per process)."""
    return frozenset(
        stem
        for language in analysis.LANGUAGES
        for stem in (
            analysis.stem(word, language),
            *(analysis.stem(part, language) for part in analysis.compound_parts(word, language)),
        )
    )


def _window(found: Sequence[str | None], size: int) -> tuple[int, int]:
    """The words [start, end) to show: the window of ``size`` words with the most different found
    words (then the most found words, then the first), moved so its found words sit in the middle."""
    count = len(found)
    size = max(1, size)
    if count <= size:
        return 0, count
    seen: Counter[str] = Counter(word for word in found[:size] if word)
    best, best_score = 0, (len(seen), sum(seen.values()))
    for start in range(1, count - size + 1):
        leaving, entering = found[start - 1], found[start + size - 1]
        if leaving:
            seen[leaving] -= 1
            if not seen[leaving]:
                del seen[leaving]
        if entering:
            seen[entering] += 1
        score = (len(seen), sum(seen.values()))
        if score > best_score:
            best, best_score = start, score
    hits = [n for n in range(best, best + size) if found[n]]
    if not hits:
        return 0, size
    slack = size - (hits[-1] - hits[0] + 1)
    start = max(0, min(hits[0] - slack // 2, count - size))
    return start, start + size


def _render(
    text: str,
    spans: Sequence[tuple[int, int]],
    found: Sequence[str | None],
    start: int,
    end: int,
    *,
    cut: bool,
) -> Markup:
    first = 0 if start == 0 else spans[start][0]
    last = len(text) if end == len(spans) else spans[end - 1][1]
    pieces: list[str] = [ELLIPSIS] if start else []
    at = first
    for n in range(start, end):
        if found[n]:
            begin, finish = spans[n]
            pieces.append(escape(text[at:begin]))
            pieces.append(Markup("<mark>%s</mark>") % text[begin:finish])
            at = finish
    pieces.append(escape(text[at:last]))
    if end < len(spans) or cut:
        pieces.append(ELLIPSIS)
    return Markup("").join(pieces)
