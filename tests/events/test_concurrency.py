"""Two people taking the last place of a side at the same moment, in two threads with their own
connections to a database of their own (the rolled-back test transaction cannot show a race):
exactly one gets the place. On PostgreSQL the event's row lock decides; on SQLite the write lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from hub import i18n, migrate
from hub.db import make_engine, make_sessionmaker, utcnow, writer_sessions
from hub.events import services
from hub.events.models import EventRegistration, Side
from hub.refusals import Refused
from tests import factories
from tests.conftest import BACKENDS, create_database_url, drop_database


@pytest.fixture(params=BACKENDS)
def own_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of this test's own, whose commits other connections see."""
    admin_url = request.getfixturevalue("postgres_admin_url") if request.param == "postgresql" else None
    url, handle = create_database_url(request.param, tmp_path_factory, admin_url)
    engine = make_engine(url, pool_size=4)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    drop_database(admin_url, handle)


def test_two_people_taking_the_last_place_at_once_one_gets_it(own_engine: Engine) -> None:
    sessions = make_sessionmaker(own_engine)
    with sessions() as session:
        event = factories.event(session, factories.programme(session, "gdca"), capacity_suppliers=1)
        session.commit()
        event_id = event.id
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def take_the_place(email: str) -> None:
        i18n.current_language.set("en")  # a thread starts with the default language
        with writer_sessions(sessions)() as session:
            start.wait()
            event = services.get_event(session, event_id=event_id)
            assert event is not None
            try:
                services.register(
                    session,
                    event=event,
                    side=Side.SUPPLIER,
                    organisation_name=email,
                    contact_name=email,
                    email=email,
                    product_group_id=None,
                    circular_offer="Reused furniture.",
                    language="nl",
                    now=utcnow(),
                )
            except Refused as refused:
                outcomes[email] = str(refused)
                return
            time.sleep(0.3)  # hold the place a while: without the lock the other would count 0 now
            session.commit()
            outcomes[email] = "registered"

    threads = [threading.Thread(target=take_the_place, args=(f"{n}@example.org",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["The one place for suppliers is taken.", "registered"]
    with sessions() as session:
        count = session.scalar(select(func.count()).select_from(EventRegistration))
        assert count == 1
