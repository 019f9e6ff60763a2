"""The publishing API: cursors, tombstones, ETags, protected fields, tokens, and its OpenAPI document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.communities.models import CloseOut, Community, Meeting, MeetingMode
from hub.db import utcnow
from hub.federation import services, tokens
from hub.federation.kinds import KINDS
from hub.lessons.models import Lesson, LessonKind, LessonPilotLink, LinkKind
from hub.library.models import LibraryKind, ToolKind
from hub.settings import Settings
from tests import factories


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    # Changes are served at once here (the settle delay is about concurrent writers).
    return Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=tmp_path,
        base_url="http://testserver",
        api_settle_seconds=0,
    )


@pytest.fixture
def api(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    # Messages for people follow Accept-Language (Dutch by default); these tests read the English.
    app = create_app(settings, sessions=sessions)
    with TestClient(app, raise_server_exceptions=False, headers={"Accept-Language": "en"}) as client:
        yield client


@pytest.fixture
def token(session: Session, api: TestClient) -> str:
    client, secret = services.register_client(session, name="Peer")
    session.commit()
    answer = api.post(
        "/api/v1/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, secret)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and body["scope"] == "hub.read"
    return str(body["access_token"])


def read_all(api: TestClient, kind: str, after: str | None = None, **headers: str) -> tuple[list[Any], str]:
    """Every page of ``kind`` from ``after``; the documents and the last cursor."""
    documents: list[Any] = []
    while True:
        params = {"limit": "2", **({"after": after} if after else {})}
        page = api.get(f"/api/v1/{kind}", params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        documents += body["data"]
        after = body["next_cursor"]
        if not body["has_more"]:
            return documents, after or ""


def test_a_kind_is_read_in_pages_by_cursor_then_only_what_changed(api: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    pilots = [factories.pilot(session, gdca) for _ in range(5)]
    session.commit()

    documents, cursor = read_all(api, "pilots")
    assert [d["uid"] for d in documents] == [p.uid for p in pilots]
    assert documents[0]["id"] == f"http://testserver/api/v1/pilots/{pilots[0].uid}"
    assert documents[0]["home_hub"] == "http://testserver"
    assert documents[0]["programme"] == "gdca"

    # Nothing changed: one request, nothing in it, the same cursor back.
    again = api.get("/api/v1/pilots", params={"after": cursor}).json()
    assert (again["data"], again["next_cursor"], again["has_more"]) == ([], cursor, False)

    # An edit and a deletion come after the cursor (the deletion as a tombstone).
    time.sleep(0.002)
    pilots[1].title_en = "Renamed"
    pilots[3].withdrawn_at = utcnow()
    session.commit()
    changed, _ = read_all(api, "pilots", cursor)
    assert {d["uid"]: d.get("deleted") for d in changed} == {pilots[1].uid: False, pilots[3].uid: True}
    renamed = next(d for d in changed if d["uid"] == pilots[1].uid)
    assert renamed["title"]["en"] == "Renamed"
    tombstone = next(d for d in changed if d["uid"] == pilots[3].uid)
    assert set(tombstone) == {"id", "uid", "home_hub", "updated_at", "deleted"}


def test_a_change_to_a_pilots_strategies_alone_counts_as_a_change(api: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    record = factories.pilot(session, gdca)
    session.commit()
    _, cursor = read_all(api, "pilots")
    time.sleep(0.002)
    record.strategies = [factories.strategy(session, "reuse-test")]
    session.commit()
    changed, _ = read_all(api, "pilots", cursor)
    assert [d["strategies"] for d in changed] == [["reuse-test"]]


def test_records_mirrored_from_a_peer_are_not_published_again(api: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    own = factories.pilot(session, gdca)
    factories.pilot(session, gdca, mirrored=True, home_hub="http://peer.example")
    session.commit()
    documents, _ = read_all(api, "pilots")
    assert [d["uid"] for d in documents] == [own.uid]


def test_a_mirrored_record_redirects_to_its_home_and_a_deleted_one_is_gone(
    api: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    theirs = factories.pilot(session, gdca, mirrored=True, home_hub="http://peer.example")
    deleted = factories.pilot(session, gdca, withdrawn_at=utcnow())
    session.commit()
    moved = api.get(f"/api/v1/pilots/{theirs.uid}", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"http://peer.example/api/v1/pilots/{theirs.uid}"
    gone = api.get(f"/api/v1/pilots/{deleted.uid}")
    assert gone.status_code == 410 and gone.json()["deleted"] is True
    missing = api.get("/api/v1/pilots/no-such-uid")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def meeting(session: Session, **fields: Any) -> Meeting:
    community = Community(programme=factories.programme(session), name_nl="Werkgroep ICT")
    values: dict[str, Any] = {
        "title_nl": "Kwartaalbijeenkomst",
        "starts_at": dt.datetime(2026, 3, 26, 13, tzinfo=dt.UTC),
    }
    record = Meeting(community=community, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def closeout(session: Session, meeting: Meeting, *, published: bool = True, **fields: Any) -> CloseOut:
    values: dict[str, Any] = {"minutes_nl": "Verslag", "attendance": 12, "source_language": "nl"}
    record = CloseOut(meeting=meeting, published_at=utcnow() if published else None, **{**values, **fields})
    session.add(record)
    session.flush()
    return record


def test_a_meeting_carries_its_mode_agenda_and_capacity(api: TestClient, session: Session) -> None:
    hybrid = meeting(
        session, mode=MeetingMode.HYBRID, agenda_nl="1. Welkom", agenda_en="1. Welcome", capacity=40
    )
    open_ended = meeting(session)
    session.commit()
    documents = {d["uid"]: d for d in read_all(api, "meetings")[0]}
    assert {key: documents[hybrid.uid][key] for key in ("mode", "agenda", "capacity", "location")} == {
        "mode": "hybrid",
        "agenda": {"nl": "1. Welkom", "en": "1. Welcome"},
        "capacity": 40,
        "location": "",
    }
    assert (documents[open_ended.uid]["mode"], documents[open_ended.uid]["agenda"]) == (
        "in_person",
        {"nl": None, "en": None},
    )
    assert documents[open_ended.uid]["capacity"] is None  # no limit


def test_only_published_closeouts_are_served_with_what_they_link_to(
    api: TestClient, session: Session
) -> None:
    gdca = factories.programme(session, "gdca")
    buyer, supplier = factories.organisation(session, "Stad Gent"), factories.organisation(session, "Ahrend")
    pilot = factories.pilot(session, gdca)
    lesson = Lesson(programme=gdca, title_nl="Vraag naar de functie", kind=LessonKind.TIP)
    published = closeout(
        session,
        meeting(session),
        minutes_en="Minutes",
        organisations=[buyer, supplier],
        pilots=[pilot],
        lessons=[lesson],
    )
    draft = closeout(session, meeting(session), published=False, organisations=[buyer])
    session.commit()

    documents, cursor = read_all(api, "closeouts")
    assert [d["uid"] for d in documents] == [published.uid]
    (document,) = documents
    assert document["meeting"] == published.meeting.uid
    assert (document["minutes"], document["attendance"]) == ({"nl": "Verslag", "en": "Minutes"}, 12)
    assert document["published_at"] is not None and document["source_language"] == "nl"
    assert document["organisations"] == sorted([buyer.uid, supplier.uid])
    assert (document["pilots"], document["lessons"]) == ([pilot.uid], [lesson.uid])
    assert api.get(f"/api/v1/closeouts/{published.uid}").json() == document

    # A draft is neither listed nor found; once it is published, it comes after the cursor.
    missing = api.get(f"/api/v1/closeouts/{draft.uid}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    time.sleep(0.002)
    draft.minutes_nl = "Nog niet af"
    session.commit()
    assert read_all(api, "closeouts", cursor)[0] == []
    time.sleep(0.002)
    draft.published_at = utcnow()
    session.commit()
    changed, cursor = read_all(api, "closeouts", cursor)
    assert [(d["uid"], d["organisations"]) for d in changed] == [(draft.uid, [buyer.uid])]
    assert api.get(f"/api/v1/closeouts/{draft.uid}").status_code == 200

    # A published close-out that is deleted goes out as a tombstone, as every record does.
    time.sleep(0.002)
    published.withdrawn_at = utcnow()
    session.commit()
    assert [(d["uid"], d["deleted"]) for d in read_all(api, "closeouts", cursor)[0]] == [
        (published.uid, True)
    ]
    assert api.get(f"/api/v1/closeouts/{published.uid}").status_code == 410


def test_strong_etags_answer_a_repeated_read_with_304(api: TestClient, session: Session) -> None:
    factories.pilot(session, factories.programme(session, "gdca"))
    session.commit()
    first = api.get("/api/v1/pilots")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "Authorization" in first.headers["vary"]
    repeated = api.get("/api/v1/pilots", headers={"If-None-Match": etag})
    assert repeated.status_code == 304 and repeated.content == b""
    other = api.get("/api/v1/pilots", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_protected_fields_need_a_token(api: TestClient, session: Session, token: str) -> None:
    gdca = factories.programme(session, "gdca")
    session.add(Community(programme=gdca, name_en="ICT", contact_name="Ann", contact_email="ann@example.org"))
    session.commit()
    public = api.get("/api/v1/communities").json()["data"][0]
    assert "contact_email" not in public and public["contact_name"] == "Ann"  # a name is public
    protected = api.get("/api/v1/communities", headers={"Authorization": f"Bearer {token}"}).json()["data"][0]
    assert (protected["contact_name"], protected["contact_email"]) == ("Ann", "ann@example.org")


@dataclasses.dataclass
class BadToken:
    name: str
    claims: dict[str, Any]
    key: bytes | None  # None: the hub's own key
    message: str


def _now() -> int:
    return int(time.time())


BAD_TOKENS = [
    BadToken("expired", {"exp": _now() - 3600}, None, "expired"),
    BadToken("wrong audience", {"aud": "http://another-hub.example"}, None, "another hub"),
    BadToken("wrong issuer", {"iss": "http://another-hub.example"}, None, "not a token of this hub"),
    BadToken("forged", {}, b"k" * 32, "signature"),
]


@pytest.mark.parametrize("bad", BAD_TOKENS, ids=lambda bad: bad.name)
def test_a_bad_token_is_refused_with_the_reason(
    api: TestClient, session: Session, settings: Settings, bad: BadToken
) -> None:
    client, _ = services.register_client(session, name="Peer")
    session.commit()
    claims = {
        "iss": "http://testserver",
        "aud": "http://testserver",
        "client_id": client.client_id,
        "scope": "hub.read",
        "exp": _now() + 600,
        **bad.claims,
    }
    key = OctKey.import_key(bad.key) if bad.key else tokens._key(settings)
    token = jwt.encode({"alg": "HS256"}, claims, key)
    answer = api.get("/api/v1/pilots", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert bad.message in answer.json()["error"]["message"]
    assert answer.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_a_revoked_clients_token_and_credentials_stop_working(
    api: TestClient, session: Session, token: str
) -> None:
    (client,) = services.list_clients(session)
    services.revoke_client(session, client_id=client.client_id)
    session.commit()
    answer = api.get("/api/v1/pilots", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and "revoked" in answer.json()["error"]["message"]


def test_the_token_endpoint_refuses_wrong_credentials_and_grants(api: TestClient, session: Session) -> None:
    client, secret = services.register_client(session, name="Peer")
    session.commit()
    wrong = api.post("/api/v1/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, "x"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    post = api.post(
        "/api/v1/token",
        data={"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": secret},
    )
    assert post.status_code == 200  # client_secret_post works too
    grant = api.post("/api/v1/token", data={"grant_type": "password"}, auth=(client.client_id, secret))
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    scope = api.post(
        "/api/v1/token",
        data={"grant_type": "client_credentials", "scope": "admin"},
        auth=(client.client_id, secret),
    )
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"


def test_the_secret_is_stored_only_as_a_digest(session: Session) -> None:
    client, secret = services.register_client(session, name="Peer")
    assert secret not in client.secret_hash and len(client.secret_hash) == 64
    assert services.authenticate_client(session, client_id=client.client_id, secret=secret) is client
    assert services.authenticate_client(session, client_id=client.client_id, secret=secret + "x") is None


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"after": "yesterday"}, "invalid_cursor"),
        ({"limit": "0"}, "invalid_parameter"),
        ({"limit": "x"}, "invalid_parameter"),
    ],
)
def test_bad_parameters_are_refused_with_what_was_wrong(
    api: TestClient, params: dict[str, str], code: str
) -> None:
    answer = api.get("/api/v1/lessons", params=params)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == code


def test_recent_changes_wait_for_the_settle_delay(
    session: Session, sessions: sessionmaker[Session], tmp_path: Any
) -> None:
    settings = Settings.load(
        environ={},
        secret_key="test-secret-of-at-least-32-characters",
        data_dir=tmp_path,
        base_url="http://testserver",
    )
    factories.pilot(session, factories.programme(session, "gdca"))
    session.commit()
    with TestClient(create_app(settings, sessions=sessions)) as api:
        assert api.get("/api/v1/pilots").json()["data"] == []  # 2 s have not passed yet


def test_every_answer_matches_the_openapi_document(api: TestClient, session: Session, token: str) -> None:
    """Each kind's page and record, as served, validate against the schemas the document gives."""
    gdca = factories.programme(session, "gdca")
    organisation = factories.organisation(session)
    pilot = factories.pilot(session, gdca, procurers=[organisation], contract_value=12500)
    factories.participation(session, gdca, organisation)
    factories.supporting_action(session, gdca, organisation)
    community = Community(programme=gdca, name_nl="ICT", contact_email="a@example.org")
    session.add(community)
    session.flush()
    kick_off = Meeting(
        community=community,
        title_en="Kick-off",
        starts_at=dt.datetime(2026, 3, 29, 9, tzinfo=dt.UTC),
        mode=MeetingMode.HYBRID,
        capacity=30,
    )
    session.add(kick_off)
    lesson = Lesson(programme=gdca, title_nl="Les", kind=LessonKind.TIP, pilots=[pilot])
    session.add(lesson)
    session.flush()
    session.add(LessonPilotLink(lesson=lesson, pilot=pilot, kind=LinkKind.REUSED_BY))
    closeout(session, kick_off, organisations=[organisation], pilots=[pilot], lessons=[lesson])
    factories.library_item(
        session,
        gdca,
        kind=LibraryKind.WEBINAR,
        url="https://example.org/recording",
        held_on=dt.date(2018, 6, 12),
        speakers="Lotte Peeters",
        pilots=[pilot],
        lessons=[lesson],
    )
    factories.library_item(session, gdca, kind=LibraryKind.TOOLBOX, tool_kind=ToolKind.CALCULATOR)
    factories.event(session, gdca, outcome_en="Forty buyers came.")
    factories.pilot(session, gdca, withdrawn_at=utcnow())
    session.commit()

    document = api.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    resolver = {"$defs": schemas}

    def check(schema_name: str, body: Any) -> None:
        schema = {**_rewrite(schemas[schema_name]), **resolver}
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
        for error in validator.iter_errors(body):
            errors += [f"{list(c.absolute_path)}: {c.message}" for c in error.context or []]
        assert not errors, (schema_name, errors)

    for kind in KINDS:
        name = "".join(part.capitalize() for part in kind.removesuffix("s").split("_"))
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            page = api.get(f"/api/v1/{kind}", headers=headers).json()
            assert page["data"], f"no {kind} to check"
            check(f"{name}Page", page)
            live = next(d for d in page["data"] if not d["deleted"])
            check(name, api.get(f"/api/v1/{kind}/{live['uid']}", headers=headers).json())


def _rewrite(schema: Any) -> Any:
    """OpenAPI's #/components/schemas/X references, as JSON Schema's #/$defs/X."""
    if isinstance(schema, dict):
        return {
            key: (value.replace("#/components/schemas/", "#/$defs/") if key == "$ref" else _rewrite(value))
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rewrite(value) for value in schema]
    return schema


def test_a_refusal_is_in_the_readers_language_and_its_header_stays_ascii(
    api: TestClient, session: Session
) -> None:
    answer = api.get("/api/v1/pilots", headers={"Authorization": "Token abc", "Accept-Language": "nl"})
    assert answer.status_code == 401
    assert answer.json()["error"]["message"].startswith("Stuur het toegangstoken mee")
    header = answer.headers["www-authenticate"]
    assert header.isascii() and "Send the access token as ?Authorization: Bearer <token>?" in header
