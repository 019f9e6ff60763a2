"""Fixtures of the connector tests: the fixture HTTP server and a Fetcher allowed to reach it.

The client timeout is short (0.5 s) so that the slow and silent sources fail fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from connectors.fetch import Fetcher, make_client
from tests.connectors.fixture_server import FixtureServer

LOCALHOST = ["127.0.0.1/32"]


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running
    assert not running.errors, running.errors


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(timeout=0.5, connect_timeout=0.5) as c:
        yield c


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


@pytest.fixture
def fetcher(client: httpx.Client, uploads: Path) -> Fetcher:
    return Fetcher(client, allowed_networks=LOCALHOST, uploads_dir=uploads)
