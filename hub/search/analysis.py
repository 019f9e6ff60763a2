"""Text analysis for search: one way of turning Dutch and English text into index terms.

Records and queries go through the same steps, in Python, so that SQLite and PostgreSQL match the
same terms (their full-text engines only ever see terms made here):

1. words: letters and digits, accents and case folded ("Bureaustoelen," -> "bureaustoelen");
2. stop words of the language dropped;
3. Snowball stemming for that language ("hergebruikt" -> "herbruik", "reused" -> "reus");
4. compounds split into known words ("bureaustoelen" -> "bureau" + "stoel"), for a separate, lower
   weighted set of terms: a word found inside a compound ranks after the word itself.

Compounds are split after Koehn & Knight (2003): a rare word is split where its parts are more
common words than the whole, by the word frequencies of ``wordfreq`` for that language.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from statistics import geometric_mean

import Stemmer
from wordfreq import zipf_frequency

LANGUAGES = ("nl", "en")
_SNOWBALL = {"nl": "dutch", "en": "english"}
MAX_WORD = 40  # longer "words" are noise (hashes, URLs) and stay out of the index
_WORD = re.compile(r"[^\W_]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NAME = 60  # texts up to this long (names of vocabularies, countries, organisations) are analysed once

# Compounds: only rare words are split (common ones such as "verlichting" are words of their own).
_SPLIT_BELOW = 3.5  # Zipf frequency of the whole word
_MIN_PART = 3
_MIN_PART_ZIPF = 3.0  # wordfreq's "small" lists (7 MB in memory, not 65) hold the words above 3
_MIN_COMPOUND = 7

_DUTCH_STOP = (
    "de het een en van in op te voor met aan als bij door dat die dit deze is zijn werd worden "
    "wordt kan kunnen niet of om ook maar naar uit tot over dan zo wat wie waar hun hem zij ze "
    "zich er heeft hebben had was waren al nog meer daar wel veel iets elk elke per zoals mee "
    "welke ander andere hoe onze ons we wij u uw je jij"
)
_ENGLISH_STOP = (
    "the a an and of in on to for with at as by that this these those is are was were be been "
    "being it its can could not or but from into than so what who whom which their they them "
    "there has have had more all any such how about our we us you your"
)
STOP_WORDS = {"nl": frozenset(_DUTCH_STOP.split()), "en": frozenset(_ENGLISH_STOP.split())}


def fold(text: str) -> str:
    """Lower case without accents: "Coördinatie" -> "coordinatie"."""
    if text.isascii():  # most text: nothing to take off
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (punctuation, symbols and emoji are not words)."""
    return [word for word in _WORD.findall(fold(text)) if len(word) <= MAX_WORD]


class _Stemmers(threading.local):
    """PyStemmer's stemmers are not thread-safe: one set per thread."""

    def __init__(self) -> None:
        self.by_language = {language: Stemmer.Stemmer(name) for language, name in _SNOWBALL.items()}


_stemmers = _Stemmers()


@lru_cache(maxsize=262_144)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a folded word in ``language``."""
    return str(_stemmers.by_language[language].stemWord(word))


@lru_cache(maxsize=262_144)
def _zipf(word: str, language: str) -> float:
    return float(zipf_frequency(word, language, wordlist="small"))


def is_word(word: str) -> bool:
    """Whether a folded word is a word of either language in its own right (in wordfreq's lists)."""
    return any(_zipf(word, language) >= _MIN_PART_ZIPF for language in LANGUAGES)


@lru_cache(maxsize=131_072)
def compound_parts(word: str, language: str) -> tuple[str, ...]:
    """The words a rare compound is made of ("straatmeubilair" -> straat, meubilair), or ().
    A common word of either language is not split; two parts are preferred to three (frequent
    short words would otherwise split every word), and only the first part may have three letters."""
    if len(word) < _MIN_COMPOUND or not word.isalpha():
        return ()
    if any(_zipf(word, other) >= _SPLIT_BELOW for other in LANGUAGES):  # a word in its own right
        return ()
    return _best_split(word, language, parts=2) or _best_split(word, language, parts=3)


def _best_split(word: str, language: str, *, parts: int) -> tuple[str, ...]:
    best: tuple[float, tuple[str, ...]] = (_zipf(word, language), ())
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        tail = word[cut:]
        tails = (tail,) if parts == 2 else _best_split(tail, language, parts=2)
        if not tails or any(len(t) <= _MIN_PART for t in tails):  # only a first part may be that short
            continue
        for head in _heads(word[:cut], language):
            scores = [_zipf(part, language) for part in (head, *tails)]
            if min(scores) >= _MIN_PART_ZIPF and geometric_mean(scores) > best[0]:
                best = (geometric_mean(scores), (head, *tails))
    return best[1]


def _heads(head: str, language: str) -> Iterator[str]:
    """The first part as written, and without a Dutch linking "s" ("bedrijfs|kleding")."""
    yield head
    if language == "nl" and head.endswith("s") and len(head) > _MIN_PART:
        yield head[:-1]


def terms(text: str, language: str) -> list[str]:
    """The index terms of ``text`` in ``language``: stems of its words, stop words left out."""
    return list(_analysed(text, language)[0])


def analyse(texts: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Terms and compound-part terms (stems of the parts of its compounds) of (language, text) pairs."""
    found: list[str] = []
    parts: list[str] = []
    for language, text in texts:
        if text:
            text_terms, text_parts = (_name if len(text) <= _NAME else _analysed)(text, language)
            found.extend(text_terms)
            parts.extend(text_parts)
    return found, parts


def _analysed(text: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    stop = STOP_WORDS[language]
    kept = [word for word in words(text) if word not in stop]
    parts = [
        part
        for word in kept
        if len(word) >= _MIN_COMPOUND
        for part in compound_parts(word, language)
        if part not in stop
    ]
    stemmer = _stemmers.by_language[language]  # a whole text per call: its own C loop and cache
    return tuple(stemmer.stemWords(kept)), tuple(stemmer.stemWords(parts)) if parts else ()


# Names (of product groups, strategies, countries, organisations) recur in thousands of records.
_name = lru_cache(maxsize=8192)(_analysed)
