"""The digest of an issue: what is new in the network, per segment and language, in the e-mail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.communities.models import Community, MeetingMode
from hub.lessons.models import Lesson, LessonKind
from hub.news.models import NewsItem
from hub.newsletters import digest
from hub.newsletters.models import InterestKind, NewsletterIssue
from hub.newsletters.rendering import Segment, render_issue
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.settings import Settings
from hub.taxonomy.models import ProductGroup
from tests import factories
from tests.pilots.test_query_plans import explained

NOW = dt.datetime(2024, 5, 15, 10, 0, tzinfo=dt.UTC)
SINCE = NOW - dt.timedelta(days=30)
BASE = "http://testserver"


def days(n: float) -> dt.datetime:
    """``n`` days after ``SINCE`` (negative: before the issue's period)."""
    return SINCE + dt.timedelta(days=n)


def issue(session: Session, **fields: Any) -> NewsletterIssue:
    values: dict[str, Any] = {
        "subject_nl": "Nieuws uit het netwerk",
        "subject_en": "News from the network",
        "intro_nl": "Beste lezer,\n\nHier is ons nieuws.",
        "intro_en": "Dear reader,\n\nHere is our news.",
        "since": SINCE,
    }
    record = NewsletterIssue(**{**values, **fields})
    session.add(record)
    session.flush()
    return record


def lesson(session: Session, programme: Programme, **fields: Any) -> Lesson:
    record = Lesson(programme=programme, kind=LessonKind.TIP, **fields)
    session.add(record)
    session.flush()
    return record


def news(session: Session, programme: Programme, **fields: Any) -> NewsItem:
    record = NewsItem(programme_id=programme.id, **fields)
    session.add(record)
    session.flush()
    return record


@dataclasses.dataclass
class World:
    gdca: Programme
    procirc: Programme
    ict: ProductGroup
    textiles: ProductGroup
    ict_community: Community  # GDCA's, on ICT
    textiles_community: Community  # ProCirc's, on textiles
    issue: NewsletterIssue


@pytest.fixture
def world(session: Session) -> World:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc")
    ict = factories.product_group(session, "ict")
    textiles = factories.product_group(session, "textiles")
    ict_community = factories.community(
        session, gdca, product_group=ict, name_nl="ICT-gemeenschap", name_en="ICT community"
    )
    textiles_community = factories.community(
        session, procirc, product_group=textiles, name_nl="Textiel", name_en="Textiles"
    )

    def pilot(programme: Programme, title: str, created: dt.datetime, **fields: Any) -> Pilot:
        return factories.pilot(
            session,
            programme,
            title_en=title,
            title_nl=fields.pop("title_nl", f"NL {title}"),
            created_at=created,
            updated_at=fields.pop("updated_at", created),
            **fields,
        )

    # New by their own dates: started in the period, or arrived in it and starting later (or undated).
    pilot(
        gdca,
        "Refurbished laptops",
        days(2),
        product_group=ict,
        summary_en="Laptops that live longer.",
        starts_on=days(2).date(),
    )
    pilot(procirc, "Circular workwear", days(3), product_group=textiles, title_nl="", starts_on=None)
    pilot(
        procirc,
        "Reused chairs from a peer",
        days(4),
        mirrored=True,
        home_hub="https://peer.example",
        starts_on=(NOW + dt.timedelta(days=40)).date(),
    )
    pilot(gdca, "Started in the period", days(-60), starts_on=days(10).date())  # announced earlier
    # Not new: changed in the period; arrived in it but started long before (a source of old pilots
    # added today); withdrawn; made after sending started.
    pilot(gdca, "An old pilot", days(-5), updated_at=days(6))
    pilot(gdca, "A 2023 pilot synced in the period", days(5), starts_on=dt.date(2023, 3, 1))
    pilot(gdca, "A withdrawn pilot", days(5), withdrawn_at=days(6), starts_on=None)
    pilot(gdca, "Made after sending started", days(40), starts_on=None)

    lesson(
        session,
        gdca,
        title_en="Ask for spare parts",
        title_nl="Vraag om onderdelen",
        product_group=ict,
        created_at=days(1),
        updated_at=days(1),
    )
    lesson(session, procirc, title_en="Old lesson", created_at=days(-2), updated_at=days(-2))

    factories.meeting(
        session,
        ict_community,
        title_en="ICT meeting",
        starts_at=NOW + dt.timedelta(days=7),
        location="Brussels",
        agenda_en="Spare parts and repair.",
    )
    factories.meeting(
        session,
        textiles_community,
        title_en="Textiles meeting",
        mode=MeetingMode.ONLINE,
        starts_at=NOW + dt.timedelta(days=20),
    )
    factories.meeting(
        session, ict_community, title_en="Far away meeting", starts_at=NOW + dt.timedelta(days=90)
    )
    factories.meeting(session, ict_community, title_en="Past meeting", starts_at=NOW - dt.timedelta(days=1))

    news(
        session,
        gdca,
        title_en="GDCA news",
        published_at=days(10),
        origin_url="https://gdca.example/news/1",
        summary_en="<p>Read <b>all</b> about it &amp; more.</p>",
    )
    news(session, procirc, title_en="ProCirc news", title_nl="ProCirc-nieuws", published_at=days(12))
    news(session, gdca, title_en="Old news", published_at=days(-1))
    news(session, gdca, title_en="Withdrawn news", published_at=days(11), withdrawn_at=days(12))
    session.commit()
    return World(gdca, procirc, ict, textiles, ict_community, textiles_community, issue(session))


def titles(result: digest.Digest) -> dict[str, list[str]]:
    return {section.kind: [item.title.text for item in section.items] for section in result.sections}


def build(session: Session, world: World, *interests: tuple[InterestKind, int], language: str = "en") -> Any:
    return digest.build(
        session, issue=world.issue, interests=frozenset(interests), language=language, base_url=BASE, now=NOW
    )


def test_the_whole_network_gets_everything_new_including_mirrored_records(
    session: Session, world: World
) -> None:
    result = build(session, world)
    assert titles(result) == {
        "pilots": [
            "Reused chairs from a peer",
            "Started in the period",
            "Refurbished laptops",
            "Circular workwear",
        ],
        "lessons": ["Ask for spare parts"],
        "meetings": ["ICT meeting", "Textiles meeting"],
        "news": ["ProCirc news", "GDCA news"],
    }
    starts = {item.title.text: item.starts_on for item in result.sections[0].items}
    assert starts["Refurbished laptops"] == days(2).date() and starts["Circular workwear"] is None
    assert [s.kind for s in result.sections] == list(digest.KINDS)
    assert (result.since, result.until) == (SINCE, NOW)


def test_a_programme_brings_its_records_and_its_communities_meetings(session: Session, world: World) -> None:
    result = build(session, world, (InterestKind.PROGRAMME, world.gdca.id))
    assert titles(result) == {
        "pilots": ["Started in the period", "Refurbished laptops"],
        "lessons": ["Ask for spare parts"],
        "meetings": ["ICT meeting"],
        "news": ["GDCA news"],
    }


def test_a_product_group_brings_its_pilots_and_meetings_but_no_news(session: Session, world: World) -> None:
    result = build(session, world, (InterestKind.PRODUCT_GROUP, world.textiles.id))
    assert titles(result) == {"pilots": ["Circular workwear"], "meetings": ["Textiles meeting"]}


def test_a_community_brings_its_meetings_only(session: Session, world: World) -> None:
    result = build(session, world, (InterestKind.COMMUNITY, world.textiles_community.id))
    assert titles(result) == {"meetings": ["Textiles meeting"]}


def test_several_lists_add_up(session: Session, world: World) -> None:
    result = build(
        session,
        world,
        (InterestKind.PRODUCT_GROUP, world.ict.id),
        (InterestKind.COMMUNITY, world.textiles_community.id),
    )
    assert titles(result) == {
        "pilots": ["Refurbished laptops"],
        "lessons": ["Ask for spare parts"],
        "meetings": ["ICT meeting", "Textiles meeting"],
    }


def test_items_in_dutch_fall_back_to_english_marked(session: Session, world: World) -> None:
    result = build(session, world, language="nl")
    pilots = {item.title.text: item for item in result.sections[0].items}
    assert pilots["NL Refurbished laptops"].title.fallback is False
    workwear = pilots["Circular workwear"]
    assert (workwear.title.language, workwear.title.fallback) == ("en", True)
    assert workwear.url == f"{BASE}/nl/pilots/{_id(session, 'Circular workwear')}"
    news = {item.title.text: item for item in result.sections[3].items}
    assert news["GDCA news"].url == "https://gdca.example/news/1"
    assert news["GDCA news"].summary.text == "Read all about it & more."
    assert news["ProCirc-nieuws"].url == f"{BASE}/nl/news"


def _id(session: Session, title: str) -> int:
    found = session.scalar(select(Pilot.id).where(Pilot.title_en == title))
    assert found is not None
    return found


def test_sections_are_capped_with_a_link_to_the_filtered_list(session: Session, world: World) -> None:
    for i in range(12):
        at = days(8)
        factories.pilot(
            session, world.gdca, title_en=f"Extra {i}", created_at=at, updated_at=at, starts_on=None
        )
    session.commit()
    result = build(session, world, (InterestKind.PROGRAMME, world.gdca.id))
    pilots = result.sections[0]
    assert (len(pilots.items), pilots.total, pilots.more) == (10, 14, 4)
    assert pilots.more_url == f"{BASE}/en/pilots?programme=gdca"
    everything = build(session, world).sections[0]
    assert (everything.total, everything.more_url) == (16, f"{BASE}/en/pilots")


def test_more_links_follow_the_lists(session: Session, world: World) -> None:
    links = digest.Links(BASE, "nl")
    group = digest.more_urls(
        session, follows=digest.Follows(product_groups=frozenset({world.ict.id})), links=links
    )
    assert group["pilots"] == f"{BASE}/nl/pilots?product_group=ict"
    assert group["lessons"] == f"{BASE}/nl/product-groups/ict"
    community = digest.Follows(communities=frozenset({world.ict_community.id}))
    assert digest.more_urls(session, follows=community, links=links)["meetings"] == (
        f"{BASE}/nl/communities/{world.ict_community.id}"
    )


def test_a_sent_issue_keeps_its_period(session: Session, world: World) -> None:
    """Read later (the archive), an issue shows what was new when it went out, not since."""
    world.issue.started_at = days(3.5)
    session.commit()
    result = digest.build(
        session, issue=world.issue, interests=frozenset(), language="en", base_url=BASE, now=NOW
    )
    assert titles(result)["pilots"] == ["Refurbished laptops", "Circular workwear"]
    assert result.until == days(3.5)


def test_the_email_has_the_digest_in_both_parts(session: Session, world: World, settings: Settings) -> None:
    world.issue.started_at = NOW
    session.commit()
    rendered = render_issue(session, issue=world.issue, segment=Segment("en"), settings=settings)
    assert rendered.subject == "News from the network"
    for part in (rendered.text, rendered.html):
        assert "Dear reader," in part
        assert "Refurbished laptops" in part
        assert "ICT meeting" in part
        assert "Spare parts and repair." in part
        assert f"{BASE}/en/pilots/" in part
        assert "%%UNSUBSCRIBE_URL%%" in part and "%%PREFERENCES_URL%%" in part
    assert "NEW PILOTS" in rendered.text
    assert "  Read all about it & more.\n" in rendered.text  # plain text is not HTML-escaped
    assert "Read all about it &amp; more." in rendered.html
    laptops = "  Started on 17 Apr 2024 · GDCA · Group ict\n  Laptops that live longer.\n  http://testserver/en/pilots/"
    assert laptops in rendered.text
    assert "Starts on 24 Jun 2024 · ProCirc\n" in rendered.text  # the mirrored pilot starts later
    assert "NEW PILOTS\nBy their start date: pilots that started in this period" in rendered.text
    assert " · In person, Brussels · ICT community · GDCA\n" in rendered.text
    assert "<h2" in rendered.html and "New pilots" in rendered.html
    assert "<script" not in rendered.html
    assert "Read <b>" not in rendered.html  # a news summary loses its markup
    # A meeting's time where it happens, with the zone: 10:00 UTC is 12:00 in Brussels in May
    assert "12:00 CEST" in rendered.text, rendered.text

    dutch = render_issue(session, issue=world.issue, segment=Segment("nl"), settings=settings)
    assert dutch.subject == "Nieuws uit het netwerk"
    assert "Beste lezer," in dutch.text
    assert "Circular workwear [nog niet vertaald]" in dutch.text
    assert "NL Refurbished laptops\n  Begonnen op 17 apr 2024 · GDCA" in dutch.text
    assert "Op hun startdatum: pilots die in deze periode begonnen" in dutch.html
    assert 'lang="en"' in dutch.html and "nog niet vertaald" in dutch.html
    assert f"{BASE}/nl/pilots/" in dutch.html


def test_an_empty_digest_still_has_the_intro(session: Session, settings: Settings) -> None:
    empty = issue(session, since=NOW)
    rendered = render_issue(session, issue=empty, segment=Segment("en"), settings=settings)
    assert "Dear reader," in rendered.text and "Here is our news." in rendered.html
    assert "NEW PILOTS" not in rendered.text and "<h2" not in rendered.html
    assert "What happened in the network" not in rendered.text


FOLLOWS = {
    "everything": digest.Follows(),
    "programme": digest.Follows(programmes=frozenset({1})),
    "product group": digest.Follows(product_groups=frozenset({1, 2})),
    "community": digest.Follows(communities=frozenset({1})),
}


@pytest.mark.parametrize("case", FOLLOWS)
def test_digest_queries_use_an_index(session: Session, case: str) -> None:
    programmes = [factories.programme(session, code) for code in ("gdca", "gdci", "procirc")]
    groups = [factories.product_group(session, code) for code in ("ict", "food")]
    communities = [factories.community(session, p, product_group=groups[0]) for p in programmes]
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for i in range(300):
        at = moment + dt.timedelta(hours=i)
        factories.pilot(session, programmes[i % 3], product_group=groups[i % 2], created_at=at, updated_at=at)
        lesson(session, programmes[i % 3], title_en=f"Lesson {i}", created_at=at, updated_at=at)
        factories.meeting(session, communities[i % 3], starts_at=at)
        news(session, programmes[i % 3], title_en=f"News {i}", published_at=at)
    session.flush()
    dialect = session.get_bind().dialect.name
    session.execute(text("ANALYZE"))
    since = moment + dt.timedelta(days=10)
    queries = digest.statements(
        session, since=since, until=since + dt.timedelta(days=2), follows=FOLLOWS[case]
    )
    with explained(session) as plans:
        for statement in queries.values():
            if statement is not None:
                session.connection().execute(statement.limit(10))
                session.connection().execute(digest.count(statement))
    assert plans
    for plan in plans:
        if dialect == "sqlite":
            scans = [
                line
                for line in plan.splitlines()
                if re.search(r"SCAN (pilots|lessons|meetings|news_items)\b", line) and "USING" not in line
            ]
        else:
            scans = [
                line
                for line in plan.splitlines()
                if re.search(r"Seq Scan on (pilots|lessons|meetings|news_items)\b", line)
            ]
        assert not scans, plan
