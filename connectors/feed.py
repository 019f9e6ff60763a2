"""RSS and Atom feeds (news, pilots, meetings, lessons) through feedparser, which only ever gets bytes.

Given a string, feedparser fetches URLs or opens local files itself, with no timeout, size cap or
address check; so the :class:`~connectors.fetch.Fetcher` fetches and feedparser parses the body.
A document declaring entities that could make it grow (billion laughs) is refused before feedparser
reads it (:mod:`connectors.entities`); feedparser loads no external entity and sanitises HTML, and
the hub still cleans HTML again on ingest. Entries map onto the target's fields by convention
(title, summary, published date) in the feed's language, overridable per field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator, Mapping
from typing import Any

import feedparser

from connectors import options as check
from connectors.base import Connector, Cursor, Example, Item, ItemError, Options
from connectors.entities import unsafe_entity
from connectors.fetch import Fetcher
from connectors.messages import N_, Problem
from connectors.targets import TARGETS, url

FEED_TARGETS = ("news", "pilot", "meeting", "lesson")
# The field an entry's summary (or content) fills, per target; a meeting's agenda is not its summary.
SUMMARY_FIELDS = {"news": "summary", "pilot": "summary", "lesson": "body"}
LANGUAGES = ("nl", "en")
# A mapped key that gives nothing falls back to this one (feeds without dates of publication).
FALLBACK_KEYS = {"published": "updated"}


@dataclasses.dataclass(frozen=True)
class FeedOptions(Options):
    """``fields`` maps target fields to entry keys (over the defaults of :meth:`mapping`);
    ``defaults`` gives constants for every item; ``complete``: the feed lists every record, so a
    record that leaves it was withdrawn (most feeds only show the latest entries: False)."""

    url: str
    language: str
    target: str = "news"
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    complete: bool = False

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> FeedOptions:
        check.check_known(raw, [field.name for field in dataclasses.fields(cls)])
        address = check.required_web_address(raw, "url")
        target = check.target_kind(raw, "target", FEED_TARGETS, "news")
        options = cls(
            url=address,
            language=check.choice(raw, "language", LANGUAGES),
            target=target.name,
            fields=check.field_map(raw, "fields", target),
            defaults=check.defaults(raw, "defaults", target),
            complete=check.flag(raw, "complete", False),
        )
        check.covered(target, {*options.mapping(), *options.defaults}, "fields")
        return options

    def mapping(self) -> dict[str, str]:
        """Target field -> entry key: the conventions for the target, then ``fields`` over them."""
        mapping = {f"title_{self.language}": "title"}
        if self.target in SUMMARY_FIELDS:
            mapping[f"{SUMMARY_FIELDS[self.target]}_{self.language}"] = "summary"
        if self.target == "news":
            mapping["published_at"] = "published"
        return mapping | self.fields


class FeedConnector(Connector[FeedOptions]):
    kind = "feed"
    options_type = FeedOptions

    def items(self, fetcher: Fetcher, cursor: Cursor) -> Iterator[Item | ItemError]:
        options = self.options
        fetched = fetcher.get(
            options.url, etag=cursor.state.get("etag"), last_modified=cursor.state.get("last_modified")
        )
        if fetched is None:
            cursor.not_modified = True
            return
        entity = unsafe_entity(fetched.body)
        if entity is not None:
            raise Problem(
                N_(
                    "The document at %(url)s declares the XML entity “%(entity)s”, which could make it "
                    "grow without limit; the hub does not read such documents."
                ),
                url=fetched.url,
                entity=entity,
            )
        feed = feedparser.parse(
            fetched.body,
            response_headers={"content-type": fetched.content_type, "content-location": fetched.url},
            resolve_relative_uris=True,
            sanitize_html=True,
        )
        # A damaged feed that still has entries is common and fine (bozo); with none, reading it as
        # an empty feed could withdraw every record of a complete source.
        entries = feed.get("entries", [])
        if not entries and (feed.get("bozo") or not feed.get("version")):
            raise Problem(N_("The document at %(url)s is not an RSS or Atom feed."), url=fetched.url)
        mapping = options.mapping()
        coerce = TARGETS[options.target].row_coercer({field: field for field in mapping}, options.defaults)
        cursor.expected = len(entries)
        # A feed whose XML is broken may have lost entries: it cannot say what was withdrawn.
        cursor.complete = options.complete and not _broken(feed)
        for position, entry in enumerate(entries, 1):
            external_id = str(entry.get("id") or entry.get("link") or "").strip()
            if not external_id:
                yield ItemError(Problem(N_("The entry has neither an id nor a link.")), None, position)
                continue
            try:
                fields = coerce({field: _value(entry, key, field) for field, key in mapping.items()})
            except Problem as problem:
                yield ItemError(problem, external_id, position)
                continue
            yield Item(external_id, fields, url=_link(entry))
        fetched.remember(cursor.state)  # only once every entry went out: a broken run fetches again

    @classmethod
    def example(cls) -> Example:
        return Example(
            files={"/feed.atom": ("application/atom+xml; charset=utf-8", EXAMPLE_FEED)},
            options={"url": "{base}/feed.atom", "language": "en"},
        )


def _value(entry: Mapping[str, Any], key: str, field: str) -> Any:
    """The entry's value under ``key``: a date from its ``*_parsed`` twin, the longer of summary
    and content for ``summary``; None when absent."""
    if key == "summary":
        summary = entry.get("summary") or ""
        content = entry.get("content") or [{}]
        body = content[0].get("value") or ""
        return body if len(body) > len(summary) else summary
    parsed = entry.get(f"{key}_parsed")
    if isinstance(parsed, time.struct_time):
        return _utc(parsed)
    value = entry.get(key)
    if value is None and key in FALLBACK_KEYS:
        return _value(entry, FALLBACK_KEYS[key], field)
    if isinstance(value, list | dict):
        raise Problem(N_("%(field)s: the entry's “%(key)s” is not a single value"), field=field, key=key)
    return value


def _utc(moment: time.struct_time) -> dt.datetime | None:
    """feedparser's dates are struct_time in UTC; a leap second becomes :59, nonsense None."""
    try:
        return dt.datetime(*moment[:5], min(moment[5], 59), tzinfo=dt.UTC)
    except ValueError:
        return None


def _link(entry: Mapping[str, Any]) -> str | None:
    """The entry's link if it is a web address (never ``javascript:`` or the like)."""
    try:
        return url(entry["link"]) if entry.get("link") else None
    except Problem:
        return None


EXAMPLE_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Circular procurement news</title>
  <id>urn:example:feed</id>
  <updated>2024-05-02T09:00:00Z</updated>
  <link href="https://example.org/news/"/>
  <entry>
    <id>urn:example:news:1</id>
    <title>Circular office furniture: the first tender is out</title>
    <link href="https://example.org/news/1"/>
    <published>2024-05-02T09:00:00+02:00</published>
    <updated>2024-05-02T09:00:00+02:00</updated>
    <summary>Three municipalities buy refurbished desks together.</summary>
  </entry>
  <entry>
    <id>urn:example:news:2</id>
    <title>Lessons from twenty road works pilots</title>
    <link href="https://example.org/news/2"/>
    <updated>2024-04-18T12:30:00Z</updated>
    <summary>Short summary.</summary>
    <content type="html">&lt;p&gt;A longer text on what twenty road works pilots taught.&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>urn:example:news:3</id>
    <title>Community of practice on textiles meets in Ghent</title>
    <link href="https://example.org/news/3"/>
    <published>2024-03-01T08:00:00Z</published>
    <updated>2024-03-01T08:00:00Z</updated>
  </entry>
</feed>
"""


# Oddities of encoding or content type that feedparser recovers from entirely.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _broken(feed: Any) -> bool:
    return bool(feed.get("bozo")) and not isinstance(feed.get("bozo_exception"), _HARMLESS)
