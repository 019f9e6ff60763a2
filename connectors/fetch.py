"""Fetching a coordinator-entered address without trusting it.

Source addresses come from coordinators, so every request may point anywhere: at the hub's own
network (SSRF: cloud metadata, databases, admin pages), at a server that never answers, or at an
endless or compressed-to-explode body. The :class:`Fetcher` is the only way connectors reach the
network or the uploads folder, and it bounds all of that: it checks the address of every hop
(redirects are followed here, one by one, not by httpx), caps time and decoded size, and makes
every failure a :class:`~connectors.messages.FetchError` a coordinator can read.

Residual risk: the host is resolved here and again by httpx when it connects, so a DNS server that
answers differently within that moment (DNS rebinding) could slip past the check; deployments that
fetch from untrusted sources should also block private ranges at the network level.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import socket
import time
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import BinaryIO

import httpx2 as httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client

from connectors.messages import N_, FetchError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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
    tests). ``max_seconds`` bounds a whole ``get``: the client's read timeout bounds each read,
    but a source that drips a byte at a time would otherwise hold a worker for ever.
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

    def _too_slow(self) -> FetchError:
        return FetchError(
            N_("The source took longer than %(seconds)s seconds to send."), seconds=_seconds(self.max_seconds)
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
            if not _public(address) and not any(address in network for network in self.allowed_networks):
                raise FetchError(
                    N_(
                        "The address of %(host)s (%(address)s) is not public; the hub does not fetch from it."
                    ),
                    host=host,
                    address=address,
                )

    # -- OAuth2

    def client_credentials_token(self, token_url: str, client_id: str, secret: str, *, scope: str) -> Token:
        """An access token from ``token_url`` (OAuth2 client credentials, through authlib)."""
        url = self._parse_url(token_url)
        self._check_host(url)
        timeout = self.client.timeout
        with OAuth2Client(
            client_id, secret, scope=scope, timeout=timeout, trust_env=False, follow_redirects=False
        ) as oauth:
            try:
                token = oauth.fetch_token(str(url), grant_type="client_credentials")
            except OAuthError as error:
                raise FetchError(
                    N_("The source refused our client credentials: %(reason)s"),
                    reason=f"{error.error}: {error.description}" if error.description else error.error,
                ) from None
            except httpx.TimeoutException:
                raise FetchError(
                    N_("The source did not answer within %(seconds)s seconds."),
                    seconds=_seconds(timeout.read),
                ) from None
            except httpx.RequestError:
                raise FetchError(N_("Could not connect to %(host)s."), host=url.host) from None
            except ValueError:  # not JSON, or not a token
                raise FetchError(N_("The source's token endpoint did not answer with a token.")) from None
        if not token.get("access_token"):
            raise FetchError(N_("The source's token endpoint did not answer with a token."))
        expires_at = token.get("expires_at") or time.time() + float(token.get("expires_in") or 60)
        return Token(str(token["access_token"]), float(expires_at))

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


def _public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
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
