"""A peer's records obey the same rules as this hub's own: each federated kind declares its record's
rules (``check``), and the mirror refuses a row that breaks one as an error on that entry. A new
record that breaks a rule is not stored; a change that breaks one leaves the mirrored record as it
was; the peer's other records are stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub import i18n
from hub.communities.models import Community
from hub.federation.kinds import KINDS
from hub.sync.models import RunStatus, SyncError, SyncRun
from tests import factories
from tests.connectors.fixture_server import FixtureServer
from tests.sync.test_mirror import FIRST, SECOND, page, peer, pilot, record
from tests.sync.test_runs import run

__all__ = ["peer"]  # the fixture

COMMUNITY = "0c0c0c0c-0000-4000-8000-000000000001"
MEETING = "0c0c0c0c-0000-4000-8000-00000000010{}"  # one per close-out
Document = Callable[[str, int], dict[str, Any]]  # a valid document of a kind: from the peer at base, n


def _meeting(base: str, n: int) -> dict[str, Any]:
    return record(
        base,
        "meetings",
        n,
        community=COMMUNITY,
        title={"nl": None, "en": f"Meeting {n}"},
        starts_at="2026-03-26T13:00:00Z",
        ends_at="2026-03-26T15:00:00Z",
        timezone="Europe/Amsterdam",
        mode="in_person",
        location="Utrecht",
        agenda={"nl": None, "en": "1. Welcome"},
        capacity=40,
    )


def _closeout(base: str, n: int) -> dict[str, Any]:
    return record(
        base,
        "closeouts",
        n,
        meeting=MEETING.format(n),
        minutes={"nl": None, "en": "We agreed to share tender texts."},
        attendance=23,
        published_at="2026-03-27T09:00:00Z",
        organisations=[],
        pilots=[],
        lessons=[],
    )


def _event(base: str, n: int) -> dict[str, Any]:
    return record(base, "events", n) | dict(
        programme="procirc",
        kind="buyer_meets_supplier",
        title={"nl": None, "en": f"Event {n}"},
        summary={"nl": None, "en": "Furniture"},
        outcome={"nl": None, "en": None},
        starts_at="2099-05-24T07:30:00Z",
        ends_at="2099-05-24T14:30:00Z",
        timezone="Europe/Brussels",
        location="Brussel",
        capacity_buyers=40,
        capacity_suppliers=12,
        registration_closes_at="2099-05-23T22:00:00Z",  # the end of the day before, in Brussels
        product_groups=[],
    )


def _library_item(base: str, n: int) -> dict[str, Any]:
    return record(base, "library_items", n) | dict(
        programme="procirc",
        kind="document",
        tool_kind=None,
        title={"nl": None, "en": f"Document {n}"},
        body={"nl": None, "en": "A guide to circular furniture."},
        link="https://example.org/guide.pdf",
        held_on=None,
        speakers="",
        product_group=None,
        strategy=None,
        phase=None,
        pilots=[],
        lessons=[],
    )


DOCUMENTS: dict[str, Document] = {
    "pilots": pilot,
    "meetings": _meeting,
    "closeouts": _closeout,
    "events": _event,
    "library_items": _library_item,
}

# (the kind, what breaks a rule of its record, the entry's error as a coordinator reads it)
BROKEN = [
    ("pilots", {"ends_on": "2021-02-01"}, "ends_on: the pilot ends before it starts"),
    ("pilots", {"co2_result_t": "12.5"}, "co2_result_t: A result needs a baseline to compare with"),
    ("meetings", {"ends_at": "2026-03-26T12:00:00Z"}, "ends_at: the meeting ends before it starts"),
    ("meetings", {"capacity": 0}, "capacity: a meeting has at least one place"),
    ("meetings", {"timezone": "Europe/Gent"}, "timezone: “Europe/Gent” is not a time zone"),
    ("closeouts", {"attendance": 100_001}, "attendance: Enter a whole number from 0 to 100000."),
    ("events", {"ends_at": "2099-05-24T07:00:00Z"}, "ends_at: The event must end after it starts."),
    (
        "events",
        {"registration_closes_at": "2099-05-25T08:00:00Z"},
        "registration_closes_at: Registration must close on or before the day of the event.",
    ),
    ("events", {"capacity_suppliers": 100_001}, "capacity_suppliers: Enter a whole number from 0 to 100000."),
    ("library_items", {"tool_kind": "guide"}, "tool_kind: Only a toolbox entry has a tool kind"),
    ("library_items", {"held_on": "2018-06-12"}, "held_on: Only a webinar has a date it was held"),
    ("library_items", {"speakers": "Lotte Peeters"}, "speakers: Only a webinar has speakers"),
]


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    token = i18n.current_language.set("en")
    yield
    i18n.current_language.reset(token)


def errors(session: Session, result: SyncRun) -> list[str]:
    found = session.scalars(select(SyncError).where(SyncError.run_id == result.id).order_by(SyncError.id))
    return [i18n.describe(error.message, error.message_values) for error in found]


def stored(session: Session, kind: str, n: int) -> dict[str, Any] | None:
    """The row mirrored from the peer's record ``n``, column by column (None: none)."""
    session.expire_all()
    table = KINDS[kind].table
    row = session.execute(select(table).where(table.c.uid == f"00000000-0000-4000-8000-{n:012d}"))
    found = row.mappings().one_or_none()
    return None if found is None else dict(found)


def test_every_kind_with_rules_declares_them() -> None:
    kinds = {name for name, kind in KINDS.items() if kind.check is not None}
    assert kinds == set(DOCUMENTS) == {kind for kind, _, _ in BROKEN}


@pytest.mark.parametrize(("kind", "change", "error"), BROKEN)
def test_a_peers_record_that_breaks_a_rule_is_refused_and_what_was_mirrored_stays(
    session: Session,
    sessions: sessionmaker[Session],
    peer: FixtureServer,
    kind: str,
    change: dict[str, Any],
    error: str,
) -> None:
    base, document = peer.base, DOCUMENTS[kind]
    procirc = factories.programme(session, "procirc")
    community = Community(programme=procirc, name_en="Furniture", uid=COMMUNITY, mirrored=True, home_hub=base)
    for n in (1, 2, 3):
        factories.meeting(session, community, uid=MEETING.format(n), mirrored=True, home_hub=base)
    source = factories.source(
        session, procirc, "procirc-hub", kind="hub", options={"url": base, "kinds": [kind]}
    )
    session.commit()
    peer.routes[f"/api/v1/{kind}?limit=500"] = page(kind, [document(base, 1)], FIRST)
    first = run(sessions, source)
    assert (first.status, first.added) == (RunStatus.SUCCEEDED, 1), errors(session, first)
    before = stored(session, kind, 1)

    # A change to the mirrored record and a new one break the rule; a third record is fine.
    broken = [{**document(base, 1), **change}, {**document(base, 2), **change}, document(base, 3)]
    peer.routes[f"/api/v1/{kind}?limit=500&after={FIRST}"] = page(kind, broken, SECOND)
    second = run(sessions, source)
    assert (second.status, second.added, second.updated, second.failed) == (RunStatus.PARTIAL, 1, 0, 2)
    messages = errors(session, second)
    assert len(messages) == 2 and all(message.startswith(error) for message in messages), messages
    assert stored(session, kind, 1) == before
    assert stored(session, kind, 2) is None and stored(session, kind, 3) is not None
