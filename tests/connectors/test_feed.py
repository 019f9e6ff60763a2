"""The feed connector on good, damaged and hostile feeds, served over HTTP."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Cursor, Item, ItemError
from connectors.feed import FeedConnector, FeedOptions
from connectors.fetch import Fetcher
from connectors.messages import OptionsError, Problem
from tests.connectors.fixture_server import File, FixtureServer

ATOM = "application/atom+xml"
NOT_A_FEED = "The document at %(url)s is not an RSS or Atom feed."


def run(
    server: FixtureServer, fetcher: Fetcher, body: bytes, content_type: str = ATOM, **options: Any
) -> tuple[list[Item], list[ItemError], Cursor]:
    server.routes["/feed"] = File(body, content_type)
    connector = FeedConnector(FeedOptions.parse({"url": server.url("/feed"), "language": "en", **options}))
    cursor = Cursor()
    results = list(connector.items(fetcher, cursor))
    items = [result for result in results if isinstance(result, Item)]
    errors = [result for result in results if isinstance(result, ItemError)]
    assert len(items) + len(errors) == len(results)
    return items, errors, cursor


def atom(*entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>t</title><id>urn:feed</id>{''.join(entries)}</feed>"
    ).encode()


def entry(id: str = "urn:a", title: str = "A title", extra: str = "") -> str:
    return f'<entry><id>{id}</id><title>{title}</title><link href="https://example.org/{id}"/>{extra}</entry>'


def test_the_example_feed_maps_title_summary_and_date(server: FixtureServer, fetcher: Fetcher) -> None:
    example = FeedConnector.example()
    server.serve(example.files)
    connector = FeedConnector(FeedOptions.parse({"url": server.url("/feed.atom"), "language": "en"}))
    cursor = Cursor()

    first, second, third = connector.items(fetcher, cursor)

    assert first == Item(
        "urn:example:news:1",
        {
            "title_en": "Circular office furniture: the first tender is out",
            "summary_en": "Three municipalities buy refurbished desks together.",
            "published_at": dt.datetime(2024, 5, 2, 7, 0, tzinfo=dt.UTC),  # 09:00+02:00
        },
        url="https://example.org/news/1",
    )
    assert isinstance(second, Item) and isinstance(third, Item)
    # The content is longer than the summary, so it is the summary; no <published>: <updated>.
    assert second.fields["summary_en"] == "<p>A longer text on what twenty road works pilots taught.</p>"
    assert second.fields["published_at"] == dt.datetime(2024, 4, 18, 12, 30, tzinfo=dt.UTC)
    assert "summary_en" not in third.fields
    assert (cursor.expected, cursor.complete, cursor.not_modified) == (3, False, False)
    assert cursor.state["etag"] and cursor.state["last_modified"] == "Wed, 01 May 2024 10:00:00 GMT"


def test_a_second_run_gets_not_modified(server: FixtureServer, fetcher: Fetcher) -> None:
    items, _, cursor = run(server, fetcher, atom(entry()))
    assert len(items) == 1
    again = Cursor(state=dict(cursor.state))

    assert (
        list(
            FeedConnector(FeedOptions.parse({"url": server.url("/feed"), "language": "en"})).items(
                fetcher, again
            )
        )
        == []
    )
    assert again.not_modified
    assert server.requests[-1].headers["if-none-match"] == cursor.state["etag"]


def test_a_dutch_rss_feed_fills_the_dutch_fields(server: FixtureServer, fetcher: Fetcher) -> None:
    rss = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Nieuws</title>
    <item><guid>nieuws-1</guid><title>Circulair inkopen van meubilair</title>
    <link>https://example.nl/nieuws/1</link><description>Drie gemeenten kopen samen.</description>
    <pubDate>Thu, 02 May 2024 09:00:00 +0200</pubDate></item></channel></rss>"""

    (item,), _, _ = run(server, fetcher, rss, "application/rss+xml", language="nl")

    assert item.fields == {
        "title_nl": "Circulair inkopen van meubilair",
        "summary_nl": "Drie gemeenten kopen samen.",
        "published_at": dt.datetime(2024, 5, 2, 7, 0, tzinfo=dt.UTC),
    }


def test_malformed_xml_keeps_the_entries_it_can_read(server: FixtureServer, fetcher: Fetcher) -> None:
    body = atom(entry("urn:a", "Tom & Jerry")).replace(b"</feed>", b"<entry><title>no id</title></entry>")

    items, errors, _ = run(server, fetcher, body)

    assert [(item.external_id, item.fields["title_en"]) for item in items] == [("urn:a", "Tom & Jerry")]
    assert [(error.problem.message, error.position) for error in errors] == [
        ("The entry has neither an id nor a link.", 2)
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><html><head><title>Our news</title></head><body><p>Hello</p></body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>cut off',
        b"\x00\x01 not a feed at all",
        b"",
    ],
    ids=["html", "truncated", "garbage", "empty"],
)
def test_a_document_that_is_not_a_feed_is_a_problem(
    server: FixtureServer, fetcher: Fetcher, body: bytes
) -> None:
    with pytest.raises(Problem) as caught:
        run(server, fetcher, body, "text/html")

    assert caught.value.message == NOT_A_FEED
    assert caught.value.values == {"url": server.url("/feed")}


def test_an_empty_but_valid_feed_has_no_items(server: FixtureServer, fetcher: Fetcher) -> None:
    assert run(server, fetcher, atom())[:2] == ([], [])


NESTED = "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' if n else '<!ENTITY lol0 "lol">' for n in range(10)
)


def with_doctype(declarations: str, title: str, padding: str = "") -> bytes:
    """A one-line document: feedparser strips only declarations that start a line."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE feed [{declarations}]>'
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{padding}{entry("urn:lol", title)}</feed>'
    ).encode()


@pytest.mark.parametrize(
    ("body", "entity"),
    [
        (with_doctype(NESTED, "&lol9;"), "lol1"),
        # Padded so that expat's own limit (a hundredfold) is not reached: 21 s and 736 MB unchecked.
        (with_doctype(NESTED, "&lol5;" * 300, f"<!--{'x' * 1_000_000}-->"), "lol1"),
        (with_doctype(f'<!ENTITY big "{"x" * 1000}">', "&big;" * 1000), "big"),
        (with_doctype("<!ENTITY % p \"<!ENTITY q 'q'>\"> %p;", "&q;"), "p"),
        (with_doctype(NESTED.replace("><", ">\n<"), "&lol9;"), "lol1"),  # each on a line of its own
        (with_doctype(NESTED, "&lol9;").replace(b'"1.0"?>', b'"1.0" encoding="x-unknown"?>'), "lol0"),
    ],
    ids=["billion-laughs", "padded", "long-text", "parameter", "one-a-line", "unreadable-prolog"],
)
def test_a_document_declaring_entities_that_could_grow_is_not_read(
    server: FixtureServer, fetcher: Fetcher, body: bytes, entity: str
) -> None:
    started = time.monotonic()
    with pytest.raises(Problem) as caught:
        run(server, fetcher, body)

    assert caught.value.values == {"url": server.url("/feed"), "entity": entity}
    assert "could make it grow without limit" in str(caught.value)
    assert time.monotonic() - started < 2  # read instead of refused, the padded one took 21 s


def test_a_short_entity_for_a_character_is_still_read(server: FixtureServer, fetcher: Fetcher) -> None:
    body = with_doctype('<!ENTITY nbsp "&#160;"><!ENTITY org "Stad Gent">', "Stad&nbsp;Gent: &org;")

    items, errors, _ = run(server, fetcher, body)

    assert errors == []
    assert [item.fields["title_en"] for item in items] == ["Stad Gent: Stad Gent"]  # spaces folded


def test_an_external_entity_does_not_leak_a_local_file(
    server: FixtureServer, fetcher: Fetcher, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-7f3a9 the content of a local file")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        f"{entry('urn:xxe', 'before &xxe; after', '<summary>&xxe;</summary>')}</feed>"
    ).encode()

    items, errors, _ = run(server, fetcher, body)

    assert len(items) == 1
    assert "MARKER-7f3a9" not in repr(items) + repr(errors)


def test_invalid_utf8_is_still_read(server: FixtureServer, fetcher: Fetcher) -> None:
    body = atom(entry("urn:a", "CAFE ok")).replace(b"CAFE", b"Caf\xe9")  # latin-1 in a UTF-8 document

    items, errors, _ = run(server, fetcher, body, "application/atom+xml; charset=utf-8")

    assert errors == []
    assert [item.fields["title_en"] for item in items] == ["Café ok"]


def test_a_wrong_declared_encoding_is_still_read(server: FixtureServer, fetcher: Fetcher) -> None:
    body = atom(entry("urn:a", "Café ok")).replace(b'encoding="utf-8"', b'encoding="iso-8859-1"')

    items, errors, _ = run(server, fetcher, body)

    assert errors == []
    assert [item.fields["title_en"] for item in items] == ["Café ok"]


def test_a_bad_entry_is_an_error_of_that_entry_only(server: FixtureServer, fetcher: Fetcher) -> None:
    body = atom(entry("urn:a"), entry("urn:b", "x" * 301), entry("urn:c"))

    items, errors, _ = run(server, fetcher, body)

    assert [item.external_id for item in items] == ["urn:a", "urn:c"]
    assert [(error.external_id, error.position, str(error.problem)) for error in errors] == [
        ("urn:b", 2, "title_en: is longer than 300 characters")
    ]


def test_duplicated_ids_are_all_yielded(server: FixtureServer, fetcher: Fetcher) -> None:
    items, _, _ = run(server, fetcher, atom(entry("urn:a", "one"), entry("urn:a", "two")))

    assert [(item.external_id, item.fields["title_en"]) for item in items] == [
        ("urn:a", "one"),
        ("urn:a", "two"),
    ]


def test_the_link_is_the_id_without_an_id_and_unsafe_links_are_dropped(
    server: FixtureServer, fetcher: Fetcher
) -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>only a link</title><link>https://example.org/only-link</link></item>
    <item><guid isPermaLink="false">g-2</guid><title>bad link</title><link>javascript:alert(1)</link></item>
    </channel></rss>"""

    items, _, _ = run(server, fetcher, rss, "application/rss+xml")

    assert [(item.external_id, item.url) for item in items] == [
        ("https://example.org/only-link", "https://example.org/only-link"),
        ("g-2", None),
    ]


def test_a_meeting_feed_with_a_mapped_start_and_defaults(server: FixtureServer, fetcher: Fetcher) -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/">
    <channel><title>Agenda</title><item><guid>m-1</guid><title>Textiles community meeting</title>
    <link>https://example.org/m-1</link><ev:startdate>2024-06-12T14:00:00+02:00</ev:startdate>
    <ev:location>Ghent</ev:location></item></channel></rss>"""

    (item,), _, cursor = run(
        server,
        fetcher,
        rss,
        "application/rss+xml",
        target="meeting",
        fields={"starts_at": "ev_startdate", "location": "ev_location"},
        defaults={"community_id": 3},
        complete=True,
    )

    assert item.fields == {
        "title_en": "Textiles community meeting",
        "starts_at": dt.datetime(2024, 6, 12, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "location": "Ghent",
        "community_id": 3,
    }
    assert cursor.complete


def test_a_pilot_feed_takes_its_codes_from_defaults(server: FixtureServer, fetcher: Fetcher) -> None:
    (item,), _, _ = run(
        server,
        fetcher,
        atom(entry("urn:p", '=HYPERLINK("http://evil")')),
        target="pilot",
        defaults={"country": "BE", "status": "running", "phase": "tender"},
    )

    assert item.fields == {
        "title_en": '\'=HYPERLINK("http://evil")',  # a formula stays text
        "country": "be",
        "status": "running",
        "phase": "tender",
    }


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({}, "url", "This option is required."),
        (
            {"url": "file:///etc/passwd", "language": "en"},
            "url",
            "Enter a web address starting with http:// or https://.",
        ),
        ({"url": "https://x.org/f", "language": "de"}, "language", "Choose one of: %(choices)s."),
        ({"url": "https://x.org/f"}, "language", "This option is required."),
        (
            {"url": "https://x.org/f", "language": "en", "target": "organisation"},
            "target",
            "Choose one of: %(choices)s.",
        ),
        ({"url": "https://x.org/f", "language": "en", "fields": {"colour": "x"}}, "fields", None),
        ({"url": "https://x.org/f", "language": "en", "fields": {"title_en": 3}}, "fields", None),
        (
            {"url": "https://x.org/f", "language": "en", "defaults": {"published_at": "soon"}},
            "defaults",
            None,
        ),
        ({"url": "https://x.org/f", "language": "en", "complete": "yes"}, "complete", None),
        ({"url": "https://x.org/f", "language": "en", "ur": "typo"}, "ur", None),
        (
            {
                "url": "https://x.org/f",
                "language": "en",
                "target": "meeting",
                "defaults": {"community_id": 3},
            },
            "fields",
            None,
        ),
        ({"url": "https://x.org/f", "language": "en", "target": "pilot"}, "fields", None),
    ],
)
def test_options_errors_name_the_option(raw: dict[str, Any], field: str, message: str | None) -> None:
    with pytest.raises(OptionsError) as caught:
        FeedOptions.parse(raw)

    assert caught.value.field == field
    if message:
        assert caught.value.message == message


def test_a_meeting_feed_says_what_is_missing() -> None:
    with pytest.raises(OptionsError) as caught:
        FeedOptions.parse({"url": "https://x.org/f", "language": "en", "target": "meeting"})

    assert caught.value.values["fields"] == "community_id, starts_at"
