"""The mixed queries of the search speed benchmark (``bench/search.py``), made from the hub's
vocabularies and the demo's material, never from search results.

Words come from the names of product groups and strategies, what the demo's pilots buy
(``OBJECTS``) and the phases, in Dutch and English; compounds and the words inside them are
found against every word of those names, the demo's lessons and its library; place names are the
demo's invented ones (root + ending, "Klaverdonk"). The kinds:

- ``single``: one word as written ("meubilair", "laptops");
- ``two_words``: two neighbouring words of a name ("office chairs", "primaire grondstoffen");
- ``compound``: a word made of known words ("bureaustoelen", "kantoormeubilair", a place);
- ``inflected``: another form of a word by plain rules ("hergebruikt", "chair", "recycled");
- ``part``: a known word found inside a compound ("stoelen", "meubilair");
- ``no_hit``: nonsense that no record holds.

The same seed gives the same queries.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from hub.demo.lessons import LESSONS, LessonText
from hub.demo.library import LIBRARY, LibraryText
from hub.demo.material import OBJECTS, PHASE_NAMES, PLACE_PARTS
from hub.search.analysis import STOP_WORDS
from hub.taxonomy.vocabulary import PRODUCT_GROUPS, STRATEGIES

SEED = 2020
# (kind, its share of the queries)
KINDS = (
    ("single", 40),
    ("two_words", 40),
    ("compound", 35),
    ("inflected", 35),
    ("part", 30),
    ("no_hit", 20),
)
LANGUAGES = ("nl", "en")
MIN_PART = 5  # shorter "parts" ("open", "time") are coincidences, not words inside a compound
PLACES = 12

_WORD = re.compile(r"[^\W\d_]+")
Pool = list[tuple[str, str]]  # (language, text)


@dataclass(frozen=True)
class BenchQuery:
    text: str
    language: str  # of the words, and of the pages it is searched on
    kind: str


def make_queries(count: int = 200, seed: int = SEED) -> list[BenchQuery]:
    """``count`` queries in the proportions of ``KINDS``, alternating the languages where the
    material has both, no query twice, in a fixed mixed order."""
    rng = random.Random(seed)
    pools = _pools(rng)
    queries: list[BenchQuery] = []
    used: set[tuple[str, str]] = set()
    total = sum(share for _, share in KINDS)
    for position, (kind, share) in enumerate(KINDS):
        wanted = share * count // total if position < len(KINDS) - 1 else count - len(queries)
        drawn = _draw(rng, [entry for entry in pools[kind] if entry not in used], wanted)
        used.update(drawn)
        queries += [BenchQuery(text, language, kind) for language, text in drawn]
    rng.shuffle(queries)  # kinds mixed, so a slow spell of the machine hits every kind
    return queries


def _draw(rng: random.Random, pool: Pool, wanted: int) -> Pool:
    """``wanted`` entries of ``pool``, alternating the languages while both have some left (a
    pool smaller than ``wanted`` is drawn from again)."""
    drawn: Pool = []
    while len(drawn) < wanted and pool:
        left = {language: [e for e in pool if e[0] == language] for language in LANGUAGES}
        for entries in left.values():
            rng.shuffle(entries)
        while len(drawn) < wanted and any(left.values()):
            for language in LANGUAGES:
                entries = left[language] or left["en" if language == "nl" else "nl"]
                if entries and len(drawn) < wanted:
                    drawn.append(entries.pop())
    return drawn


def _pools(rng: random.Random) -> dict[str, Pool]:
    names = _names()
    known = _known_words(names)
    words = {
        language: sorted({w for t in texts for w in _words(t, language)}) for language, texts in names.items()
    }
    both = set(words["nl"]) & set(words["en"])  # "catering", "laptops": not Dutch to inflect
    pairs = {
        language: sorted(
            {
                " ".join(ws[i : i + 2])
                for ws in (_words(t, language) for t in texts)
                for i in range(len(ws) - 1)
            }
        )
        for language, texts in names.items()
    }
    compounds = {
        language: [w for w in words[language] if _parts(w, known[language])] for language in LANGUAGES
    }
    places = sorted(
        {
            (root + ending).lower()
            for roots, endings in PLACE_PARTS.values()
            for root in roots
            for ending in endings
        }
    )
    verbs = {w for strategy in STRATEGIES for w in _words(strategy.name_en, "en")}  # reduce, reuse
    inflected = [
        (lang, form)
        for lang in LANGUAGES
        for w in words[lang]
        if w not in both and (form := _inflected(w, lang, verbs))
    ]
    every = {word for words_ in known.values() for word in words_}
    nonsense = sorted({word for word in (_nonsense(rng) for _ in range(100)) if word not in every})
    return {
        "single": [(language, w) for language in LANGUAGES for w in words[language]],
        "two_words": [(language, p) for language in LANGUAGES for p in pairs[language]],
        "compound": [(lang, w) for lang in LANGUAGES for w in compounds[lang]]
        + [("nl", place) for place in rng.sample(places, PLACES)],
        "inflected": inflected,
        "part": sorted(
            {(lang, part) for lang in LANGUAGES for w in compounds[lang] for part in _parts(w, known[lang])}
        ),
        "no_hit": [(LANGUAGES[n % 2], word) for n, word in enumerate(nonsense)],
    }


def _words(text: str, language: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) >= 4 and w not in STOP_WORDS[language]]


def _names() -> dict[str, list[str]]:
    """Per language: the names of product groups and strategies, what is bought, the phases."""
    pairs = [
        *((group.name_nl, group.name_en) for group in PRODUCT_GROUPS),
        *((strategy.name_nl, strategy.name_en) for strategy in STRATEGIES),
        *(pair for objects in OBJECTS.values() for pair in objects),
        *PHASE_NAMES.values(),
    ]
    return {"nl": [nl for nl, _ in pairs], "en": [en for _, en in pairs]}


def _known_words(names: dict[str, list[str]]) -> dict[str, set[str]]:
    """Every word of the names, the demo's lessons and its library."""
    texts = {language: list(names[language]) for language in LANGUAGES}
    items: list[LessonText | LibraryText] = [*LESSONS, *LIBRARY]
    for item in items:
        texts["nl"] += [item.title_nl, item.body_nl]
        texts["en"] += [item.title_en, item.body_en]
    return {language: {w for t in texts[language] for w in _words(t, language)} for language in LANGUAGES}


def _parts(word: str, known: set[str]) -> list[str]:
    """Known words ``word`` ends with (leaving three letters) or starts with (leaving four, so
    that "building" is no compound): "kantoormeubilair": "meubilair", "rolstoelen": "stoelen"."""
    tails = [word[i:] for i in range(3, len(word) - MIN_PART + 1) if word[i:] in known]
    heads = [word[:i] for i in range(len(word) - 4, MIN_PART - 1, -1) if word[:i] in known]
    return tails[:1] + heads[:1]


def _inflected(word: str, language: str, verbs: set[str]) -> str | None:
    """Another form of ``word`` by plain rules, or None where none applies."""
    if language == "en":
        if word.endswith("ing") and len(word) > 6:
            return word[:-3] + "ed"  # recycling: recycled
        if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
            return word[:-1]  # chairs: chair
        return word + "d" if word.endswith("e") and word in verbs else None  # reuse: reused
    if word.endswith("en") and len(word) > 6:
        stem = word[:-2]  # stoelen: stoel; vlaggen: vlag
        return stem[:-1] if stem[-1] == stem[-2] else stem
    if word.endswith("ik"):
        return word + "t"  # hergebruik: hergebruikt
    return word + "en" if word.endswith("ing") else None  # aanbesteding: aanbestedingen


def _nonsense(rng: random.Random) -> str:
    onsets, vowels, codas = (
        ("bl", "kr", "zw", "gl", "fr", "sn", "pl", "q", "x", "z"),
        "aoui",
        ("rp", "zz", "x", "ft"),
    )
    return "".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(2))
