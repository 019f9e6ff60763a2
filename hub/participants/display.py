"""An entry's values as a coordinator reads them in the review: labelled, with names for ids and
codes, beside what is published now."""

from __future__ import annotations

import dataclasses
from typing import Any

from hub.i18n import N_, LabelledEnum, gettext
from hub.organisations.models import CommitmentKind
from hub.participants.forms import FIELDS, MILESTONES, Choices
from hub.participants.models import EntryKind
from hub.pilots.models import PilotStatus
from hub.taxonomy.models import Phase

LABELS = {
    "source_language": N_("Source language"),
    "title_nl": N_("Title (Dutch)"),
    "title_en": N_("Title (English)"),
    "summary_nl": N_("Summary (Dutch)"),
    "summary_en": N_("Summary (English)"),
    "description_nl": N_("Description (Dutch)"),
    "description_en": N_("Description (English)"),
    "product_group_id": N_("Product group"),
    "phase": N_("Phase"),
    "status": N_("Status"),
    "starts_on": N_("Start date"),
    "ends_on": N_("End date"),
    "goal_ids": N_("Goals"),
    "strategy_ids": N_("Strategies"),
    "progress": N_("Progress in percent"),
    "kind": N_("Commitment to"),
    "target_count": N_("How many"),
    "signed_on": N_("Signed on"),
    "raw_materials_baseline_t": N_("Raw materials: baseline (tonnes)"),
    "raw_materials_result_t": N_("Raw materials: result (tonnes)"),
    "waste_baseline_t": N_("Waste: baseline (tonnes)"),
    "waste_result_t": N_("Waste: result (tonnes)"),
    "co2_baseline_t": N_("CO2 emissions: baseline (tonnes)"),
    "co2_result_t": N_("CO2 emissions: result (tonnes)"),
}
ENUMS: dict[str, type[LabelledEnum]] = {"phase": Phase, "status": PilotStatus, "kind": CommitmentKind}


def labels() -> dict[str, str]:
    """Every field's label in the current language (the form's error summary names them so)."""
    found = {name: gettext(label) for name, label in LABELS.items()}
    for i in range(MILESTONES):
        found[f"milestone_{i}_title"] = gettext(N_("Milestone %(n)d"), n=i + 1)
        found[f"milestone_{i}_due"] = gettext(N_("Milestone %(n)d: due"), n=i + 1)
        found[f"milestone_{i}_done"] = gettext(N_("Milestone %(n)d: done on"), n=i + 1)
    return found


@dataclasses.dataclass(frozen=True)
class Row:
    label: str
    logged: str
    published: str | None  # None: a new record, nothing published to compare with

    @property
    def changed(self) -> bool:
        return self.published is not None and self.published != self.logged


def _text(name: str, value: Any, choices: Choices, language: str) -> str:
    if isinstance(value, list):
        names = {str(s.id): s.name(language) for s in choices.strategies}
        return ", ".join(names.get(str(v), str(v)) for v in value)
    text = str(value or "").strip()
    if not text:
        return ""
    if name == "product_group_id":
        return next((g.name(language) for g in choices.product_groups if str(g.id) == text), text)
    if name in ENUMS:
        try:
            return str(ENUMS[name](text).label)
        except ValueError:
            return text
    return text


def _milestones(raw: dict[str, Any]) -> str:
    lines = []
    for i in range(MILESTONES):
        title = str(raw.get(f"milestone_{i}_title", "")).strip()
        if title:
            due, done = raw.get(f"milestone_{i}_due", ""), raw.get(f"milestone_{i}_done", "")
            extra = "; ".join(
                part
                for part in (
                    gettext("due %(date)s", date=due) if due else "",
                    gettext("done %(date)s", date=done) if done else "",
                )
                if part
            )
            lines.append(f"{title} ({extra})" if extra else title)
    return "\n".join(lines)


def rows(
    kind: EntryKind, logged: dict[str, Any], published: dict[str, Any] | None, choices: Choices, language: str
) -> list[Row]:
    """One row per field that has a value on either side (milestones as one row)."""
    result = []
    for name in FIELDS[kind]:
        if name.startswith("milestone_"):
            continue
        new = _text(name, logged.get(name), choices, language)
        old = _text(name, published.get(name), choices, language) if published is not None else None
        if new or old:
            result.append(Row(gettext(LABELS[name]), new, old))
    if kind == EntryKind.PILOT:
        new = _milestones(logged)
        old = _milestones(published) if published is not None else None
        if new or old:
            result.append(Row(gettext(N_("Milestones")), new, old))
    return result
