"""The 17 Sustainable Development Goals of the United Nations, by number, with their short names.

A fixed list in code rather than a table seeded by a migration (as product groups and strategies
are): the UN fixed the goals and their numbers in 2015, every hub and peer refers to a goal by its
number alone, and their names are interface text translated through the catalogs like any other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from hub.i18n import N_, gettext

FIRST, LAST = 1, 17
# The database keeps a goal's number and refuses any other (a CHECK on each association table).
NUMBER_CHECK = f"sdg BETWEEN {FIRST} AND {LAST}"


@dataclasses.dataclass(frozen=True)
class Sdg:
    number: int
    msgid: str

    @property
    def label(self) -> str:
        """The goal's short name in the current language."""
        return gettext(self.msgid)


SDGS: tuple[Sdg, ...] = tuple(
    Sdg(number, msgid)
    for number, msgid in enumerate(
        (
            N_("No poverty"),
            N_("Zero hunger"),
            N_("Good health and well-being"),
            N_("Quality education"),
            N_("Gender equality"),
            N_("Clean water and sanitation"),
            N_("Affordable and clean energy"),
            N_("Decent work and economic growth"),
            N_("Industry, innovation and infrastructure"),
            N_("Reduced inequalities"),
            N_("Sustainable cities and communities"),
            N_("Responsible consumption and production"),
            N_("Climate action"),
            N_("Life below water"),
            N_("Life on land"),
            N_("Peace, justice and strong institutions"),
            N_("Partnerships for the goals"),
        ),
        start=FIRST,
    )
)
BY_NUMBER: dict[int, Sdg] = {sdg.number: sdg for sdg in SDGS}
# The values a form offers (a checkbox per goal, its number as text).
FORM_VALUES = frozenset(str(sdg.number) for sdg in SDGS)


def is_sdg(value: object) -> bool:
    """True for the number of a goal (an int 1-17; not a bool, not a string)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in BY_NUMBER


def goals(numbers: Iterable[int]) -> list[Sdg]:
    """The goals with these numbers, in the UN's order (unknown numbers left out)."""
    return [BY_NUMBER[n] for n in sorted(set(numbers)) if n in BY_NUMBER]


def checked(numbers: Iterable[int]) -> list[int]:
    """The numbers in order, once each; ValueError names one that is not a goal."""
    wanted = set(numbers)
    for number in wanted:
        if not is_sdg(number):
            raise ValueError(f"{number!r} is not the number of a Sustainable Development Goal")
    return sorted(wanted)


class Link(Protocol):
    sdg: int


L = TypeVar("L", bound=Link)


def relink(links: list[L], numbers: Iterable[int], make: Callable[[int], L]) -> list[L]:
    """The association rows for exactly ``numbers``: those kept are the same rows (no delete and
    insert of an unchanged goal), the others new from ``make``."""
    wanted = checked(numbers)
    kept = [link for link in links if link.sdg in wanted]
    have = {link.sdg for link in kept}
    return kept + [make(number) for number in wanted if number not in have]
