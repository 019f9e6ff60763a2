"""Prometheus metrics: a registry per app or process, what it serves, and who may read it.

Each web app and each scheduler process has a ``CollectorRegistry`` of its own (not
prometheus_client's global one), so tests that build many apps never see a metric registered
twice, and what a process reports is its own: its requests (``http``), its scheduler's ticks and
work (``scheduler``), its process (memory, CPU, file descriptors, garbage collection) and the
hub's queues and runs read from the database at scrape time (``database``), which every process
reports alike.

Who may read them: with ``HUB_METRICS_TOKEN`` set, a bearer of that token; without one, only a
client on this machine (a loopback address, and no proxy's forwarding header), so that a hub
whose operator set no token does not show its queues and runs to anyone (nor let them make it
query the database at will).
"""

from __future__ import annotations

import enum
import ipaddress
import secrets

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.exposition import choose_encoder


def make_registry() -> CollectorRegistry:
    """A registry with the process (RSS, CPU, open files), platform (Python version) and garbage
    collector metrics in it."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


# Headers a reverse proxy adds: a request with one came from elsewhere, whatever its address here.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
FORBIDDEN_TEXT = "Forbidden: without HUB_METRICS_TOKEN, metrics are served to this machine only\n"


class Access(enum.Enum):
    GRANTED = 200
    UNAUTHORIZED = 401  # a token is set and the request does not carry it
    FORBIDDEN = 403  # no token is set and the request is not from this machine


def access(*, authorization: str | None, token: str, client: str | None, forwarded: bool) -> Access:
    """Whether a scrape may read the metrics: by ``token`` when one is set, else by the client's
    address (``client``; ``forwarded``: the request carries a proxy's forwarding header)."""
    if token:
        return Access.GRANTED if authorised(authorization, token) else Access.UNAUTHORIZED
    return Access.GRANTED if not forwarded and is_loopback(client) else Access.FORBIDDEN


def authorised(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <token>`` (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


def is_loopback(client: str | None) -> bool:
    """Whether ``client`` is a loopback address (127.0.0.0/8, ::1, or 127.x mapped into IPv6)."""
    try:
        address = ipaddress.ip_address(client or "")
    except ValueError:
        return False  # a Unix socket, or no address at all
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback


def exposition(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The registry's metrics in the format the scraper asked for (Prometheus text by default,
    OpenMetrics when its Accept header says so), and that format's content type."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type
