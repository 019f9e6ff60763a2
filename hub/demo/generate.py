"""Load the demo network: the three programmes from the seeds, sized like the real ones.

Real organisations appear only where the seeds name them, and never as the procurer or supplier
of a generated pilot; everyone else is invented. One ``random.Random(seed)`` drives everything
(uids included) and only ordered structures are iterated, so a seed always gives the same data.
Rows go in with bulk INSERTs, so 10,000 pilots load in seconds; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import freshness
from hub.db import utcnow
from hub.demo import scaled
from hub.demo.calls import load_calls
from hub.demo.community import load_communities, load_lessons
from hub.demo.context import Demo, Org
from hub.demo.events import load_events
from hub.demo.facts import ProgrammeFacts
from hub.demo.library import load_library
from hub.demo.life import Members, load_community_life
from hub.demo.material import (
    GDCA_FACILITATORS,
    GDCA_PROCURERS,
    GDCI_KNOWLEDGE_PARTNERS,
    GDCI_PROCURERS,
    LEGAL_FORMS,
    PLACE_PARTS,
    PLACES,
    PROCIRC_JOINERS_PER_PROGRAMME,
    PROCIRC_PARTNERS,
    PRODUCT_GROUP_WEIGHTS,
    SUPPLIER_TRADES,
    SUPPORTING_ACTION_FRAMES,
    SUPPORTING_ACTION_TOPICS,
)
from hub.demo.organisation_facts import REAL_ORGANISATIONS
from hub.demo.participants import load_participants
from hub.demo.pilots import PilotRef, Suppliers, generate_pilots
from hub.demo.programme_facts import GDCA, GDCI, PROCIRC, PROGRAMMES
from hub.demo.sdgs import load_programme_sdgs
from hub.i18n import local_moment
from hub.organisations.models import (
    Commitment,
    CommitmentKind,
    Organisation,
    Participation,
    Role,
    Sector,
    SupportingAction,
)
from hub.programmes.models import KeyFigure, Programme
from hub.search import index
from hub.taxonomy.vocabulary import PRODUCT_GROUPS, ensure_vocabulary

DEFAULT_PILOTS: dict[str, int] = {"gdca": 200, "gdci": 70, "procirc": 32}
SUPPORTING_ACTIONS = 60
FACILITATORS_WITHOUT_ACTIONS = 6
# Suppliers per product group and country; ProCirc's other countries only in its groups.
SUPPLIERS_PER_GROUP = {"BE": 3, "NL": 2, "DK": 1, "DE": 1, "SE": 1, "GB": 1}

COMMITMENT_TEXTS: dict[CommitmentKind, tuple[str, str]] = {
    CommitmentKind.PILOTS: (
        "Minstens twee circulaire aankooppilots opstarten.",
        "Start at least two circular procurement pilots.",
    ),
    CommitmentKind.SUPPORTING_ACTIONS: (
        "Minstens één ondersteunende actie voor het netwerk.",
        "At least one supporting action for the network.",
    ),
}


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind the demo added."""

    programmes: int
    key_figures: int
    organisations: int
    participations: int
    commitments: int
    supporting_actions: int
    pilots: int
    pilot_parties: int
    communities: int
    meetings: int
    lessons: int
    lesson_links: int
    memberships: int
    closeouts: int
    posts: int
    library_items: int
    events: int = 0


@dataclass
class _Cast:
    """The generated organisations, by the part they play."""

    real: dict[str, Org]
    gdca_procurers: list[Org]
    gdca_facilitators: list[Org]
    gdci_procurers: list[Org]
    gdci_knowledge_partners: list[Org]
    procirc_partners: list[Org]
    procirc_joiners: list[Org]
    suppliers: list[tuple[Org, tuple[str, ...]]]

    def all(self) -> list[Org]:
        return [
            *self.real.values(),
            *self.gdca_procurers,
            *self.gdca_facilitators,
            *self.gdci_procurers,
            *self.gdci_knowledge_partners,
            *self.procirc_partners,
            *(org for org, _ in self.suppliers),
        ]

    def procurers(self, programme: str) -> list[Org]:
        if programme == "gdca":
            return self.gdca_procurers
        if programme == "gdci":
            return self.gdci_procurers
        public = [org for org in self.procirc_partners if org.sector is Sector.PUBLIC]
        return [*public, *self.procirc_joiners]

    def members(self) -> Members:
        """Who joins each programme's communities: procurers, with supporters as contacts and experts.

        Only invented organisations: the real ones the seeds name are not made members of anything.
        """
        return Members(
            procurers={facts.code: self.procurers(facts.code) for facts in PROGRAMMES},
            supporters={
                "gdca": self.gdca_facilitators,
                "gdci": self.gdci_knowledge_partners,
                "procirc": self.procirc_partners,
            },
        )


def scaled_sizes(total: int) -> dict[str, int]:
    """Pilots per programme adding up to ``total`` (``hub demo --pilots``).

    GDCI and ProCirc keep their real sizes and GDCA takes the rest (10,000 = 9,898 + 70 + 32), so
    a benchmark grows the one programme that has thousands of procurers' pilots to spread over;
    below the real total, all three shrink in proportion.
    """
    if total < 0:
        raise ValueError("the number of pilots cannot be negative")
    real = sum(DEFAULT_PILOTS.values())
    if total >= real:
        return {**DEFAULT_PILOTS, "gdca": total - real + DEFAULT_PILOTS["gdca"]}
    sizes = {code: count * total // real for code, count in DEFAULT_PILOTS.items()}
    sizes["gdca"] += total - sum(sizes.values())
    return sizes


def is_empty(session: Session) -> bool:
    """True when the hub has no programmes yet (so ``--demo`` may load)."""
    return session.scalar(select(Programme.id).limit(1)) is None


def load_demo(
    session: Session, *, seed: int = 2017, pilots: dict[str, int] | None = None, today: dt.date | None = None
) -> DemoSummary:
    """Add the demo network to ``session`` (flushed, not committed) and say what was added.

    ``today`` (default: today in Brussels) is the day the network describes: its pilots' statuses
    follow their dates up to it, and its future (the event to come, the open call) is dated from it.

    ``pilots`` overrides the number of pilots per programme code, e.g. ``{"gdca": 9898}``; above
    the real total, lessons and library entries grow in proportion (``hub.demo.scaled``).
    """
    ensure_vocabulary(session)
    sizes = {**DEFAULT_PILOTS, **(pilots or {})}
    demo = Demo.start(session, seed, today or local_moment(utcnow()).date())
    _load_programmes(demo)
    load_programme_sdgs(demo)
    cast = _cast(demo)
    ids = demo.insert(Organisation, [_organisation_row(demo, org) for org in cast.all()])
    for org, org_id in zip(cast.all(), ids, strict=True):
        org.id = org_id
    _load_participations(demo, cast)
    _load_supporting_actions(demo, cast.gdca_facilitators)
    suppliers = Suppliers(cast.suppliers)
    refs: list[PilotRef] = []
    for facts in PROGRAMMES:
        refs += generate_pilots(demo, facts, sizes[facts.code], cast.procurers(facts.code), suppliers)
    load_calls(demo)
    communities, meetings = load_communities(demo)
    lessons = load_lessons(demo, refs)
    load_community_life(demo, communities, meetings, cast.members(), refs, lessons)
    load_library(demo, refs, lessons)  # last: what the rng drew before stays as it was
    load_events(demo)  # after the library, for the same reason
    load_participants(demo, refs)  # draws nothing from the rng
    # A demo scaled past the real programmes gets lessons and library entries in proportion;
    # after every other draw, so the rest is as it would be without them.
    scaled.load_more(demo, refs, sum(DEFAULT_PILOTS.values()))
    session.flush()
    index.rebuild(session)  # written in bulk, past the index's following of the ORM
    freshness.changed(session)  # and past the public pages' validator
    counts = demo.counts
    return DemoSummary(
        programmes=counts["programmes"],
        key_figures=counts["key_figures"],
        organisations=counts["organisations"],
        participations=counts["participations"],
        commitments=counts["commitments"],
        supporting_actions=counts["supporting_actions"],
        pilots=counts["pilots"],
        pilot_parties=counts["pilot_parties"],
        communities=counts["communities"],
        meetings=counts["meetings"],
        lessons=counts["lessons"],
        lesson_links=counts["lesson_pilot_links"],
        memberships=counts["memberships"],
        closeouts=counts["meeting_closeouts"],
        posts=counts["community_posts"],
        library_items=counts["library_items"],
        events=counts["events"],
    )


def _load_programmes(demo: Demo) -> None:
    rows = [_programme_row(demo, facts) for facts in PROGRAMMES]
    for facts, programme_id in zip(PROGRAMMES, demo.insert(Programme, rows), strict=True):
        demo.programmes[facts.code] = programme_id
    figures = [
        {
            "programme_id": demo.programmes[facts.code],
            "metric": figure.metric,
            "value": figure.value,
            "approximate": figure.approximate,
            "as_of": figure.as_of,
            "source_title": figure.source.title,
            "source_language": figure.source.language,
            "source_url": None,
            "note_nl": figure.note_nl,
            "note_en": figure.note_en,
            "position": position,
        }
        for facts in PROGRAMMES
        for position, figure in enumerate(facts.key_figures)
    ]
    demo.insert_plain(KeyFigure, figures)


def _programme_row(demo: Demo, facts: ProgrammeFacts) -> dict[str, Any]:
    return demo.record(
        code=facts.code,
        short_name=facts.short_name,
        name_nl=facts.name_nl,
        name_en=facts.name_en,
        description_nl=facts.description_nl,
        description_en=facts.description_en,
        region_nl=facts.region_nl,
        region_en=facts.region_en,
        countries=list(facts.countries),
        starts_on=facts.starts_on,
        ends_on=facts.ends_on,
        website=None,
        min_pilots_per_procurer=facts.min_pilots_per_procurer,
        min_actions_per_facilitator=facts.min_actions_per_facilitator,
        rules_nl=facts.rules_nl,
        rules_en=facts.rules_en,
        reduction_target_min=facts.reduction_target_min,
        reduction_target_max=facts.reduction_target_max,
        source_language=facts.source_language,
    )


def _cast(demo: Demo) -> _Cast:
    rng = demo.rng
    real = {
        org.key: Org(org.name, org.sector, org.country, "", org.description_nl, org.description_en)
        for org in REAL_ORGANISATIONS
    }
    gdca_procurers = _invent(demo, GDCA_PROCURERS, "BE")
    gdci_procurers = _invent(demo, GDCI_PROCURERS, "NL")
    # Flemish and Dutch procurers who joined ProCirc pilots through its open call.
    joiners = [
        *rng.sample(gdca_procurers, PROCIRC_JOINERS_PER_PROGRAMME),
        *rng.sample(gdci_procurers, PROCIRC_JOINERS_PER_PROGRAMME),
    ]
    return _Cast(
        real=real,
        gdca_procurers=gdca_procurers,
        gdca_facilitators=_invent(demo, GDCA_FACILITATORS, "BE"),
        gdci_procurers=gdci_procurers,
        gdci_knowledge_partners=_invent(demo, GDCI_KNOWLEDGE_PARTNERS, "NL"),
        procirc_partners=[Org(*partner) for partner in PROCIRC_PARTNERS],
        procirc_joiners=joiners,
        suppliers=_suppliers(demo),
    )


def _places(demo: Demo, country: str, count: int) -> list[str]:
    """``count`` different invented place names of ``country``."""
    if country in PLACE_PARTS:
        roots, endings = PLACE_PARTS[country]
        return demo.rng.sample([root + ending for root in roots for ending in endings], count)
    return demo.rng.sample(PLACES[country], count)


def _invent(demo: Demo, patterns: tuple[tuple[str, Sector, int], ...], country: str) -> list[Org]:
    orgs = []
    for pattern, sector, count in patterns:
        for place in _places(demo, country, count):
            orgs.append(Org(pattern.format(place=place), sector, country, place))
    return orgs


def _suppliers(demo: Demo) -> list[tuple[Org, tuple[str, ...]]]:
    """Private suppliers with the product groups they serve (their trade, maybe one more)."""
    rng = demo.rng
    suppliers = []
    for country, per_group in SUPPLIERS_PER_GROUP.items():
        groups = [g.code for g in PRODUCT_GROUPS]
        if country not in ("BE", "NL"):
            groups = list(PRODUCT_GROUP_WEIGHTS["procirc"])
        for group in groups:
            trade_nl, trade_en = SUPPLIER_TRADES[group]
            for place in _places(demo, country, per_group):
                legal = rng.choice(LEGAL_FORMS[country])
                name = (
                    f"{trade_nl} {place} {legal}"
                    if country in ("BE", "NL")
                    else f"{place} {trade_en} {legal}"
                )
                served = (group,) if demo.chance(0.7) else (group, rng.choice(groups))
                org = Org(name, Sector.PRIVATE, country, place)
                suppliers.append((org, tuple(dict.fromkeys(served))))
    return suppliers


def _organisation_row(demo: Demo, org: Org) -> dict[str, Any]:
    return demo.record(
        name=org.name,
        sector=org.sector,
        country=org.country,
        city=org.city,
        website=None,
        description_nl=org.description_nl,
        description_en=org.description_en,
        source_language="nl" if org.country in ("BE", "NL") else "en",
    )


def _load_participations(demo: Demo, cast: _Cast) -> None:
    """Every role an organisation plays in a programme, with what it committed to."""
    pilots, actions = CommitmentKind.PILOTS, CommitmentKind.SUPPORTING_ACTIONS
    plan: list[tuple[Org, ProgrammeFacts, Role, CommitmentKind | None]] = []
    for real in REAL_ORGANISATIONS:
        for code, role in real.roles:
            facts = next(f for f in PROGRAMMES if f.code == code)
            plan.append((cast.real[real.key], facts, role, None))
    plan += [(org, GDCA, Role.PROCURER, pilots) for org in cast.gdca_procurers]
    plan += [(org, GDCA, Role.FACILITATOR, actions) for org in cast.gdca_facilitators]
    plan += [(org, GDCI, Role.PROCURER, pilots) for org in cast.gdci_procurers]
    plan += [(org, GDCI, Role.KNOWLEDGE_PARTNER, actions) for org in cast.gdci_knowledge_partners]
    plan += [(org, PROCIRC, Role.PROJECT_PARTNER, None) for org in cast.procirc_partners]
    plan += [(org, PROCIRC, Role.PROCURER, pilots) for org in cast.procurers("procirc")]

    rows = [
        demo.record(
            programme_id=demo.programmes[facts.code],
            organisation_id=org.id,
            role=role,
            joined_on=facts.starts_on,
            left_on=None,
        )
        for org, facts, role, _ in plan
    ]
    ids = demo.insert(Participation, rows)
    commitments = []
    for participation_id, (_, facts, _, kind) in zip(ids, plan, strict=True):
        if kind is None:
            continue
        text_nl, text_en = COMMITMENT_TEXTS[kind]
        commitments.append(
            demo.record(
                participation_id=participation_id,
                kind=kind,
                target_count=2 if kind is pilots else 1,
                signed_on=facts.starts_on,
                description_nl=text_nl,
                description_en=text_en,
            )
        )
    demo.insert_plain(Commitment, commitments)


def _load_supporting_actions(demo: Demo, facilitators: list[Org]) -> None:
    """60 actions by GDCA facilitators; a few facilitators never delivered one."""
    rng = demo.rng
    silent = set(rng.sample(range(len(facilitators)), FACILITATORS_WITHOUT_ACTIONS))
    active = [org for i, org in enumerate(facilitators) if i not in silent]
    authors = [*active, *rng.sample(active, SUPPORTING_ACTIONS - len(active))]
    rows = []
    for org in authors:
        frame_nl, frame_en = rng.choice(SUPPORTING_ACTION_FRAMES)
        topic_nl, topic_en = rng.choice(SUPPORTING_ACTION_TOPICS)
        starts_on = demo.date_between(dt.date(2017, 9, 1), dt.date(2019, 10, 31))
        rows.append(
            demo.record(
                programme_id=demo.programmes[GDCA.code],
                organisation_id=org.id,
                title_nl=frame_nl.format(topic=topic_nl),
                title_en=frame_en.format(topic=topic_en),
                summary_nl=(
                    f"Ondersteunende actie van {org.name} voor de aankopers in de Green Deal "
                    "Circulair Aankopen."
                ),
                summary_en=(
                    f"Supporting action by {org.name} for the procurers in the Green Deal "
                    "Circular Procurement."
                ),
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(days=rng.choice((0, 0, 30, 90, 180))),
                source_language=GDCA.source_language,
            )
        )
    rows.sort(key=lambda row: row["starts_on"])
    demo.insert(SupportingAction, rows)
