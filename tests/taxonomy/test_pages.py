"""The product-group pages: one group's communities, pilots and lessons across every programme."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub import overview
from hub.communities.models import Community, CommunityStatus
from hub.db import utcnow
from hub.lessons.models import Lesson, LessonKind
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.taxonomy.models import ProductGroup
from tests import factories

PEER = "https://hub.procirc.example"


@dataclass
class Network:
    food: ProductGroup
    ict: ProductGroup
    gdca: Programme
    gdci: Programme
    procirc: Programme
    communities: dict[str, Community]
    pilots: dict[str, Pilot]
    lessons: dict[str, Lesson]


def group(session: Session, code: str, name_nl: str, name_en: str, position: int = 0) -> ProductGroup:
    record = factories.product_group(session, code)
    record.name_nl, record.name_en, record.position = name_nl, name_en, position
    return record


def lesson(session: Session, programme: Programme, group: ProductGroup, **fields: object) -> Lesson:
    record = Lesson(programme=programme, product_group=group, kind=LessonKind.TIP, **fields)
    session.add(record)
    session.flush()
    return record


def network(session: Session) -> Network:
    """Food in three programmes (ProCirc's mirrored from its own hub), ICT in one, and withdrawn records."""
    food = group(session, "food", "Voeding", "Food", position=1)
    ict = group(session, "ict", "ICT", "ICT", position=2)
    gdca = factories.programme(session, "gdca", short_name="GDCA", starts_on=dt.date(2017, 6, 1))
    gdci = factories.programme(session, "gdci", short_name="GDCI 2.0", starts_on=dt.date(2018, 6, 7))
    procirc = factories.programme(
        session, "procirc", short_name="ProCirc", starts_on=dt.date(2019, 1, 1), home_hub=PEER, mirrored=True
    )
    communities = {
        "gdca": Community(
            programme=gdca,
            product_group=food,
            name_nl="Lerend netwerk voeding",
            name_en="Food learning network",
            since=dt.date(2020, 1, 1),
        ),
        "gdci": Community(
            programme=gdci, product_group=food, name_nl="Werkgroep Catering", status=CommunityStatus.CLOSED
        ),
        "procirc": Community(
            programme=procirc,
            product_group=food,
            name_en="Transnational food community",
            source_language="en",
            home_hub=PEER,
            mirrored=True,
        ),
        "ict": Community(programme=gdca, product_group=ict, name_nl="Netwerk ICT", name_en="ICT network"),
        "withdrawn": Community(
            programme=gdci, product_group=food, name_nl="Opgeheven werkgroep", withdrawn_at=utcnow()
        ),
    }
    session.add_all(communities.values())
    pilots = {
        "gdca": factories.pilot(
            session, gdca, product_group=food, title_nl="Seizoensgebonden menu", title_en="Seasonal menus"
        ),
        "gdci": factories.pilot(
            session, gdci, product_group=food, title_nl="Herbruikbare bekers", title_en="Reusable cups"
        ),
        "procirc": factories.pilot(
            session,
            procirc,
            product_group=food,
            title_nl="",
            title_en="Plant-based canteen",
            source_language="en",
            home_hub=PEER,
            mirrored=True,
        ),
        "ict": factories.pilot(session, gdca, product_group=ict, title_nl="Laptops", title_en="Laptops"),
        "withdrawn": factories.pilot(
            session, gdca, product_group=food, title_nl="Ingetrokken pilot", withdrawn_at=utcnow()
        ),
    }
    lessons = {
        "gdca": lesson(
            session,
            gdca,
            food,
            title_nl="Begin met wegen",
            title_en="Start by weighing",
            body_nl="Zonder nulmeting valt minder verspilling niet aan te tonen. " * 8,
            body_en="Without a baseline, less waste cannot be shown. " * 8,
        ),
        "gdci": lesson(
            session, gdci, food, title_nl="Statiegeld werkt", title_en="Deposits work", body_nl="Bekers."
        ),
        "procirc": lesson(
            session,
            procirc,
            food,
            title_en="Menus follow the seasons",
            source_language="en",
            home_hub=PEER,
            mirrored=True,
        ),
        "ict": lesson(session, gdca, ict, title_nl="Wis de schijven", title_en="Wipe the drives"),
        "withdrawn": lesson(session, gdca, food, title_nl="Verouderde les", withdrawn_at=utcnow()),
    }
    session.commit()
    return Network(food, ict, gdca, gdci, procirc, communities, pilots, lessons)


def section(html: str, heading: str) -> str:
    """The part of the page from the ``<h2>`` named ``heading`` to the next ``<h2>``."""
    start = re.search(rf"<h2[^>]*>{re.escape(heading)}</h2>", html)
    assert start, heading
    following = html.find("<h2", start.end())
    return html[start.end() : following if following >= 0 else len(html)]


def test_one_page_brings_every_programme_together(client: TestClient, session: Session) -> None:
    net = network(session)
    page = client.get("/en/product-groups/food")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1 and "<h1>Food</h1>" in html

    communities = section(html, "Communities of practice")
    # Side by side, in the programmes' order: GDCA, GDCI 2.0, then ProCirc (mirrored from its hub).
    positions = [communities.index(f">{name}</h3>") for name in ("GDCA", "GDCI 2.0", "ProCirc")]
    assert positions == sorted(positions)
    for key, name in (
        ("gdca", "Food learning network"),
        ("gdci", "Werkgroep Catering"),
        ("procirc", "Transnational food community"),
    ):
        assert f'href="/en/communities/{net.communities[key].id}"' in communities
        assert name in communities
    assert "not yet translated" in communities  # GDCI's working group has a Dutch name only

    pilots = section(html, "Pilots")
    for key, title in (
        ("gdca", "Seasonal menus"),
        ("gdci", "Reusable cups"),
        ("procirc", "Plant-based canteen"),
    ):
        assert f'href="/en/pilots/{net.pilots[key].id}"' in pilots and title in pilots
    for code in ("gdca", "gdci", "procirc"):
        assert f'href="/en/pilots?product_group=food&amp;programme={code}"' in pilots

    lessons = section(html, "Lessons learned")
    assert "Start by weighing" in lessons and "Deposits work" in lessons
    assert f'<a href="/en/lessons/{net.lessons["gdca"].id}"><strong>Start by weighing</strong></a>' in lessons
    assert "Menus follow the seasons" in lessons
    assert "Without a baseline" in lessons and "…" in lessons  # a short excerpt, not the whole body
    assert "Without a baseline, less waste cannot be shown. " * 8 not in lessons
    assert '<span lang="nl">Bekers.</span>' in lessons  # no English body: the Dutch one, marked

    # Another group's records stay on their own page.
    for text in ("ICT network", "Laptops", "Wipe the drives"):
        assert text not in html
    ict = client.get("/en/product-groups/ict").text
    assert "ICT network" in ict and "Laptops" in ict and "Wipe the drives" in ict
    for text in ("Food learning network", "Seasonal menus", "Start by weighing", "Plant-based canteen"):
        assert text not in ict


def test_withdrawn_records_are_left_out(client: TestClient, session: Session) -> None:
    net = network(session)
    html = client.get("/en/product-groups/food").text
    assert (
        "Opgeheven werkgroep" not in html and f"/en/communities/{net.communities['withdrawn'].id}" not in html
    )
    assert "Ingetrokken pilot" not in html and f"/en/pilots/{net.pilots['withdrawn'].id}" not in html
    assert "Verouderde les" not in html
    (food, ict, *_) = overview.product_groups_with_counts(session)
    assert (food.product_group.code, food.communities, food.pilots, food.lessons) == ("food", 3, 3, 3)
    assert (ict.product_group.code, ict.communities, ict.pilots, ict.lessons) == ("ict", 1, 1, 1)


def test_many_pilots_show_the_newest_with_a_count_and_a_link_to_all(
    client: TestClient, session: Session
) -> None:
    net = network(session)
    for month in range(1, 13):
        factories.pilot(
            session,
            net.gdca,
            product_group=net.food,
            title_en=f"Food pilot {month:02d}",
            starts_on=dt.date(2019, month, 1),
        )
    factories.pilot(session, net.gdca, product_group=net.food, title_en="Food pilot undated", starts_on=None)
    session.commit()
    total = overview.PILOTS_PER_PROGRAMME
    pilots = section(client.get("/en/product-groups/food").text, "Pilots")
    gdca = pilots[: pilots.index(">GDCI 2.0</h3>")]
    assert "14 pilots" in gdca and f"the {total} most recent below" in gdca
    shown = re.findall(r"Food pilot (\d\d)", gdca)
    assert shown == [f"{month:02d}" for month in range(12, 12 - total, -1)]  # newest first
    assert "Seasonal menus" not in gdca and "undated" not in gdca  # older, and no date at all
    assert "1 pilot" in pilots[pilots.index(">GDCI 2.0</h3>") :]
    # The link leads to the pilot list with exactly these filters.
    listing = client.get("/en/pilots?product_group=food&programme=gdca")
    assert listing.status_code == 200 and "14 pilots" in listing.text


def test_an_empty_group_invites_a_community_proposal(client: TestClient, session: Session) -> None:
    network(session)
    group(session, "textiles", "Textiel", "Textiles", position=3)
    session.commit()
    html = client.get("/en/product-groups/textiles").text
    assert html.count("No community yet.") == 3
    assert 'href="/en/communities/propose?programme=gdci&amp;product_group=textiles"' in html
    assert client.get("/en/communities/propose?programme=gdci&product_group=textiles").status_code == 200
    assert html.count("No pilots yet.") == html.count("No lessons yet.") == 3


def test_the_index_links_every_group_with_its_counts(client: TestClient, session: Session) -> None:
    network(session)
    page = client.get("/en/product-groups")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    food = page.text.split('href="/en/product-groups/food"', 1)[1].split("</li>", 1)[0]
    assert re.findall(r"<dd>(\d+)</dd>", food) == ["3", "3", "3"]
    assert 'href="/en/product-groups/ict"' in page.text
    # The communities page leads to the product groups: each group's heading, and the index.
    communities = client.get("/en/communities").text
    assert '<a href="/en/product-groups/food">Food</a>' in communities
    assert 'href="/en/product-groups"' in communities


def test_the_dutch_page_shows_dutch_content(client: TestClient, session: Session) -> None:
    network(session)
    page = client.get("/nl/product-groups/food")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="nl">' in html and "<h1>Voeding</h1>" in html
    assert "Praktijkgemeenschappen" in html and "Geleerde lessen" in html and "Kruimelpad" in html
    assert ">Productgroepen</a>" in html  # the breadcrumb, from the compiled Dutch catalog
    assert "Lerend netwerk voeding" in html and "Seizoensgebonden menu" in html and "Begin met wegen" in html
    assert "Zonder nulmeting" in html
    # ProCirc's records are in English only: shown, marked as not yet translated.
    assert '<span lang="en">Transnational food community</span>' in html and "nog niet vertaald" in html
    assert 'href="/nl/pilots?product_group=food&amp;programme=procirc"' in html
    assert "Food learning network" not in html and "Communities of practice" not in html
    index = client.get("/nl/product-groups").text
    assert "Voeding" in index and 'href="/nl/product-groups/food"' in index


def test_an_unknown_group_is_a_localised_404(client: TestClient, session: Session) -> None:
    network(session)
    english = client.get("/en/product-groups/spaceships")
    assert english.status_code == 404
    assert "There is no product group “spaceships”." in english.text
    dutch = client.get("/nl/product-groups/spaceships")
    assert dutch.status_code == 404 and "Pagina niet gevonden" in dutch.text
    assert "Er is geen productgroep “spaceships”." in dutch.text


def test_text_with_markup_stays_text(client: TestClient, session: Session) -> None:
    net = network(session)
    net.lessons["gdca"].body_en = "<script>alert(1)</script> weigh"
    session.commit()
    html = client.get("/en/product-groups/food").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
