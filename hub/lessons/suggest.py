"""Ranked lesson suggestions for a pilot, across Dutch and English.

A lesson scores for sharing the pilot's product group, one of its strategies and its phase, and
for text similarity: both records' texts in both languages become concept tokens through the
bilingual glossary (:mod:`hub.lessons.glossary`), weighted by TF-IDF over the lesson base and
compared by cosine similarity. So a Dutch-only lesson can match an English-only pilot, and a
general lesson (no product group) still ranks when its text matches.

``LessonIndex.build(session)`` vectorises the lesson base once (inverted lists per concept, and
per product group, strategy and phase); ``index.rank(features, limit)`` then only touches the
lessons that share something with the pilot, so one index serves many pilots quickly.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.lessons.glossary import concepts
from hub.lessons.models import Lesson, LessonPilotLink, lesson_pilots
from hub.pilots.models import Pilot, pilot_strategies
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
    lesson_id: int
    score: float
    reasons: list[Reason]


@dataclass(frozen=True)
class PilotFeatures:
    """What the ranking needs to know about a pilot."""

    pilot_id: int | None
    product_group_id: int | None
    strategy_ids: frozenset[int]
    phase: Phase | None
    terms: Counter[str]
    exclude: frozenset[int] = field(default_factory=frozenset)  # lesson ids

    @classmethod
    def load(cls, session: Session, pilot_id: int) -> PilotFeatures:
        pilot = session.get(Pilot, pilot_id)
        if pilot is None:
            raise LookupError(f"no pilot {pilot_id}")
        strategies = session.scalars(
            select(pilot_strategies.c.strategy_id).where(pilot_strategies.c.pilot_id == pilot_id)
        ).all()
        linked = session.scalars(
            select(LessonPilotLink.lesson_id).where(LessonPilotLink.pilot_id == pilot_id)
        )
        drawn = session.scalars(select(lesson_pilots.c.lesson_id).where(lesson_pilots.c.pilot_id == pilot_id))
        return cls(
            pilot_id=pilot_id,
            product_group_id=pilot.product_group_id,
            strategy_ids=frozenset(strategies),
            phase=pilot.phase,
            terms=text_terms((pilot.title_nl, pilot.title_en), (pilot.summary_nl, pilot.summary_en)),
            exclude=frozenset([*linked, *drawn]),
        )


def text_terms(titles: Iterable[str], bodies: Iterable[str]) -> Counter[str]:
    """Concept counts of a record's titles (repeated) and bodies, in whatever languages it has."""
    terms: Counter[str] = Counter()
    for title in titles:
        for _ in range(TITLE_REPEAT):
            terms.update(concepts(title))
    for body in bodies:
        terms.update(concepts(body))
    return terms


def _weights(terms: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear TF times IDF, unit length; terms unknown to the lesson base are left out."""
    vector = {t: (1.0 + math.log(n)) * idf[t] for t, n in terms.items() if t in idf}
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {t: w / norm for t, w in vector.items()} if norm else {}


class LessonIndex:
    """The live lesson base, vectorised once, for ranking against any number of pilots."""

    def __init__(
        self,
        ids: list[int],
        groups: list[int | None],
        strategies: list[int | None],
        phases: list[Phase | None],
        terms: list[Counter[str]],
        group_codes: dict[int, str],
        strategy_codes: dict[int, str],
    ) -> None:
        self.ids = ids
        self.groups = groups
        self.strategies = strategies
        self.phases = phases
        self.group_codes = group_codes
        self.strategy_codes = strategy_codes
        self.rows = {lesson_id: i for i, lesson_id in enumerate(ids)}
        count = len(ids)
        df: Counter[str] = Counter()
        for counts in terms:
            df.update(counts.keys())
        self.idf = {t: math.log((count + 1) / (n + 0.5)) for t, n in df.items()}
        self.vectors = [_weights(counts, self.idf) for counts in terms]
        self.postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, vector in enumerate(self.vectors):
            for t, w in vector.items():
                rows, weights = self.postings.setdefault(t, ([], []))
                rows.append(i)
                weights.append(w)
        self.by_group = _rows_by(groups)
        self.by_strategy = _rows_by(strategies)
        self.by_phase = _rows_by(phases)
        ids_of = {code: group_id for group_id, code in group_codes.items()}
        self.related: dict[int, frozenset[int]] = {}
        for family in RELATED_GROUPS:
            for code in family:
                if code in ids_of:
                    others = {ids_of[c] for c in family if c != code and c in ids_of}
                    self.related[ids_of[code]] = self.related.get(ids_of[code], frozenset()) | others

    @classmethod
    def build(cls, session: Session) -> LessonIndex:
        rows = session.execute(
            select(
                Lesson.id,
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
        return cls(
            ids=[r.id for r in rows],
            groups=[r.product_group_id for r in rows],
            strategies=[r.strategy_id for r in rows],
            phases=[r.phase for r in rows],
            terms=[text_terms((r.title_nl, r.title_en), (r.body_nl, r.body_en)) for r in rows],
            group_codes=dict(session.execute(select(ProductGroup.id, ProductGroup.code)).all()),
            strategy_codes=dict(session.execute(select(Strategy.id, Strategy.code)).all()),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def rank(self, pilot: PilotFeatures, limit: int = 10) -> list[Suggestion]:
        """The ``limit`` best-scoring lessons for ``pilot``, best first, with their reasons."""
        scores: dict[int, float] = {}
        get = scores.get
        query = _weights(pilot.terms, self.idf)
        text_weight = WEIGHTS["words"]
        for term, q in query.items():
            rows, weights = self.postings[term]
            q *= text_weight
            for i, w in zip(rows, weights, strict=True):
                scores[i] = get(i, 0.0) + q * w
        matches: list[tuple[float, list[int]]] = []
        related: frozenset[int] = frozenset()
        if pilot.product_group_id is not None:
            matches.append((WEIGHTS["product_group"], self.by_group.get(pilot.product_group_id, [])))
            related = self.related.get(pilot.product_group_id, frozenset())
            for group_id in related:
                matches.append((WEIGHTS["product_group"] * RELATED, self.by_group.get(group_id, [])))
        for strategy_id in pilot.strategy_ids:
            matches.append((WEIGHTS["strategy"], self.by_strategy.get(strategy_id, [])))
        if pilot.phase is not None:
            matches.append((WEIGHTS["phase"], self.by_phase.get(pilot.phase, [])))
        for weight, rows in matches:
            for i in rows:
                scores[i] = get(i, 0.0) + weight
        if pilot.product_group_id is not None:
            groups, own = self.groups, pilot.product_group_id
            for i, score in scores.items():
                group = groups[i]
                if group is not None and group != own and group not in related:
                    scores[i] = score * OTHER_GROUP
        for lesson_id in pilot.exclude:
            row = self.rows.get(lesson_id)
            if row is not None:
                scores.pop(row, None)
        best = heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], -item[0]))
        return [Suggestion(self.ids[i], round(score, 4), self._reasons(i, pilot, query)) for i, score in best]

    def _reasons(self, i: int, pilot: PilotFeatures, query: dict[str, float]) -> list[Reason]:
        reasons: list[Reason] = []
        group = self.groups[i]
        if group is not None and group == pilot.product_group_id:
            reasons.append(("product_group", self.group_codes.get(group, str(group))))
        elif group is not None and group in self.related.get(pilot.product_group_id or 0, frozenset()):
            reasons.append(("related_group", self.group_codes.get(group, str(group))))
        strategy = self.strategies[i]
        if strategy is not None and strategy in pilot.strategy_ids:
            reasons.append(("strategy", self.strategy_codes.get(strategy, str(strategy))))
        phase = self.phases[i]
        if phase is not None and phase == pilot.phase:
            reasons.append(("phase", phase.value))
        vector = self.vectors[i]
        shared = sorted((t for t in query if t in vector), key=lambda t: -query[t] * vector[t])
        if shared:
            reasons.append(("words", shared[:MAX_WORDS]))
        return reasons


def _rows_by(values: list[K | None]) -> dict[K, list[int]]:
    rows: dict[K, list[int]] = {}
    for i, value in enumerate(values):
        if value is not None:
            rows.setdefault(value, []).append(i)
    return rows


def suggest_lessons(session: Session, *, pilot_id: int, limit: int = 10) -> list[Suggestion]:
    """Lessons worth linking to a pilot, best first; withdrawn and already linked ones left out."""
    return LessonIndex.build(session).rank(PilotFeatures.load(session, pilot_id), limit)
