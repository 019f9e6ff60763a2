"""The lesson-suggestion benchmark: quality against hand-made labels, and speed at 10,000 lessons.

``python bench/lessons.py`` loads the demo (seed 2017, default sizes) into a fresh SQLite
database, or into a new PostgreSQL database when ``HUB_BENCH_POSTGRES_URL`` or
``HUB_TEST_POSTGRES_URL`` (an admin URL that may create databases) is set, and measures:

1. **quality**: precision@5 and recall@10 of ``Index.rank``, averaged over pilots, against two
   sets of labels written by reading the texts: ``bench/lessons_eval.json`` (20 pilots, written
   before the ranker was tuned, but the weights were then tuned on it: optimistic) and
   ``bench/lessons_heldout.json`` (12 other pilots, labelled afterwards by someone who had not
   seen the ranker, and never used to tune it: the honest figure). A labelled lesson the ranker
   must leave out (already linked to the pilot, or learned in it) does not count as relevant.
   Goal: precision@5 ≥ 0.6 on the held-out set.
2. **speed**: 10,000 synthetic lessons (copies of the demo's, with words dropped and others
   added) are inserted; the index is built once; ranking for one pilot is timed (median of 20
   runs). Goal: < 50 ms. A plain loop computing only product-group matches over the same
   lessons is timed the same way, as a baseline. So is what a web process pays per page on
   top of ranking: asking the :class:`IndexCache` whether the index is still current.

Results go to ``bench/results/lessons.json``; the exit status is 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import goals  # noqa: E402
from hub import migrate  # noqa: E402
from hub.db import make_engine, make_sessionmaker  # noqa: E402
from hub.demo.generate import load_demo  # noqa: E402
from hub.lessons.models import Lesson  # noqa: E402
from hub.lessons.suggest import Index, IndexCache, lessons_not_to_suggest, pilot_features  # noqa: E402
from hub.pilots.models import Pilot  # noqa: E402
from hub.programmes.models import Programme  # noqa: E402

EVAL = REPO / "bench" / "lessons_eval.json"
EVAL_SETS = {"tuning": EVAL, "held_out": REPO / "bench" / "lessons_heldout.json"}
RESULTS = REPO / "bench" / "results" / "lessons.json"
PRECISION_GOAL = 0.6
MS_GOAL = 50.0
SYNTHETIC = 10_000
RUNS = 20


@contextmanager
def fresh_database(admin_url: str, workdir: Path) -> Iterator[Engine]:
    """An empty database at the newest migration, dropped afterwards (PostgreSQL)."""
    name = ""
    if admin_url:
        name = f"hub_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{workdir / 'lessons.sqlite3'}"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if name:
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


# -- quality --------------------------------------------------------------------------------


def find_pilot(session: Session, programme: str, position: int, title: str) -> int:
    ids = session.scalars(
        select(Pilot.id).join(Programme).where(Programme.code == programme).order_by(Pilot.id)
    ).all()
    pilot = session.get(Pilot, ids[position])
    assert pilot is not None
    if title not in (pilot.title_en, pilot.title_nl):
        raise SystemExit(f"{programme} #{position} is {pilot.title_en or pilot.title_nl!r}, not {title!r}")
    return pilot.id


def evaluate(session: Session, index: Index, labelled: Path) -> dict[str, Any]:
    labels = json.loads(labelled.read_text(encoding="utf-8"))
    by_title = dict(session.execute(select(Lesson.title_en, Lesson.id)).all())
    precisions: list[float] = []
    recalls: list[float] = []
    ceilings: list[float] = []  # the precision@5 a perfect ranking would get (pilots with < 5 labels)
    pilots: list[dict[str, Any]] = []
    for item in labels["pilots"]:
        pilot_id = find_pilot(session, item["programme"], item["position"], item["title"])
        features = pilot_features(session, pilot_id)
        exclude = lessons_not_to_suggest(session, pilot_id)
        relevant = {by_title[t] for t in item["relevant"]} - exclude
        if not relevant:
            continue
        ranked = [s.id for s in index.rank(features, 10, exclude=exclude)]
        precision = len(relevant & set(ranked[:5])) / 5
        recall = len(relevant & set(ranked)) / len(relevant)
        precisions.append(precision)
        recalls.append(recall)
        ceilings.append(min(len(relevant), 5) / 5)
        titles = {v: k for k, v in by_title.items()}
        pilots.append(
            {
                "pilot": f"{item['programme']} #{item['position']}: {item['title']}",
                "precision_at_5": precision,
                "recall_at_10": recall,
                "top5": [("* " if i in relevant else "  ") + titles[i] for i in ranked[:5]],
                "missed": sorted(titles[i] for i in relevant - set(ranked)),
            }
        )
    return {
        "pilots": len(precisions),
        "precision_at_5": statistics.fmean(precisions),
        "precision_at_5_ceiling": statistics.fmean(ceilings),
        "recall_at_10": statistics.fmean(recalls),
        "per_pilot": pilots,
    }


# -- speed ----------------------------------------------------------------------------------


def synthetic_lessons(session: Session, count: int, rng: random.Random) -> None:
    """``count`` copies of the demo's lessons, each with some words dropped and others added."""
    demo = session.execute(select(Lesson)).scalars().all()
    pool = [w for lesson in demo for w in (lesson.body_nl + " " + lesson.body_en).split()]
    programme_id = demo[0].programme_id

    def vary(body: str) -> str:
        words = [w for w in body.split() if rng.random() > 0.2]
        return " ".join(words + rng.sample(pool, 4) + [f"woord{rng.randrange(5000)}"])

    rows: list[dict[str, Any]] = []
    for n in range(count):
        lesson = demo[n % len(demo)]
        rows.append(
            {
                "uid": str(uuid.UUID(int=rng.getrandbits(128))),
                "programme_id": programme_id,
                "title_nl": lesson.title_nl,
                "title_en": lesson.title_en,
                "body_nl": vary(lesson.body_nl),
                "body_en": vary(lesson.body_en),
                "product_group_id": lesson.product_group_id,
                "strategy_id": lesson.strategy_id,
                "phase": lesson.phase,
                "kind": lesson.kind,
                "source_language": "nl",
                "is_demo": True,
            }
        )
    session.execute(insert(Lesson), rows)
    session.flush()


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def speed(session: Session, pilot_id: int) -> dict[str, Any]:
    synthetic_lessons(session, SYNTHETIC, random.Random(2017))
    started = time.perf_counter()
    index = Index.of_lessons(session)
    build_ms = (time.perf_counter() - started) * 1000
    features = pilot_features(session, pilot_id)
    groups = index.groups

    def baseline() -> list[float]:
        wanted = features.product_group_id
        return [1.0 if group == wanted else 0.0 for group in groups]

    rank_ms = median_ms(lambda: index.rank(features, 10), RUNS)
    baseline_ms = median_ms(baseline, RUNS)
    cache = IndexCache()
    cache.lessons(session)
    cache_check_ms = median_ms(lambda: cache.lessons(session), RUNS)
    return {
        "lessons": len(index),
        "build_ms": round(build_ms, 1),
        "rank_ms": round(rank_ms, 2),
        "baseline_ms": round(baseline_ms, 2),
        "ratio": round(rank_ms / baseline_ms, 1) if baseline_ms else None,
        "cache_check_ms": round(cache_check_ms, 2),
    }


# -- running --------------------------------------------------------------------------------


def run(admin_url: str, workdir: Path) -> dict[str, Any]:
    with fresh_database(admin_url, workdir) as engine, make_sessionmaker(engine)() as session:
        load_demo(session)
        session.commit()
        index = Index.of_lessons(session)
        quality = {name: evaluate(session, index, path) for name, path in EVAL_SETS.items()}
        first = json.loads(EVAL.read_text(encoding="utf-8"))["pilots"][0]
        pilot_id = find_pilot(session, first["programme"], first["position"], first["title"])
        timing = speed(session, pilot_id)
        session.rollback()
        return {"backend": engine.dialect.name, "quality": quality, "speed": timing}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each pilot's top five")
    args = parser.parse_args(argv)
    admin_url = os.environ.get("HUB_BENCH_POSTGRES_URL") or os.environ.get("HUB_TEST_POSTGRES_URL", "")
    with tempfile.TemporaryDirectory() as workdir:
        result = run(admin_url, Path(workdir))
    quality, timing = result["quality"], result["speed"]
    if args.verbose:
        for name, found in quality.items():
            print(f"-- {name}")
            for pilot in found["per_pilot"]:
                print(f"{pilot['pilot']}  P@5={pilot['precision_at_5']:.2f} R@10={pilot['recall_at_10']:.2f}")
                for line in pilot["top5"]:
                    print(f"    {line}")
                for title in pilot["missed"]:
                    print(f"    missed: {title}")
    tuning, held_out = quality["tuning"], quality["held_out"]
    checks = [
        (
            f"held-out labels: precision@5 {held_out['precision_at_5']:.3f} (goal ≥ {PRECISION_GOAL}; "
            f"a perfect ranking: {held_out['precision_at_5_ceiling']:.3f}), "
            f"recall@10 {held_out['recall_at_10']:.3f}, over {held_out['pilots']} pilots",
            held_out["precision_at_5"] >= PRECISION_GOAL,
        ),
        (
            f"tuning labels (optimistic): precision@5 {tuning['precision_at_5']:.3f} "
            f"(a perfect ranking: {tuning['precision_at_5_ceiling']:.3f}), "
            f"recall@10 {tuning['recall_at_10']:.3f}, over {tuning['pilots']} pilots",
            True,
        ),
        (
            f"ranking {timing['lessons']} lessons: {timing['rank_ms']:.2f} ms median of {RUNS} "
            f"(goal < {MS_GOAL:.0f} ms); product-group loop {timing['baseline_ms']:.2f} ms "
            f"(×{timing['ratio']}); index built in {timing['build_ms']:.0f} ms, "
            f"checked current in {timing['cache_check_ms']:.2f} ms",
            timing["rank_ms"] < MS_GOAL,
        ),
    ]
    print(f"backend: {result['backend']}")
    for line, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {line}")
    goals.record(
        "lessons",
        [
            goals.Goal(
                "lesson suggestions: precision@5 on held-out labels",
                f"≥ {PRECISION_GOAL}",
                f"{held_out['precision_at_5']:.3f}",
                held_out["precision_at_5"] >= PRECISION_GOAL,
                result["backend"],
            ),
            goals.Goal(
                f"ranking {timing['lessons']} lessons for a pilot",
                f"< {MS_GOAL:.0f} ms",
                f"{timing['rank_ms']:.2f} ms",
                timing["rank_ms"] < MS_GOAL,
                result["backend"],
            ),
        ],
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {args.output}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
