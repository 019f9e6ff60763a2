"""The coordinator dashboard's figures: aggregate queries per programme (all SQL of the dashboard).

Each function returns a few rows per product group, year or participant, never the pilots themselves.
Only live records count: pilots, participations, organisations and supporting actions that are not
withdrawn (tombstones).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, extract, func, select
from sqlalchemy.orm import Session

from hub.organisations.models import Organisation, Participation, Role, SupportingAction
from hub.pilots.fields import QUANTITIES
from hub.pilots.models import Pilot, PilotParty, PilotRole, PilotStatus
from hub.programmes.models import Programme
from hub.taxonomy.models import ProductGroup


@dataclasses.dataclass(frozen=True)
class GroupKey:
    """A product group (or none: ``code`` is None) as the dashboard labels it."""

    code: str | None
    name_nl: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_nl if language == "nl" else self.name_en


@dataclasses.dataclass(frozen=True)
class StatusCounts:
    """Live pilots of one product group or start year, by status."""

    key: GroupKey | int | None  # a product group, a start year, or None (no group / no start date)
    counts: dict[PilotStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclasses.dataclass(frozen=True)
class Shortfall:
    """A participant below its programme's commitment: how many it has, how many it needs."""

    organisation_id: int
    name: str
    count: int
    required: int


@dataclasses.dataclass(frozen=True)
class Fulfilment:
    """How many participants of one role meet the commitment, and how many do not."""

    role: Role
    required: int
    rule_set: bool  # False: the programme sets no minimum and the dashboard assumes one
    meeting: int
    short: int


@dataclasses.dataclass(frozen=True)
class Reduction:
    """Measured reduction of one quantity: tonnes avoided over baseline tonnes, summed over pilots."""

    baseline_t: Decimal
    avoided_t: Decimal
    pilots: int

    @property
    def fraction(self) -> Decimal | None:
        return self.avoided_t / self.baseline_t if self.pilots and self.baseline_t > 0 else None


@dataclasses.dataclass(frozen=True)
class GroupImpact:
    key: GroupKey | None  # None: pilots without a product group
    reductions: dict[str, Reduction]
    total: bool = False  # the whole programme


def programmes_visible_to(session: Session, *, programme_ids: frozenset[int] | None) -> Sequence[Programme]:
    """Live programmes, all of them (``None``, an administrator) or those with these ids."""
    statement = select(Programme).where(Programme.withdrawn_at.is_(None))
    if programme_ids is not None:
        statement = statement.where(Programme.id.in_(sorted(programme_ids)))
    return session.scalars(statement.order_by(Programme.starts_on, Programme.id)).all()


def find_programme(session: Session, *, code: str) -> Programme | None:
    return session.scalar(select(Programme).where(Programme.code == code, Programme.withdrawn_at.is_(None)))


def _live_pilots_of(programme_id: int) -> ColumnElement[bool]:
    return and_(Pilot.programme_id == programme_id, Pilot.withdrawn_at.is_(None))


def _per_product_group(*columns: Any, by: Sequence[Any] = ()) -> Select[Any]:
    """``columns`` of pilots per product group (and ``by``), after the group's code and names: in
    the vocabulary's order, then the pilots without a group."""
    return (
        select(ProductGroup.code, ProductGroup.name_nl, ProductGroup.name_en, *columns)
        .select_from(Pilot)
        .outerjoin(ProductGroup, Pilot.product_group_id == ProductGroup.id)
        .group_by(
            ProductGroup.id,
            ProductGroup.code,
            ProductGroup.name_nl,
            ProductGroup.name_en,
            ProductGroup.position,
            *by,
        )
        .order_by(ProductGroup.position.is_(None), ProductGroup.position, ProductGroup.code)
    )


def _group_key(code: str | None, name_nl: str, name_en: str) -> GroupKey | None:
    return GroupKey(code, name_nl, name_en) if code is not None else None


def pilots_by_product_group(session: Session, *, programme_id: int) -> list[StatusCounts]:
    """Live pilots per product group (in the vocabulary's order, then those without one) and status."""
    statement = _per_product_group(Pilot.status, func.count(), by=[Pilot.status])
    rows = session.execute(statement.where(_live_pilots_of(programme_id))).all()
    groups: dict[GroupKey | None, dict[PilotStatus, int]] = {}
    for code, name_nl, name_en, status, n in rows:
        groups.setdefault(_group_key(code, name_nl, name_en), {})[status] = n
    return [StatusCounts(key, counts) for key, counts in groups.items()]


def pilots_by_start_year(session: Session, *, programme_id: int) -> list[StatusCounts]:
    """Live pilots per year they started (oldest first, undated last) and status."""
    year = extract("year", Pilot.starts_on)
    rows = session.execute(
        select(year, Pilot.status, func.count())
        .where(_live_pilots_of(programme_id))
        .group_by(year, Pilot.status)
        .order_by(year.is_(None), year)
    ).all()
    years: dict[int | None, dict[PilotStatus, int]] = {}
    for value, status, n in rows:
        years.setdefault(int(value) if value is not None else None, {})[status] = n
    return [StatusCounts(key, counts) for key, counts in years.items()]


def _pilots_per_procurer(programme_id: int) -> Subquery:
    """Live pilots of the programme per organisation that procures in them (a subquery)."""
    return (
        select(PilotParty.organisation_id, func.count().label("n"))
        .join(Pilot, Pilot.id == PilotParty.pilot_id)
        .where(_live_pilots_of(programme_id), PilotParty.role == PilotRole.PROCURER)
        .group_by(PilotParty.organisation_id)
        .subquery()
    )


def _actions_per_facilitator(programme_id: int) -> Subquery:
    """Live supporting actions in the programme per organisation (a subquery)."""
    return (
        select(SupportingAction.organisation_id, func.count().label("n"))
        .where(SupportingAction.programme_id == programme_id, SupportingAction.withdrawn_at.is_(None))
        .group_by(SupportingAction.organisation_id)
        .subquery()
    )


def _participants(programme_id: int, role: Role) -> Select[int, str, Any]:
    """Organisations taking part in the programme in ``role`` with their count of pilots or actions."""
    per = (
        _pilots_per_procurer(programme_id)
        if role == Role.PROCURER
        else _actions_per_facilitator(programme_id)
    )
    n = func.coalesce(per.c.n, 0)
    return (
        select(Organisation.id, Organisation.name, n.label("n"))
        .select_from(Participation)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .outerjoin(per, per.c.organisation_id == Organisation.id)
        .where(
            Participation.programme_id == programme_id,
            Participation.role == role,
            Participation.withdrawn_at.is_(None),
            Organisation.withdrawn_at.is_(None),
        )
    )


def required_count(programme: Programme, role: Role) -> tuple[int, bool]:
    """The commitment of a procurer (pilots) or facilitator (supporting actions), and whether the
    programme sets it; without a rule the dashboard looks for participants with none at all."""
    rule = (
        programme.min_pilots_per_procurer if role == Role.PROCURER else programme.min_actions_per_facilitator
    )
    return (rule, True) if rule is not None else (1, False)


def fulfilment(session: Session, *, programme: Programme) -> list[Fulfilment]:
    """Per role (procurers, facilitators): how many meet the commitment and how many fall short."""
    result = []
    for role in (Role.PROCURER, Role.FACILITATOR):
        required, rule_set = required_count(programme, role)
        participants = _participants(programme.id, role).subquery()
        meeting, short = session.execute(
            select(
                func.coalesce(func.sum(case((participants.c.n >= required, 1), else_=0)), 0),
                func.coalesce(func.sum(case((participants.c.n < required, 1), else_=0)), 0),
            )
        ).one()
        result.append(Fulfilment(role, required, rule_set, int(meeting), int(short)))
    return result


def shortfalls(session: Session, *, programme: Programme, role: Role) -> list[Shortfall]:
    """The procurers with fewer live pilots (as procurer) than the programme asks, or the
    facilitators with fewer supporting actions, by name."""
    required, _rule_set = required_count(programme, role)
    statement = _participants(programme.id, role)
    n = statement.selected_columns.n
    rows = session.execute(
        statement.where(n < required).order_by(func.lower(Organisation.name), Organisation.id)
    ).all()
    return [Shortfall(organisation_id, name, int(count), required) for organisation_id, name, count in rows]


def _measured(quantity: str) -> tuple[ColumnElement[bool], ColumnElement[Decimal], ColumnElement[Decimal]]:
    baseline = getattr(Pilot, f"{quantity}_baseline_t")
    result = getattr(Pilot, f"{quantity}_result_t")
    measured = and_(baseline.is_not(None), result.is_not(None), baseline > 0)
    return measured, baseline, result


def impact(session: Session, *, programme_id: int) -> list[GroupImpact]:
    """Per product group (those with a measured pilot) and for the whole programme: per quantity,
    the summed baseline, the summed tonnes avoided (baseline - result) and the pilots measured.

    The reduction is the ratio of the sums (see ``Reduction.fraction``): the share of the measured
    baseline tonnes that the pilots together avoided.
    """
    columns = []
    for quantity in QUANTITIES:
        measured, baseline, result = _measured(quantity)
        columns += [
            func.sum(case((measured, baseline))),
            func.sum(case((measured, baseline - result))),
            func.count(case((measured, 1))),
        ]
    any_measured = [_measured(q)[0] for q in QUANTITIES]
    rows = session.execute(
        _per_product_group(*columns).where(
            _live_pilots_of(programme_id), any_measured[0] | any_measured[1] | any_measured[2]
        )
    ).all()
    groups = []
    totals = {q: Reduction(Decimal(0), Decimal(0), 0) for q in QUANTITIES}
    for code, name_nl, name_en, *sums in rows:
        reductions = {}
        for i, quantity in enumerate(QUANTITIES):
            baseline, avoided, pilots = sums[3 * i : 3 * i + 3]
            reduction = Reduction(Decimal(baseline or 0), Decimal(avoided or 0), int(pilots))
            reductions[quantity] = reduction
            total = totals[quantity]
            totals[quantity] = Reduction(
                total.baseline_t + reduction.baseline_t,
                total.avoided_t + reduction.avoided_t,
                total.pilots + reduction.pilots,
            )
        groups.append(GroupImpact(_group_key(code, name_nl, name_en), reductions))
    if not groups:
        return []
    return [*groups, GroupImpact(None, totals, total=True)]
