"""The deadline of a whole fetch, against a real server on 127.0.0.1 that trickles its answer.

Every byte arrives well within the read timeout, so no single read ever times out; only the
deadline (``HUB_FETCH_DEADLINE_SECONDS``) ends the fetch, and the run says the source was too slow.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from connectors.fetch import Fetcher, make_client
from connectors.messages import TooSlow
from hub.settings import Settings
from hub.sync.models import RunStatus, RunTrigger
from hub.sync.runner import RunSettings, run_by_id
from tests import factories
from tests.connectors.conftest import LOCALHOST

TOO_SLOW = "The source was too slow: it had not sent its whole answer after %(seconds)s seconds."
# A complete answer with an empty body: sent a byte at a time it takes INTERVAL * len seconds.
HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\nX-Padding: "
    + b"a" * 80
    + (b"\r\nContent-Length: 0\r\n\r\n")
)
INTERVAL = 0.05  # about 7 s for HEAD, far past the deadlines below


@dataclasses.dataclass
class Trickler:
    """Answers every connection with HEAD, one byte per INTERVAL (the status line and headers too)."""

    listener: socket.socket
    stopping: threading.Event

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/feed.atom"

    def serve(self) -> None:
        self.listener.settimeout(0.1)  # to see ``stopping``: closing does not wake accept()
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(None)
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)  # the request
            for byte in HEAD:
                if self.stopping.wait(INTERVAL):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:  # the hub hung up: what the deadline is for
                    return


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    listener = socket.create_server(("127.0.0.1", 0))
    running = Trickler(listener, threading.Event())
    thread = threading.Thread(target=running.serve, daemon=True)
    thread.start()
    yield running
    running.stopping.set()
    thread.join(timeout=5)
    listener.close()


def test_a_fetch_that_trickles_its_headers_ends_at_the_deadline(trickler: Trickler) -> None:
    with make_client(timeout=0.5, connect_timeout=0.5) as client:
        fetcher = Fetcher(client, allowed_networks=LOCALHOST, max_seconds=1)
        started = time.monotonic()
        with pytest.raises(TooSlow) as caught:
            fetcher.get(trickler.url)

    assert 1 <= time.monotonic() - started < 1.5
    assert (caught.value.message, caught.value.values) == (TOO_SLOW, {"seconds": "1"})


def test_the_deadline_defaults_to_a_small_multiple_of_the_timeout(tmp_path: Path) -> None:
    settings = Settings.load(environ={"HUB_FETCH_TIMEOUT_SECONDS": "10"}, data_dir=tmp_path)
    assert RunSettings.from_settings(settings).max_seconds == 30
    chosen = Settings.load(environ={"HUB_FETCH_DEADLINE_SECONDS": "45"}, data_dir=tmp_path)
    assert RunSettings.from_settings(chosen).max_seconds == 45


def test_a_run_of_a_trickling_source_fails_as_too_slow(
    session: Session, sessions: sessionmaker[Session], trickler: Trickler, tmp_path: Path
) -> None:
    settings = Settings.load(
        environ={
            "HUB_FETCH_TIMEOUT_SECONDS": "1",
            "HUB_FETCH_DEADLINE_SECONDS": "2",
            "HUB_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32",
        },
        data_dir=tmp_path,
    )
    run_settings = dataclasses.replace(RunSettings.from_settings(settings), mail=None)
    source = factories.source(
        session,
        factories.programme(session, "gdca"),
        "slow-news",
        options={"url": trickler.url, "language": "nl", "target": "news"},
    )
    session.commit()
    started = time.monotonic()

    run = run_by_id(
        sessions,
        source_id=source.id,
        owner="test",
        trigger=RunTrigger.MANUAL,
        run_settings=run_settings,
        lease=dt.timedelta(minutes=5),
    )

    assert time.monotonic() - started < 3.5
    assert run is not None and run.status is RunStatus.FAILED
    assert (run.message, run.message_values) == (TOO_SLOW, {"seconds": "2"})
