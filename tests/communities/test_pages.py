"""The public pages of the communities of practice, and their meetings as iCalendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.communities.models import Community, CommunityStatus, Meeting
from tests import factories

BRUSSELS = ZoneInfo("Europe/Brussels")


def network(session: Session) -> tuple[Community, Community, Meeting, Meeting]:
    food = factories.product_group(session, "food-c")
    food.name_nl, food.name_en = "Voeding", "Food"
    gdca, procirc = factories.programme(session, "gdca"), factories.programme(session, "procirc")
    flemish = Community(
        programme=gdca, product_group=food, name_nl="Lerend netwerk voeding", name_en="Food network"
    )
    transnational = Community(
        programme=procirc, product_group=food, name_en="Food CoP", status=CommunityStatus.PROPOSED
    )
    session.add_all([flemish, transnational])
    session.flush()
    # The last Saturday before and the Monday after the change to summer time (29 March 2026).
    before = Meeting(
        community=flemish,
        title_nl="Voorjaarsbijeenkomst",
        title_en="Spring meeting",
        starts_at=dt.datetime(2026, 3, 28, 9, 30, tzinfo=BRUSSELS),
        ends_at=dt.datetime(2026, 3, 28, 12, 0, tzinfo=BRUSSELS),
        timezone="Europe/Brussels",
        location="Brussel",
    )
    after = Meeting(
        community=flemish,
        title_nl="Werkbezoek",
        starts_at=dt.datetime(2026, 3, 30, 9, 30, tzinfo=BRUSSELS),
        timezone="Europe/Brussels",
    )
    session.add_all([before, after])
    session.commit()
    return flemish, transnational, before, after


def test_the_communities_of_every_programme_side_by_side_per_product_group(
    client: TestClient, session: Session
) -> None:
    network(session)
    page = client.get("/en/communities")
    assert page.status_code == 200
    food = page.text.split(">Food<", 1)[1]
    assert "Food network" in food and "Food CoP" in food and "Proposed" in food
    dutch = client.get("/nl/communities")
    assert "Praktijkgemeenschappen" in dutch.text and "Lerend netwerk voeding" in dutch.text
    assert "Voeding" in dutch.text


def test_no_communities_yet(client: TestClient) -> None:
    page = client.get("/en/communities")
    assert page.status_code == 200 and "There are no communities yet." in page.text


def test_a_community_page_lists_what_is_coming_and_what_was_discussed(
    client: TestClient, session: Session
) -> None:
    flemish, _, before, _ = network(session)
    coming = Meeting(
        community=flemish,
        title_en="Autumn meeting",
        starts_at=dt.datetime(2099, 10, 6, 9, 30, tzinfo=BRUSSELS),
        timezone="Europe/Brussels",
        location="Gent",
    )
    session.add(coming)
    session.commit()
    page = client.get(f"/en/communities/{flemish.id}")
    assert page.status_code == 200
    upcoming, past = page.text.split("Coming up", 1)[1].split("What was discussed", 1)
    assert "Autumn meeting" in upcoming and "Gent" in upcoming and "09:30 CEST" in upcoming
    assert f"/en/communities/{flemish.id}/meetings/{coming.id}.ics" in upcoming
    assert "Spring meeting" in past and f"/en/communities/{flemish.id}/meetings/{before.id}" in past
    assert f"/en/communities/{flemish.id}/meetings.ics" in page.text
    assert client.get("/en/communities/999999").status_code == 404


def test_the_calendar_keeps_times_right_across_the_change_to_summer_time(
    client: TestClient, session: Session
) -> None:
    flemish, _, before, after = network(session)
    answer = client.get(f"/nl/communities/{flemish.id}/meetings.ics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    events = {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}
    assert set(events) == {before.uid, after.uid}
    first, second = events[before.uid], events[after.uid]
    # 9:30 in Brussels is 8:30 UTC in winter time and 7:30 UTC in summer time.
    assert first.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(2026, 3, 28, 8, 30, tzinfo=dt.UTC)
    assert second.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(2026, 3, 30, 7, 30, tzinfo=dt.UTC)
    assert first["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert first.decoded("DTEND") - first.decoded("DTSTART") == dt.timedelta(hours=2, minutes=30)
    assert str(first["SUMMARY"]) == "Voorjaarsbijeenkomst" and str(second["SUMMARY"]) == "Werkbezoek"
    assert str(first["URL"]).endswith(f"/nl/communities/{flemish.id}")


def test_one_meeting_downloads_as_a_file_and_only_under_its_community(
    client: TestClient, session: Session
) -> None:
    flemish, transnational, before, _ = network(session)
    answer = client.get(f"/en/communities/{flemish.id}/meetings/{before.id}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="meeting-{before.id}.ics"'
    (event,) = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Spring meeting" and str(event["LOCATION"]) == "Brussel"
    assert client.get(f"/en/communities/{transnational.id}/meetings/{before.id}.ics").status_code == 404


def test_text_with_markup_stays_text(client: TestClient, session: Session) -> None:
    flemish, _, _, _ = network(session)
    flemish.name_en = "<script>alert(1)</script> Food"
    session.commit()
    page = client.get(f"/en/communities/{flemish.id}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


def test_the_calendar_survives_unusual_text_and_a_time_zone_it_does_not_know(
    client: TestClient, session: Session
) -> None:
    community = factories.community(session, factories.programme(session, "gdca"))
    title = "Kick-off; circular ICT, laptops \\ phones:\n“reuse” ♻️ " + "long " * 40
    odd = factories.meeting(
        session,
        community,
        title_en=title,
        location="Gent, Zuiderpoort; zaal 3",
        starts_at=dt.datetime(2099, 1, 15, 13, 0, tzinfo=dt.UTC),
        timezone="Mars/Olympus_Mons",  # as a source may send it: shown in Brussels time
    )
    session.commit()
    body = client.get(f"/en/communities/{community.id}/meetings/{odd.id}.ics").content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded as RFC 5545 asks
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title and str(event["LOCATION"]) == "Gent, Zuiderpoort; zaal 3"
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert event.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(2099, 1, 15, 13, 0, tzinfo=dt.UTC)
    assert client.get(f"/en/communities/{community.id}/meetings/{odd.id}").status_code == 200


def test_a_community_links_its_counterparts_of_the_same_product_group_on_other_hubs(
    client: TestClient, session: Session
) -> None:
    textiles = factories.product_group(session, "textiles")
    flemish = factories.community(session, factories.programme(session, "gdca"), product_group=textiles)
    procirc = factories.community(
        session,
        factories.programme(session, "procirc"),
        product_group=textiles,
        name_en="ProCirc textiles CoP",
        home_hub="https://procirc.example",
        mirrored=True,
    )
    factories.community(session, factories.programme(session, "gdci"), name_en="Other group")
    session.commit()
    page = client.get(f"/en/communities/{flemish.id}").text
    counterparts = page.split("The same product group in other programmes", 1)[1]
    assert (
        f'href="/en/communities/{procirc.id}"' in counterparts
        and "kept by https://procirc.example" in counterparts
    )
    assert "Other group" not in counterparts
    assert f'href="/en/communities/{flemish.id}"' in client.get(f"/en/communities/{procirc.id}").text
