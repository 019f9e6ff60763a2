"""Atom feeds (RFC 4287) built with ElementTree: never by joining strings, so every text is escaped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from hub.db import rfc3339
from hub.records import Localized

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all (ElementTree would write them and break the document).
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclasses.dataclass(frozen=True)
class Entry:
    uri: str  # the record's global URI: the same on every hub
    link: str  # its page on this hub
    title: Localized
    summary: Localized
    updated: dt.datetime
    published: dt.datetime
    author: str
    category: tuple[str, str] | None = None  # (term, label)


@dataclasses.dataclass(frozen=True)
class Feed:
    url: str  # the feed's own absolute URL: its id and rel="self"
    title: str
    language: str
    author: str  # the hub, for the feed as a whole
    author_uri: str
    page: str | None = None  # the web page the feed follows (rel="alternate"), if there is one
    empty_updated: dt.datetime = dt.datetime(2017, 6, 1, tzinfo=dt.UTC)  # the network's start


def timestamp(value: dt.datetime) -> str:
    """An RFC 3339 date-time in UTC, to the second."""
    return rfc3339(value, timespec="seconds")


def render(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """The feed document, UTF-8 with an XML declaration; ``updated`` is the newest entry's."""
    # Plain tag names in the Atom namespace declared as the document's default: ElementTree's own
    # namespace handling would prefix every element ("ns0:feed"), which readers accept but people
    # do not expect.
    root = ET.Element("feed", {"xmlns": ATOM, XML_LANG: feed.language})
    _text(root, "id", feed.url)
    _text(root, "title", feed.title)
    newest = max((entry.updated for entry in entries), default=feed.empty_updated)
    _text(root, "updated", timestamp(newest))
    _link(root, "self", feed.url, "application/atom+xml")
    if feed.page:
        _link(root, "alternate", feed.page, "text/html")
    author = ET.SubElement(root, "author")
    _text(author, "name", feed.author)
    _text(author, "uri", feed.author_uri)
    for entry in entries:
        _entry(root, entry, feed.language)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _entry(root: ET.Element, entry: Entry, language: str) -> None:
    element = ET.SubElement(root, "entry")
    _text(element, "id", entry.uri)
    _localized(element, "title", entry.title, language)
    _link(element, "alternate", entry.link, "text/html")
    _text(element, "updated", timestamp(entry.updated))
    _text(element, "published", timestamp(entry.published))
    author = ET.SubElement(element, "author")
    _text(author, "name", entry.author)
    if entry.category:
        term, label = entry.category
        ET.SubElement(element, "category", {"term": _clean(term), "label": _clean(label)})
    if entry.summary.text:
        _localized(element, "summary", entry.summary, language)


def _localized(parent: ET.Element, name: str, text: Localized, language: str) -> None:
    """A text element; one in another language than the feed's (not yet translated) says so."""
    attributes = {"type": "text"}
    if text.language != language:
        attributes[XML_LANG] = text.language
    ET.SubElement(parent, name, attributes).text = _clean(text.text)


def _text(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, name).text = _clean(text)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _link(parent: ET.Element, rel: str, href: str, media_type: str) -> None:
    ET.SubElement(parent, "link", {"rel": rel, "type": media_type, "href": href})
