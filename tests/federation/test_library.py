"""The knowledge library on the network: its API documents, and a peer's entries mirrored with the
pilots and lessons they are linked from (by uid), refused where a link is not a web address."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from connectors import peer as peer_connector
from hub.db import utcnow
from hub.library.models import LibraryItem, LibraryKind, ToolKind
from hub.sync.models import RunStatus, SyncError, SyncRun
from hub.taxonomy.models import Phase
from tests import factories
from tests.connectors.fixture_server import File, FixtureServer
from tests.federation.test_api import api, read_all, settings
from tests.sync.test_mirror import FIRST, SECOND, page
from tests.sync.test_runs import run

__all__ = ["api", "settings"]  # fixtures: the app with the publishing API, changes served at once


def errors(session: Session, result: SyncRun) -> list[str]:
    found = session.scalars(select(SyncError).where(SyncError.run_id == result.id).order_by(SyncError.id))
    return [error.message % error.message_values for error in found]


def _network(session: Session) -> dict[str, Any]:
    gdca = factories.programme(session, "gdca")
    furniture = factories.product_group(session, "furniture-lib")
    reuse = factories.strategy(session, "reuse-lib")
    pilot = factories.pilot(session, gdca, title_en="Reused furniture")
    lesson = factories.lesson(session, gdca, title_en="Ask for the function")
    item = factories.library_item(
        session,
        gdca,
        kind=LibraryKind.TOOLBOX,
        tool_kind=ToolKind.MODEL_TENDER_TEXT,
        title_nl="Modelbestek meubilair",
        title_en="Model tender text: furniture",
        body_nl="Over te nemen.",
        url="https://example.org/model.docx",
        product_group=furniture,
        strategy=reuse,
        phase=Phase.TENDER,
        pilots=[pilot],
        lessons=[lesson],
    )
    return {"gdca": gdca, "pilot": pilot, "lesson": lesson, "item": item}


def test_a_library_entry_as_the_api_serves_it(api: TestClient, session: Session) -> None:
    network = _network(session)
    item, pilot, lesson = network["item"], network["pilot"], network["lesson"]
    webinar = factories.library_item(
        session,
        network["gdca"],
        kind=LibraryKind.WEBINAR,
        held_on=dt.date(2018, 6, 12),
        speakers="Lotte Peeters",
        url=None,
    )
    session.commit()

    documents, cursor = read_all(api, "library_items")
    assert [d["uid"] for d in documents] == [item.uid, webinar.uid]
    document = documents[0]
    assert document == api.get(f"/api/v1/library_items/{item.uid}").json()
    assert document["url"] == f"http://testserver/en/library/{item.id}"  # the entry's page
    assert {
        key: document[key] for key in document if key not in ("id", "uid", "updated_at", "created_at")
    } == {
        "home_hub": "http://testserver",
        "deleted": False,
        "url": f"http://testserver/en/library/{item.id}",
        "demo": False,
        "source_language": "nl",
        "programme": "gdca",
        "kind": "toolbox",
        "tool_kind": "model_tender_text",
        "title": {"nl": "Modelbestek meubilair", "en": "Model tender text: furniture"},
        "body": {"nl": "Over te nemen.", "en": None},
        "link": "https://example.org/model.docx",  # the tool itself
        "held_on": None,
        "speakers": "",
        "product_group": "furniture-lib",
        "strategy": "reuse-lib",
        "phase": "tender",
        "pilots": [pilot.uid],
        "lessons": [lesson.uid],
    }
    assert (documents[1]["held_on"], documents[1]["speakers"], documents[1]["link"]) == (
        "2018-06-12",
        "Lotte Peeters",
        None,
    )
    assert "library_items" in api.get("/api/v1/").json()["kinds"]

    # Archived: a tombstone after the cursor, and gone by uid.
    item.withdrawn_at = utcnow()
    session.commit()
    changed, _ = read_all(api, "library_items", cursor)
    assert [(d["uid"], d["deleted"]) for d in changed] == [(item.uid, True)]
    assert api.get(f"/api/v1/library_items/{item.uid}").status_code == 410


def _as_peers(document: dict[str, Any], base: str, n: int, **changes: Any) -> dict[str, Any]:
    """``document`` as a peer at ``base`` would publish it: its own uid, home and page."""
    uid = f"00000000-0000-4000-8000-{n:012d}"
    return {
        **document,
        "id": f"{base}/api/v1/library_items/{uid}",
        "uid": uid,
        "home_hub": base,
        "url": f"{base}/en/library/{n}",
        **changes,
    }


def test_a_peers_entries_are_mirrored_with_their_links_and_a_script_link_is_refused(
    api: TestClient, session: Session, sessions: sessionmaker[Session]
) -> None:
    """What this hub's API serves, a peer serves too: mirrored here, it is the same entry, linked
    from the pilot and lesson this hub holds (by uid); an entry whose link is ``javascript:`` is
    refused with the reason, and the others are kept."""
    network = _network(session)
    other_pilot = factories.pilot(session, network["gdca"], title_en="Another pilot")
    session.commit()
    served = api.get(f"/api/v1/library_items/{network['item'].uid}").json()

    with FixtureServer() as peer:
        base = peer.base
        index = {"api_version": "1.0", "kinds": {k: f"{base}/api/v1/{k}" for k in peer_connector.KINDS}}
        peer.routes["/api/v1/"] = File(json.dumps(index).encode(), "application/json")
        good = _as_peers(served, base, 1)
        hostile = _as_peers(served, base, 2, link="javascript:alert(document.cookie)")
        peer.routes["/api/v1/library_items?limit=500"] = page("library_items", [good, hostile], FIRST)
        source = factories.source(
            session,
            network["gdca"],
            "peer-hub",
            kind="hub",
            options={"url": base, "kinds": ["library_items"]},
        )
        session.commit()

        result = run(sessions, source)
        assert (result.status, result.added, result.failed) == (RunStatus.PARTIAL, 1, 1)
        assert errors(session, result) == ["link: expected an http(s) address"]

        session.expire_all()
        mirrored = session.scalars(select(LibraryItem).where(LibraryItem.mirrored.is_(True))).one()
        assert (mirrored.uid, mirrored.home_hub, mirrored.origin_url) == (
            good["uid"],
            base,
            f"{base}/en/library/1",
        )
        assert (mirrored.kind, mirrored.tool_kind, mirrored.phase) == (
            LibraryKind.TOOLBOX,
            ToolKind.MODEL_TENDER_TEXT,
            Phase.TENDER,
        )
        assert (mirrored.title_en, mirrored.body_nl, mirrored.body_en) == (
            "Model tender text: furniture",
            "Over te nemen.",
            "",
        )
        assert (mirrored.url, mirrored.held_on, mirrored.speakers) == (
            "https://example.org/model.docx",
            None,
            "",
        )
        assert (mirrored.product_group.code, mirrored.strategy.code) == ("furniture-lib", "reuse-lib")  # type: ignore[union-attr]
        assert [p.id for p in mirrored.pilots] == [network["pilot"].id]
        assert [lesson.id for lesson in mirrored.lessons] == [network["lesson"].id]

        # An edit at home replaces the links rather than adding to them; its page shows it.
        peer.routes[f"/api/v1/library_items?limit=500&after={FIRST}"] = page(
            "library_items", [{**good, "pilots": [other_pilot.uid], "lessons": []}], SECOND
        )
        assert run(sessions, source).updated == 1
        session.expire_all()
        mirrored = session.get_one(LibraryItem, mirrored.id)
        assert ([p.id for p in mirrored.pilots], mirrored.lessons) == ([other_pilot.id], [])
        page_html = api.get(f"/en/library/{mirrored.id}").text
        assert f'This library entry comes from the hub <a href="{base}"' in page_html
        # The mirrored entry is not published again by this hub.
        assert [d["uid"] for d in read_all(api, "library_items")[0]] == [network["item"].uid]
