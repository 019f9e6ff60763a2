"""A pilot's fields, declared once, and the rules its values obey.

Every way a pilot is written (the coordinators' form, a participant's published entry, a source's
sync, a peer hub's mirror) takes its fields from here, or a test holds it to them
(tests/pilots/test_fields.py), and checks its values with :func:`broken`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from typing import Any

from connectors.messages import Problem
from hub.i18n import N_
from hub.records import LANGUAGES

TEXTS = tuple(f"{name}_{lang}" for name in ("title", "summary") for lang in LANGUAGES)
# Baseline and result in tonnes of each quantity ProCirc aims to cut.
QUANTITIES = ("raw_materials", "waste", "co2")
IMPACT_FIELDS = tuple(f"{q}_{kind}_t" for q in QUANTITIES for kind in ("baseline", "result"))

# The pilot's own values (its columns, not its bookkeeping); its strategies, goals, parties,
# progress and milestones are records of their own.
FIELDS = (
    "programme_id",
    "source_language",
    *TEXTS,
    "product_group_id",
    "country",
    "phase",
    "status",
    "starts_on",
    "ends_on",
    "contract_value",
    *IMPACT_FIELDS,
)

# What a coordinator may add to a pilot synced from a source: the next sync keeps these.
LOCAL_FIELDS = (*TEXTS, "product_group_id")


@dataclasses.dataclass(frozen=True)
class Rule:
    """An invariant of a pilot's values. ``holds`` reads the fields ``reads`` (a missing one is
    None); a breach is shown on ``field``, with ``message`` (a msgid) to whoever edits the pilot.
    A sync run's errors say ``problem`` (a msgid), or the field and the message."""

    field: str
    reads: tuple[str, ...]
    holds: Callable[..., bool]
    message: str
    problem: str | None = None

    def refusal(self) -> Problem:
        """The breach as a sync run records it (translated where it is shown)."""
        if self.problem:
            return Problem(self.problem)
        return Problem(N_("%(field)s: %(problem)s"), field=self.field, problem=Problem(self.message))


def _in_order(starts_on: Any, ends_on: Any) -> bool:
    return not (starts_on and ends_on and ends_on < starts_on)


def _with_baseline(baseline: Any, result: Any) -> bool:
    return result is None or baseline is not None


RULES = (
    Rule(
        "ends_on",
        ("starts_on", "ends_on"),
        _in_order,
        N_("The end date cannot be before the start date."),
        N_("ends_on: the pilot ends before it starts"),
    ),
    *(
        Rule(
            f"{q}_result_t",
            (f"{q}_baseline_t", f"{q}_result_t"),
            _with_baseline,
            N_("A result needs a baseline to compare with: enter the baseline too."),
        )
        for q in QUANTITIES
    ),
)


def broken(
    values: Mapping[str, Any], *, unread: Collection[str] = (), among: Collection[str] | None = None
) -> list[Rule]:
    """The rules ``values`` break. A rule reading a field in ``unread`` (given, but not readable:
    the form shows why) is not checked; ``among``: only the rules reading these fields."""
    return [
        rule
        for rule in RULES
        if not any(name in unread for name in rule.reads)
        and (among is None or all(name in among for name in rule.reads))
        and not rule.holds(*(values.get(name) for name in rule.reads))
    ]


def check_row(values: Mapping[str, Any]) -> None:
    """Raises the Problem of the first rule ``values`` break: a row a sync or a mirror writes in bulk.

    Every rule, plainly (``broken``'s choices cost more than the rules, for every synced row)."""
    for rule in RULES:
        if not rule.holds(*map(values.get, rule.reads)):
            raise rule.refusal()
