"""Events on the network: the API serves them (never their registrations), a peer's are mirrored
and listed here, and registering for one is sent to its home hub."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from connectors import peer as peer_connector
from hub.events.models import Event, EventKind, EventRegistration, Side
from hub.federation.kinds import KINDS
from hub.sync.models import RunStatus
from tests import factories
from tests.accounts.conftest import csrf_of
from tests.connectors.fixture_server import File, FixtureServer
from tests.federation.test_api import api, read_all, settings
from tests.federation.test_library import errors
from tests.sync.test_mirror import FIRST, SECOND, page
from tests.sync.test_runs import run

__all__ = ["api", "settings"]  # fixtures

STARTS = dt.datetime(2099, 5, 24, 7, 30, tzinfo=dt.UTC)


def _event(session: Session) -> Event:
    gdca = factories.programme(session, "gdca")
    furniture = factories.product_group(session, "furniture-ev")
    event = factories.event(
        session,
        gdca,
        kind=EventKind.BUYER_MEETS_SUPPLIER,
        title_nl="Buyer meets Supplier: meubilair",
        title_en="Buyer meets Supplier: furniture",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=7),  # an event ends after it starts, on every hub
        capacity_buyers=40,
        capacity_suppliers=12,
        location="Herman Teirlinckgebouw, Brussel",
    )
    event.product_groups = [furniture]
    session.flush()
    return event


def test_an_event_as_the_api_serves_it(api: TestClient, session: Session) -> None:
    event = _event(session)
    session.add(
        EventRegistration(
            event=event,
            side=Side.BUYER,
            organisation_name="Stad Gent",
            contact_name="Lotte",
            email="lotte@example.org",
        )
    )
    session.commit()
    documents, _cursor = read_all(api, "events")
    [document] = documents
    jsonschema.validate(document, KINDS["events"].schema())
    assert document["uid"] == event.uid and document["url"].endswith(f"/en/events/{event.id}")
    assert (document["kind"], document["starts_at"], document["product_groups"]) == (
        "buyer_meets_supplier",
        "2099-05-24T07:30:00Z",
        ["furniture-ev"],
    )
    assert (document["capacity_buyers"], document["capacity_suppliers"]) == (40, 12)
    assert "lotte@example.org" not in json.dumps(document)  # registrations stay here
    assert "events" in api.get("/api/v1/").json()["kinds"]


def _as_peers(document: dict[str, Any], base: str, n: int, **changes: Any) -> dict[str, Any]:
    uid = f"00000000-0000-4000-8000-{n:012d}"
    return {
        **document,
        "id": f"{base}/api/v1/events/{uid}",
        "uid": uid,
        "home_hub": base,
        "url": f"{base}/en/events/{n}",
        **changes,
    }


def test_a_peers_event_is_mirrored_listed_and_registration_goes_to_its_home(
    api: TestClient, session: Session, sessions: sessionmaker[Session]
) -> None:
    event = _event(session)
    session.commit()
    served = api.get(f"/api/v1/events/{event.uid}").json()
    with FixtureServer() as peer:
        base = peer.base
        index = {"api_version": "1.0", "kinds": {k: f"{base}/api/v1/{k}" for k in peer_connector.KINDS}}
        peer.routes["/api/v1/"] = File(json.dumps(index).encode(), "application/json")
        good = _as_peers(served, base, 1, title={"nl": "Dag van de peer", "en": "Day at the peer"})
        hostile_page = _as_peers(
            served, base, 3, url="javascript:alert(1)", title={"nl": "X", "en": "Hostile"}
        )
        unknown_group = _as_peers(served, base, 2, product_groups=["no-such-group"])
        peer.routes["/api/v1/events?limit=500"] = page("events", [good, unknown_group, hostile_page], FIRST)
        source = factories.source(
            session, event.programme, "peer-hub", kind="hub", options={"url": base, "kinds": ["events"]}
        )
        session.commit()

        result = run(sessions, source)
        assert (result.status, result.added, result.failed) == (RunStatus.PARTIAL, 2, 1)
        assert errors(session, result) == ["product_groups: “no-such-group” is not known on this hub"]
        session.expire_all()
        # A page address that is not a web address is not linked to.
        hostile = session.scalars(select(Event).where(Event.title_en == "Hostile")).one()
        assert hostile.origin_url is None
        assert "javascript:" not in api.get(f"/en/events/{hostile.id}").text
        mirrored = session.scalars(select(Event).where(Event.title_en == "Day at the peer")).one()
        assert mirrored.origin_url == f"{base}/en/events/1"
        assert (mirrored.title_en, mirrored.home_hub, mirrored.starts_at) == ("Day at the peer", base, STARTS)
        assert [g.code for g in mirrored.product_groups] == ["furniture-ev"]

        listing = api.get("/en/events").text
        assert "Day at the peer" in listing
        detail = api.get(f"/en/events/{mirrored.id}")
        assert detail.status_code == 200 and "register there" in detail.text
        assert "This event comes from the hub" in detail.text
        refused = api.post(
            f"/en/events/{mirrored.id}",
            data={
                "side": "buyer",
                "organisation": "Stad Gent",
                "name": "Lotte",
                "email": "lotte@example.org",
                "csrf_token": csrf_of(api),
            },
        )
        assert refused.status_code == 409 and "register there" in refused.text

        # A change at home replaces the product groups; the mirror is not published again here.
        peer.routes[f"/api/v1/events?limit=500&after={FIRST}"] = page(
            "events",
            [{**good, "product_groups": [], "outcome": {"nl": None, "en": "Forty buyers came."}}],
            SECOND,
        )
        assert run(sessions, source).updated == 1
        session.expire_all()
        mirrored = session.get_one(Event, mirrored.id)
        assert (mirrored.product_groups, mirrored.outcome_en) == ([], "Forty buyers came.")
        assert [d["uid"] for d in read_all(api, "events")[0]] == [event.uid]
        assert f'<a href="{base}/en/events/1" rel="noopener">' in api.get(f"/en/events/{mirrored.id}").text
