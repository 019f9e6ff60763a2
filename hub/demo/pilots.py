"""Generated pilots: who procured what, how circular, how far it got, and what it saved."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hub.demo.context import Demo, Org
from hub.demo.facts import ProgrammeFacts
from hub.demo.material import (
    CONTRACT_VALUES,
    OBJECTS,
    PHASE_NAMES,
    PRODUCT_GROUP_WEIGHTS,
    RAW_MATERIAL_TONNES,
    STRATEGY_FIT,
    STRATEGY_PHRASES,
    SUMMARY_EXTRAS,
    TITLE_FRAMES,
)
from hub.demo.sdgs import load_pilot_sdgs
from hub.pilots.models import Pilot, PilotParty, PilotRole, PilotStatus, pilot_strategies
from hub.programmes.models import Metric
from hub.taxonomy.models import Phase, StrategyKind
from hub.taxonomy.vocabulary import STRATEGIES

# When pilots started: GDCA procurers started theirs from September 2017; ProCirc's ran on
# until its last year. What the generator draws follows the status each programme reported at its
# end (so one seed always draws one network, whatever the day); the status shown is the one the
# pilot's own dates give on the day the demo is loaded (``_on_the_day``), which draws nothing.
START_WINDOWS: dict[str, tuple[dt.date, dt.date]] = {
    "gdca": (dt.date(2017, 9, 1), dt.date(2019, 10, 31)),
    "gdci": (dt.date(2018, 7, 1), dt.date(2021, 10, 31)),
    "procirc": (dt.date(2019, 3, 1), dt.date(2023, 9, 30)),
}
DURATION_DAYS = (120, 720)
TYPICAL_DAYS = sum(DURATION_DAYS) // 2  # a pilot still planned at its programme's end, once begun
UNTRANSLATED_SHARE = 0.05  # exercises the "not yet translated" fallback
LAGGARD_SHARE = 0.08  # procurers who did not reach two pilots
CO_PROCUREMENT_SHARE = 0.2
GOALS = tuple(s.code for s in STRATEGIES if s.kind is StrategyKind.GOAL)
STRATEGY_NAMES = {s.code: (s.name_nl, s.name_en) for s in STRATEGIES}
POSITIONS = {s.code: position for position, s in enumerate(STRATEGIES)}
# Before the tender there is no supplier yet.
EARLY_PHASES = (Phase.NEEDS_ASSESSMENT, Phase.MARKET_DIALOGUE)
RUNNING_PHASES = (Phase.MARKET_DIALOGUE, Phase.TENDER, Phase.AWARD, Phase.CONTRACT_MANAGEMENT)


@dataclass(frozen=True)
class PilotRef:
    """What later steps (lessons, links) need to know about an inserted pilot."""

    id: int
    programme: str
    product_group: str
    status: PilotStatus  # as its programme reported it at its end: what later draws go by
    starts_on: dt.date
    ends_on: dt.date | None  # on the day the demo is loaded (None: not ended, or not begun)
    procurers: tuple[int, ...]  # organisation ids


@dataclass
class _Draft:
    row: dict[str, Any]
    group: str
    procurers: list[Org]
    suppliers: list[Org]
    strategies: list[str]
    raw_value: float | None
    reported: PilotStatus  # at the programme's end (the row has the status on the demo's day)


class Suppliers:
    """Generated suppliers, looked up by (country, product group) with fallbacks."""

    def __init__(self, suppliers: Sequence[tuple[Org, tuple[str, ...]]]) -> None:
        self.all = [org for org, _ in suppliers]
        self.by_group: dict[tuple[str, str], list[Org]] = {}
        self.by_country: dict[str, list[Org]] = {}
        for org, groups in suppliers:
            self.by_country.setdefault(org.country, []).append(org)
            for group in groups:
                self.by_group.setdefault((org.country, group), []).append(org)

    def candidates(self, country: str, group: str) -> list[Org]:
        return self.by_group.get((country, group)) or self.by_country.get(country) or self.all


def generate_pilots(
    demo: Demo, facts: ProgrammeFacts, count: int, procurers: list[Org], suppliers: Suppliers
) -> list[PilotRef]:
    """Insert ``count`` pilots of one programme, spread over its ``procurers``."""
    primaries, active = _procurer_slots(demo, procurers, count)
    drafts = [_draft(demo, facts, primary, active, suppliers) for primary in primaries]
    _set_contract_values(demo, facts, drafts)
    # Ids in start order, so that "newest first" and "by id" agree.
    drafts.sort(key=lambda d: d.row["starts_on"])
    ids = demo.insert(Pilot, [d.row for d in drafts])
    parties: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for pilot_id, draft in zip(ids, drafts, strict=True):
        roles = [(o, PilotRole.PROCURER) for o in draft.procurers]
        roles += [(o, PilotRole.SUPPLIER) for o in draft.suppliers]
        for position, (org, role) in enumerate(roles):
            parties.append(
                {"pilot_id": pilot_id, "organisation_id": org.id, "role": role, "position": position}
            )
        for code in draft.strategies:
            links.append({"pilot_id": pilot_id, "strategy_id": demo.strategies[code]})
    demo.insert_plain(PilotParty, parties)
    demo.insert_plain(pilot_strategies, links)
    load_pilot_sdgs(demo, [(pilot_id, draft.row) for pilot_id, draft in zip(ids, drafts, strict=True)])
    return [
        PilotRef(
            pilot_id,
            facts.code,
            draft.group,
            draft.reported,
            draft.row["starts_on"],
            draft.row["ends_on"],
            tuple(org.id for org in draft.procurers),
        )
        for pilot_id, draft in zip(ids, drafts, strict=True)
    ]


def _procurer_slots(demo: Demo, procurers: list[Org], count: int) -> tuple[list[Org], list[Org]]:
    """The first procurer of each pilot; every active procurer gets two pilots where possible.

    A few "laggards" get one pilot or none, as in the real programmes, and never co-procure.
    """
    rng = demo.rng
    laggards = set(rng.sample(range(len(procurers)), max(1, round(len(procurers) * LAGGARD_SHARE))))
    active = [org for i, org in enumerate(procurers) if i not in laggards]
    slots = [org for org in active for _ in range(2)]
    slots += [procurers[i] for i in sorted(laggards) if rng.random() < 0.5]
    rng.shuffle(slots)
    slots = slots[:count] + rng.choices(active, k=max(0, count - len(slots)))
    rng.shuffle(slots)
    return slots, active


def _draft(
    demo: Demo, facts: ProgrammeFacts, primary: Org, active: list[Org], suppliers: Suppliers
) -> _Draft:
    rng = demo.rng
    weights = PRODUCT_GROUP_WEIGHTS[facts.code]
    group = rng.choices(list(weights), weights=list(weights.values()))[0]
    strategies = _strategies(demo, group)
    procurers = [primary]
    if len(active) > 1 and demo.chance(CO_PROCUREMENT_SHARE):
        procurers.append(rng.choice([org for org in active if org is not primary]))

    first, last = START_WINDOWS[facts.code]
    starts_on = demo.date_between(first, last)
    status, _ended, end = _status(demo, starts_on, facts.ends_on)
    phase = _phase(demo, status, starts_on, facts.ends_on)
    chosen: list[Org] = []
    if status is not PilotStatus.PLANNED and phase not in EARLY_PHASES:
        candidates = suppliers.candidates(primary.country, group)
        wanted = rng.choices((0, 1, 2), weights=(15, 70, 15))[0]
        chosen = rng.sample(candidates, min(wanted, len(candidates)))

    shown, shown_end, shown_phase = _on_the_day(status, phase, starts_on, end, demo.today)
    row: dict[str, Any] = {
        **demo.record(),
        "programme_id": demo.programmes[facts.code],
        "source_language": facts.source_language,
        **_texts(demo, facts, group, strategies, procurers, chosen, shown, shown_phase),
        "product_group_id": demo.product_groups[group],
        "country": primary.country,
        "phase": shown_phase,
        "status": shown,
        "starts_on": starts_on,
        "ends_on": shown_end,
        "contract_value": None,
        **_impact(demo, facts, group, status),
    }
    raw_value = _raw_contract_value(demo, facts, group, status)
    return _Draft(row, group, procurers, chosen, strategies, raw_value, status)


def _strategies(demo: Demo, group: str) -> list[str]:
    """One to three strategies, led by one that suits the product group, always with a goal."""
    rng = demo.rng
    chosen = [rng.choice(STRATEGY_FIT[group])]
    extra = rng.choice((0, 1, 1, 2))
    others = [s.code for s in STRATEGIES if s.code not in chosen]
    chosen += rng.sample(others, extra)
    if not any(code in GOALS for code in chosen):
        goal = rng.choice(GOALS)
        chosen = [*chosen[:2], goal]
    return sorted(chosen, key=POSITIONS.__getitem__)


def _status(
    demo: Demo, starts_on: dt.date, as_of: dt.date
) -> tuple[PilotStatus, dt.date | None, dt.date | None]:
    """Status as the programme reported it at its end (``as_of``): old pilots done, recent ones not
    yet; its end date then; and the end its drawn duration gives (None: still planned, none drawn)."""
    if starts_on > as_of - dt.timedelta(days=75) and demo.chance(0.6):
        return PilotStatus.PLANNED, None, None
    duration = demo.rng.randint(*DURATION_DAYS)
    ends_on = starts_on + dt.timedelta(days=duration)
    if ends_on > as_of:
        return PilotStatus.RUNNING, None, ends_on
    if demo.chance(0.04):
        stopped = starts_on + dt.timedelta(days=duration * 2 // 5)
        return PilotStatus.STOPPED, stopped, stopped
    return PilotStatus.COMPLETED, ends_on, ends_on


def _on_the_day(
    reported: PilotStatus, phase: Phase, starts_on: dt.date, end: dt.date | None, today: dt.date
) -> tuple[PilotStatus, dt.date | None, Phase]:
    """Status, end date and phase on ``today`` by the pilot's own dates: planned before its start,
    running until its end, then as it ended (stopped, or completed). A pilot still planned when its
    programme ended is taken to have run a typical length since. Draws nothing."""
    end = end or starts_on + dt.timedelta(days=TYPICAL_DAYS)
    if starts_on > today:
        return PilotStatus.PLANNED, None, phase if reported is PilotStatus.PLANNED else Phase.NEEDS_ASSESSMENT
    if end > today:
        if reported is PilotStatus.RUNNING:
            return reported, None, phase
        return PilotStatus.RUNNING, None, _running_phase(starts_on, today)
    if reported in (PilotStatus.COMPLETED, PilotStatus.STOPPED):
        return reported, end, phase
    return PilotStatus.COMPLETED, end, Phase.CONTRACT_MANAGEMENT


def _phase(demo: Demo, status: PilotStatus, starts_on: dt.date, as_of: dt.date) -> Phase:
    rng = demo.rng
    if status is PilotStatus.PLANNED:
        return rng.choice((Phase.NEEDS_ASSESSMENT, Phase.NEEDS_ASSESSMENT, Phase.MARKET_DIALOGUE))
    if status is PilotStatus.STOPPED:
        return rng.choice((Phase.NEEDS_ASSESSMENT, Phase.MARKET_DIALOGUE, Phase.TENDER))
    if status is PilotStatus.COMPLETED:
        return rng.choice((Phase.CONTRACT_MANAGEMENT, Phase.CONTRACT_MANAGEMENT, Phase.END_OF_LIFE))
    # Running: further along the longer it has run.
    return _running_phase(starts_on, as_of)


def _running_phase(starts_on: dt.date, day: dt.date) -> Phase:
    """A running pilot's phase: further along the longer it has run."""
    elapsed = (day - starts_on).days / DURATION_DAYS[1]
    return RUNNING_PHASES[min(len(RUNNING_PHASES) - 1, int(elapsed * len(RUNNING_PHASES)))]


def _texts(
    demo: Demo,
    facts: ProgrammeFacts,
    group: str,
    strategies: list[str],
    procurers: list[Org],
    suppliers: list[Org],
    status: PilotStatus,
    phase: Phase,
) -> dict[str, str]:
    """Title and summary in both languages, or only the source language for a few."""
    rng = demo.rng
    object_nl, object_en = rng.choice(OBJECTS[group])
    lead = rng.choice([code for code in strategies if code in STRATEGY_FIT[group]] or strategies)
    phrase_nl, phrase_en = STRATEGY_PHRASES[lead]
    frame_nl, frame_en = rng.choice(TITLE_FRAMES)
    extra_nl, extra_en = rng.choice(SUMMARY_EXTRAS)
    names = [org.name for org in procurers]
    supplier = suppliers[0].name if suppliers else None
    texts = {
        "title_nl": _fill(frame_nl, object_nl, phrase_nl),
        "title_en": _fill(frame_en, object_en, phrase_en),
        "summary_nl": " ".join(
            part
            for part in (
                _what_nl(names, object_nl, phrase_nl, status),
                "Gekozen strategieën: "
                + "; ".join(_lower_first(STRATEGY_NAMES[c][0]) for c in strategies)
                + ".",
                _progress_nl(status, phase, supplier),
                extra_nl.format(programme=facts.short_name),
            )
            if part
        ),
        "summary_en": " ".join(
            part
            for part in (
                _what_en(names, object_en, phrase_en, status),
                "Strategies chosen: "
                + "; ".join(_lower_first(STRATEGY_NAMES[c][1]) for c in strategies)
                + ".",
                _progress_en(status, phase, supplier),
                extra_en.format(programme=facts.short_name),
            )
            if part
        ),
    }
    if demo.chance(UNTRANSLATED_SHARE):
        other = "en" if facts.source_language == "nl" else "nl"
        texts[f"title_{other}"] = texts[f"summary_{other}"] = ""
    return texts


def _fill(frame: str, obj: str, phrase: str) -> str:
    return frame.format(object=obj, Object=obj[:1].upper() + obj[1:], strategy=phrase)


def _lower_first(text: str) -> str:
    # Keep acronyms ("ICT") as they are.
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _what_nl(names: list[str], obj: str, phrase: str, status: PilotStatus) -> str:
    who = " en ".join(names)
    plural = len(names) > 1
    if status is PilotStatus.PLANNED:
        return f"{who} {'willen' if plural else 'wil'} {obj} circulair aankopen, {phrase}."
    if status is PilotStatus.STOPPED:
        return f"{who} {'wilden' if plural else 'wilde'} {obj} circulair aankopen, {phrase}."
    verb = ("kochten" if plural else "kocht") if status is PilotStatus.COMPLETED else None
    verb = verb or ("kopen" if plural else "koopt")
    return f"{who} {verb} {obj} circulair aan, {phrase}."


def _what_en(names: list[str], obj: str, phrase: str, status: PilotStatus) -> str:
    who = " and ".join(names)
    plural = len(names) > 1
    if status is PilotStatus.PLANNED:
        return f"{who} {'plan' if plural else 'plans'} to procure {obj} circularly, {phrase}."
    if status is PilotStatus.STOPPED:
        return f"{who} set out to procure {obj} circularly, {phrase}."
    if status is PilotStatus.COMPLETED:
        return f"{who} procured {obj} circularly, {phrase}."
    return f"{who} {'are' if plural else 'is'} procuring {obj} circularly, {phrase}."


def _progress_nl(status: PilotStatus, phase: Phase, supplier: str | None) -> str:
    if status is PilotStatus.PLANNED:
        return "De marktverkenning start binnenkort."
    if status is PilotStatus.STOPPED:
        return "De pilot werd voortijdig stopgezet."
    if status is PilotStatus.COMPLETED:
        return _sentence(f"De opdracht werd gegund aan {supplier}") if supplier else "De pilot is afgerond."
    return f"De pilot zit in de fase {PHASE_NAMES[phase.value][0]}."


def _progress_en(status: PilotStatus, phase: Phase, supplier: str | None) -> str:
    if status is PilotStatus.PLANNED:
        return "Market exploration starts soon."
    if status is PilotStatus.STOPPED:
        return "The pilot was stopped early."
    if status is PilotStatus.COMPLETED:
        if supplier:
            return _sentence(f"The contract was awarded to {supplier}")
        return "The pilot has been completed."
    return f"The pilot is in the {PHASE_NAMES[phase.value][1]} phase."


def _sentence(text: str) -> str:
    # A name such as "... B.V." already ends the sentence.
    return text if text.endswith(".") else text + "."


def _raw_contract_value(demo: Demo, facts: ProgrammeFacts, group: str, status: PilotStatus) -> float | None:
    """A value in euros, or None where it is not (yet) known; ProCirc reported all of them."""
    unknown = demo.chance(0.6) if status is PilotStatus.PLANNED else demo.chance(0.08)
    if unknown and facts.code != "procirc":
        return None
    return demo.log_uniform(*CONTRACT_VALUES[group])


def _set_contract_values(demo: Demo, facts: ProgrammeFacts, drafts: list[_Draft]) -> None:
    """Round the values; where the programme published a combined value, match it."""
    target = _latest(facts, Metric.PILOT_VALUE)
    pilots = _latest(facts, Metric.PILOTS)
    known = [d.raw_value for d in drafts if d.raw_value is not None]
    scale = 1.0
    if target and pilots and known:
        # Per pilot asked for, so ProCirc's 32 pilots come to about its €40M.
        scale = float(target) * len(drafts) / float(pilots) / sum(known)
    for draft in drafts:
        if draft.raw_value is not None:
            draft.row["contract_value"] = _round_euros(draft.raw_value * scale)


def _latest(facts: ProgrammeFacts, metric: Metric) -> Decimal | None:
    figures = [f for f in facts.key_figures if f.metric is metric]
    return max(figures, key=lambda f: f.as_of).value if figures else None


def _round_euros(value: float) -> Decimal:
    """Three significant figures, as budgets are usually quoted."""
    digits = max(0, math.floor(math.log10(max(value, 1))) - 2)
    return Decimal(round(value / 10**digits) * 10**digits)


def _impact(demo: Demo, facts: ProgrammeFacts, group: str, status: PilotStatus) -> dict[str, Any]:
    """Baselines and results in tonnes; reductions spread over 10-35 %, around ProCirc's 20-25 %.

    Completed pilots mostly report both; running ones sometimes a baseline; others nothing.
    """
    rng = demo.rng
    impact: dict[str, Any] = {
        f"{quantity}_{kind}_t": None
        for quantity in ("raw_materials", "waste", "co2")
        for kind in ("baseline", "result")
    }
    reported = 0.95 if facts.code == "procirc" else 0.85
    completed = status is PilotStatus.COMPLETED
    if not (completed and demo.chance(reported)) and not (status is PilotStatus.RUNNING and demo.chance(0.4)):
        return impact
    raw = demo.log_uniform(*RAW_MATERIAL_TONNES[group])
    baselines = {
        "raw_materials": raw,
        "waste": raw * rng.uniform(0.1, 0.6),
        "co2": raw * rng.uniform(0.3, 2.5),
    }
    reduction = rng.uniform(0.10, 0.35)
    for quantity, baseline in baselines.items():
        impact[f"{quantity}_baseline_t"] = _tonnes(baseline)
        if completed:
            own = min(0.35, max(0.10, reduction + rng.uniform(-0.03, 0.03)))
            impact[f"{quantity}_result_t"] = _tonnes(baseline * (1 - own))
    return impact


def _tonnes(value: float) -> Decimal:
    return Decimal(f"{max(value, 0.01):.2f}")
