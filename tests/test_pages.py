"""The public site over HTTP, in both languages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.db import utcnow
from hub.pilots.models import Pilot, PilotMilestone, PilotStatus
from hub.programmes.models import KeyFigure, Metric, Programme
from hub.settings import Settings
from tests import factories


@pytest.fixture
def pilot_id(session: Session) -> int:
    gdca = factories.programme(
        session,
        "gdca",
        short_name="GDCA",
        name_nl="Green Deal Circulair Aankopen",
        name_en="Green Deal Circular Procurement",
        reduction_target_min=Decimal("0.2"),
        reduction_target_max=Decimal("0.25"),
    )
    gdca.key_figures = [
        KeyFigure(
            metric=Metric.PARTICIPANTS,
            value=Decimal(150),
            approximate=True,
            as_of=dt.date(2018, 1, 1),
            source_title="Website",
            position=0,
        ),
        KeyFigure(
            metric=Metric.PARTICIPANTS,
            value=Decimal(153),
            as_of=dt.date(2019, 9, 9),
            source_title="Interreg Europe",
            source_language="en",
            position=1,
        ),
    ]
    city = factories.organisation(session, "Stad Voorbeeldegem")
    pilot = factories.pilot(
        session,
        gdca,
        title_nl="Hergebruik van bureaustoelen",
        title_en="Reuse of office chairs",
        summary_nl="Tweedehands stoelen.",
        summary_en="",
        procurers=[city],
        status=PilotStatus.COMPLETED,
        starts_on=dt.date(2018, 3, 1),
        contract_value=Decimal("1234567"),
        raw_materials_baseline_t=Decimal("100"),
        raw_materials_result_t=Decimal("70"),
        waste_baseline_t=Decimal("10"),
        waste_result_t=Decimal("9"),
    )
    session.commit()
    return pilot.id


def test_root_negotiates_dutch_by_default(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/nl/"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"accept-language": "en-GB,en;q=0.9"}, "/en/"),
        ({"accept-language": "fr-FR, nl;q=0.5, en;q=0.8"}, "/en/"),
        ({"accept-language": "de"}, "/nl/"),
        ({"accept-language": "en", "cookie": "hub_lang=nl"}, "/nl/"),
    ],
)
def test_root_negotiates_from_cookie_then_accept_language(
    client: TestClient, headers: dict[str, str], expected: str
) -> None:
    assert client.get("/", headers=headers, follow_redirects=False).headers["location"] == expected


def test_home_renders_in_dutch_from_the_compiled_catalog(client: TestClient, pilot_id: int) -> None:
    # Fails when the Dutch .mo is missing: the page would silently come out in English.
    response = client.get("/nl/")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert "Naar de inhoud" in response.text
    assert "Pilots in de hub" in response.text
    assert "Skip to content" not in response.text


def test_home_renders_in_english(client: TestClient, pilot_id: int) -> None:
    response = client.get("/en/")
    assert '<html lang="en">' in response.text
    assert "Skip to content" in response.text
    assert "Green Deal Circular Procurement" in response.text
    # The newest published figure of each metric, with its date.
    assert "Participants: <strong>153</strong>" in response.text
    assert "9 Sept 2019" in response.text or "9 Sep 2019" in response.text


def test_home_shows_what_is_new(client: TestClient, session: Session, pilot_id: int) -> None:
    programme = session.scalar(select(Programme).where(Programme.code == "gdca"))
    assert programme is not None
    factories.pilot(session, programme, title_en="Circular catering", starts_on=dt.date(2020, 5, 1))
    factories.pilot(session, programme, title_en="Dated pilot", starts_on=None)  # no start date: not "new"
    soon, past = utcnow() + dt.timedelta(days=9), utcnow() - dt.timedelta(days=300)
    hours = dt.timedelta(hours=2)
    event = factories.event(
        session, programme, title_en="Buyer meets supplier", starts_at=soon, ends_at=soon + hours
    )
    factories.event(session, programme, title_en="Held last year", starts_at=past, ends_at=past + hours)
    session.commit()
    page = client.get("/en/").text
    new_pilots = page[page.index("Pilots started last") : page.index("Latest news")]
    assert new_pilots.index("Circular catering") < new_pilots.index("Reuse of office chairs")  # by start date
    assert "Dated pilot" not in new_pilots
    assert f'href="/en/events/{event.id}"' in page and "Held last year" not in page
    assert "No news yet." in page and 'href="/en/news"' in page
    assert "Laatst gestarte pilots" in client.get("/nl/").text


def test_choosing_a_language_is_remembered(client: TestClient) -> None:
    response = client.get("/en/")
    assert "hub_lang=en" in response.headers["set-cookie"]
    assert client.get("/", follow_redirects=False).headers["location"] == "/en/"


def test_language_switch_keeps_the_page_and_query(client: TestClient, pilot_id: int) -> None:
    response = client.get("/nl/pilots?programme=gdca&status=completed")
    assert 'href="/en/pilots?programme=gdca&amp;status=completed"' in response.text


def test_pilot_list_in_both_languages(client: TestClient, pilot_id: int) -> None:
    dutch = client.get("/nl/pilots")
    english = client.get("/en/pilots")
    assert dutch.status_code == english.status_code == 200
    assert "Hergebruik van bureaustoelen" in dutch.text
    assert "1 pilot" in dutch.text
    assert "Reuse of office chairs" in english.text
    # Money per language: Dutch groups thousands with dots, English with commas.
    assert "€\xa01.234.567" in dutch.text
    assert "€1,234,567" in english.text
    assert "mrt 2018" in dutch.text
    assert "Mar 2018" in english.text


def test_pilot_list_filters_and_empty_state(client: TestClient, pilot_id: int) -> None:
    response = client.get("/en/pilots?status=planned")
    assert response.status_code == 200
    assert "No pilot matches these filters." in response.text
    assert "Clear all filters" in response.text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/nl/pilots?status=klaar", "“klaar” is geen geldige waarde voor de filter “Status”."),
        ("/en/pilots?programme=xyz", "“xyz” is not a valid value for the filter “Programme”."),
        ("/en/pilots?year=abc", "for the filter “Year”"),
        ("/en/organisations?role=boss", "for the filter “Role”"),
    ],
)
def test_unknown_filter_values_get_a_localised_400(
    client: TestClient, pilot_id: int, url: str, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.text
    assert "Traceback" not in response.text


def test_pilot_detail(client: TestClient, pilot_id: int) -> None:
    response = client.get(f"/en/pilots/{pilot_id}")
    assert response.status_code == 200
    assert "<h1>Reuse of office chairs" in response.text
    assert "Stad Voorbeeldegem" in response.text
    # No English summary: the Dutch one is shown, marked as untranslated.
    assert '<span lang="nl">Tweedehands stoelen.</span>' in response.text
    assert "not yet translated" in response.text
    # Raw materials fell 30 % (meets the 20-25 % aim); waste 10 % (below it).
    assert "30.0%" in response.text
    assert "meets the aim" in response.text
    assert "below the aim" in response.text


def test_milestones_in_another_language_say_so(client: TestClient, session: Session, pilot_id: int) -> None:
    """A milestone is written once, in the pilot's source language (its procurer's entry)."""
    pilot = session.get(Pilot, pilot_id)
    assert pilot is not None and pilot.source_language == "nl"
    pilot.milestones = [PilotMilestone(position=0, title="Gunning", due_on=dt.date(2018, 6, 1))]
    session.commit()
    english = client.get(f"/en/pilots/{pilot_id}").text
    assert '<span lang="nl">Gunning</span> <span class="badge badge-untranslated">in Dutch</span>' in english
    dutch = client.get(f"/nl/pilots/{pilot_id}").text
    assert "Gunning" in dutch and '<span lang="nl">Gunning' not in dutch and "in het Nederlands" not in dutch


def test_pilot_detail_in_dutch(client: TestClient, pilot_id: int) -> None:
    response = client.get(f"/nl/pilots/{pilot_id}")
    assert "Hergebruik van bureaustoelen" in response.text
    assert "30,0%" in response.text
    assert "haalt het doel" in response.text


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/nl/pilots/999999", "Er is geen pilot met nummer 999999."),
        ("/en/pilots/999999", "There is no pilot with number 999999."),
        ("/en/organisations/999999", "There is no organisation with number 999999."),
        ("/nl/programmes/onbekend", "Er is geen programma “onbekend”."),
        ("/en/pilots?page=7", "There is no page 7: the list has 1."),
        ("/fr/pilots", "Pagina niet gevonden"),  # unknown language: negotiated (Dutch) 404
        ("/en/no-such-page", "Page not found"),
    ],
)
def test_not_found_pages_are_localised(client: TestClient, pilot_id: int, url: str, text: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert text in response.text


def test_programme_and_organisation_pages(client: TestClient, pilot_id: int) -> None:
    programme = client.get("/en/programmes/gdca")
    assert programme.status_code == 200
    assert "Green Deal Circular Procurement" in programme.text
    # Disagreeing published figures are all shown, each with its date and source.
    assert "about 150" in programme.text
    assert "Interreg Europe" in programme.text
    # A source keeps its title as published; in another language than the page's, it says so.
    badge = '<span class="badge badge-untranslated">in het Engels</span>'
    marked = f'<span lang="en">Interreg Europe</span> {badge}'
    assert marked in client.get("/nl/programmes/gdca").text
    assert "<span lang=" not in programme.text.split("Interreg Europe")[0].rsplit("<td", 1)[1]
    organisations = client.get("/en/organisations?q=voorbeeld")
    assert "Stad Voorbeeldegem" in organisations.text
    assert "1 organisation" in organisations.text
    assert client.get("/en/organisations?q=%25").status_code == 200  # a typed % is not a wildcard


def test_empty_hub_shows_empty_states(client: TestClient) -> None:
    assert "No programmes yet" in client.get("/en/").text
    assert "No pilot matches these filters." in client.get("/en/pilots").text


def test_security_headers(client: TestClient) -> None:
    response = client.get("/en/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    for error in (client.get("/en/no-such-page"), client.get("/api/v1/no-such-thing")):
        assert error.headers["x-frame-options"] == "DENY"


def test_health_checks_answer_machines_without_page_headers(client: TestClient) -> None:
    """A probe renders nothing: the headers that protect a page in a browser are left off."""
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert not {"content-security-policy", "x-frame-options"} & set(response.headers)


def test_stylesheet_is_served_locally(client: TestClient) -> None:
    response = client.get("/static/hub.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]


def test_server_errors_are_localised_pages(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.programmes import services

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "list_programmes", broken)
    response = client.get("/nl/")
    assert response.status_code == 500
    assert "Er ging bij ons iets mis" in response.text
    assert "boom" not in response.text


def test_unknown_hosts_are_refused_when_hosts_are_configured(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    restricted = dataclasses.replace(settings, allowed_hosts=("hub.example",))
    with TestClient(create_app(restricted, sessions=sessions), base_url="http://evil.example") as client:
        assert client.get("/healthz").status_code == 400
    with TestClient(create_app(restricted, sessions=sessions), base_url="http://hub.example") as client:
        assert client.get("/healthz").status_code == 200


def test_the_programme_page_counts_actions_and_meetings_held(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    ovam = factories.organisation(session, "OVAM")
    factories.supporting_action(session, gdca, ovam)
    factories.supporting_action(session, gdca, ovam, withdrawn_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    community = factories.community(session, gdca)
    for day in (dt.datetime(2019, 5, 2, 9, tzinfo=dt.UTC), dt.datetime(2099, 5, 2, 9, tzinfo=dt.UTC)):
        factories.meeting(session, community, starts_at=day)  # one held, one still to come
    session.commit()
    page = client.get("/en/programmes/gdca").text
    assert "<dt>Supporting actions in the hub</dt><dd>1</dd>" in page
    assert "<dt>Community meetings held</dt><dd>1</dd>" in page
