"""What participants log: their own organisation's records only, checked, and published only by a
coordinator's review."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.organisations.models import Commitment, SupportingAction
from hub.participants import services
from hub.participants.models import Entry, EntryKind, EntryState
from hub.pilots.models import Pilot
from tests.accounts.conftest import csrf_of, log_in
from tests.coordinators import post
from tests.mail import Inbox, text_of
from tests.participants.conftest import Ambition, accept, invite


@pytest.fixture
def participant(client: TestClient, session: Session, ambition: Ambition) -> TestClient:
    """The client, signed in through an invitation as the person of Stad Gent."""
    assert accept(client, invite(session, ambition)).status_code == 303
    return client


def base(ambition: Ambition) -> str:
    return f"/en/participant/{ambition.gdca.id}/{ambition.city.id}"


def pilot_form(ambition: Ambition, **changes: Any) -> dict[str, Any]:
    return {
        "source_language": "en",
        "title_en": "Circular catering",
        "summary_en": "Less food waste in the city's kitchens.",
        "phase": "tender",
        "status": "running",
        "starts_on": "2019-02-01",
        "goal_ids": [str(ambition.goals[0].id), str(ambition.goals[3].id)],
        "strategy_ids": [str(ambition.model.id)],
        "progress": "40",
        "milestone_0_title": "Market consultation",
        "milestone_0_due": "2019-03-01",
        "milestone_0_done": "2019-03-05",
        "milestone_1_title": "Award",
        "milestone_1_due": "2019-09-01",
        "waste_baseline_t": "12,5",
        "waste_result_t": "9",
        "send": "1",
        **changes,
    }


def send(client: TestClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_of(client, "/en/participant/")}, **kwargs)


def test_a_new_pilot_waits_for_review_then_is_published_with_its_progress(
    participant: TestClient, session: Session, ambition: Ambition
) -> None:
    form_page = participant.get(f"{base(ambition)}/pilot/new")
    assert (
        form_page.status_code == 200
        and "Goal 1" in form_page.text
        and "Product as a service" in form_page.text
    )
    sent = send(participant, f"{base(ambition)}/pilot/new", pilot_form(ambition), follow_redirects=False)
    assert sent.status_code == 303
    entry = session.scalar(select(Entry))
    assert entry is not None and entry.state == EntryState.SUBMITTED and entry.title == "Circular catering"
    # Nothing public yet.
    assert session.scalar(select(Pilot).where(Pilot.title_en == "Circular catering")) is None
    assert "Circular catering" not in participant.get("/en/pilots").text

    participant.post("/en/logout", data={"csrf_token": csrf_of(participant, "/en/participant/")})
    log_in(participant, ambition.coordinator)
    dashboard = participant.get("/en/coordinator/").text
    assert "Logged by participants" in dashboard and 'entries?state=submitted">1<' in dashboard
    queue = participant.get("/en/coordinator/entries")
    assert "Circular catering" in queue.text and "Stad Gent" in queue.text
    review = participant.get(f"/en/coordinator/entries/{entry.id}")
    assert review.status_code == 200
    assert "Goal 1, Goal 4" in review.text and "Product as a service" in review.text
    assert "Market consultation (due 2019-03-01; done 2019-03-05)" in review.text
    published = post(
        participant,
        f"/en/coordinator/entries/{entry.id}",
        {"decision": "publish", "note": ""},
        form_page=f"/en/coordinator/entries/{entry.id}",
        follow_redirects=False,
    )
    assert published.status_code == 303
    session.expire_all()
    entry = session.get(Entry, entry.id)
    assert entry is not None and entry.state == EntryState.PUBLISHED and entry.target_id is not None
    pilot = session.get(Pilot, entry.target_id)
    assert pilot is not None and pilot.programme_id == ambition.gdca.id and pilot.country == "BE"
    assert [p.organisation_id for p in pilot.parties] == [ambition.city.id]
    assert {s.code for s in pilot.strategies} == {"goal1", "goal4", "pss"}
    assert pilot.progress is not None and pilot.progress.percent == 40
    assert [(m.title, str(m.done_on)) for m in pilot.milestones] == [
        ("Market consultation", "2019-03-05"),
        ("Award", "None"),
    ]
    assert str(pilot.waste_baseline_t) == "12.50" and str(pilot.waste_result_t) == "9.00"
    page = participant.get(f"/en/pilots/{pilot.id}").text
    assert "40% done, as reported on" in page and 'value="40"' in page and "Market consultation" in page
    # Publishing again is refused: the entry is no longer waiting.
    again = post(
        participant,
        f"/en/coordinator/entries/{entry.id}",
        {"decision": "publish"},
        form_page="/en/coordinator/entries",
    )
    assert again.status_code == 409


def test_progress_over_100_or_a_result_without_baseline_is_refused_and_kept(
    participant: TestClient, session: Session, ambition: Ambition
) -> None:
    bad = send(
        participant,
        f"{base(ambition)}/pilot/new",
        pilot_form(ambition, progress="120", waste_baseline_t="", goal_ids=[]),
    )
    assert bad.status_code == 400
    assert "Progress is a percentage from 0 to 100; “120” is not." in bad.text
    assert "A result needs a baseline to compare with" in bad.text
    assert "Choose at least one of the goals." in bad.text
    assert 'value="Circular catering"' in bad.text and 'value="120"' in bad.text  # nothing lost
    assert session.scalar(select(Entry)) is None
    # As a draft it is kept, errors and all, to finish later; sending it still needs it right.
    draft = send(participant, f"{base(ambition)}/pilot/new", pilot_form(ambition, progress="120", send="0"))
    assert (
        draft.status_code == 200 and "Saved as a draft. Some fields still need your attention" in draft.text
    )
    entry = session.scalar(select(Entry))
    assert entry is not None and entry.state == EntryState.DRAFT and entry.values["progress"] == "120"
    resend = send(participant, f"/en/participant/entries/{entry.id}", pilot_form(ambition, progress="101"))
    assert resend.status_code == 400 and "“101” is not" in resend.text
    fixed = send(participant, f"/en/participant/entries/{entry.id}", pilot_form(ambition, progress="100"))
    assert fixed.status_code == 200 and "Sent for review" in fixed.text


def test_a_participant_reaches_no_other_organisations_records(
    participant: TestClient, session: Session, ambition: Ambition
) -> None:
    other = f"/en/participant/{ambition.gdca.id}/{ambition.other.id}"
    assert participant.get(f"{other}/pilot/new").status_code == 403
    assert send(participant, f"{other}/pilot/new", pilot_form(ambition)).status_code == 403
    # The other organisation's pilot, under one's own organisation: not one's own.
    theirs = f"{base(ambition)}/pilot/{ambition.other_pilot.id}"
    assert participant.get(theirs).status_code == 403
    assert send(participant, theirs, pilot_form(ambition)).status_code == 403
    # Another programme of one's own organisation is not one's invitation either.
    assert (
        participant.get(f"/en/participant/{ambition.procirc.id}/{ambition.city.id}/pilot/new").status_code
        == 403
    )
    # Another organisation's entry is not there for them.
    entry = Entry(
        programme_id=ambition.gdca.id,
        organisation_id=ambition.other.id,
        kind=EntryKind.PILOT,
        values={"title_en": "Secret draft"},
        title="Secret draft",
        state=EntryState.DRAFT,
    )
    session.add(entry)
    session.commit()
    page = participant.get(f"/en/participant/entries/{entry.id}")
    assert page.status_code == 404 and "Secret draft" not in page.text
    assert send(participant, f"/en/participant/entries/{entry.id}", pilot_form(ambition)).status_code == 404
    assert send(participant, f"/en/participant/entries/{entry.id}/discard", {}).status_code == 404
    assert "Secret draft" not in participant.get("/en/participant/").text
    session.refresh(entry)
    assert entry.values == {"title_en": "Secret draft"}  # untouched
    # Nor the workspace's review pages.
    assert participant.get(f"/en/coordinator/entries/{entry.id}", follow_redirects=False).status_code == 303
    assert (
        send(participant, f"/en/coordinator/entries/{entry.id}", {"decision": "publish"}).status_code == 403
    )
    assert participant.get("/en/participant/1/1/nonsense/new").status_code in (403, 404)


def test_a_change_to_a_published_pilot_and_a_return_with_a_note(
    participant: TestClient, session: Session, ambition: Ambition, inbox: tuple[Inbox, int]
) -> None:
    path = f"{base(ambition)}/pilot/{ambition.city_pilot.id}"
    start = participant.get(path)
    assert start.status_code == 200 and 'value="Reused office chairs"' in start.text
    form = pilot_form(ambition, title_en="Reused office chairs", progress="75")
    assert send(participant, path, form, follow_redirects=False).status_code == 303
    entry = services.open_entry(session, kind=EntryKind.PILOT, target_id=ambition.city_pilot.id)
    assert entry is not None
    # A second change of the same pilot opens the one in progress.
    again = participant.get(path, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/en/participant/entries/{entry.id}"

    participant.post("/en/logout", data={"csrf_token": csrf_of(participant, "/en/participant/")})
    log_in(participant, ambition.coordinator)
    review = participant.get(f"/en/coordinator/entries/{entry.id}").text
    assert "Published now" in review and "changed" in review
    no_note = post(participant, f"/en/coordinator/entries/{entry.id}", {"decision": "return", "note": " "})
    assert no_note.status_code == 400 and "the note goes to them" in no_note.text
    returned = post(
        participant,
        f"/en/coordinator/entries/{entry.id}",
        {"decision": "return", "note": "Add the CO2 baseline, please."},
        follow_redirects=False,
    )
    assert returned.status_code == 303
    session.refresh(entry)
    assert entry.state == EntryState.RETURNED and entry.review_note == "Add the CO2 baseline, please."
    session.refresh(ambition.city_pilot)
    assert ambition.city_pilot.progress is None  # nothing published


def test_commitment_and_supporting_action(
    participant: TestClient, session: Session, ambition: Ambition
) -> None:
    commitment = send(
        participant,
        f"{base(ambition)}/commitment/new",
        {
            "kind": "pilots",
            "target_count": "2",
            "signed_on": "2017-06-01",
            "description_en": "Two pilots",
            "send": "1",
        },
        follow_redirects=False,
    )
    assert commitment.status_code == 303
    action = send(
        participant,
        f"{base(ambition)}/supporting_action/new",
        {
            "source_language": "nl",
            "title_nl": "Workshop circulair aankopen",
            "starts_on": "2018-03-01",
            "send": "1",
        },
        follow_redirects=False,
    )
    assert action.status_code == 303
    entries = session.scalars(select(Entry).order_by(Entry.id)).all()
    assert [e.kind for e in entries] == [EntryKind.COMMITMENT, EntryKind.SUPPORTING_ACTION]
    participant.post("/en/logout", data={"csrf_token": csrf_of(participant, "/en/participant/")})
    log_in(participant, ambition.coordinator)
    for entry in entries:
        response = post(participant, f"/en/coordinator/entries/{entry.id}", {"decision": "publish"})
        assert response.status_code == 200
    [published] = session.scalars(select(Commitment)).all()
    assert published.target_count == 2 and published.participation.organisation_id == ambition.city.id
    [supporting] = session.scalars(select(SupportingAction)).all()
    assert (
        supporting.title_nl == "Workshop circulair aankopen"
        and supporting.organisation_id == ambition.city.id
    )


def test_the_review_is_for_the_programmes_coordinators(
    client: TestClient, session: Session, ambition: Ambition
) -> None:
    from tests import factories

    entry = Entry(
        programme_id=ambition.gdca.id,
        organisation_id=ambition.city.id,
        kind=EntryKind.SUPPORTING_ACTION,
        values={"source_language": "en", "title_en": "A workshop"},
        title="A workshop",
        state=EntryState.SUBMITTED,
    )
    session.add(entry)
    factories.user(session, "paul@example.org", coordinator_of=["procirc"])
    session.commit()
    log_in(client, "paul@example.org")
    assert client.get(f"/en/coordinator/entries/{entry.id}").status_code == 403
    assert post(client, f"/en/coordinator/entries/{entry.id}", {"decision": "publish"}).status_code == 403
    assert "A workshop" not in client.get("/en/coordinator/entries").text
    assert client.get("/en/coordinator/entries?state=bogus").status_code == 400
    assert client.get("/en/coordinator/entries/999999").status_code == 404


def test_the_coordinators_hear_of_an_entry_and_the_participant_of_the_review(
    mail_client: TestClient, session: Session, ambition: Ambition, inbox: tuple[Inbox, int]
) -> None:
    assert accept(mail_client, invite(session, ambition)).status_code == 303
    send(mail_client, f"{base(ambition)}/pilot/new", pilot_form(ambition))
    entry = session.scalar(select(Entry))
    assert entry is not None
    [waiting] = inbox[0].to(ambition.coordinator)  # the programme's coordinators hear of it
    assert "Stad Gent sent “Circular catering” for review" in waiting["Subject"]
    assert f"http://testserver/en/coordinator/entries/{entry.id}" in text_of(waiting)
    assert f"http://testserver/nl/coordinator/entries/{entry.id}" in text_of(waiting)
    mail_client.post("/en/logout", data={"csrf_token": csrf_of(mail_client, "/en/participant/")})
    log_in(mail_client, ambition.coordinator)
    reviewed = post(
        mail_client, f"/en/coordinator/entries/{entry.id}", {"decision": "publish", "note": "Mooi!"}
    )
    assert "The participant was told by e-mail." in reviewed.text
    [message] = inbox[0].to("pieter@gent.be")
    text = text_of(message)
    assert "published your entry “Circular catering”" in text and "Mooi!" in text
    assert f"http://testserver/nl/participant/entries/{entry.id}" in text
