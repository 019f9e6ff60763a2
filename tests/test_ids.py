"""Ids in paths (issue 19, item 7): one convertor with the database's integer range on every route
that takes a number, so a number out of range is a plain 404 (never a 500), on both databases."""

from __future__ import annotations

import random
import re

import pytest
from starlette.convertors import IntegerConvertor
from starlette.testclient import TestClient

from hub import urls
from hub.app import routes
from tests.accounts.conftest import log_in
from tests.coordinators import Network
from tests.route_table import Entry, entries

TOO_LARGE = ("9" * 20, "1" * 8000, str(urls.MAX_ID + 1), "0", "007")


def id_routes() -> list[tuple[Entry, str]]:
    """Every route and each of its integer path parameters."""
    return [
        (entry, name)
        for entry in entries(routes())
        for name, convertor in entry.convertors.items()
        if isinstance(convertor, IntegerConvertor | urls.IdConvertor)
    ]


def test_the_regex_holds_exactly_one_to_the_maximum() -> None:
    pattern = re.compile(urls.IdConvertor.regex)
    edges = [0, 1, 9, 10, 99, 100, 10**9 - 1, 10**9, 1999999999, 2 * 10**9, urls.MAX_ID - 1, urls.MAX_ID]
    numbers = edges + [urls.MAX_ID + 1, 10**10, 10**20] + [random.randrange(10**11) for _ in range(5000)]
    for number in numbers:
        assert bool(pattern.fullmatch(str(number))) is (1 <= number <= urls.MAX_ID), number
    for maximum in (1, 9, 10, 100, 101, 999, 1000, 54321):
        small = re.compile(urls.digits_up_to(maximum))
        assert [n for n in range(maximum * 10 + 20) if small.fullmatch(str(n))] == list(range(1, maximum + 1))
    assert not pattern.fullmatch("-1") and not pattern.fullmatch("01") and not pattern.fullmatch("1e3")


def test_every_integer_path_parameter_is_an_id() -> None:
    found = id_routes()
    assert len({entry.route.name for entry, _name in found}) >= 19
    plain = [entry.path for entry, name in found if type(entry.convertors[name]) is not urls.IdConvertor]
    assert plain == []
    # Each parameter named like a record's id takes this convertor (not a str read by hand); an
    # OAuth client's id is a string.
    loose = [
        (entry.path, name)
        for entry in entries(routes())
        for name, convertor in entry.convertors.items()
        if name.endswith("_id") and name != "client_id" and not isinstance(convertor, urls.IdConvertor)
    ]
    assert loose == []


def test_links_to_the_largest_id_are_answered(client: TestClient) -> None:
    assert urls.url("pilot", lang="en", pilot_id=urls.MAX_ID) == f"/en/pilots/{urls.MAX_ID}"
    assert client.get(f"/en/pilots/{urls.MAX_ID}").status_code == 404  # no such pilot, but asked


def test_an_id_out_of_range_is_a_404_on_every_route(client: TestClient, network: Network) -> None:
    log_in(client, network.admin)  # past the login of the coordinators' and participants' pages
    answers: dict[tuple[str, str], int] = {}
    for entry, name in id_routes():
        for value in TOO_LARGE:
            path = entry.fill(**{name: value})
            response = client.request(entry.method, path, follow_redirects=False)
            answers[(entry.method, path[:80])] = response.status_code
    assert {key: status for key, status in answers.items() if status != 404} == {}


@pytest.mark.parametrize("path", ["/api/v1/nothing/" + "9" * 20, "/en/pilots/" + "9" * 20 + "/x"])
def test_neighbours_of_id_routes_stay_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
