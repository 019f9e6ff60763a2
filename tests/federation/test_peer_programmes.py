"""Following another hub is a hub-level decision: only administrators add or change a source of kind
"hub", and each brings in only the programmes chosen for it; a peer's record of any other
programme (or referring to one) is an error on that entry.

The peer is a real hub (``hub serve`` with its own database) on 127.0.0.1; this hub's database is
the test's, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub import migrate
from hub.communities.models import Community, Meeting
from hub.db import make_engine, make_sessionmaker
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.sync import declared
from hub.sync.models import RunStatus, Source, SyncError, SyncRun
from hub.sync.runner import RunSettings
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post
from tests.servers import free_port, hub_environment, serving_hub
from tests.sync.test_runs import run

CODES = ("gdca", "gdci", "procirc")
KINDS = ["programmes", "pilots", "communities", "meetings"]
SETTINGS = RunSettings(
    timeout_seconds=10,
    max_seconds=60,
    allowed_networks=("127.0.0.1/32",),
    hub_address="http://reader.example",
)
FORM_PAGE = "/en/coordinator/sources/new"


@dataclasses.dataclass
class Peer:
    url: str
    pilot: dict[str, str]  # programme code -> the uid of its pilot there
    community: dict[str, str]  # programme code -> the uid of its community there


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    """A hub holding a pilot, a community and a meeting of each programme."""
    directory = tmp_path_factory.mktemp("peer")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = hub_environment(
        directory,
        HUB_BASE_URL=url,
        HUB_SECRET_KEY="secret-of-the-peer-hub-at-least-32-characters",
        HUB_API_SETTLE_SECONDS="0",
        HUB_LOG_LEVEL="WARNING",
    )
    engine = make_engine(env["HUB_DATABASE_URL"])
    migrate.upgrade(engine)
    pilot, community = {}, {}
    with make_sessionmaker(engine)() as session:
        for code in CODES:
            programme = factories.programme(session, code)
            pilot[code] = factories.pilot(session, programme, title_en=f"A {code} pilot").uid
            group = factories.community(session, programme)
            factories.meeting(session, group, title_en=f"A {code} meeting")
            community[code] = group.uid
        session.commit()
    engine.dispose()
    with serving_hub(directory, "--no-scheduler", env=env, port=port):
        yield Peer(url, pilot, community)


def follow(session: Session, peer: Peer, key: str, programmes: list[str]) -> Source:
    gdca = session.scalars(select(Programme).where(Programme.code == "gdca")).one()
    source: Source = factories.source(
        session, gdca, key, kind="hub", options={"url": peer.url, "kinds": KINDS}, peer_programmes=programmes
    )
    session.commit()
    return source


def errors(session: Session, result: SyncRun) -> dict[str | None, str]:
    found = session.scalars(select(SyncError).where(SyncError.run_id == result.id))
    return {error.external_id: error.message % error.message_values for error in found}


def mirrored_pilots(session: Session) -> dict[str, str]:
    session.expire_all()
    rows = session.scalars(select(Pilot).where(Pilot.mirrored.is_(True)))
    return {pilot.uid: pilot.programme.code for pilot in rows}


@pytest.fixture
def programmes(session: Session) -> dict[str, Programme]:
    found = {code: factories.programme(session, code) for code in CODES}
    session.commit()
    return found


def test_a_peer_brings_in_only_the_programmes_chosen_for_it(
    session: Session,
    sessions: sessionmaker[Session],
    client: TestClient,
    peer: Peer,
    programmes: dict[str, Programme],
) -> None:
    # This hub already holds the peer's GDCI community (from another source): a meeting in it is
    # still a GDCI record, which this source may not bring in.
    session.add(
        Community(
            programme=programmes["gdci"],
            uid=peer.community["gdci"],
            mirrored=True,
            home_hub=peer.url,
            name_en="GDCI community",
        )
    )
    source = follow(session, peer, "peer-hub", ["procirc"])
    result = run(sessions, source, SETTINGS)

    assert result.status is RunStatus.PARTIAL
    assert mirrored_pilots(session) == {peer.pilot["procirc"]: "procirc"}
    refused = errors(session, result)
    for code in ("gdca", "gdci"):
        expected = f"The record is of the programme “{code}”, which this source may not bring in."
        assert refused[peer.pilot[code]] == expected
        assert refused[peer.community[code]] == expected
    meetings = {m.title_en: m.community.programme.code for m in session.scalars(select(Meeting))}
    assert meetings == {"A procirc meeting": "procirc"}
    assert any(
        message.endswith("of a programme this source may not bring in.") and peer.community["gdci"] in message
        for message in refused.values()
    )

    # An administrator adds GDCI: the next run reads the peer again and brings in its GDCI records.
    admin = factories.user(session, "admin-of-reader@example.org", admin=True)
    session.commit()
    log_in(client, admin.email)
    form = {
        "name": source.name,
        "key": source.key,
        "programme_id": str(source.programme_id),
        "kind": "hub",
        "schedule": source.schedule,
        "url": peer.url,
        "peer_programmes": ["gdci", "procirc"],
        "allow_private": "",
    }
    edit = f"/en/coordinator/sources/{source.id}/edit"
    response = post(client, edit, form, form_page=edit, follow_redirects=False)
    assert response.status_code == 303, response.text
    session.expire_all()
    assert source.peer_programmes == ["gdci", "procirc"] and source.cursor == {}
    source.options = {**source.options, "kinds": KINDS}  # the form does not offer the kinds to read
    session.commit()
    again = run(sessions, source, SETTINGS)
    assert mirrored_pilots(session) == {peer.pilot["procirc"]: "procirc", peer.pilot["gdci"]: "gdci"}
    assert peer.pilot["gdca"] in errors(session, again)


def test_a_peer_with_no_programme_chosen_brings_nothing_in_and_the_run_says_why(
    session: Session,
    sessions: sessionmaker[Session],
    client: TestClient,
    peer: Peer,
    programmes: dict[str, Programme],
) -> None:
    source = follow(session, peer, "peer-unchosen", [])
    result = run(sessions, source, SETTINGS)
    assert result.status is RunStatus.FAILED and result.added == 0
    assert mirrored_pilots(session) == {}
    admin = factories.user(session, "admin-of-reader@example.org", admin=True)
    session.commit()
    log_in(client, admin.email)
    page = client.get(f"/en/coordinator/runs/{result.id}").text
    assert "No programme is chosen for this source yet, so it brings nothing in" in page
    assert "None yet: it brings nothing in" in client.get(f"/en/coordinator/sources/{source.id}").text


def hub_form(network: Network, **changes: object) -> dict[str, object]:
    return {
        "name": "ProCirc hub",
        "key": "procirc-hub",
        "programme_id": str(network.gdca.id),
        "kind": "hub",
        "schedule": "every 60",
        "url": "https://hub.procirc.example",
        "notify_failures": "1",
        **changes,
    }


def test_a_coordinator_can_neither_add_nor_change_a_source_that_follows_another_hub(
    coordinator: TestClient, network: Network, session: Session
) -> None:
    page = coordinator.get(FORM_PAGE).text
    assert 'value="hub"' not in page and 'name="peer_programmes"' not in page
    refused = post(coordinator, FORM_PAGE, hub_form(network), form_page=FORM_PAGE)
    assert refused.status_code == 403
    assert "Only a hub administrator may add or change a source that follows another hub." in refused.text
    assert session.scalar(select(Source).where(Source.key == "procirc-hub")) is None

    # Nor may a coordinator make one of their feeds bring in another hub's programmes.
    feed = hub_form(network, kind="feed", key="gdca-news", peer_programmes="procirc", language="nl")
    assert post(coordinator, FORM_PAGE, feed, form_page=FORM_PAGE).status_code == 403

    # An administrator's peer of the coordinator's programme: seen and run, never changed by them.
    source = factories.source(session, network.gdca, "procirc-hub", kind="hub", peer_programmes=["procirc"])
    session.commit()
    edit = f"/en/coordinator/sources/{source.id}/edit"
    shown = coordinator.get(edit)
    assert shown.status_code == 200 and "Only a hub administrator may change" in shown.text
    assert '<fieldset class="plain" disabled>' in shown.text
    changed = post(coordinator, edit, hub_form(network, peer_programmes=["gdci"]), form_page=edit)
    assert changed.status_code == 403
    for action in ("disable", "enable"):
        path = f"/en/coordinator/sources/{source.id}/{action}"
        assert (
            post(coordinator, path, {}, form_page=f"/en/coordinator/sources/{source.id}").status_code == 403
        )
    session.expire_all()
    assert (source.peer_programmes, source.enabled) == (["procirc"], True)
    detail = coordinator.get(f"/en/coordinator/sources/{source.id}").text
    assert "/run" in detail and f"/sources/{source.id}/disable" not in detail


def test_an_administrator_adds_a_peer_with_the_programmes_it_brings_in(
    client: TestClient, network: Network, session: Session
) -> None:
    log_in(client, network.admin)
    page = client.get(FORM_PAGE).text
    assert 'value="hub"' in page and 'name="peer_programmes"' in page
    unknown = post(client, FORM_PAGE, hub_form(network, peer_programmes=["nope"]), form_page=FORM_PAGE)
    assert unknown.status_code == 400 and "Choose one of the options offered." in unknown.text

    data = hub_form(network, peer_programmes=["procirc", "gdca"])
    response = post(client, FORM_PAGE, data, form_page=FORM_PAGE, follow_redirects=False)
    assert response.status_code == 303, response.text
    source = session.scalars(select(Source).where(Source.key == "procirc-hub")).one()
    assert source.peer_programmes == ["gdca", "procirc"]
    edit = client.get(f"/en/coordinator/sources/{source.id}/edit").text
    assert 'value="gdca" checked' in edit and 'value="procirc" checked' in edit

    # Programmes are a peer's only: a feed saved with some ticked keeps none.
    feed = hub_form(network, kind="feed", key="gdca-news", peer_programmes=["gdca"], language="nl")
    assert post(client, FORM_PAGE, feed, form_page=FORM_PAGE, follow_redirects=False).status_code == 303
    news = session.scalars(select(Source).where(Source.key == "gdca-news")).one()
    assert news.peer_programmes == []


def test_a_declared_peer_names_its_programmes(session: Session, tmp_path: Path) -> None:
    for code in CODES:
        factories.programme(session, code)
    session.commit()
    path = tmp_path / "sources.toml"
    entry = [
        "[[source]]",
        'key = "procirc-hub"',
        'name = "ProCirc hub"',
        'kind = "hub"',
        'programme = "gdca"',
        "{programmes}",
        "[source.options]",
        'url = "https://hub.procirc.example"',
    ]
    text = "\n".join(entry)
    path.write_text(text.format(programmes='programmes = ["procirc"]'))
    assert declared.load(session, path) == (1, 0, 0)
    source = session.scalars(select(Source).where(Source.key == "procirc-hub")).one()
    assert source.peer_programmes == ["procirc"]

    path.write_text(text.format(programmes=""))  # left out: none (it brings nothing in)
    assert declared.load(session, path) == (0, 1, 0)
    session.expire_all()
    assert source.peer_programmes == []

    path.write_text(text.format(programmes='programmes = ["nope"]'))
    with pytest.raises(declared.DeclarationError, match="“nope” is not a programme of this hub"):
        declared.load(session, path)
    path.write_text(text.format(programmes='programmes = "procirc"'))
    with pytest.raises(declared.DeclarationError, match="give a list of programme codes"):
        declared.load(session, path)
    feed = text.replace('kind = "hub"', 'kind = "feed"').replace(
        'url = "https://hub.procirc.example"', 'url = "https://example.org/feed.xml"\nlanguage = "nl"'
    )
    path.write_text(feed.format(programmes='programmes = ["procirc"]'))
    with pytest.raises(declared.DeclarationError, match="Only a source that follows another hub"):
        declared.load(session, path)
