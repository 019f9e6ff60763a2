"""Another hub's publishing API (``/api/v1/``), pulled incrementally kind by kind.

Each kind is read from the cursor the last run left (``next_cursor`` of the last page read), so an
unchanged peer costs one request per kind. The hub stores the cursor together with each batch of
records it wrote, so a run that is interrupted resumes where its last batch ended. Every record
must name the peer as its home (a peer publishes only its own records); the hub refuses records
that claim to be its own. With a client id the connector asks the peer for an access token
(OAuth2 client credentials, through authlib) and receives the protected fields as well.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import re
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from connectors import options as check
from connectors.base import Connector, Cursor, Example, Item, ItemError, Options
from connectors.fetch import Fetcher, Token
from connectors.messages import N_, OptionsError, Problem

# The kinds in the order they refer to each other (what a record refers to is read first).
KINDS = (
    "programmes",
    "organisations",
    "participations",
    "supporting_actions",
    "pilots",
    "communities",
    "meetings",
    "lessons",
    "lesson_pilot_links",
    "closeouts",
    "library_items",
    "events",
)
API_MAJOR = "1"
CURSOR = re.compile(r"^c1\.([0-9]{1,16})\.([0-9]{1,18})$")
SCOPE = "hub.read"
REFRESH_MARGIN_SECONDS = 30
AHEAD = 2  # pages read ahead of the one being stored
# What the page reader hands over: (kind, the cursor it asked with, the page), then None (the
# end) or the error that stopped it.
Pages = queue.Queue[tuple[str, str | None, Mapping[str, Any]] | BaseException | None]


@dataclasses.dataclass(frozen=True)
class PeerOptions(Options):
    """``url``: the peer's address, exactly as it names itself (its HUB_BASE_URL). ``client_id``
    and the secret (``client_secret``, or the name of an environment variable holding it in
    ``client_secret_env``, which keeps it out of config files): the client the peer registered
    for this hub; without them, only public fields are read."""

    url: str
    client_id: str = ""
    client_secret: str = ""
    client_secret_env: str = ""
    kinds: tuple[str, ...] = KINDS
    page_size: int = 500

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> PeerOptions:
        check.check_known(raw, [field.name for field in dataclasses.fields(cls)])
        address = check.required_web_address(raw, "url")
        kinds = raw.get("kinds") or list(KINDS)
        if not isinstance(kinds, list) or not set(kinds) <= set(KINDS):
            raise OptionsError("kinds", N_("Choose one of: %(choices)s."), choices=", ".join(KINDS))
        page_size = raw.get("page_size", 500)
        if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 1000:
            raise OptionsError("page_size", N_("Enter a whole number from 1 to 1000."))
        options = cls(
            url=address.rstrip("/"),
            client_id=check.text(raw, "client_id", "") or "",
            client_secret=check.text(raw, "client_secret", "") or "",
            client_secret_env=check.text(raw, "client_secret_env", "") or "",
            kinds=tuple(kind for kind in KINDS if kind in kinds),
            page_size=page_size,
        )
        if options.client_id and not (options.client_secret or options.client_secret_env):
            raise OptionsError("client_secret", N_("Give the client's secret (or client_secret_env)."))
        return options

    def to_dict(self) -> dict[str, Any]:
        values = super().to_dict()
        values["kinds"] = list(self.kinds)
        return values

    def secret(self) -> str:
        if self.client_secret:
            return self.client_secret
        value = os.environ.get(self.client_secret_env, "")
        if not value:
            raise Problem(
                N_("The environment variable %(name)s holding the client secret is not set."),
                name=self.client_secret_env,
            )
        return value


def position(cursor: str | None) -> tuple[int, int] | None:
    match = CURSOR.match(cursor or "")
    return (int(match[1]), int(match[2])) if match else None


class PeerHubConnector(Connector[PeerOptions]):
    kind = "hub"
    options_type = PeerOptions
    mirror = True

    def __init__(self, options: PeerOptions) -> None:
        super().__init__(options)
        self._token: Token | None = None  # reused across pages while it is valid

    def items(self, fetcher: Fetcher, cursor: Cursor) -> Iterator[Item | ItemError]:
        """Each kind's pages from its cursor. A thread reads pages ahead (up to ``AHEAD``) while the
        hub stores the ones before; the cursor moves only past pages whose items were yielded."""
        pages: Pages = queue.Queue(AHEAD)
        stop = threading.Event()
        reader = threading.Thread(
            target=self._read_pages,
            args=(fetcher, dict(cursor.state), pages, stop),
            name="peer-pages",
            daemon=True,
        )
        reader.start()
        try:
            while (next_page := pages.get()) is not None:
                if isinstance(next_page, BaseException):
                    raise next_page
                kind, after, page = next_page
                for document in page["data"]:
                    yield self._item(kind, document, after)
                if page["next_cursor"]:
                    cursor.state[kind] = page["next_cursor"]
        finally:
            stop.set()
            while reader.is_alive():  # unblock a reader waiting to put a page nobody will take
                with contextlib.suppress(queue.Empty):
                    pages.get_nowait()
                reader.join(0.05)

    def _read_pages(
        self,
        fetcher: Fetcher,
        start: Mapping[str, str],
        pages: Pages,
        stop: threading.Event,
    ) -> None:
        """Puts (kind, cursor asked with, page) for every page to read, then None (or the error)."""
        try:
            offered = self._offered_kinds(fetcher)
            for kind in (kind for kind in self.options.kinds if kind in offered):
                after = start.get(kind)
                while not stop.is_set():
                    page = self._fetch_page(fetcher, kind, after)
                    pages.put((kind, after, page))
                    if not (page["has_more"] and page["data"]):
                        break
                    after = page["next_cursor"]
            pages.put(None)
        except BaseException as error:  # handed to the consumer, which raises it in the run
            pages.put(error)

    def _offered_kinds(self, fetcher: Fetcher) -> set[str]:
        """The kinds the peer publishes (its API index): a peer of an earlier release may publish
        fewer than this hub reads, and those it lacks are skipped rather than failing the run."""
        fetched = fetcher.get(f"{self.options.url}/api/v1/")
        assert fetched is not None  # no validators were sent: never "not modified"
        try:
            kinds = json.loads(fetched.body).get("kinds")
        except (ValueError, AttributeError):
            kinds = None
        if not isinstance(kinds, dict):
            raise Problem(N_("The peer hub's API index does not list the kinds it publishes."))
        return set(kinds)

    def _fetch_page(self, fetcher: Fetcher, kind: str, after: str | None) -> Mapping[str, Any]:
        options = self.options
        if options.client_id and (
            self._token is None or self._token.expires_at - time.time() < REFRESH_MARGIN_SECONDS
        ):
            self._token = fetcher.client_credentials_token(
                f"{options.url}/api/v1/token", options.client_id, options.secret(), scope=SCOPE
            )
        headers = {"Authorization": f"Bearer {self._token.access_token}"} if self._token else {}
        query = {"limit": str(options.page_size), **({"after": after} if after else {})}
        fetched = fetcher.get(f"{options.url}/api/v1/{kind}?{urlencode(query)}", headers=headers)
        assert fetched is not None  # no validators were sent: never "not modified"
        return self._page(fetched.body, kind, after)

    def _page(self, body: bytes, kind: str, after: str | None) -> Mapping[str, Any]:
        try:
            page = json.loads(body)
        except ValueError:
            raise Problem(N_("The peer hub sent something that is not JSON (%(kind)s)."), kind=kind) from None
        if not isinstance(page, dict):
            raise Problem(N_("The peer hub's answer for %(kind)s is not a page of records."), kind=kind)
        version = str(page.get("api_version", ""))
        if version.split(".")[0] != API_MAJOR:
            raise Problem(
                N_("The peer hub speaks version %(version)s of the API; this hub reads version %(ours)s."),
                version=version[:20] or "?",
                ours=API_MAJOR,
            )
        data, next_cursor = page.get("data"), page.get("next_cursor")
        if not isinstance(data, list) or not isinstance(page.get("has_more"), bool):
            raise Problem(N_("The peer hub's answer for %(kind)s is not a page of records."), kind=kind)
        if next_cursor is not None and position(next_cursor) is None:
            raise Problem(N_("The peer hub sent a cursor this hub cannot read (%(kind)s)."), kind=kind)
        previous, new = position(after), position(next_cursor)
        if previous is not None and (new is None or new < previous):
            raise Problem(
                N_("The peer hub's cursor for %(kind)s went backwards; nothing was changed."), kind=kind
            )
        return page

    def _item(self, kind: str, document: Any, after: str | None) -> Item | ItemError:
        """An item names the cursor its page was read from (``after``): the hub reads from there
        again when the record cannot be stored yet (it refers to a record not mirrored yet)."""
        if not isinstance(document, dict) or not isinstance(document.get("uid"), str):
            return ItemError(Problem(N_("An entry of %(kind)s is not a record with a uid."), kind=kind))
        uid = document["uid"]
        if document.get("home_hub") != self.options.url:
            return ItemError(
                Problem(
                    N_("The record names %(home)s as its home, not the peer hub %(peer)s."),
                    home=str(document.get("home_hub"))[:200],
                    peer=self.options.url,
                ),
                external_id=uid,
            )
        url = document.get("url")
        fields = {"kind": kind, "document": document, "after": after}
        return Item(uid, fields, url if isinstance(url, str) else None)

    @classmethod
    def example(cls) -> Example:
        def page(kind: str, data: list[Any], next_cursor: str | None = None) -> tuple[str, bytes]:
            body = {
                "api_version": "1.0",
                "kind": kind,
                "data": data,
                "next_cursor": next_cursor,
                "has_more": False,
            }
            return "application/json", json.dumps(body).encode()

        files = {f"/api/v1/{kind}": page(kind, []) for kind in KINDS}
        index = {"api_version": "1.0", "kinds": {kind: f"{{base}}/api/v1/{kind}" for kind in KINDS}}
        files["/api/v1/"] = ("application/json", json.dumps(index).encode())
        mark = "c1.1795000000000000.1"
        tombstone = {
            "id": "{base}/api/v1/organisations/0b6c3f5e-0000-4000-8000-000000000001",
            "uid": "0b6c3f5e-0000-4000-8000-000000000001",
            "home_hub": "{base}",
            "updated_at": "2026-11-25T10:00:00Z",
            "deleted": True,
        }
        files["/api/v1/organisations"] = page("organisations", [tombstone], mark)
        # Asked for what changed since: nothing (the cursor stays where it was).
        files[f"/api/v1/organisations?limit=500&after={mark}"] = page("organisations", [], mark)
        return Example(files=files, options={"url": "{base}"})
