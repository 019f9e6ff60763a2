"""The Fetcher against real misbehaving sources: addresses, redirects, sizes, time, uploads."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from connectors.fetch import Fetcher
from connectors.messages import FetchError
from tests.connectors.conftest import LOCALHOST
from tests.connectors.fixture_server import Drip, Endless, File, FixtureServer, Hang, Redirect, Slow, Status
from tests.servers import free_port

TOO_LARGE = "The source is larger than the limit of %(limit)s."
NOT_PUBLIC = "The address of %(host)s is not public; the hub does not fetch from it."
TIMED_OUT = "The source did not answer within %(seconds)s seconds."


def test_get_returns_the_body_and_its_validators(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/doc.txt"] = File(b"hello", "text/plain; charset=utf-8", etag='"v1"')

    fetched = fetcher.get(server.url("/doc.txt"))

    assert fetched is not None
    assert (fetched.url, fetched.content_type, fetched.body) == (
        server.url("/doc.txt"),
        "text/plain; charset=utf-8",
        b"hello",
    )
    assert (fetched.etag, fetched.last_modified) == ('"v1"', "Wed, 01 May 2024 10:00:00 GMT")
    assert server.requests[0].headers["user-agent"] == "circular-procurement-hub/0.1 (+connectors)"


def test_conditional_get_200_then_304(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/doc.txt"] = File(b"hello", etag='"v1"', last_modified=None)
    first = fetcher.get(server.url("/doc.txt"))
    assert first is not None and first.body == b"hello"

    assert fetcher.get(server.url("/doc.txt"), etag='"v1"') is None
    assert server.requests[1].headers["if-none-match"] == '"v1"'

    # A changed document (another ETag) comes again in full.
    server.routes["/doc.txt"] = File(b"hello again", etag='"v2"', last_modified=None)
    second = fetcher.get(server.url("/doc.txt"), etag='"v1"')
    assert second is not None and (second.body, second.etag) == (b"hello again", '"v2"')


def test_conditional_get_by_last_modified(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/doc.txt"] = File(b"hello", etag=None)

    assert fetcher.get(server.url("/doc.txt"), last_modified="Wed, 01 May 2024 10:00:00 GMT") is None
    assert server.requests[0].headers["if-modified-since"] == "Wed, 01 May 2024 10:00:00 GMT"


def test_remember_stores_validators_and_drops_stale_ones(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/doc.txt"] = File(b"hello", etag=None)
    fetched = fetcher.get(server.url("/doc.txt"))
    assert fetched is not None
    state = {"etag": '"old"', "since": "kept"}

    fetched.remember(state)

    assert state == {"last_modified": "Wed, 01 May 2024 10:00:00 GMT", "since": "kept"}


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_name_the_status(server: FixtureServer, fetcher: Fetcher, status: int) -> None:
    server.routes["/broken"] = Status(status)

    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/broken"))

    assert caught.value.message == "The source answered with HTTP status %(status)s."
    assert caught.value.values == {"status": status}


def test_redirects_are_followed_and_the_final_address_kept(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/old"] = Redirect("/middle", 301)
    server.routes["/middle"] = Redirect(server.url("/new"), 307)
    server.routes["/new"] = File(b"moved")

    fetched = fetcher.get(server.url("/old"))

    assert fetched is not None and (fetched.url, fetched.body) == (server.url("/new"), b"moved")


def test_a_redirect_loop_stops_after_max_redirects(server: FixtureServer, fetcher: Fetcher) -> None:
    server.routes["/a"] = Redirect("/b")
    server.routes["/b"] = Redirect("/a")

    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/a"))

    assert caught.value.message == "The source redirected too many times (more than %(max)s)."
    assert caught.value.values == {"max": 5}
    assert len(server.requests) == 6  # the first request and five redirects


@pytest.mark.parametrize(
    ("location", "address"),
    [
        ("http://10.1.2.3/", "10.1.2.3"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # cloud metadata
        ("http://[::ffff:10.1.2.3]/", "::ffff:a01:203"),  # an IPv4 private address in IPv6 clothes
        ("http://0.0.0.0:8080/", "0.0.0.0"),
        ("http://100.64.0.1/", "100.64.0.1"),  # carrier-grade NAT, not global
    ],
)
def test_a_redirect_to_a_private_address_is_refused(
    server: FixtureServer, fetcher: Fetcher, location: str, address: str
) -> None:
    """Even though 127.0.0.1 is allowed (the fixture server), a redirect elsewhere private is not."""
    server.routes["/go"] = Redirect(location)

    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/go"))

    assert caught.value.message == NOT_PUBLIC
    assert "address" not in caught.value.values  # the log has it (tests/connectors/test_address_guard.py)
    assert [request.path for request in server.requests] == ["/go"]


def test_loopback_is_refused_unless_allowed(server: FixtureServer, client: httpx.Client) -> None:
    server.routes["/doc"] = File(b"secret admin page")

    with pytest.raises(FetchError) as caught:
        Fetcher(client).get(server.url("/doc"))

    assert caught.value.message == NOT_PUBLIC
    assert caught.value.values == {"host": "127.0.0.1"}
    assert server.requests == []  # refused before connecting
    fetched = Fetcher(client, allow_private=True).get(server.url("/doc"))
    assert fetched is not None and fetched.body == b"secret admin page"


def test_a_host_is_refused_if_any_of_its_addresses_is_private(
    monkeypatch: pytest.MonkeyPatch, client: httpx.Client
) -> None:
    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert (host, port) == ("intranet.example.org", 443)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.10", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    with pytest.raises(FetchError) as caught:
        Fetcher(client).get("https://intranet.example.org/feed")

    assert caught.value.values == {"host": "intranet.example.org"}  # not which address: no DNS oracle


def test_an_unresolvable_host_is_a_fetch_error(monkeypatch: pytest.MonkeyPatch, client: httpx.Client) -> None:
    def resolve(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    with pytest.raises(FetchError) as caught:
        Fetcher(client).get("https://nowhere.invalid/feed")

    assert caught.value.message == "The host name %(host)s could not be resolved."


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/feed", "feed://x/", "http://", "nonsense"]
)
def test_only_http_and_https(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(url)

    assert caught.value.message == "“%(url)s” is not a web address (http:// or https://)."


@pytest.mark.parametrize("content_length", [False, True], ids=["chunked", "content-length"])
def test_a_50_mb_body_is_refused(server: FixtureServer, fetcher: Fetcher, content_length: bool) -> None:
    server.routes["/big"] = Endless(50 * 2**20, content_length=content_length)

    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/big"))

    assert caught.value.message == TOO_LARGE
    assert caught.value.values == {"limit": "20 MB"}


def test_a_gzip_bomb_is_refused_by_its_decoded_size(server: FixtureServer, client: httpx.Client) -> None:
    server.routes["/bomb"] = File(bytes(3 * 2**20), gzip=True)  # 3 MB of zeros, about 3 kB sent
    small = Fetcher(client, allowed_networks=LOCALHOST, max_bytes=2**20)

    with pytest.raises(FetchError) as caught:
        small.get(server.url("/bomb"))

    assert caught.value.message == TOO_LARGE
    assert caught.value.values == {"limit": "1 MB"}


def test_a_body_at_the_limit_is_accepted(server: FixtureServer, client: httpx.Client) -> None:
    server.routes["/exact"] = Endless(2**20)

    fetched = Fetcher(client, allowed_networks=LOCALHOST, max_bytes=2**20).get(server.url("/exact"))

    assert fetched is not None and len(fetched.body) == 2**20


@pytest.mark.parametrize("route", [Slow(5), Hang()], ids=["slow", "never-answers"])
def test_a_source_that_does_not_answer_in_time(
    server: FixtureServer, fetcher: Fetcher, route: Slow | Hang
) -> None:
    server.routes["/late"] = route
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/late"))

    assert time.monotonic() - started < 2  # the client timeout is 0.5 s
    assert caught.value.message == TIMED_OUT
    assert caught.value.values == {"seconds": "0.5"}


def test_a_source_that_drips_is_cut_off_by_max_seconds(server: FixtureServer, client: httpx.Client) -> None:
    server.routes["/drip"] = Drip(interval=0.05)
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        Fetcher(client, allowed_networks=LOCALHOST, max_seconds=1).get(server.url("/drip"))

    assert 1 <= time.monotonic() - started < 3
    assert caught.value.message == (
        "The source was too slow: it had not sent its whole answer after %(seconds)s seconds."
    )


def test_a_closed_port_is_a_connection_error(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(f"http://127.0.0.1:{free_port()}/feed")

    assert caught.value.message == "Could not connect to %(host)s."


@pytest.mark.parametrize("location", ["file:///etc/passwd", "gopher://127.0.0.1:25/", "http://[::1"])
def test_a_redirect_to_another_scheme_or_nonsense_is_refused(
    server: FixtureServer, fetcher: Fetcher, location: str
) -> None:
    server.routes["/go"] = Redirect(location)

    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/go"))

    assert caught.value.message == "“%(url)s” is not a web address (http:// or https://)."
    assert caught.value.values == {"url": location}


# -- uploads


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for coordinators")
    return secret


def test_open_upload_reads_a_file_of_the_uploads_folder(fetcher: Fetcher, uploads: Path) -> None:
    (uploads / "sub").mkdir()
    (uploads / "sub" / "export.csv").write_bytes(b"id\n1\n")

    with fetcher.open_upload("sub/export.csv") as file:
        assert file.read() == b"id\n1\n"


@pytest.mark.parametrize("name", ["../secret.txt", "sub/../../secret.txt", "", "/etc/passwd", "a\x00b"])
def test_open_upload_refuses_names_outside_the_folder(fetcher: Fetcher, outside: Path, name: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.open_upload(name.replace("/etc/passwd", str(outside)))

    assert caught.value.message == "“%(name)s” is not the name of an uploaded file."


def test_open_upload_refuses_a_link_out_of_the_folder(fetcher: Fetcher, uploads: Path, outside: Path) -> None:
    (uploads / "link.csv").symlink_to(outside)

    with pytest.raises(FetchError) as caught:
        fetcher.open_upload("link.csv")

    assert caught.value.message == "“%(name)s” is not the name of an uploaded file."


def test_open_upload_of_a_missing_file_or_without_folder(fetcher: Fetcher, client: httpx.Client) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.open_upload("missing.csv")
    assert caught.value.message == "The uploaded file “%(name)s” is not there."

    with pytest.raises(FetchError) as caught:
        Fetcher(client).open_upload("missing.csv")
    assert caught.value.message == "This hub has no uploads folder."


@pytest.fixture(autouse=True)
def proxy_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """make_client ignores proxies: one set here (before the client) must change no outcome above."""
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
