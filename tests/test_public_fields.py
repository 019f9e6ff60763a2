"""What of a federated record is public, declared once by the kinds' ``protected`` flags, holds on
every surface: a protected field is on no public page, API answer without a token, download, feed or
calendar; a public contact field (a community's contact person) is on the record's page and in the
API alike.

The public surfaces are found, not listed: every GET route of the app's table whose parameters can
be filled with the records made here, then every link those answers give (a small crawl).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute, Mount, Route, compile_path
from starlette.testclient import TestClient

from connectors.messages import Problem
from hub.app import routes
from hub.communities.models import MeetingMode
from hub.federation.fields import Field, Lookups
from hub.federation.kinds import KINDS, Kind
from hub.programmes.models import Programme
from tests import factories

TOKEN = "Zq7"  # with the kind and field: a word no page has otherwise
PRIVATE = ("/coordinator", "/participant", "/static/", "/login", "/logout", "/invitations/")
MAX_ANSWERS = 1500


def marker(kind: str, field: str) -> str:
    return f"{TOKEN}{kind[:4]}{field}".replace("_", "")


# --- one record of each kind that has protected fields, every field filled with its marker ---------


def _community(session: Session, **values: Any) -> Any:
    gdca = session.scalar(select(Programme).where(Programme.code == "gdca"))
    gdca = gdca or factories.programme(session, "gdca", short_name="GDCA")
    return factories.community(session, gdca, name_en="ICT network", **values)


def _meeting(session: Session, **values: Any) -> Any:
    community = _community(session, contact_name="Someone")
    return factories.meeting(
        session,
        community,
        mode=MeetingMode.HYBRID,
        location="Brussels",
        starts_at=dt.datetime(2099, 3, 30, 7, 30, tzinfo=dt.UTC),
        **values,
    )


BUILDERS: dict[str, Callable[..., Any]] = {"communities": _community, "meetings": _meeting}


def protected_kinds() -> list[Kind]:
    return [kind for kind in KINDS.values() if any(field.protected for field in kind.fields)]


def test_the_protected_fields_are_the_decided_ones() -> None:
    """People's e-mail addresses and phone numbers, and the links into online meetings, are
    protected; a community's contact person's name is public (the role's public face)."""
    declared = {
        kind.name: {field.name for field in kind.fields if field.protected} for kind in protected_kinds()
    }
    assert declared == {"communities": {"contact_email"}, "meetings": {"online_url"}}
    for kind in KINDS.values():
        for field in kind.fields:
            if re.search("email|phone|mobile", field.name):
                assert field.protected, f"{kind.name}.{field.name} holds a person's contact detail"
    [contact_name] = [field for field in KINDS["communities"].fields if field.name == "contact_name"]
    assert not contact_name.protected
    # Every kind with protected fields gets a record in the test below.
    assert set(declared) <= set(BUILDERS)


# --- the public surfaces --------------------------------------------------------------------------


def _get_routes(table: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str, frozenset[str]]]:
    """(name, full path pattern, parameter names) of every GET route, mounts joined."""
    for route in table:
        if isinstance(route, Mount) and route.routes:
            _regex, mount_format, mount_convertors = compile_path(route.path)
            for name, path, params in _get_routes(list(route.routes), prefix + mount_format):
                yield name, path, params | frozenset(mount_convertors)
        elif isinstance(route, Route) and route.methods and "GET" in route.methods:
            yield route.name, prefix + route.path_format, frozenset(route.param_convertors)


def _seeds(records: dict[str, Any]) -> list[str]:
    """Every GET path of the route table whose parameters the records fill, in both languages."""
    community = records.get("communities") or records["meetings"].community
    meeting = records["meetings"]
    known: dict[str, Any] = {
        "community_id": community.id,
        "meeting_id": meeting.id,
        "code": community.programme.code,
    }
    paths = []
    for name, pattern, params in _get_routes(routes()):
        values = dict(known)
        kind = re.fullmatch(r"api_(\w+)_record", name or "")
        if kind and kind.group(1) in records:
            values["uid"] = records[kind.group(1)].uid
        if not params <= values.keys() | {"lang"}:
            continue
        for lang in ("en", "nl"):
            paths.append(pattern.format_map({**values, "lang": lang}))
    return paths


def _links(base: str, body: str) -> Iterator[str]:
    for link in re.findall(r'(?:href|src)="([^"]+)"', body):
        absolute = urljoin(base, link.replace("&amp;", "&"))
        parts = urlsplit(absolute)
        if parts.netloc in ("", "testserver") and parts.scheme in ("", "http"):
            yield parts.path  # query strings (filters, pages) show the same records


def public_answers(client: TestClient, records: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, body) of every public answer reachable from the route table, without logging in."""
    queue = deque(_seeds(records))
    seen: set[str] = set(queue)
    while queue:
        path = queue.popleft()
        if any(private in path for private in PRIVATE):
            continue
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code < 500, path
        body = answer.text.replace("\r\n ", "")  # unfold iCalendar lines
        yield path, body
        found = list(_links(path, body))
        if location := answer.headers.get("location"):
            found.append(urlsplit(urljoin(path, location)).path)
        for link in found:
            if link not in seen:
                seen.add(link)
                queue.append(link)
        assert len(seen) < MAX_ANSWERS, "the crawl runs away: exclude what multiplies"


@pytest.mark.parametrize("kind", [kind.name for kind in protected_kinds()])
def test_no_protected_field_on_any_public_surface(client: TestClient, session: Session, kind: str) -> None:
    declared = KINDS[kind]
    markers = {
        field.attribute: marker(kind, field.name)
        for field in declared.fields
        if field.protected or field.name.startswith("contact_")
    }
    record = BUILDERS[kind](session, **markers)
    others = {"meetings": _meeting(session)} if kind != "meetings" else {}
    session.commit()
    secret = {marker(kind, field.name) for field in declared.fields if field.protected}

    surfaces = dict(public_answers(client, {kind: record, **others}))
    assert any(path.startswith("/api/v1/") for path in surfaces)
    assert any(path.endswith((".csv", ".json", ".atom", ".ics")) for path in surfaces)
    assert any(path.endswith(_page(declared, record).removeprefix("/en")) for path in surfaces)
    leaks = sorted((path, value) for path, body in surfaces.items() for value in secret if value in body)
    assert leaks == []


def _page(kind: Kind, record: Any) -> str:
    """The path of ``record``'s page, as the API's ``url`` gives it."""
    assert kind.page is not None, f"{kind.name} has no page"
    return kind.page.format_map({**vars(record), "id": record.id})


def _public_contact_fields(kind: Kind) -> list[Field]:
    return [field for field in kind.fields if field.name.startswith("contact_") and not field.protected]


def test_a_public_contact_field_shows_on_the_page_and_in_the_api_alike(
    client: TestClient, session: Session
) -> None:
    with_contacts = [kind for kind in KINDS.values() if _public_contact_fields(kind)]
    assert [kind.name for kind in with_contacts] == ["communities"]
    for kind in with_contacts:
        contact = _public_contact_fields(kind)
        record = BUILDERS[kind.name](session, **{f.attribute: marker(kind.name, f.name) for f in contact})
        session.commit()
        document = client.get(f"/api/v1/{kind.name}/{record.uid}").json()
        assert document["url"] == f"http://testserver{_page(kind, record)}"
        page = client.get(_page(kind, record)).text
        for field in contact:
            value = marker(kind.name, field.name)
            assert document[field.name] == value
            assert value in page


def test_a_community_from_a_peer_of_an_earlier_release_without_its_contact_name_is_taken() -> None:
    """Earlier releases sent the name to token holders only; their documents still load."""
    document = {
        "programme": "gdca",
        "product_group": None,
        "name": {"nl": "ICT", "en": "ICT"},
        "description": {"nl": None, "en": None},
        "status": "active",
        "since": None,
        "source_language": "nl",
    }
    lookups = Lookups(codes={"programmes": {"gdca": 1}, "product_groups": {}}, uids={})
    row, _children = KINDS["communities"].values(document, lookups)
    assert row["contact_name"] == "" and row["contact_email"] is None
    with pytest.raises(Problem, match="missing"):
        KINDS["communities"].values({**document, "status": None}, lookups)
