from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.organisations.models import Organisation, Role
from hub.participants import invitations
from hub.participants.invitations import LIFETIME
from hub.pilots.models import Pilot
from hub.programmes.models import Programme
from hub.taxonomy.models import Strategy, StrategyKind
from tests import factories
from tests.accounts.conftest import csrf_of


@dataclasses.dataclass
class Ambition:
    gdca: Programme
    procirc: Programme
    city: Organisation  # takes part in GDCA; its person is invited
    other: Organisation  # another GDCA participant
    city_pilot: Pilot
    other_pilot: Pilot
    goals: list[Strategy]
    model: Strategy  # a business model
    coordinator: str  # of GDCA


@pytest.fixture
def ambition(session: Session) -> Ambition:
    gdca = factories.programme(session, "gdca", short_name="GDCA")
    procirc = factories.programme(session, "procirc", short_name="ProCirc")
    city = factories.organisation(session, "Stad Gent")
    other = factories.organisation(session, "Provincie Antwerpen")
    for organisation in (city, other):
        factories.participation(session, gdca, organisation, Role.PROCURER)
    goals = [
        factories.strategy(
            session, f"goal{i}", kind=StrategyKind.GOAL, name_en=f"Goal {i}", name_nl=f"Doel {i}"
        )
        for i in range(1, 6)
    ]
    model = factories.strategy(
        session, "pss", kind=StrategyKind.BUSINESS_MODEL, name_en="Product as a service"
    )
    city_pilot = factories.pilot(session, gdca, procurers=[city], title_en="Reused office chairs")
    other_pilot = factories.pilot(session, gdca, procurers=[other], title_en="Circular road works")
    coordinator = factories.user(session, "gina@example.org", coordinator_of=["gdca"])
    session.commit()
    return Ambition(gdca, procirc, city, other, city_pilot, other_pilot, goals, model, coordinator.email)


def invite(
    session: Session, ambition: Ambition, email: str = "pieter@gent.be", lifetime: dt.timedelta = LIFETIME
) -> str:
    """An invitation for the city's person; its link's token."""
    _invitation, token = invitations.invite(
        session,
        programme_id=ambition.gdca.id,
        organisation_id=ambition.city.id,
        email=email,
        name="Pieter",
        language="en",
        invited_by_id=None,
        lifetime=lifetime,
    )
    session.commit()
    return token


def accept(client: TestClient, token: str) -> Any:
    """Posts the invitation's form (with a token from the login page when the link no longer
    shows the form)."""
    page = f"/en/invitations/{token}"
    form_page = page if client.get(page).status_code == 200 else "/en/login"
    return client.post(page, data={"csrf_token": csrf_of(client, form_page)}, follow_redirects=False)


def token_in(text: str, path: str) -> str:
    match = re.search(rf"http://testserver/(?:en|nl)/{path}/([A-Za-z0-9_-]+)", text)
    assert match, f"no {path} link in {text!r}"
    return match.group(1)
