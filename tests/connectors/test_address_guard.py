"""The address guard: IPv6 forms that stand for IPv4 addresses are judged by those, site-local is
refused, and a refusal never tells the coordinator what a host name resolved to."""

from __future__ import annotations

import ipaddress
import logging

import httpx2 as httpx
import pytest

from connectors.fetch import Fetcher, is_public
from connectors.messages import FetchError
from tests.connectors.fixture_server import File, FixtureServer

NOT_PUBLIC = "The address of %(host)s is not public; the hub does not fetch from it."

# (address, public?, what it is)
ADDRESSES = [
    ("8.8.8.8", True, "public IPv4"),
    ("2606:4700:4700::1111", True, "public IPv6"),
    ("127.0.0.1", False, "loopback"),
    ("100.64.0.1", False, "carrier-grade NAT"),
    ("::1", False, "IPv6 loopback"),
    ("::", False, "unspecified"),
    ("fe80::1", False, "link-local"),
    ("fc00::1", False, "unique local"),
    ("ff02::1", False, "multicast"),
    ("fec0::1", False, "site-local (deprecated)"),
    ("feff:ffff::1", False, "site-local, top of fec0::/10"),
    ("::ffff:8.8.8.8", True, "IPv4-mapped, public"),
    ("::ffff:127.0.0.1", False, "IPv4-mapped loopback"),
    ("::ffff:10.1.2.3", False, "IPv4-mapped private"),
    ("::8.8.8.8", True, "IPv4-compatible, public"),
    ("::127.0.0.1", False, "IPv4-compatible loopback"),
    ("::169.254.169.254", False, "IPv4-compatible cloud metadata"),
    ("2002:808:808::", True, "6to4 of 8.8.8.8"),
    ("2002:7f00:1::", False, "6to4 of 127.0.0.1"),
    ("2002:a00:1::1", False, "6to4 of 10.0.0.1"),
    ("2002:a9fe:a9fe::", False, "6to4 of the cloud metadata address"),
    ("64:ff9b::808:808", True, "NAT64 of 8.8.8.8"),
    ("64:ff9b::7f00:1", False, "NAT64 of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", False, "NAT64 of the cloud metadata address"),
    ("64:ff9b:1::808:808", True, "local NAT64 of 8.8.8.8"),
    ("64:ff9b:1::a00:1", False, "local NAT64 of 10.0.0.1"),
    ("64:ff9b:1:7f00:1::", False, "local NAT64, another layout: not read, refused"),
    # Teredo: 2001:0:<server>:<flags>:<port>:<client, bits inverted>
    ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", True, "Teredo, public server and client 8.8.8.8"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", False, "Teredo, client 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False, "Teredo, client 10.0.0.1"),
    ("2001:0:a00:1:8000:63bf:f7f7:f7f7", False, "Teredo, server 10.0.0.1"),
    ("2001:0:7f00:1:8000:63bf:f7f7:f7f7", False, "Teredo, server 127.0.0.1"),
]


@pytest.mark.parametrize(
    ("address", "public"), [row[:2] for row in ADDRESSES], ids=[row[2] for row in ADDRESSES]
)
def test_the_guard_judges_each_address(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "url", ["http://[2002:7f00:1::]/", "http://[fec0::1]/", "http://[64:ff9b::7f00:1]:8080/feed"]
)
def test_an_ipv6_form_of_a_private_address_is_refused_before_connecting(
    client: httpx.Client, url: str
) -> None:
    with pytest.raises(FetchError) as caught:
        Fetcher(client).get(url)

    assert caught.value.message == NOT_PUBLIC


def test_a_refusal_does_not_tell_what_a_host_name_resolved_to(
    server: FixtureServer, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """``localhost`` resolves (for real) to a loopback address: the coordinator learns only that
    it is not public; the administrators' log has the address."""
    server.routes["/feed"] = File(b"internal")
    url = server.url("/feed").replace("127.0.0.1", "localhost")

    with caplog.at_level(logging.WARNING, logger="connectors.fetch"), pytest.raises(FetchError) as caught:
        Fetcher(client).get(url)

    assert caught.value.message == NOT_PUBLIC
    assert caught.value.values == {"host": "localhost"}
    assert "127.0.0.1" not in str(caught.value) and "::1" not in str(caught.value)
    assert server.requests == []
    logged = [record.getMessage() for record in caplog.records if record.name == "connectors.fetch"]
    assert any("localhost" in line and ("127.0.0.1" in line or "::1" in line) for line in logged), logged
