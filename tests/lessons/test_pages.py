"""The public lesson pages, the reuse view, and the lessons on a pilot's page."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.db import utcnow
from hub.lessons import services
from hub.lessons.models import LessonAttachment, LessonKind, LinkKind
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.taxonomy.models import Phase
from tests import factories

PEER = "https://procirc.example"


def text_of(response: Any) -> str:
    """The page as text: tags dropped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def section(response: Any, heading: str) -> str:
    """The text of the page from the <h2> ``heading`` to the next <h2> or the end of the content."""
    page = response.text
    start = page.index(f">{heading}</h2>") + 1
    end = start + re.search(r"<h2|</main>", page[start:]).start()  # type: ignore[union-attr]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[start:end])).split())


@dataclass
class World:
    gdca: Programme
    procirc: Programme
    pilots: dict[str, Pilot]
    lessons: dict[str, Any]


def world(session: Session) -> World:
    food, ict = factories.product_group(session, "food"), factories.product_group(session, "ict")
    food.name_nl, food.name_en, ict.name_nl, ict.name_en = "Voeding", "Food", "ICT", "ICT"
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc", starts_on=dt.date(2019, 1, 1))
    pilots = {
        "canteen": factories.pilot(
            session, gdca, title_nl="Gezonde kantine", title_en="Healthy canteen", country="BE"
        ),
        "rotterdam": factories.pilot(
            session, procirc, title_nl="Kantine Rotterdam", title_en="Rotterdam canteen", country="NL"
        ),
        "kiel": factories.pilot(session, procirc, title_nl="", title_en="Kiel canteen", country="DE"),
        "gone": factories.pilot(
            session, procirc, title_nl="Ingetrokken", title_en="Withdrawn pilot", withdrawn_at=utcnow()
        ),
    }
    day = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    lessons = {
        "weigh": factories.lesson(
            session,
            gdca,
            title_nl="Begin met wegen",
            title_en="Start by weighing",
            body_nl="Zonder nulmeting geen bewijs.",
            body_en="Without a baseline there is no proof.",
            resources_en="One scale and a week.",
            evidence_en="30% less food waste.",
            transfer_en="Any canteen can do this.",
            product_group=food,
            phase=Phase.NEEDS_ASSESSMENT,
            kind=LessonKind.SUCCESS_FACTOR,
            created_at=day,
        ),
        "dutch": factories.lesson(
            session,
            gdca,
            title_nl="Statiegeld op bekers",
            title_en="",
            body_nl="Bekers met 50% statiegeld kwamen terug.",
            body_en="",
            product_group=food,
            phase=Phase.TENDER,
            kind=LessonKind.TIP,
            created_at=day + dt.timedelta(days=1),
        ),
        "laptops": factories.lesson(
            session,
            procirc,
            title_nl="Laptops langer gebruiken",
            title_en="Use laptops longer",
            body_en="A_B tested refurbished laptops.",
            product_group=ict,
            kind=LessonKind.BARRIER,
            created_at=day + dt.timedelta(days=2),
        ),
        "withdrawn": factories.lesson(
            session, gdca, title_nl="Weg", title_en="Gone lesson", withdrawn_at=utcnow(), created_at=day
        ),
    }
    return World(gdca, procirc, pilots, lessons)


# --- the list ---


def test_the_list_shows_live_lessons_newest_first(client: TestClient, session: Session) -> None:
    world(session)
    response = client.get("/en/lessons")
    assert response.status_code == 200
    page = text_of(response)
    assert "3 lessons" in page
    assert (
        page.index("Use laptops longer")
        < page.index("Statiegeld op bekers")
        < page.index("Start by weighing")
    )
    assert "Gone lesson" not in page
    assert '<a href="/en/lessons" aria-current="page">Lessons</a>' in response.text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("programme=procirc", ["Use laptops longer"], ["Start by weighing"]),
        ("product_group=food", ["Start by weighing", "Statiegeld op bekers"], ["Use laptops longer"]),
        ("kind=barrier", ["Use laptops longer"], ["Start by weighing"]),
        ("phase=tender", ["Statiegeld op bekers"], ["Start by weighing", "Use laptops longer"]),
        ("q=BASELINE", ["Start by weighing"], ["Use laptops longer"]),  # the English body
        ("q=nulmeting", ["Start by weighing"], ["Statiegeld op bekers"]),  # the Dutch body
        ("q=50%25", ["Statiegeld op bekers"], ["Start by weighing"]),  # % is a character, not a wildcard
        ("q=a_b", ["Use laptops longer"], ["Start by weighing"]),  # so is _
        ("programme=gdca&kind=tip", ["Statiegeld op bekers"], ["Start by weighing"]),
    ],
)
def test_each_filter(
    client: TestClient, session: Session, query: str, shown: list[str], hidden: list[str]
) -> None:
    world(session)
    page = text_of(client.get(f"/en/lessons?{query}"))
    for title in shown:
        assert title in page
    for title in hidden:
        assert title not in page


def test_no_match_says_so(client: TestClient, session: Session) -> None:
    world(session)
    page = text_of(client.get("/en/lessons?q=nothing-like-this"))
    assert "No lesson matches these filters." in page and "Clear all filters" in page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/en/lessons?programme=xyz", "“xyz” is not a valid value for the filter “Programme”."),
        ("/en/lessons?product_group=cars", "“cars” is not a valid value for the filter “Product group”."),
        ("/en/lessons?kind=rumour", "“rumour” is not a valid value for the filter “Kind”."),
        ("/en/lessons?phase=dreaming", "“dreaming” is not a valid value for the filter “Procurement phase”."),
        ("/en/lessons?page=two", "“two” is not a valid value for the filter “Page”."),
        ("/nl/lessons?programme=xyz", "“xyz” is geen geldige waarde voor de filter “Programma”."),
        ("/en/lessons/reuse?programme=xyz", "“xyz” is not a valid value for the filter “Programme”."),
    ],
)
def test_a_bad_filter_value_is_a_400(client: TestClient, session: Session, url: str, message: str) -> None:
    world(session)
    response = client.get(url)
    assert response.status_code == 400
    assert message in html.unescape(response.text)


@pytest.mark.parametrize("path", ["/en/lessons?page=2", "/en/lessons/reuse?page=2"])
def test_a_page_beyond_the_last_is_a_404(client: TestClient, session: Session, path: str) -> None:
    world(session)
    response = client.get(path)
    assert response.status_code == 404
    assert "There is no page 2: the list has 1." in response.text


def test_pages_of_lessons(client: TestClient, session: Session) -> None:
    programme = factories.programme(session)
    for n in range(services.PAGE_SIZE + 1):
        factories.lesson(session, programme, title_en=f"Numbered {n:02}")
    first, second = client.get("/en/lessons"), client.get("/en/lessons?page=2")
    assert second.status_code == 200
    assert 'rel="next"' in first.text and "page 2 of 2" in text_of(second)
    assert text_of(second).count("Numbered") == 1


# --- one lesson ---


def test_the_detail_page_shows_every_section(client: TestClient, session: Session) -> None:
    w = world(session)
    weigh = w.lessons["weigh"]
    weigh.strategy = factories.strategy(session, "reduce", name_en="Reduce materials")
    weigh.pilots = [w.pilots["canteen"]]
    weigh.attachments = [
        LessonAttachment(title="Weighing template", url="https://example.org/template.xlsx", position=0),
        LessonAttachment(title="Sneaky", url="javascript:alert(1)", position=1),
    ]
    factories.lesson_link(
        session, weigh, w.pilots["rotterdam"], kind=LinkKind.REUSED_BY, made_by="Anna", note="We weighed too."
    )
    factories.lesson_link(session, weigh, w.pilots["kiel"], kind=LinkKind.APPLIES_TO, made_by="Bert")
    session.flush()

    response = client.get(f"/en/lessons/{weigh.id}")

    assert response.status_code == 200
    page = text_of(response)
    assert "Start by weighing" in page and "Without a baseline there is no proof." in page
    for fact in (
        "Kind Success factor",
        "Programme GDCA",
        "Product group Food",
        "Circular strategy Reduce materials",
    ):
        assert fact in page
    assert "Procurement phase Needs assessment" in page and "Original language Dutch" in page
    assert section(response, "Resources needed") == "Resources needed One scale and a week."
    assert "30% less food waste." in section(response, "Evidence of success")
    assert "Any canteen can do this." in section(response, "Potential for transfer")
    assert '<a href="https://example.org/template.xlsx" rel="noopener">Weighing template</a>' in response.text
    assert "javascript:" not in response.text and "Sneaky" in section(response, "Documents")
    assert section(response, "Learned in") == "Learned in Healthy canteen GDCA · Belgium"
    used = section(response, "Pilots that used this lesson")
    assert used.index("Applies to") < used.index("Kiel canteen") < used.index("Reused by")
    assert used.index("Reused by") < used.index("Rotterdam canteen ProCirc · Netherlands We weighed too.")
    assert "Linked by Anna on this hub on" in used and "Linked by Bert on this hub on" in used


def test_a_bare_lesson_shows_its_empty_states(client: TestClient, session: Session) -> None:
    record = factories.lesson(session, factories.programme(session), body_nl="", body_en="")
    page = text_of(client.get(f"/en/lessons/{record.id}"))
    assert "No documents go with this lesson." in page
    assert "No pilot is recorded as the origin of this lesson." in page
    assert "No pilot has reused this lesson yet." in page
    for heading in ("Resources needed", "Evidence of success", "Potential for transfer"):
        assert heading not in page


def test_an_unknown_lesson_is_a_404(client: TestClient, session: Session) -> None:
    response = client.get("/en/lessons/999999")
    assert response.status_code == 404
    assert "There is no lesson with number 999999." in response.text


def test_a_mirrored_lesson_says_where_it_is_kept(client: TestClient, session: Session) -> None:
    record = factories.lesson(
        session,
        factories.programme(session),
        home_hub=PEER,
        mirrored=True,
        origin_url=f"{PEER}/en/lessons/7",
    )
    response = client.get(f"/en/lessons/{record.id}")
    assert f'This lesson comes from the hub <a href="{PEER}" rel="noopener">{PEER}</a>' in response.text
    assert f'<a href="{PEER}/en/lessons/7" rel="noopener">View it on its home hub</a>' in response.text


def test_a_withdrawn_lesson_says_so(client: TestClient, session: Session) -> None:
    record = factories.lesson(session, factories.programme(session), withdrawn_at=utcnow())
    assert "This lesson was withdrawn at its source on" in client.get(f"/en/lessons/{record.id}").text


def test_a_dutch_only_lesson_is_marked_untranslated_in_english(client: TestClient, session: Session) -> None:
    w = world(session)
    both, dutch = w.lessons["weigh"], w.lessons["dutch"]

    translated = client.get(f"/en/lessons/{both.id}").text
    assert "not yet translated" not in translated

    untranslated = client.get(f"/en/lessons/{dutch.id}").text
    assert (
        '<span lang="nl">Statiegeld op bekers</span> <span class="badge badge-untranslated">' in untranslated
    )
    assert '<div class="prose" lang="nl">' in untranslated
    in_the_list = client.get("/en/lessons").text
    assert '<span lang="nl">Statiegeld op bekers</span>' in in_the_list

    # In Dutch, the Dutch text is the translation: nothing is marked.
    assert "nog niet vertaald" not in client.get(f"/nl/lessons/{dutch.id}").text


# --- links, grouped ---


def test_the_same_link_from_two_hubs_is_shown_once_with_both_authors(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    weigh, rotterdam = w.lessons["weigh"], w.pilots["rotterdam"]
    factories.lesson_link(
        session,
        weigh,
        rotterdam,
        made_by="Anna",
        note="Our baseline helped.",
        made_at=dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC),
    )
    factories.lesson_link(
        session,
        weigh,
        rotterdam,
        made_by="Pieter",
        note="Weighed for a month.",
        home_hub=PEER,
        mirrored=True,
        made_at=dt.datetime(2024, 3, 5, 10, tzinfo=dt.UTC),
    )

    response = client.get(f"/en/lessons/{weigh.id}")
    used = section(response, "Pilots that used this lesson")
    assert used.count("Rotterdam canteen") == 1
    assert "Our baseline helped. Linked by Anna on this hub on 1 Mar 2024." in used
    assert f"Weighed for a month. Linked by Pieter on {PEER} on 5 Mar 2024." in used
    assert f'<a href="{PEER}" rel="noopener">{PEER}</a>' in response.text

    pilot_page = client.get(f"/en/pilots/{rotterdam.id}")
    applies = section(pilot_page, "Lessons that apply")
    assert applies.count("Start by weighing") == 1
    assert "Linked by Anna on this hub" in applies and f"Linked by Pieter on {PEER}" in applies

    (group,) = services.get_lesson(session, lesson_id=weigh.id).links  # type: ignore[union-attr]
    assert [s.home_hub for s in group.statements] == [None, PEER]


def test_a_removed_link_is_not_shown(client: TestClient, session: Session) -> None:
    w = world(session)
    weigh = w.lessons["weigh"]
    factories.lesson_link(session, weigh, w.pilots["rotterdam"], made_by="Anna", withdrawn_at=utcnow())
    factories.lesson_link(
        session, weigh, w.pilots["kiel"], made_by="Anna", home_hub=PEER, withdrawn_at=utcnow()
    )

    page = text_of(client.get(f"/en/lessons/{weigh.id}"))
    assert "Rotterdam canteen" not in page and "Kiel canteen" not in page
    assert "No pilot has reused this lesson yet." in page
    assert "No lesson has been linked to this pilot yet." in text_of(
        client.get(f"/en/pilots/{w.pilots['kiel'].id}")
    )


def test_a_link_to_a_withdrawn_pilot_is_marked_and_last(client: TestClient, session: Session) -> None:
    w = world(session)
    weigh = w.lessons["weigh"]
    # The withdrawn pilot's link is the older one: it would come first if it were not withdrawn.
    factories.lesson_link(session, weigh, w.pilots["gone"], made_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
    factories.lesson_link(
        session, weigh, w.pilots["rotterdam"], made_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )

    used = section(client.get(f"/en/lessons/{weigh.id}"), "Pilots that used this lesson")
    assert used.index("Rotterdam canteen") < used.index("Withdrawn pilot")
    assert "Withdrawn pilot withdrawn at its home hub" in used
    assert "Rotterdam canteen withdrawn at its home hub" not in used

    # On the pilot page, a lesson withdrawn at its home hub is marked the same way, after live ones.
    rotterdam = w.pilots["rotterdam"]
    factories.lesson_link(
        session, w.lessons["withdrawn"], rotterdam, made_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    applies = section(client.get(f"/en/pilots/{rotterdam.id}"), "Lessons that apply")
    assert applies.index("Start by weighing") < applies.index("Gone lesson withdrawn at its home hub")


def test_html_in_a_note_is_escaped(client: TestClient, session: Session) -> None:
    w = world(session)
    factories.lesson_link(
        session,
        w.lessons["weigh"],
        w.pilots["rotterdam"],
        made_by="<b>Eve</b>",
        note='<script>alert("x")</script>',
    )
    for url in (f"/en/lessons/{w.lessons['weigh'].id}", f"/en/pilots/{w.pilots['rotterdam'].id}"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<b>Eve</b>" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "&lt;b&gt;Eve&lt;/b&gt;" in page


# --- the pilot page ---


def test_the_pilot_page_says_whether_the_team_used_each_lesson(client: TestClient, session: Session) -> None:
    w = world(session)
    rotterdam = w.pilots["rotterdam"]
    factories.lesson_link(
        session, w.lessons["weigh"], rotterdam, kind=LinkKind.REUSED_BY, note="Reused as is."
    )
    factories.lesson_link(
        session, w.lessons["dutch"], rotterdam, kind=LinkKind.APPLIES_TO, note="Relevant here."
    )
    factories.lesson_link(
        session, w.lessons["laptops"], rotterdam, kind=LinkKind.CONTRADICTED_BY, note="Ours failed."
    )
    learned = factories.lesson(session, w.procirc, title_en="What Rotterdam learned")
    learned.pilots = [rotterdam]
    session.flush()

    response = client.get(f"/en/pilots/{rotterdam.id}")
    applies = section(response, "Lessons that apply")
    assert "Start by weighing GDCA · Reused by Used by this pilot Reused as is." in applies
    assert (
        "Statiegeld op bekers not yet translated GDCA · Applies to Not marked as used Relevant here."
        in applies
    )
    assert (
        "Use laptops longer ProCirc · Contradicted by This pilot's experience contradicts it Ours failed."
        in applies
    )
    assert f'href="/en/lessons/{w.lessons["weigh"].id}"' in response.text
    assert section(response, "Lessons learned in this pilot") == (
        "Lessons learned in this pilot What Rotterdam learned ProCirc · Tip"
    )


def test_a_pilot_without_lessons_shows_empty_states(client: TestClient, session: Session) -> None:
    w = world(session)
    page = text_of(client.get(f"/en/pilots/{w.pilots['kiel'].id}"))
    assert "No lesson has been linked to this pilot yet." in page
    assert "No lesson learned in this pilot has been recorded yet." in page


# --- reuse ---


def reuse_world(session: Session) -> World:
    """``weigh``: reused by Rotterdam (from two hubs) and Kiel (inspired); ``dutch``: only applies to
    Rotterdam; ``laptops``: reused by a withdrawn pilot only; the withdrawn lesson: reused, but gone."""
    w = world(session)
    weigh, rotterdam, kiel = w.lessons["weigh"], w.pilots["rotterdam"], w.pilots["kiel"]
    factories.lesson_link(session, weigh, rotterdam, kind=LinkKind.REUSED_BY)
    factories.lesson_link(session, weigh, rotterdam, kind=LinkKind.REUSED_BY, home_hub=PEER, mirrored=True)
    factories.lesson_link(session, weigh, kiel, kind=LinkKind.INSPIRED, home_hub=PEER, mirrored=True)
    factories.lesson_link(session, weigh, kiel, kind=LinkKind.REUSED_BY, withdrawn_at=utcnow())
    factories.lesson_link(session, w.lessons["dutch"], rotterdam, kind=LinkKind.APPLIES_TO)
    factories.lesson_link(session, w.lessons["dutch"], kiel, kind=LinkKind.CONTRADICTED_BY)
    factories.lesson_link(session, w.lessons["laptops"], w.pilots["gone"], kind=LinkKind.REUSED_BY)
    factories.lesson_link(session, w.lessons["withdrawn"], rotterdam, kind=LinkKind.REUSED_BY)
    return w


def test_reuse_counts_distinct_pilots_and_only_use(session: Session) -> None:
    w = reuse_world(session)
    overview = services.reuse_overview(session, language="en")

    assert [(r.programme, r.product_group("en"), r.lessons, r.reused) for r in overview.rows] == [
        ("GDCA", "Food", 2, 1),
        ("ProCirc", "ICT", 1, 0),
    ]
    assert (overview.lessons, overview.reused) == (3, 1)
    assert [(lesson.id, pilots) for lesson, pilots in overview.top] == [(w.lessons["weigh"].id, 2)]
    assert {lesson.id for lesson in overview.never.items} == {w.lessons["dutch"].id, w.lessons["laptops"].id}


def test_reuse_filters_by_programme_and_product_group(session: Session) -> None:
    w = reuse_world(session)
    procirc = services.reuse_overview(session, programme="procirc")
    assert [(r.programme_code, r.lessons, r.reused) for r in procirc.rows] == [("procirc", 1, 0)]
    assert procirc.top == [] and [lesson.id for lesson in procirc.never.items] == [w.lessons["laptops"].id]
    food = services.reuse_overview(session, product_group="food")
    assert [lesson.id for lesson, _ in food.top] == [w.lessons["weigh"].id]


def test_the_most_reused_ties_go_by_title(session: Session) -> None:
    w = world(session)
    for name in ("laptops", "weigh"):
        factories.lesson_link(session, w.lessons[name], w.pilots["rotterdam"])
    overview = services.reuse_overview(session, language="en")
    assert [lesson.title_en for lesson, _ in overview.top] == ["Start by weighing", "Use laptops longer"]


def test_the_reuse_page(client: TestClient, session: Session) -> None:
    reuse_world(session)
    response = client.get("/en/lessons/reuse")
    assert response.status_code == 200
    table = section(response, "Per programme and product group")
    assert "GDCA Food 2 1 50%" in table and "ProCirc ICT 1 0 0%" in table
    assert '<th scope="col" class="num">Reused</th>' in response.text
    assert '<div class="table-scroll" tabindex="0">' in response.text
    assert "Start by weighing reused by 2 pilots" in section(response, "Most reused lessons")
    never = section(response, "Lessons no pilot has reused yet")
    assert "Statiegeld op bekers" in never and "Use laptops longer" in never
    assert "Start by weighing" not in never and "Gone lesson" not in never
    assert '<label for="programme">Programme</label>' in response.text

    filtered = section(client.get("/en/lessons/reuse?programme=procirc"), "Most reused lessons")
    assert "No pilot has reused a lesson yet." in filtered


def test_the_reuse_page_with_no_lessons(client: TestClient, session: Session) -> None:
    page = text_of(client.get("/en/lessons/reuse"))
    assert "No pilot has reused a lesson yet." in page and "No lesson matches these filters." in page
