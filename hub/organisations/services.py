"""Queries over the network: organisations, participations, commitments and supporting actions.

The public pages read the searchable list and an organisation's page; the coordinators' screens
read their programmes' records (``programme_ids`` of ``None``: every programme, an administrator).
The public list's ``q`` is the hub's search (``hub.search``): a name is found by any of its words,
the last one also by its start ("Rijkswat"), and by what the organisation is about.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.filters import QueryFilters
from hub.i18n import N_, LabelledEnum
from hub.organisations.models import (
    Commitment,
    Organisation,
    Participation,
    Role,
    Sector,
    SupportingAction,
)
from hub.pagination import Page, paginate
from hub.programmes.models import Programme
from hub.queries import PublicFilters, matching, workspace_scope
from hub.records import live_counts
from hub.search import query

PAGE_SIZE = 50
KIND = "organisation"  # in the search index


class Sort(LabelledEnum):
    RELEVANCE = "relevance", N_("Best match")  # the default with a search; by name without
    NAME = "name", N_("Name")


class InvalidOrganisationFilter(ValueError):
    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}={value!r}")
        self.field = field
        self.value = value


@dataclasses.dataclass(frozen=True)
class OrganisationFilters(PublicFilters):
    programme: str | None = None
    role: Role | None = None
    sort: Sort = Sort.NAME


def parse_filters(params: Mapping[str, str], programme_codes: Sequence[str]) -> OrganisationFilters:
    programme = params.get("programme", "").strip() or None
    if programme and programme not in programme_codes:
        raise InvalidOrganisationFilter("programme", programme)
    role = params.get("role", "").strip() or None
    if role and role not in {r.value for r in Role}:
        raise InvalidOrganisationFilter("role", role)
    page_text = params.get("page", "1").strip() or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= 1_000_000:
        raise InvalidOrganisationFilter("page", page_text)
    q = QueryFilters(None, params).search()  # a pasted page of text: searched by its beginning
    sort = params.get("sort", "").strip() or None
    if sort and sort not in {s.value for s in Sort}:
        raise InvalidOrganisationFilter("sort", sort[:20])
    return OrganisationFilters(
        programme=programme,
        role=Role(role) if role else None,
        q=q,
        sort=Sort(sort) if sort else (Sort.RELEVANCE if query.parse(q) else Sort.NAME),
        page=int(page_text),
    )


@dataclasses.dataclass(frozen=True)
class OrganisationPage:
    organisations: Sequence[Organisation]
    total: int
    filters: OrganisationFilters

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


def _conditions(
    dialect: str, filters: OrganisationFilters, *, search: bool = True
) -> list[ColumnElement[bool]]:
    """The list's conditions; ``search=False`` leaves out ``q`` (matched by a join instead)."""
    conditions: list[ColumnElement[bool]] = [Organisation.withdrawn_at.is_(None)]
    if search and filters.searched:
        conditions.append(Organisation.id.in_(query.matching_ids(dialect, KIND)))
    if filters.programme or filters.role:
        participation = select(Participation.organisation_id).join(Programme)
        if filters.programme:
            participation = participation.where(Programme.code == filters.programme)
        if filters.role:
            participation = participation.where(Participation.role == filters.role)
        conditions.append(Organisation.id.in_(participation))
    return conditions


def _search_params(session: Session, filters: OrganisationFilters) -> dict[str, str]:
    """The ``search`` parameter of the index's match (none without words to look for)."""
    searched = query.parse(filters.q)
    return {"search": query.search_text(session, searched)} if searched else {}


Listed = Select[*tuple[Any, ...]]


def _listed(session: Session, statement: Listed, filters: OrganisationFilters) -> Listed:
    """``statement`` over the organisations matching ``filters``, in the list's order: the best
    matches first (the index's rank, joined) or by name."""
    dialect = session.get_bind().dialect.name
    if filters.sort is Sort.RELEVANCE and filters.searched:
        ranked = query.matches(dialect, KIND).subquery()
        statement = (
            statement.join(ranked, ranked.c.record_id == Organisation.id)
            .where(*_conditions(dialect, filters, search=False))
            .order_by(ranked.c.rank, Organisation.name, Organisation.id)
        )
    else:
        statement = statement.where(*_conditions(dialect, filters)).order_by(
            Organisation.name, Organisation.id
        )
    return statement.params(**_search_params(session, filters))


def list_organisations(session: Session, *, filters: OrganisationFilters) -> OrganisationPage:
    dialect = session.get_bind().dialect.name
    counted = select(func.count()).select_from(Organisation).where(*_conditions(dialect, filters))
    total = session.scalar(counted.params(**_search_params(session, filters))) or 0
    organisations = session.scalars(
        _listed(session, select(Organisation), filters)
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
        .options(selectinload(Organisation.participations).joinedload(Participation.programme))
    ).all()
    return OrganisationPage(organisations, total, filters)


@dataclasses.dataclass
class OrganisationRow:
    """What the downloads give of an organisation; ``participations`` as (programme code, role)."""

    id: int
    uid: str
    name: str
    sector: Sector
    country: str
    city: str
    website: str | None
    description_nl: str
    description_en: str
    home_hub: str | None
    is_demo: bool
    updated_at: dt.datetime
    participations: list[tuple[str, Role]] = dataclasses.field(default_factory=list)


_ROW_COLUMNS = (
    Organisation.id,
    Organisation.uid,
    Organisation.name,
    Organisation.sector,
    Organisation.country,
    Organisation.city,
    Organisation.website,
    Organisation.description_nl,
    Organisation.description_en,
    Organisation.home_hub,
    Organisation.is_demo,
    Organisation.updated_at,
)
_PARTICIPATIONS = (
    select(Participation.organisation_id, Programme.code, Participation.role)
    .join(Programme, Programme.id == Participation.programme_id)
    .where(
        Participation.organisation_id.in_(bindparam("ids", expanding=True)),
        Participation.withdrawn_at.is_(None),
    )
    .order_by(Participation.organisation_id, Programme.starts_on, Programme.id, Participation.role)
)


def iter_organisation_rows(
    session: Session, *, filters: OrganisationFilters, chunk: int = 500
) -> Iterator[list[OrganisationRow]]:
    """Every organisation matching ``filters`` (the list's order), streamed in chunks of ``chunk``."""
    connection = session.connection()
    statement = _listed(session, select(*_ROW_COLUMNS), filters).execution_options(yield_per=chunk)
    for partition in connection.execute(statement).partitions():
        rows = [OrganisationRow(*tuple(row)) for row in partition]
        by_id = {row.id: row for row in rows}
        for organisation_id, code, role in connection.execute(_PARTICIPATIONS, {"ids": list(by_id)}):
            by_id[organisation_id].participations.append((code, role))
        yield rows


def get_organisation(session: Session, *, organisation_id: int) -> Organisation | None:
    return session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(
            selectinload(Organisation.participations).options(
                joinedload(Participation.programme), selectinload(Participation.commitments)
            )
        )
    )


def supporting_actions_of(session: Session, *, organisation_id: int) -> Sequence[SupportingAction]:
    return session.scalars(
        select(SupportingAction)
        .where(
            SupportingAction.organisation_id == organisation_id,
            SupportingAction.withdrawn_at.is_(None),
        )
        .order_by(SupportingAction.starts_on.desc(), SupportingAction.id)
        .options(joinedload(SupportingAction.programme))
    ).all()


def participants(session: Session, *, programme_id: int) -> dict[Role, Sequence[Organisation]]:
    """The programme's organisations grouped by role (programme page)."""
    grouped: dict[Role, list[Organisation]] = {}
    rows = session.execute(
        select(Participation.role, Organisation)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.programme_id == programme_id, Participation.withdrawn_at.is_(None))
        .order_by(Organisation.name)
    )
    for role, organisation in rows:
        grouped.setdefault(role, []).append(organisation)
    return {role: grouped[role] for role in Role if role in grouped}


# -- the coordinators' screens ---------------------------------------------------------------


def organisations_in(
    session: Session, *, programme_ids: Collection[int] | None, q: str = "", page: int = 1
) -> Page[Organisation]:
    """Live organisations taking part in these programmes (every one for an administrator)."""
    conditions: list[ColumnElement[bool]] = [Organisation.withdrawn_at.is_(None)]
    if programme_ids is not None:
        conditions.append(
            Organisation.id.in_(
                select(Participation.organisation_id).where(
                    Participation.programme_id.in_(list(programme_ids)),
                    Participation.withdrawn_at.is_(None),
                )
            )
        )
    if q:
        conditions.append(matching(q, Organisation.name))
    statement = (
        select(Organisation)
        .where(*conditions)
        .order_by(Organisation.name, Organisation.id)
        .options(selectinload(Organisation.participations).joinedload(Participation.programme))
    )
    return paginate(session, statement, page=page)


def programmes_of_organisation(session: Session, *, organisation_id: int) -> set[int]:
    """The programmes an organisation takes part in now (live participations)."""
    return set(
        session.scalars(
            select(Participation.programme_id).where(
                Participation.organisation_id == organisation_id, Participation.withdrawn_at.is_(None)
            )
        ).all()
    )


def duplicate_organisation(
    session: Session, *, name: str, country: str, exclude_id: int | None = None
) -> Organisation | None:
    """A live organisation of this name (ignoring case and outer spaces) in this country."""
    statement = select(Organisation).where(
        func.lower(Organisation.name) == name.strip().lower(),
        Organisation.country == country,
        Organisation.withdrawn_at.is_(None),
    )
    if exclude_id is not None:
        statement = statement.where(Organisation.id != exclude_id)
    return session.scalars(statement.limit(1)).first()


def find_participation(
    session: Session, *, programme_id: int, organisation_id: int, role: Role
) -> Participation | None:
    return session.scalar(
        select(Participation).where(
            Participation.programme_id == programme_id,
            Participation.organisation_id == organisation_id,
            Participation.role == role,
        )
    )


def get_participation(session: Session, *, participation_id: int) -> Participation | None:
    return session.scalar(
        select(Participation)
        .where(Participation.id == participation_id)
        .options(joinedload(Participation.organisation), joinedload(Participation.programme))
    )


def get_commitment(session: Session, *, commitment_id: int) -> Commitment | None:
    return session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(joinedload(Commitment.participation).joinedload(Participation.organisation))
    )


def list_actions(
    session: Session, *, programme_ids: Collection[int] | None, q: str = "", page: int = 1
) -> Page[SupportingAction]:
    conditions = workspace_scope(SupportingAction, programme_ids=programme_ids)
    if q:
        conditions.append(matching(q, SupportingAction.title_nl, SupportingAction.title_en))
    statement = (
        select(SupportingAction)
        .where(*conditions)
        .order_by(SupportingAction.starts_on.desc().nulls_last(), SupportingAction.id.desc())
        .options(joinedload(SupportingAction.programme), joinedload(SupportingAction.organisation))
    )
    return paginate(session, statement, page=page)


def get_action(session: Session, *, action_id: int) -> SupportingAction | None:
    return session.scalar(
        select(SupportingAction)
        .where(SupportingAction.id == action_id)
        .options(joinedload(SupportingAction.programme), joinedload(SupportingAction.organisation))
    )


def participants_of(
    session: Session, *, programme_ids: Collection[int] | None
) -> Sequence[tuple[int, str, int]]:
    """(organisation id, name, programme id) of live participants: the facilitators a supporting
    action may name."""
    statement = (
        select(Organisation.id, Organisation.name, Participation.programme_id)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(Organisation.withdrawn_at.is_(None), Participation.withdrawn_at.is_(None))
        .distinct()
        .order_by(Organisation.name, Organisation.id, Participation.programme_id)
    )
    if programme_ids is not None:
        statement = statement.where(Participation.programme_id.in_(list(programme_ids)))
    return [(row[0], row[1], row[2]) for row in session.execute(statement)]


def takes_part(session: Session, *, organisation_id: int, programme_id: int) -> bool:
    """Whether a live organisation takes part in the programme now (one of ``participants_of``)."""
    statement = (
        select(Participation.id)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(
            Participation.organisation_id == organisation_id,
            Participation.programme_id == programme_id,
            Participation.withdrawn_at.is_(None),
            Organisation.withdrawn_at.is_(None),
        )
        .limit(1)
    )
    return session.scalar(statement) is not None


# --- counted for the programmes' key figures ---


def participations_by_role(session: Session) -> dict[int, dict[Role, int]]:
    """Per programme id: its live participations counted by role."""
    roles: dict[int, dict[Role, int]] = {}
    for programme_id, role, n in session.execute(
        select(Participation.programme_id, Participation.role, func.count())
        .where(Participation.withdrawn_at.is_(None))
        .group_by(Participation.programme_id, Participation.role)
    ):
        roles.setdefault(programme_id, {})[role] = n
    return roles


def supporting_actions_by_programme(session: Session) -> dict[int, int]:
    return live_counts(session, SupportingAction.programme_id)


def organisation_names(session: Session) -> list[tuple[int, str]]:
    """Every live organisation's id and name, by name (for a picker)."""
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.withdrawn_at.is_(None))
        .order_by(Organisation.name, Organisation.id)
    )
    return [(organisation_id, name) for organisation_id, name in rows]
