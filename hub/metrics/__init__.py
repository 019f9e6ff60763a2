"""Prometheus metrics: a registry per app or process, what it serves, and who may read it.

Each web app and each scheduler process has a ``CollectorRegistry`` of its own (not
prometheus_client's global one), so tests that build many apps never see a metric registered
twice, and what a process reports is its own: its requests (``http``), its scheduler's ticks and
work (``scheduler``), its process (memory, CPU, file descriptors, garbage collection) and the
hub's queues and runs read from the database at scrape time (``database``), which every process
reports alike.
"""

from __future__ import annotations

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


def authorised(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``Bearer <token>`` (compared in constant time);
    any request is when no token is set."""
    if not token:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


def exposition(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The registry's metrics in the format the scraper asked for (Prometheus text by default,
    OpenMetrics when its Accept header says so), and that format's content type."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type
