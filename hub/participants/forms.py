"""The participant's three forms (a pilot, the commitment, a supporting action): which fields each
has, and how their values are checked. An entry keeps the form as typed (``raw``); publishing
parses it again, so a value that became invalid since (a removed strategy) is caught then too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from hub.forms import Form, as_raw
from hub.i18n import gettext as _
from hub.organisations.fields import COMMITMENT_FIELDS
from hub.organisations.forms import parse_commitment
from hub.organisations.models import Commitment, SupportingAction
from hub.participants.models import EntryKind
from hub.pilots.fields import IMPACT_FIELDS
from hub.pilots.forms import parse_dates, parse_impact
from hub.pilots.models import Pilot, PilotStatus
from hub.records import LANGUAGES
from hub.taxonomy.models import Phase, ProductGroup, Strategy, StrategyKind

MILESTONES = 6  # rows of the milestone table; enough for the plans seen in the GDCA tool
MILESTONE_FIELDS = tuple(
    f"milestone_{i}_{part}" for i in range(MILESTONES) for part in ("title", "due", "done")
)
TEXTS = tuple(f"{field}_{lang}" for field in ("title", "summary") for lang in LANGUAGES)
PILOT_FIELDS = (
    "source_language",
    *TEXTS,
    "product_group_id",
    "phase",
    "status",
    "starts_on",
    "ends_on",
    "goal_ids",
    "strategy_ids",
    "progress",
    *MILESTONE_FIELDS,
    *IMPACT_FIELDS,
)
ACTION_FIELDS = ("source_language", *TEXTS, "starts_on", "ends_on")
FIELDS = {
    EntryKind.PILOT: PILOT_FIELDS,
    EntryKind.COMMITMENT: COMMITMENT_FIELDS,
    EntryKind.SUPPORTING_ACTION: ACTION_FIELDS,
}
MULTI = ("goal_ids", "strategy_ids")


@dataclasses.dataclass(frozen=True)
class Choices:
    product_groups: Sequence[ProductGroup]
    strategies: Sequence[Strategy]

    @property
    def goals(self) -> list[Strategy]:
        """The five GDCA goals (the rest are business models)."""
        return [s for s in self.strategies if s.kind == StrategyKind.GOAL]

    @property
    def business_models(self) -> list[Strategy]:
        return [s for s in self.strategies if s.kind != StrategyKind.GOAL]


@dataclasses.dataclass(frozen=True)
class Milestone:
    title: str
    due_on: dt.date | None
    done_on: dt.date | None


def kept(kind: EntryKind, form: Form) -> dict[str, Any]:
    """What an entry stores of a submitted form: its own fields only, as typed."""
    return {name: form.raw[name] for name in FIELDS[kind] if name in form.raw}


def title_of(kind: EntryKind, raw: dict[str, Any]) -> str:
    """A line naming the entry in lists (the title in its source language, or the commitment)."""
    if kind == EntryKind.COMMITMENT:
        text = raw.get("description_nl") or raw.get("description_en") or ""
    else:
        source = raw.get("source_language") if raw.get("source_language") in LANGUAGES else "nl"
        text = raw.get(f"title_{source}") or raw.get("title_nl") or raw.get("title_en") or ""
    return " ".join(str(text).split())[:300]


def parse_pilot(form: Form, choices: Choices) -> dict[str, Any]:
    values = form.bilingual("summary")
    group = form.key("product_group_id", {str(g.id) for g in choices.product_groups}, required=False)
    values["product_group_id"] = int(group) if group else None
    values["phase"] = form.choice("phase", Phase)
    values["status"] = form.choice("status", PilotStatus)
    values["starts_on"], values["ends_on"] = parse_dates(form)
    goals = form.keys("goal_ids", {str(s.id) for s in choices.goals})
    if not goals and "goal_ids" not in form.errors:
        form.error("goal_ids", _("Choose at least one of the goals."))
    models = form.keys("strategy_ids", {str(s.id) for s in choices.business_models})
    values["strategy_ids"] = [int(i) for i in (*goals, *models)]
    values["progress"] = form.integer("progress", minimum=0, maximum=100, required=True)
    if "progress" in form.errors and form.value("progress").strip():
        form.errors["progress"] = _(
            "Progress is a percentage from 0 to 100; “%(value)s” is not.", value=form.value("progress")[:20]
        )
    milestones = []
    for i in range(MILESTONES):
        title = form.line(f"milestone_{i}_title", max_length=300)
        due_on = form.date(f"milestone_{i}_due")
        done_on = form.date(f"milestone_{i}_done")
        if (due_on or done_on) and not title:
            form.error(f"milestone_{i}_title", _("Name the milestone, or clear its dates."))
        if title:
            milestones.append(Milestone(title, due_on, done_on))
    values["milestones"] = milestones
    values.update(parse_impact(form))
    return values


def parse_action(form: Form) -> dict[str, Any]:
    values = form.bilingual("summary")
    values["starts_on"], values["ends_on"] = form.date_range("starts_on", "ends_on")
    return values


def parse(kind: EntryKind, form: Form, choices: Choices) -> dict[str, Any]:
    if kind == EntryKind.PILOT:
        return parse_pilot(form, choices)
    if kind == EntryKind.COMMITMENT:
        return parse_commitment(form)  # as the coordinators' commitment form does
    return parse_action(form)


def raw_of(record: Pilot | Commitment | SupportingAction) -> dict[str, Any]:
    """A published record as its form shows it, the start of a participant's change."""
    if isinstance(record, Commitment):
        return {name: as_raw(getattr(record, name)) for name in COMMITMENT_FIELDS}
    if isinstance(record, SupportingAction):
        return {name: as_raw(getattr(record, name)) for name in ACTION_FIELDS}
    names = [n for n in PILOT_FIELDS if not n.startswith("milestone_") and n not in (*MULTI, "progress")]
    raw: dict[str, Any] = {name: as_raw(getattr(record, name)) for name in names}
    raw["goal_ids"] = [str(s.id) for s in record.strategies if s.kind == StrategyKind.GOAL]
    raw["strategy_ids"] = [str(s.id) for s in record.strategies if s.kind != StrategyKind.GOAL]
    raw["progress"] = str(record.progress.percent) if record.progress else "0"
    for i, milestone in enumerate(record.milestones[:MILESTONES]):
        raw[f"milestone_{i}_title"] = milestone.title
        raw[f"milestone_{i}_due"] = as_raw(milestone.due_on)
        raw[f"milestone_{i}_done"] = as_raw(milestone.done_on)
    return raw
