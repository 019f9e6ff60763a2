"""More lessons and library entries for a demo scaled past the real programmes (``hub demo --pilots``).

A benchmark of 100,000 pilots should not search 40 lessons and 14 library entries: the texts a
hub holds grow together. Above the real size, each kind grows in proportion to the pilots, with
copies of the hand-written texts (a lesson drawn from a GDCA pilot of its product group, a library
entry at a link of its own, linked from a few such pilots). Nothing here runs for the default
demo (or a smaller one), so those stay exactly as they were; it runs after everything else has
drawn from the rng, so what came before is the same at any size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hub.demo.community import lesson_row
from hub.demo.context import Demo
from hub.demo.lessons import LESSONS
from hub.demo.library import LIBRARY, LINKED_PILOTS, library_row
from hub.demo.pilots import PilotRef
from hub.lessons.models import Lesson, lesson_pilots
from hub.library.models import LibraryItem, library_item_pilots
from hub.pilots.models import PilotStatus


def extra(count: int, pilots: int, real_pilots: int) -> int:
    """How many copies to add to ``count`` hand-written texts for ``pilots`` (none up to the real size)."""
    return max(0, round(count * pilots / real_pilots) - count)


def load_more(demo: Demo, pilots: list[PilotRef], real_pilots: int) -> None:
    """Lessons and library entries in proportion to ``pilots``, beyond the hand-written ones."""
    gdca = _gdca_by_group(pilots)
    _more_lessons(demo, gdca, extra(len(LESSONS), len(pilots), real_pilots))
    _more_library(demo, gdca, extra(len(LIBRARY), len(pilots), real_pilots))


def _gdca_by_group(pilots: list[PilotRef]) -> dict[str, list[int]]:
    """GDCA pilots under way or done, by product group: what lessons and library entries come from."""
    groups: dict[str, list[int]] = defaultdict(list)
    for pilot in pilots:
        if pilot.programme == "gdca" and pilot.status in (PilotStatus.RUNNING, PilotStatus.COMPLETED):
            groups[pilot.product_group].append(pilot.id)
    return groups


def _more_lessons(demo: Demo, gdca: dict[str, list[int]], count: int) -> None:
    texts = [LESSONS[n % len(LESSONS)] for n in range(count)]
    ids = demo.insert(Lesson, [lesson_row(demo, text) for text in texts])
    origins: list[dict[str, Any]] = []
    for lesson_id, text in zip(ids, texts, strict=True):
        candidates = gdca.get(text.product_group or "", [])
        if candidates:
            origins.append({"lesson_id": lesson_id, "pilot_id": demo.rng.choice(candidates)})
    demo.insert_plain(lesson_pilots, origins)


def _more_library(demo: Demo, gdca: dict[str, list[int]], count: int) -> None:
    entries = [LIBRARY[n % len(LIBRARY)] for n in range(count)]
    rows = [library_row(demo, entry, f"{entry.slug}-{n + 2}") for n, entry in enumerate(entries)]
    ids = demo.insert(LibraryItem, rows)
    links: list[dict[str, Any]] = []
    for item_id, entry in zip(ids, entries, strict=True):
        candidates = gdca.get(entry.product_group or "", [])
        chosen = demo.rng.sample(candidates, min(LINKED_PILOTS, len(candidates)))
        links += [{"item_id": item_id, "pilot_id": pilot_id} for pilot_id in sorted(chosen)]
    demo.insert_plain(library_item_pilots, links)
