"""Fetching a coordinator-entered address without trusting it.

Source addresses come from coordinators, so every request may point anywhere: at the hub's own
network (SSRF: cloud metadata, databases, admin pages), at a server that never answers, or at an
endless or compressed-to-explode body. The :class:`Fetcher` is the only way connectors reach the
network or the uploads folder, and it bounds all of that: it checks the address of every hop
(redirects are followed here, one by one, not by httpx), caps time and decoded size, and makes
every failure a :class:`~connectors.messages.FetchError` a coordinator can read.

The address check judges an IPv6 address that stands for an IPv4 one (IPv4-mapped and -compatible,
6to4, Teredo, NAT64) by the IPv4 address(es) inside it, since that is where the packets end up, and
refuses deprecated site-local ``fec0::/10``. A refusal never tells the coordinator which address a
host name resolved to (that would make the hub a DNS oracle for the internal network); the log does.

A fetch also has a deadline (``max_seconds``): the client's timeouts bound each read, but a server
that trickles a byte a second, even within its status line and headers, never lets one time out.
:func:`make_client` gives the connections a network layer that ends every read, write and connect
by the deadline the running :meth:`Fetcher.get` set.

Residual risk: the host is resolved here and again by httpx when it connects, so a DNS server that
answers differently within that moment (DNS rebinding) could slip past the check; deployments that
fetch from untrusted sources should also block private ranges at the network level.
"""

from __future__ import annotations

import contextvars
import dataclasses
import ipaddress
import logging
import re
import socket
import ssl
import time
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import httpcore2 as httpcore
import httpx2 as httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client

from connectors.messages import N_, FetchError, TooSlow

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052, the well-known prefix
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215, a network's own translators
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d (RFC 4291)
LOW_32_BITS = 2**32 - 1

# When the running Fetcher.get must be done (time.monotonic()); None outside one.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("fetch_deadline", default=None)


def make_client(
    *,
    timeout: float = 10,
    connect_timeout: float = 5,
    user_agent: str = "circular-procurement-hub/0.1 (+connectors)",
) -> httpx.Client:
    """An HTTP client for a :class:`Fetcher`: it never follows redirects by itself.

    ``trust_env=False``: no proxy from the environment (the address check must be about the host
    we connect to) and no ``.netrc`` credentials sent to whatever host a coordinator entered.
    """
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        follow_redirects=False,
        headers={"User-Agent": user_agent},
        trust_env=False,
        transport=_DeadlineTransport(),
    )


def _until_deadline(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` shortened to what is left of the running fetch; ``expired`` if nothing is."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the fetch's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _until_deadline(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _until_deadline(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = _until_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _until_deadline(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(super().connect_tcp(host, port, timeout, local_address, socket_options))


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on connections that keep the fetch's deadline.

    httpx takes no network backend, so the connection pool is built again with one (the
    settings are httpx's defaults; ``trust_env=False`` as in :func:`make_client`).
    """

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_DeadlineBackend(),
        )


@dataclasses.dataclass(frozen=True)
class Token:
    """An OAuth2 access token and when it expires (seconds since the epoch)."""

    access_token: str
    expires_at: float


@dataclasses.dataclass(frozen=True)
class Fetched:
    """A fetched document: its final address (after redirects), content type and decoded body."""

    url: str
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None

    def remember(self, state: MutableMapping[str, str]) -> None:
        """Stores the validators in a cursor's state for the next conditional GET (drops stale ones)."""
        for key, value in (("etag", self.etag), ("last_modified", self.last_modified)):
            if value:
                state[key] = value
            else:
                state.pop(key, None)


class Fetcher:
    """Safe GETs and uploaded files for connectors (see the module docstring for why).

    ``allow_private`` turns the address check off (a hub inside a closed network);
    ``allowed_networks`` lets chosen ranges through (CIDR strings, e.g. ``"127.0.0.1/32"`` in
    tests). ``max_seconds`` bounds a whole ``get``, redirects included (see the module docstring);
    a client not made by :func:`make_client` is checked between body chunks only.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        allow_private: bool = False,
        allowed_networks: Sequence[str] = (),
        max_bytes: int = 20 * 2**20,
        max_redirects: int = 5,
        uploads_dir: Path | None = None,
        max_seconds: float = 120,
    ) -> None:
        self.client = client
        self.allow_private = allow_private
        self.allowed_networks: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(network, strict=False) for network in allowed_networks
        )
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.uploads_dir = uploads_dir
        self.max_seconds = max_seconds

    # -- HTTP

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fetched | None:
        """The document at ``url``, or None when the source answers 304 (not modified).

        ``headers`` (credentials) go to ``url``'s origin only, never to another a redirect names.
        Raises FetchError for a refused address, too many redirects, an HTTP error status, a
        timeout, a connection failure or a body larger than ``max_bytes``.
        """
        origin_headers = dict(headers or {})
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.max_seconds
        token = _deadline.set(deadline)
        try:
            return self._get(url, headers, origin_headers, deadline)
        finally:
            _deadline.reset(token)

    def _get(
        self, url: str, headers: dict[str, str], origin_headers: dict[str, str], deadline: float
    ) -> Fetched | None:
        """``get`` hop by hop, within ``deadline`` (which the connections keep too)."""
        current = start = self._parse_url(url)
        for _hop in range(self.max_redirects + 1):
            if time.monotonic() > deadline:
                raise self._too_slow()
            self._check_host(current)
            same_origin = (current.scheme, current.host, current.port) == (
                start.scheme,
                start.host,
                start.port,
            )
            sent = {**headers, **origin_headers} if same_origin else headers
            try:
                with self.client.stream("GET", current, headers=sent) as response:
                    status = response.status_code
                    if status in REDIRECT_STATUSES and "location" in response.headers:
                        current = self._parse_url(response.headers["location"], base=current)
                        continue
                    if status == 304:
                        return None
                    if status == 401 and origin_headers:
                        raise FetchError(
                            N_("The source refused our access token: %(reason)s"),
                            reason=_bearer_error(response),
                        )
                    if status >= 400:
                        raise FetchError(
                            N_("The source answered with HTTP status %(status)s."), status=status
                        )
                    if not 200 <= status < 300:
                        raise FetchError(
                            N_("The source gave an unexpected answer (HTTP %(status)s)."), status=status
                        )
                    body = self._read(response, deadline)
                    return Fetched(
                        url=str(current),
                        content_type=response.headers.get("content-type", ""),
                        body=body,
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                    )
            except httpx.TimeoutException as error:
                if time.monotonic() >= deadline:
                    raise self._too_slow() from None
                timeout = self.client.timeout
                raise FetchError(
                    N_("The source did not answer within %(seconds)s seconds."),
                    seconds=_seconds(
                        timeout.connect if isinstance(error, httpx.ConnectTimeout) else timeout.read
                    ),
                ) from None
            except httpx.ConnectError:
                raise FetchError(N_("Could not connect to %(host)s."), host=current.host) from None
            except httpx.DecodingError:
                raise FetchError(N_("The source sent a body that could not be decompressed.")) from None
            except httpx.RequestError as error:
                raise FetchError(
                    N_("The connection to %(host)s failed (%(error)s)."), host=current.host, error=error
                ) from None
        raise FetchError(
            N_("The source redirected too many times (more than %(max)s)."), max=self.max_redirects
        )

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        """The decoded body, refused as soon as it grows past ``max_bytes`` (gzip bombs included)."""
        limit = _megabytes(self.max_bytes)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(N_("The source is larger than the limit of %(limit)s."), limit=limit)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(N_("The source is larger than the limit of %(limit)s."), limit=limit)
            if time.monotonic() > deadline:
                raise self._too_slow()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_slow(self) -> TooSlow:
        return TooSlow(
            N_("The source was too slow: it had not sent its whole answer after %(seconds)s seconds."),
            seconds=_seconds(self.max_seconds),
        )

    @staticmethod
    def _parse_url(url: str, base: httpx.URL | None = None) -> httpx.URL:
        """``url`` (relative to ``base``, for a redirect) if it is an http or https address."""
        try:
            parsed = base.join(url) if base else httpx.URL(url)
        except (httpx.InvalidURL, TypeError):
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise FetchError(N_("“%(url)s” is not a web address (http:// or https://)."), url=url)
        return parsed.copy_with(fragment=None)

    def _check_host(self, url: httpx.URL) -> None:
        """Refuses a host any of whose addresses is not public, unless allowed (see the class)."""
        if self.allow_private:
            return
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise FetchError(N_("The host name %(host)s could not be resolved."), host=host) from None
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).partition("%")[0])  # drop an IPv6 zone
            if not is_public(address) and not any(address in network for network in self.allowed_networks):
                # The address goes to the log only: told to a coordinator, it would map the intranet.
                log.warning("refused to fetch from %s: its address %s is not public", host, address)
                raise FetchError(
                    N_("The address of %(host)s is not public; the hub does not fetch from it."), host=host
                )

    # -- OAuth2

    def client_credentials_token(self, token_url: str, client_id: str, secret: str, *, scope: str) -> Token:
        """An access token from ``token_url`` (OAuth2 client credentials, through authlib), by the
        same deadline as a ``get``."""
        url = self._parse_url(token_url)
        self._check_host(url)
        deadline = time.monotonic() + self.max_seconds
        token = _deadline.set(deadline)
        try:
            answer = self._fetch_token(url, client_id, secret, scope, deadline)
        finally:
            _deadline.reset(token)
        if not answer.get("access_token"):
            raise FetchError(N_("The source's token endpoint did not answer with a token."))
        expires_at = answer.get("expires_at") or time.time() + float(answer.get("expires_in") or 60)
        return Token(str(answer["access_token"]), float(expires_at))

    def _fetch_token(
        self, url: httpx.URL, client_id: str, secret: str, scope: str, deadline: float
    ) -> Mapping[str, Any]:
        timeout = self.client.timeout
        with OAuth2Client(
            client_id,
            secret,
            scope=scope,
            timeout=timeout,
            trust_env=False,
            follow_redirects=False,
            transport=_DeadlineTransport(),
        ) as oauth:
            try:
                answer: Mapping[str, Any] = oauth.fetch_token(str(url), grant_type="client_credentials")
                return answer
            except OAuthError as error:
                raise FetchError(
                    N_("The source refused our client credentials: %(reason)s"),
                    reason=f"{error.error}: {error.description}" if error.description else error.error,
                ) from None
            except httpx.TimeoutException:
                if time.monotonic() >= deadline:
                    raise self._too_slow() from None
                raise FetchError(
                    N_("The source did not answer within %(seconds)s seconds."),
                    seconds=_seconds(timeout.read),
                ) from None
            except httpx.RequestError:
                raise FetchError(N_("Could not connect to %(host)s."), host=url.host) from None
            except ValueError:  # not JSON, or not a token
                raise FetchError(N_("The source's token endpoint did not answer with a token.")) from None

    # -- uploads

    def open_upload(self, name: str) -> BinaryIO:
        """Opens a file of the uploads folder for reading (any size: callers stream it).

        ``name`` is relative to the folder; absolute names, ``..`` and links out of it are refused.
        """
        if self.uploads_dir is None:
            raise FetchError(N_("This hub has no uploads folder."))
        relative = Path(name)
        if not name or "\x00" in name or relative.is_absolute() or ".." in relative.parts:
            raise FetchError(N_("“%(name)s” is not the name of an uploaded file."), name=name)
        root = self.uploads_dir.resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or path == root:
            raise FetchError(N_("“%(name)s” is not the name of an uploaded file."), name=name)
        if not path.is_file():
            raise FetchError(N_("The uploaded file “%(name)s” is not there."), name=name)
        return path.open("rb")


def _bearer_error(response: httpx.Response) -> str:
    """What a resource server said about a refused token (WWW-Authenticate, else the status)."""
    challenge = response.headers.get("www-authenticate", "")
    found = re.search(r'error_description="([^"]*)"', challenge)
    return found[1][:200] if found else f"HTTP {response.status_code}"


def is_public(address: IPAddress) -> bool:
    """Whether the hub may fetch from ``address``: an IPv6 address that stands for IPv4 ones is
    judged by those (see :func:`embedded_ipv4`)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = embedded_ipv4(address)
        if embedded is not None:
            return all(_public(inner) for inner in embedded)
        if address.is_site_local:  # fec0::/10, deprecated but still routed by some networks
            return False
    return _public(address)


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...] | None:
    """The IPv4 addresses packets to ``address`` end up at, or None if it is plain IPv6.

    Teredo gives two (its server and the client behind the NAT); both must be public. Within
    64:ff9b:1::/48 a network may put the IPv4 address at several places (RFC 6052); only the
    ``/96`` layout is read, and an address with other bits set stands for 0.0.0.0 (refused).
    """
    low = ipaddress.IPv4Address(int(address) & LOW_32_BITS)
    if address.ipv4_mapped:
        return (address.ipv4_mapped,)
    if address.sixtofour:
        return (address.sixtofour,)
    if address.teredo:
        return address.teredo
    if address in NAT64 or address in IPV4_COMPATIBLE:
        return (low,)
    if address in NAT64_LOCAL:
        middle_bits = int(address) >> 32 & (2**48 - 1)
        return (low,) if middle_bits == 0 else (ipaddress.IPv4Address(0),)
    return None


def _public(address: IPAddress) -> bool:
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.3g} MB"


def _seconds(value: float | None) -> str:
    return f"{value:g}" if value is not None else "?"
