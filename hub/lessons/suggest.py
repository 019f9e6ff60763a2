"""Ranked suggestions of lessons for a pilot, and of pilots for a lesson, across Dutch and English.

A record scores for sharing the other's product group, a strategy and its phase, and for text
similarity: both records' texts in both languages become concept tokens through the bilingual
glossary (:mod:`hub.search.glossary`, with the search's analysis: each text read in its language),
weighted by TF-IDF over the ranked records and compared by cosine similarity. So a Dutch-only
lesson can match an English-only pilot, and a general lesson (no product group) still ranks when
its text matches.

``Index.of_lessons(session)`` (or ``of_pilots``) vectorises the records once (inverted lists per
concept, and per product group, strategy and phase); ``index.rank(features, limit)`` then only
touches the records that share something with the query, so one index serves many queries
quickly, and :class:`IndexCache` keeps it in a web process until its table changes. A suggestion
is only ever a suggestion: nothing here writes a link.
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from hub.lessons.models import Lesson, LessonPilotLink, SuggestionDismissal, lesson_pilots
from hub.pilots.models import Pilot, pilot_strategies
from hub.search.glossary import LANGUAGES, concepts
from hub.taxonomy.models import Phase, ProductGroup, Strategy

K = TypeVar("K")

# What each kind of match adds to the score (text similarity is a cosine in [0, 1]).
WEIGHTS = {"product_group": 0.30, "strategy": 0.15, "phase": 0.10, "words": 0.55}
# A lesson about another product group rarely applies: its score is scaled by this.
OTHER_GROUP = 0.4
# Product groups whose lessons carry over (same materials or same kitchen): half a match, no penalty.
RELATED_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"textiles", "workwear"}),
    frozenset({"food", "catering", "disposables"}),
    frozenset({"construction", "infrastructure"}),
    frozenset({"furniture", "office_furnishing"}),
    frozenset({"ict", "office_furnishing"}),
)
RELATED = 0.5
TITLE_REPEAT = 2  # titles count twice: they say what the record is about
MAX_WORDS = 5  # shared concepts named in a "words" reason

Reason = tuple[str, str | list[str]]


@dataclass(frozen=True)
class Suggestion:
    id: int  # of the lesson (for a pilot) or of the pilot (for a lesson)
    score: float
    reasons: list[Reason]


@dataclass(frozen=True)
class Features:
    """What ranking compares: product group, strategies, phase and the text's concepts."""

    product_group_id: int | None
    strategy_ids: frozenset[int]
    phase: Phase | None
    terms: Counter[str]


def pilot_features(session: Session, pilot_id: int) -> Features:
    pilot = session.get(Pilot, pilot_id)
    if pilot is None:
        raise LookupError(f"no pilot {pilot_id}")
    strategies = session.scalars(
        select(pilot_strategies.c.strategy_id).where(pilot_strategies.c.pilot_id == pilot_id)
    )
    return Features(
        product_group_id=pilot.product_group_id,
        strategy_ids=frozenset(strategies),
        phase=pilot.phase,
        terms=text_terms((pilot.title_nl, pilot.title_en), (pilot.summary_nl, pilot.summary_en)),
    )


def lesson_features(session: Session, lesson_id: int) -> Features:
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise LookupError(f"no lesson {lesson_id}")
    return Features(
        product_group_id=lesson.product_group_id,
        strategy_ids=frozenset([lesson.strategy_id] if lesson.strategy_id else []),
        phase=lesson.phase,
        terms=text_terms((lesson.title_nl, lesson.title_en), (lesson.body_nl, lesson.body_en)),
    )


def lessons_not_to_suggest(session: Session, pilot_id: int) -> frozenset[int]:
    """Lessons linked to the pilot already, learned in it, or turned down for it."""
    linked = select(LessonPilotLink.lesson_id).where(
        LessonPilotLink.pilot_id == pilot_id, LessonPilotLink.withdrawn_at.is_(None)
    )
    drawn = select(lesson_pilots.c.lesson_id).where(lesson_pilots.c.pilot_id == pilot_id)
    dismissed = select(SuggestionDismissal.lesson_id).where(SuggestionDismissal.pilot_id == pilot_id)
    return frozenset(session.scalars(union(linked, drawn, dismissed)))


def pilots_not_to_suggest(session: Session, lesson_id: int) -> frozenset[int]:
    """Pilots the lesson is linked to already, learned in, or was turned down for."""
    linked = select(LessonPilotLink.pilot_id).where(
        LessonPilotLink.lesson_id == lesson_id, LessonPilotLink.withdrawn_at.is_(None)
    )
    drawn = select(lesson_pilots.c.pilot_id).where(lesson_pilots.c.lesson_id == lesson_id)
    dismissed = select(SuggestionDismissal.pilot_id).where(SuggestionDismissal.lesson_id == lesson_id)
    return frozenset(session.scalars(union(linked, drawn, dismissed)))


def text_terms(titles: tuple[str, str], bodies: tuple[str, str]) -> Counter[str]:
    """Concept counts of a record's (Dutch, English) titles (repeated) and bodies, each read in
    its language."""
    terms: Counter[str] = Counter()
    for language, title in zip(LANGUAGES, titles, strict=True):
        for _ in range(TITLE_REPEAT):
            terms.update(concepts(title, language))
    for language, body in zip(LANGUAGES, bodies, strict=True):
        terms.update(concepts(body, language))
    return terms


def _weights(terms: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear TF times IDF, unit length; terms unknown to the lesson base are left out."""
    vector = {t: (1.0 + math.log(n)) * idf[t] for t, n in terms.items() if t in idf}
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}


class Index:
    """Live records (lessons, or pilots), vectorised once, for ranking against many queries."""

    def __init__(
        self,
        ids: list[int],
        programmes: list[int],
        features: list[Features],
        group_codes: dict[int, str],
        strategy_codes: dict[int, str],
    ) -> None:
        self.ids = ids
        self.programmes = programmes
        self.groups = [f.product_group_id for f in features]
        self.strategies = [f.strategy_ids for f in features]
        self.phases = [f.phase for f in features]
        self.group_codes = group_codes
        self.strategy_codes = strategy_codes
        self.rows = {record_id: i for i, record_id in enumerate(ids)}
        count = len(ids)
        df: Counter[str] = Counter()
        for f in features:
            df.update(f.terms.keys())
        self.idf = {t: math.log((count + 1) / (n + 0.5)) for t, n in df.items()}
        self.vectors = [_weights(f.terms, self.idf) for f in features]
        self.postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, vector in enumerate(self.vectors):
            for t, w in vector.items():
                rows, weights = self.postings.setdefault(t, ([], []))
                rows.append(i)
                weights.append(w)
        self.by_group = _rows_by(self.groups)
        self.by_strategy: dict[int, list[int]] = {}
        for i, strategy_ids in enumerate(self.strategies):
            for strategy_id in strategy_ids:
                self.by_strategy.setdefault(strategy_id, []).append(i)
        self.by_phase = _rows_by(self.phases)
        ids_of = {code: group_id for group_id, code in group_codes.items()}
        self.related: dict[int, frozenset[int]] = {}
        for family in RELATED_GROUPS:
            for code in family:
                if code in ids_of:
                    others = {ids_of[c] for c in family if c != code and c in ids_of}
                    self.related[ids_of[code]] = self.related.get(ids_of[code], frozenset()) | others

    @classmethod
    def of_lessons(cls, session: Session) -> Index:
        rows = session.execute(
            select(
                Lesson.id,
                Lesson.programme_id,
                Lesson.product_group_id,
                Lesson.strategy_id,
                Lesson.phase,
                Lesson.title_nl,
                Lesson.title_en,
                Lesson.body_nl,
                Lesson.body_en,
            )
            .where(Lesson.withdrawn_at.is_(None))
            .order_by(Lesson.id)
        ).all()
        features = [
            Features(
                product_group_id=r.product_group_id,
                strategy_ids=frozenset([r.strategy_id] if r.strategy_id else []),
                phase=r.phase,
                terms=text_terms((r.title_nl, r.title_en), (r.body_nl, r.body_en)),
            )
            for r in rows
        ]
        return cls([r.id for r in rows], [r.programme_id for r in rows], features, *_codes(session))

    @classmethod
    def of_pilots(cls, session: Session) -> Index:
        live = Pilot.withdrawn_at.is_(None)
        strategies: dict[int, set[int]] = {}
        for pilot_id, strategy_id in session.execute(
            select(pilot_strategies.c.pilot_id, pilot_strategies.c.strategy_id)
            .join(Pilot, Pilot.id == pilot_strategies.c.pilot_id)
            .where(live)
        ):
            strategies.setdefault(pilot_id, set()).add(strategy_id)
        rows = session.execute(
            select(
                Pilot.id,
                Pilot.programme_id,
                Pilot.product_group_id,
                Pilot.phase,
                Pilot.title_nl,
                Pilot.title_en,
                Pilot.summary_nl,
                Pilot.summary_en,
            )
            .where(live)
            .order_by(Pilot.id)
        ).all()
        features = [
            Features(
                product_group_id=r.product_group_id,
                strategy_ids=frozenset(strategies.get(r.id, ())),
                phase=r.phase,
                terms=text_terms((r.title_nl, r.title_en), (r.summary_nl, r.summary_en)),
            )
            for r in rows
        ]
        return cls([r.id for r in rows], [r.programme_id for r in rows], features, *_codes(session))

    def __len__(self) -> int:
        return len(self.ids)

    def rank(
        self,
        query: Features,
        limit: int = 10,
        *,
        exclude: Collection[int] = (),
        programmes: Collection[int] | None = None,
    ) -> list[Suggestion]:
        """The ``limit`` best-scoring records for ``query``, best first, with their reasons;
        leaving out the records in ``exclude`` and, when given, those of other ``programmes``."""
        scores: dict[int, float] = {}
        get = scores.get
        vector = _weights(query.terms, self.idf)
        text_weight = WEIGHTS["words"]
        for term, q in vector.items():
            rows, weights = self.postings[term]
            q *= text_weight
            for i, w in zip(rows, weights, strict=True):
                scores[i] = get(i, 0.0) + q * w
        matches: list[tuple[float, list[int]]] = []
        related: frozenset[int] = frozenset()
        if query.product_group_id is not None:
            matches.append((WEIGHTS["product_group"], self.by_group.get(query.product_group_id, [])))
            related = self.related.get(query.product_group_id, frozenset())
            for group_id in related:
                matches.append((WEIGHTS["product_group"] * RELATED, self.by_group.get(group_id, [])))
        for strategy_id in query.strategy_ids:
            matches.append((WEIGHTS["strategy"], self.by_strategy.get(strategy_id, [])))
        if query.phase is not None:
            matches.append((WEIGHTS["phase"], self.by_phase.get(query.phase, [])))
        for weight, rows in matches:
            for i in rows:
                scores[i] = get(i, 0.0) + weight
        if query.product_group_id is not None:
            groups, own = self.groups, query.product_group_id
            for i, score in scores.items():
                group = groups[i]
                if group is not None and group != own and group not in related:
                    scores[i] = score * OTHER_GROUP
        for record_id in exclude:
            row = self.rows.get(record_id)
            if row is not None:
                scores.pop(row, None)
        if programmes is not None:
            allowed = set(programmes)
            scores = {i: score for i, score in scores.items() if self.programmes[i] in allowed}
        best = heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], -item[0]))
        return [
            Suggestion(self.ids[i], round(score, 4), self._reasons(i, query, vector)) for i, score in best
        ]

    def _reasons(self, i: int, query: Features, vector: dict[str, float]) -> list[Reason]:
        reasons: list[Reason] = []
        group = self.groups[i]
        if group is not None and group == query.product_group_id:
            reasons.append(("product_group", self.group_codes.get(group, str(group))))
        elif group is not None and group in self.related.get(query.product_group_id or 0, frozenset()):
            reasons.append(("related_group", self.group_codes.get(group, str(group))))
        for strategy in sorted(self.strategies[i] & query.strategy_ids):
            reasons.append(("strategy", self.strategy_codes.get(strategy, str(strategy))))
        phase = self.phases[i]
        if phase is not None and phase == query.phase:
            reasons.append(("phase", phase.value))
        own = self.vectors[i]
        shared = sorted((t for t in vector if t in own), key=lambda t: -vector[t] * own[t])
        if shared:
            reasons.append(("words", shared[:MAX_WORDS]))
        return reasons


def _codes(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    return (
        dict(session.execute(select(ProductGroup.id, ProductGroup.code)).all()),
        dict(session.execute(select(Strategy.id, Strategy.code)).all()),
    )


def _rows_by(values: list[K | None]) -> dict[K, list[int]]:
    rows: dict[K, list[int]] = {}
    for i, value in enumerate(values):
        if value is not None:
            rows.setdefault(value, []).append(i)
    return rows


class IndexCache:
    """The lesson and pilot indexes of one database, rebuilt only when their table changed.

    Building one takes seconds at 10,000 records and ranking milliseconds, so a web process keeps
    them. A table's state is its row count, newest change and highest id: any insert, edit,
    withdrawal (all touch ``updated_at``) or mirror run changes it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[tuple[object, ...], Index]] = {}

    def lessons(self, session: Session) -> Index:
        return self._get(session, Lesson, Index.of_lessons)

    def pilots(self, session: Session) -> Index:
        return self._get(session, Pilot, Index.of_pilots)

    def _get(
        self, session: Session, model: type[Lesson] | type[Pilot], build: Callable[[Session], Index]
    ) -> Index:
        state = tuple(
            session.execute(select(func.count(), func.max(model.updated_at), func.max(model.id))).one()
        )
        name = model.__tablename__
        with self._lock:
            kept = self._kept.get(name)
            if kept is not None and kept[0] == state:
                return kept[1]
        index = build(session)
        with self._lock:
            self._kept[name] = (state, index)
        return index


def suggest_lessons(
    session: Session,
    *,
    pilot_id: int,
    limit: int = 10,
    programmes: Collection[int] | None = None,
    cache: IndexCache | None = None,
) -> list[Suggestion]:
    """Lessons worth linking to a pilot, best first (of ``programmes`` only, when given); withdrawn,
    linked, learned-in and turned-down ones left out."""
    index = cache.lessons(session) if cache else Index.of_lessons(session)
    return index.rank(
        pilot_features(session, pilot_id),
        limit,
        exclude=lessons_not_to_suggest(session, pilot_id),
        programmes=programmes,
    )


def suggest_pilots(
    session: Session,
    *,
    lesson_id: int,
    limit: int = 10,
    programmes: Collection[int] | None = None,
    cache: IndexCache | None = None,
) -> list[Suggestion]:
    """Pilots a lesson may apply to, best first (of ``programmes`` only, when given)."""
    index = cache.pilots(session) if cache else Index.of_pilots(session)
    return index.rank(
        lesson_features(session, lesson_id),
        limit,
        exclude=pilots_not_to_suggest(session, lesson_id),
        programmes=programmes,
    )
