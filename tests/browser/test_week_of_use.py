"""The pages issue 22 changed, as a phone (390 px) and a laptop (1366 px) show them, in both
languages: axe finds no serious violation, nothing is wider than the screen, and a screenshot of
each goes to ``test-artifacts/`` (``week-<page>-<width>-<lang>.png``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import ARTIFACTS, LAPTOP, PHONE, axe_violations, log_in, screen_of

WIDTHS = (PHONE, LAPTOP)
LANGUAGES = ("nl", "en")


@pytest.fixture(scope="module")
def ids(hub_url: str, hub_directory: Path) -> dict[str, int]:
    """Demo records the pages show: a GDCA pilot with milestones, a past event, the event to come."""
    engine = create_engine(f"sqlite:///{hub_directory / 'hub.sqlite3'}")
    with engine.connect() as connection:
        pilot = connection.scalar(text("SELECT min(pilot_id) FROM pilot_milestones"))
        past = connection.scalar(
            text("SELECT id FROM events WHERE starts_at < CURRENT_TIMESTAMP ORDER BY starts_at DESC")
        )
        coming = connection.scalar(text("SELECT id FROM events WHERE starts_at > CURRENT_TIMESTAMP"))
    engine.dispose()
    assert pilot and past and coming
    return {"pilot": pilot, "past": past, "coming": coming}


@pytest.fixture
def screen(browser: Any, hub_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    with screen_of(browser, hub_url, request.node.callspec.params["width"], height=900) as page:
        yield page


def check(page: Any, name: str, width: int, lang: str) -> None:
    """No serious accessibility violation, no sideways scrolling, and a screenshot."""
    assert page.evaluate("document.documentElement.lang") == lang
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"week-{name}-{width}-{lang}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_dashboards_charts_have_titled_axes(screen: Any, width: int, lang: str) -> None:
    log_in(screen)
    screen.goto(f"/{lang}/coordinator/")
    words = {"nl": ("Productgroep", "Aantal pilots"), "en": ("Product group", "Number of pilots")}[lang]
    labels = screen.locator("#chart-product-groups-title ~ text").evaluate_all(
        "texts => texts.map(t => t.textContent)"
    )
    assert words[0] in labels and words[1] in labels
    # The short charts sit under one another, not beside a tall one with empty space below them.
    cards = screen.locator(".chart-card")
    boxes = [cards.nth(i).bounding_box() for i in range(cards.count())]
    assert len(boxes) == 4 and all(box["x"] + box["width"] <= width for box in boxes)
    check(screen, "dashboard", width, lang)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_events_past_and_to_come(screen: Any, ids: dict[str, int], width: int, lang: str) -> None:
    screen.goto(f"/{lang}/events/{ids['past']}")
    facts = screen.locator("dl.facts").inner_text()
    assert not re.search(r"\d+ (van|of) \d+", facts)  # no places left beside what happened
    assert screen.locator("#outcome-title").is_visible()
    check(screen, "event-past", width, lang)
    screen.goto(f"/{lang}/events/{ids['coming']}")
    assert screen.locator('input[name="side"]').count() == 2  # its form is open
    offers = screen.locator("#offers-title + *").first
    assert offers.is_visible()
    check(screen, "event-to-come", width, lang)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_texts_in_another_language_say_so(screen: Any, ids: dict[str, int], width: int, lang: str) -> None:
    """GDCA's milestones are Dutch and its sources mostly so: marked on the English pages only."""
    screen.goto(f"/{lang}/pilots/{ids['pilot']}")
    marked = screen.locator('.milestones span[lang="nl"]')
    assert marked.count() == (0 if lang == "nl" else 4)
    if lang == "en":
        assert screen.locator(".milestones .badge").first.inner_text() == "in Dutch"
    check(screen, "milestones", width, lang)
    screen.goto(f"/{lang}/programmes/gdca")
    other = "en" if lang == "nl" else "nl"
    assert screen.locator(f'table.figures span[lang="{other}"]').count() >= 1
    check(screen, "sources", width, lang)


# The other pages the week of use changed: (name, path, who, what must be on it).
PAGES = (
    ("home", "/{lang}/", None, 'header input[type="search"]'),
    ("newsletter", "/{lang}/newsletter", None, "button.select-all"),
    ("community-contact", "/{lang}/communities/{community}/contact", None, "textarea"),
    ("audit", "/{lang}/coordinator/audit", "coordinator", "h1"),  # its filters fold on a phone
    ("pilot-form", "/{lang}/coordinator/pilots/new", "coordinator", 'input[list="organisation-names"]'),
    ("sources", "/{lang}/coordinator/sources", "coordinator", "h1"),
)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "path", "who", "selector"), PAGES, ids=[page[0] for page in PAGES])
def test_the_weeks_pages_read_well_on_a_phone_and_a_laptop(
    screen: Any,
    hub_directory: Path,
    width: int,
    lang: str,
    name: str,
    path: str,
    who: str | None,
    selector: str,
) -> None:
    if who:
        log_in(screen)
    engine = create_engine(f"sqlite:///{hub_directory / 'hub.sqlite3'}")
    with engine.connect() as connection:
        community = connection.scalar(
            text("SELECT min(id) FROM communities WHERE contact_email IS NOT NULL AND withdrawn_at IS NULL")
        )
    engine.dispose()
    response = screen.goto(path.format(lang=lang, community=community))
    assert response is not None and response.status == 200, path
    assert screen.locator(selector).first.is_visible(), selector
    check(screen, name, width, lang)
