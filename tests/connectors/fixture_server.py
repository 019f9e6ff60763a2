"""A real HTTP server on 127.0.0.1 for the connector tests: fixed files and misbehaving sources.

Connectors must be tested over real sockets: timeouts, streaming limits and redirects only show
there. Each test sets ``server.routes`` (path -> what to answer) and reads ``server.requests``.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import http.server
import sys
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from tests.servers import free_port

LAST_MODIFIED = "Wed, 01 May 2024 10:00:00 GMT"


@dataclasses.dataclass(frozen=True)
class File:
    """A fixed document with validators; answers 304 to a matching conditional GET."""

    body: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = "auto"  # "auto": a hash of the body
    last_modified: str | None = LAST_MODIFIED
    gzip: bool = False  # sent with Content-Encoding: gzip


@dataclasses.dataclass(frozen=True)
class Status:
    code: int
    headers: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Redirect:
    location: str
    code: int = 302


@dataclasses.dataclass(frozen=True)
class Slow:
    """Answers after ``seconds`` (or when the server stops)."""

    seconds: float


@dataclasses.dataclass(frozen=True)
class Hang:
    """Reads the request and never answers (until the server stops)."""


@dataclasses.dataclass(frozen=True)
class Endless:
    """``size`` bytes of filler, chunked or with a Content-Length."""

    size: int
    content_length: bool = False


@dataclasses.dataclass(frozen=True)
class Drip:
    """Headers at once, then one byte per ``interval`` for ever: no single read ever times out."""

    interval: float = 0.1


Route = File | Status | Redirect | Slow | Hang | Endless | Drip


@dataclasses.dataclass(frozen=True)
class Request:
    path: str
    headers: Mapping[str, str]


class FixtureServer:
    """``with FixtureServer() as server:`` serves ``server.routes`` at ``server.base``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.errors: list[BaseException] = []  # unexpected errors in handlers (the fixture fails on them)
        self.stopping = threading.Event()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._httpd = _HTTPServer(("127.0.0.1", self.port), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fixture-http", daemon=True
        )

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stopping.set()  # releases Slow and Hang handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, files: Mapping[str, tuple[str, bytes]]) -> None:
        """Serves an ``Example``'s files (path -> (content type, body))."""
        for path, (content_type, body) in files.items():
            self.routes[path] = File(body, content_type)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, owner: FixtureServer) -> None:
        super().__init__(address, handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | TimeoutError):  # a client that gave up is expected
            assert error is not None
            self.owner.errors.append(error)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end on their own
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        owner = self.server.owner
        owner.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = owner.routes.get(self.path) or owner.routes.get(self.path.partition("?")[0])
        match route:
            case None:
                self._answer(404, b"not found")
            case File():
                self._file(route)
            case Status(code, headers):
                self._answer(code, f"status {code}".encode(), dict(headers))
            case Redirect(location, code):
                self._answer(code, b"", {"Location": location})
            case Slow(seconds):
                owner.stopping.wait(seconds)
                self._answer(200, b"late")
            case Hang():
                owner.stopping.wait()
                self.close_connection = True
            case Endless(size, content_length):
                self._endless(size, content_length)
            case Drip(interval):
                self._drip(interval)

    def _answer(self, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def _file(self, file: File) -> None:
        etag = f'"{hashlib.sha256(file.body).hexdigest()[:16]}"' if file.etag == "auto" else file.etag
        headers = {"Content-Type": file.content_type}
        if etag:
            headers["ETag"] = etag
        if file.last_modified:
            headers["Last-Modified"] = file.last_modified
        # RFC 9110 13.2.2: If-None-Match, when sent, decides; If-Modified-Since only without it.
        if "If-None-Match" in self.headers:
            not_modified = etag is not None and self.headers["If-None-Match"] == etag
        else:
            not_modified = (
                file.last_modified is not None and self.headers.get("If-Modified-Since") == file.last_modified
            )
        if not_modified:
            self._answer(304, b"", headers)
        elif file.gzip:
            self._answer(
                200, gzip.compress(file.body, compresslevel=9), {**headers, "Content-Encoding": "gzip"}
            )
        else:
            self._answer(200, file.body, headers)

    def _endless(self, size: int, content_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if content_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"x" * 2**16
        sent = 0
        while sent < size and not self.server.owner.stopping.is_set():
            part = chunk[: size - sent]
            self.wfile.write(part if content_length else b"%x\r\n%s\r\n" % (len(part), part))
            sent += len(part)
        if not content_length:
            self.wfile.write(b"0\r\n\r\n")

    def _drip(self, interval: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while not self.server.owner.stopping.wait(interval):
            self.wfile.write(b"1\r\nx\r\n")
            self.wfile.flush()
        self.close_connection = True
