"""Communities of practice in the hub's search: what a live community says, and how it shows.

A community is found by its names and descriptions, by what it is about (its product group and
programme, by their names in both languages), by the organisations taking part (as its public
page lists them) and by the titles of its meetings, to come and past.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.communities.models import Community, Meeting, Membership
from hub.i18n import N_
from hub.organisations.models import Organisation
from hub.programmes.models import Programme
from hub.search import index
from hub.search.index import Document, Names, bilingual, both, per_record
from hub.taxonomy.models import ProductGroup

_LIVE = Community.withdrawn_at.is_(None)


def documents(session: Session, ids: Sequence[int]) -> Iterable[Document]:
    """The live communities among ``ids``, in five queries."""
    programme_names = Names(session, Programme)
    group_names = Names(session, ProductGroup)
    members: dict[int, set[str]] = defaultdict(set)
    for community_id, organisation, typed in session.execute(
        select(Membership.community_id, Organisation.name, Membership.organisation_name)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.community_id.in_(ids))
    ):
        if organisation or typed:
            members[community_id].add(organisation or typed)
    meetings: dict[int, list[tuple[str, str]]] = per_record(
        session,
        ids,
        select(Meeting.community_id, Meeting.title_nl, Meeting.title_en).where(
            Meeting.withdrawn_at.is_(None)
        ),
    )
    for community in session.execute(
        select(
            Community.id,
            Community.name_nl,
            Community.name_en,
            Community.description_nl,
            Community.description_en,
            Community.programme_id,
            Community.product_group_id,
            Community.since,
        ).where(Community.id.in_(ids), _LIVE)
    ):
        yield Document(
            record_id=community.id,
            title=bilingual(community.name_nl, community.name_en),
            summary=bilingual(community.description_nl, community.description_en),
            about=(
                *group_names(community.product_group_id),
                *programme_names(community.programme_id),
                *both(*sorted(members[community.id])),
            ),
            body=tuple(text for nl, en in meetings[community.id] for text in bilingual(nl, en)),
            programme_id=community.programme_id,
            product_group_id=community.product_group_id,
            year=community.since.year if community.since else None,
        )


COMMUNITIES = index.register(
    name="community",
    number=5,
    label=N_("Communities of practice"),
    model=Community,
    documents=documents,
    cards=index.cards_of(
        Community,
        route="community",
        id_param="community_id",
        title="name",
        text="description",
        date=lambda community: community.since,
    ),
    related={
        Meeting: index.owned_by("community_id"),
        Membership: index.owned_by("community_id"),
        Organisation: index.naming(Membership.organisation_id, Membership.community_id),
        ProductGroup: index.naming(Community.product_group_id, Community.id),
    },
)
