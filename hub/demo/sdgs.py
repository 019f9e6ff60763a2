"""The Sustainable Development Goals of the demo network: taken from the seeds or derived, never drawn.

Programmes get only what a seed says: the Flemish Green Deal (GDCA) contributes to goals 9, 11, 12,
13 and 17 (seed 001). No seed names goals of GDCI 2.0 or ProCirc, so they have none in the demo.

Pilots: every demo pilot is a circular procurement, so each contributes to goal 12 (responsible
consumption and production); one that measured its CO2 emissions to goal 13 (climate action) too.
Derived from what the generator already drew, so no other demo data changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hub.demo.context import Demo
from hub.pilots.models import PilotSdg
from hub.programmes.models import ProgrammeSdg

PROGRAMME_SDGS: dict[str, tuple[int, ...]] = {"gdca": (9, 11, 12, 13, 17)}
CIRCULAR = 12  # Responsible consumption and production
CLIMATE = 13  # Climate action


def load_programme_sdgs(demo: Demo) -> None:
    demo.insert_plain(
        ProgrammeSdg,
        [
            {"programme_id": demo.programmes[code], "sdg": number}
            for code, numbers in PROGRAMME_SDGS.items()
            if code in demo.programmes
            for number in numbers
        ],
    )


def pilot_sdgs(row: Mapping[str, Any]) -> list[int]:
    """The goals of a generated pilot (its row's values)."""
    return [CIRCULAR, CLIMATE] if row.get("co2_baseline_t") is not None else [CIRCULAR]


def load_pilot_sdgs(demo: Demo, pilots: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """The goals of the pilots inserted, given as (id, row)."""
    demo.insert_plain(
        PilotSdg,
        [{"pilot_id": pilot_id, "sdg": number} for pilot_id, row in pilots for number in pilot_sdgs(row)],
    )
