"""Two clicks at the same moment, in two threads with their own connections to a database of their
own (the rolled-back test transaction cannot show a race): an invitation is accepted once, and an
entry is reviewed once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select

from hub import migrate
from hub.accounts.models import RoleGrant, User
from hub.db import make_sessionmaker, writer_sessions
from hub.organisations.models import Role
from hub.participants import invitations, services
from hub.participants.models import Entry, EntryKind, EntryState
from tests import factories


def at_once(engine: Engine, work: Callable[[Any], object]) -> list[object]:
    """Runs ``work(session)`` in two threads released together; what each returned."""
    sessions = writer_sessions(make_sessionmaker(engine))
    start = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        with sessions() as session:
            start.wait()
            results.append(work(session))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_an_invitation_clicked_twice_at_once_opens_one_account(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with make_sessionmaker(empty_engine)() as session:
        gdca = factories.programme(session, "gdca")
        city = factories.organisation(session, "Stad Gent")
        factories.participation(session, gdca, city, Role.PROCURER)
        _invitation, token = invitations.invite(
            session,
            programme_id=gdca.id,
            organisation_id=city.id,
            email="pieter@gent.be",
            name="Pieter",
            language="nl",
            invited_by_id=None,
        )
        session.commit()

    def click(session: Any) -> object:
        outcome = invitations.accept(session, token=token, current=None)
        if isinstance(outcome, invitations.Accepted):
            session.commit()
            return "accepted"
        session.rollback()
        return outcome[0].value

    assert sorted(map(str, at_once(empty_engine, click))) == ["accepted", "used"]
    with make_sessionmaker(empty_engine)() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert session.scalar(select(func.count()).select_from(RoleGrant)) == 1


def test_an_entry_is_reviewed_once(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with make_sessionmaker(empty_engine)() as session:
        gdca = factories.programme(session, "gdca")
        city = factories.organisation(session, "Stad Gent")
        reviewer = factories.user(session, "gina@example.org", coordinator_of=["gdca"])
        entry = Entry(
            programme_id=gdca.id,
            organisation_id=city.id,
            kind=EntryKind.SUPPORTING_ACTION,
            values={"source_language": "nl", "title_nl": "Workshop"},
            title="Workshop",
            state=EntryState.SUBMITTED,
        )
        session.add(entry)
        session.commit()
        entry_id, reviewer_id = entry.id, reviewer.id

    def review(session: Any) -> object:
        mine = services.get_entry(session, entry_id=entry_id)
        assert mine is not None
        claimed = services.claim_for_review(session, entry=mine, user_id=reviewer_id, to=EntryState.PUBLISHED)
        session.commit()
        return claimed

    assert sorted(map(str, at_once(empty_engine, review))) == ["False", "True"]
