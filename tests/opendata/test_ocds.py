"""The OCDS export of pilots: a valid OCDS 1.1 release package with the sustainability extension."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from hub.app import create_app
from hub.opendata import ocds
from hub.organisations.models import Organisation, Sector
from hub.pilots.models import Pilot, PilotParty, PilotRole, PilotStatus
from hub.settings import Settings, SettingsError
from hub.taxonomy.models import Phase, Strategy, StrategyKind
from tests import factories
from tests.opendata.conftest import T0, at

SCHEMA = json.loads((Path(__file__).parent / "ocds_release_package.schema.json").read_text())
URL = "/api/v1/ocds/pilots.json"
# jsonschema checks "date-time" and "uri" only with optional packages: these two checks suffice.
FORMATS = jsonschema.FormatChecker(formats=())
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return RFC3339.fullmatch(value) is not None and bool(dt.datetime.fromisoformat(value))


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=FORMATS)


def valid(package: Any) -> Any:
    """The package, after checking it against the schema (formats too: date-time, uri)."""
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(package)]
    assert not errors, "\n".join(errors)
    return package


def network(session: Session) -> dict[str, Any]:
    gdca = factories.programme(session, "gdca")
    reuse = factories.strategy(session, "reuse", name_nl="Hergebruik optimaliseren", name_en="Optimise reuse")
    pass_ = factories.strategy(
        session,
        "product_as_a_service",
        kind=StrategyKind.BUSINESS_MODEL,
        name_nl="Product als dienst",
        name_en="Product as a service",
    )
    ghent = factories.organisation(session, "Stad Gent", country="BE")
    antwerp = factories.organisation(session, "Stad Antwerpen", country="BE")
    supplier = factories.organisation(session, "Refurb BV", country="NL", sector=Sector.PRIVATE)
    pilot = factories.pilot(
        session,
        gdca,
        title_nl="Hergebruik van bureaustoelen",
        title_en="Reuse of office chairs",
        summary_nl="Tweedehands stoelen.",
        source_language="nl",
        strategies=[reuse, pass_],
        procurers=[ghent, antwerp],
        phase=Phase.CONTRACT_MANAGEMENT,
        status=PilotStatus.RUNNING,
        starts_on=dt.date(2018, 3, 1),
        ends_on=dt.date(2020, 2, 29),
        contract_value=Decimal("1234567.89"),
        updated_at=at(2),
    )
    pilot.parties.append(PilotParty(organisation=supplier, role=PilotRole.SUPPLIER, position=2))
    pilot.parties.append(PilotParty(organisation=supplier, role=PilotRole.PARTNER, position=3))
    session.flush()  # (which marks the pilot changed now: set its moment again)
    session.execute(update(Pilot).where(Pilot.id == pilot.id).values(updated_at=at(2)))
    session.expire(pilot, ["updated_at"])
    return {"pilot": pilot, "ghent": ghent, "antwerp": antwerp, "supplier": supplier, "gdca": gdca}


def test_the_export_is_a_valid_release_package(client: TestClient, session: Session) -> None:
    records = network(session)
    factories.pilot(
        session, records["gdca"], title_nl="Gepland", phase=Phase.NEEDS_ASSESSMENT, updated_at=at(1)
    )
    session.commit()
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    package = valid(response.json())
    assert package["version"] == "1.1"
    assert package["uri"] == "http://testserver/api/v1/ocds/pilots.json"
    assert package["publishedDate"] == "2024-03-01T12:02:00Z"  # the newest change of its contents
    assert package["publisher"] == {"name": "Circular procurement hub", "uri": "http://testserver/"}
    assert package["extensions"] == [ocds.SUSTAINABILITY_EXTENSION]
    assert ocds.SUSTAINABILITY_EXTENSION.endswith("/ocds_sustainability_extension/master/extension.json")
    assert [r["tender"].get("title") for r in package["releases"]] == [
        "Gepland",
        "Hergebruik van bureaustoelen",
    ]


def test_a_release_maps_the_pilot(client: TestClient, session: Session) -> None:
    records = network(session)
    session.commit()
    pilot: Pilot = records["pilot"]
    (release,) = valid(client.get(URL).json())["releases"]

    assert release["ocid"] == f"ocds-hub-{pilot.uid}"
    assert release["id"] == f"ocds-hub-{pilot.uid}-2024-03-01T12:02:00Z"
    assert release["date"] == "2024-03-01T12:02:00Z"
    assert release["tag"] == ["contract"]
    assert release["initiationType"] == "tender"
    assert release["language"] == "nl"

    parties = {party["name"]: party for party in release["parties"]}
    assert parties["Stad Gent"] == {
        "id": records["ghent"].uid,
        "name": "Stad Gent",
        "address": {"countryName": "België"},  # in the release's language
        "roles": ["buyer"],
    }
    assert parties["Stad Antwerpen"]["roles"] == ["buyer"]
    assert parties["Refurb BV"]["roles"] == ["supplier", "partner"]
    assert parties["Refurb BV"]["address"] == {"countryName": "Nederland"}
    assert release["buyer"] == {"id": records["ghent"].uid, "name": "Stad Gent"}

    tender = release["tender"]
    assert tender["id"] == pilot.uid
    assert tender["title"] == "Hergebruik van bureaustoelen"
    assert tender["title_en"] == "Reuse of office chairs"
    assert tender["description"] == "Tweedehands stoelen."
    assert "description_en" not in tender
    assert tender["status"] == "complete"
    assert tender["value"] == {"amount": 1234567.89, "currency": "EUR"}
    assert tender["contractPeriod"] == {
        "startDate": "2018-03-01T00:00:00Z",
        "endDate": "2020-02-29T00:00:00Z",
    }
    assert tender["hasSustainability"] is True
    (sustainability,) = tender["sustainability"]
    assert sustainability["goal"] == "environmental.circularEconomy"
    assert "strategies" not in sustainability  # that codelist is about award criteria etc., not these
    assert "Hergebruik optimaliseren" in sustainability["description"]
    assert "Product als dienst" in sustainability["description"]
    assert sustainability["circularStrategies"] == [
        {"id": "reuse", "kind": "goal", "name": "Hergebruik optimaliseren", "name_en": "Optimise reuse"},
        {
            "id": "product_as_a_service",
            "kind": "business_model",
            "name": "Product als dienst",
            "name_en": "Product as a service",
        },
    ]

    (award,) = release["awards"]
    assert award["status"] == "active"
    assert award["suppliers"] == [{"id": records["supplier"].uid, "name": "Refurb BV"}]
    (contract,) = release["contracts"]
    assert contract["awardID"] == award["id"]
    assert contract["status"] == "active"


def test_only_this_hubs_live_pilots_are_published(client: TestClient, session: Session) -> None:
    gdca = factories.programme(session, "gdca")
    own = factories.pilot(session, gdca, title_en="Own")
    factories.pilot(session, gdca, title_en="Mirrored", mirrored=True, home_hub="https://peer.example")
    factories.pilot(session, gdca, title_en="Withdrawn", withdrawn_at=T0)
    session.commit()
    releases = valid(client.get(URL).json())["releases"]
    assert [release["ocid"] for release in releases] == [f"ocds-hub-{own.uid}"]


def test_an_empty_export_is_valid(client: TestClient) -> None:
    assert valid(client.get(URL).json())["releases"] == []


def test_the_ocid_prefix_is_a_setting(
    settings: Settings, sessions: sessionmaker[Session], session: Session
) -> None:
    pilot = factories.pilot(session, factories.programme(session, "gdca"))
    session.commit()
    custom = dataclasses.replace(settings, ocds_prefix="ocds-a1b2c3")
    with TestClient(create_app(custom, sessions=sessions)) as client:
        (release,) = valid(client.get(URL).json())["releases"]
    assert release["ocid"] == f"ocds-a1b2c3-{pilot.uid}"
    assert Settings.load(environ={"HUB_OCDS_PREFIX": "ocds-x9y8z7"}).ocds_prefix == "ocds-x9y8z7"
    for bad in ("hub", "ocds-", "ocds-ABC", "ocds-a b", "ocds-a#1"):
        with pytest.raises(SettingsError, match="HUB_OCDS_PREFIX"):
            Settings.load(environ={"HUB_OCDS_PREFIX": bad})


def pilot_in(phase: Phase, status: PilotStatus, suppliers: int = 1) -> Pilot:
    """A pilot that is never stored: enough for ``ocds.release``."""
    pilot = Pilot(
        uid="u1",
        title_en="T",
        title_nl="",
        summary_nl="",
        summary_en="",
        source_language="en",
        phase=phase,
        status=status,
        updated_at=T0,
        starts_on=None,
        ends_on=None,
        contract_value=None,
    )
    organisation = Organisation(uid="o1", name="Supplier", country="BE")
    pilot.parties = [
        PilotParty(organisation=organisation, role=PilotRole.SUPPLIER, position=i) for i in range(suppliers)
    ]
    pilot.strategies = [Strategy(code="reuse", kind=StrategyKind.GOAL, name_nl="Hergebruik", name_en="Reuse")]
    return pilot


@pytest.mark.parametrize(
    ("phase", "status", "tag", "tender_status", "award", "contract"),
    [
        (Phase.NEEDS_ASSESSMENT, PilotStatus.PLANNED, "planning", "planned", None, None),
        (Phase.MARKET_DIALOGUE, PilotStatus.RUNNING, "planning", "planned", None, None),
        (Phase.MARKET_DIALOGUE, PilotStatus.STOPPED, "tenderCancellation", "cancelled", None, None),
        (Phase.TENDER, PilotStatus.RUNNING, "tender", "active", None, None),
        (Phase.TENDER, PilotStatus.STOPPED, "tenderCancellation", "cancelled", None, None),
        (Phase.AWARD, PilotStatus.RUNNING, "award", "complete", "active", None),
        (Phase.AWARD, PilotStatus.STOPPED, "awardCancellation", "complete", "cancelled", None),
        (Phase.CONTRACT_MANAGEMENT, PilotStatus.RUNNING, "contract", "complete", "active", "active"),
        (
            Phase.CONTRACT_MANAGEMENT,
            PilotStatus.COMPLETED,
            "contractTermination",
            "complete",
            "active",
            "terminated",
        ),
        (Phase.END_OF_LIFE, PilotStatus.RUNNING, "implementation", "complete", "active", "active"),
        (Phase.END_OF_LIFE, PilotStatus.STOPPED, "contractTermination", "complete", "active", "terminated"),
    ],
)
def test_tag_and_statuses_follow_phase_and_status(
    phase: Phase, status: PilotStatus, tag: str, tender_status: str, award: str | None, contract: str | None
) -> None:
    release = ocds.release(pilot_in(phase, status), "ocds-hub")
    valid({**PACKAGE, "releases": [release]})
    assert release["tag"] == [tag]
    assert release["tender"]["status"] == tender_status
    assert [a["status"] for a in release.get("awards", [])] == ([award] if award else [])
    assert [c["status"] for c in release.get("contracts", [])] == ([contract] if contract else [])


def test_no_award_without_a_supplier() -> None:
    release = ocds.release(pilot_in(Phase.CONTRACT_MANAGEMENT, PilotStatus.RUNNING, suppliers=0), "ocds-hub")
    assert "awards" not in release and "contracts" not in release
    assert "parties" not in release and "buyer" not in release
    assert release["tag"] == ["contract"]


PACKAGE = {
    "uri": "http://testserver/api/v1/ocds/pilots.json",
    "version": "1.1",
    "publishedDate": "2024-01-01T00:00:00Z",
    "publisher": {"name": "Hub"},
}


def test_the_schema_catches_mistakes() -> None:
    """The schema of these tests fails what OCDS would: a release without its ocid, a wrong code."""
    release = ocds.release(pilot_in(Phase.TENDER, PilotStatus.RUNNING), "ocds-hub")
    valid({**PACKAGE, "releases": [release]})
    for broken in (
        {key: value for key, value in release.items() if key != "ocid"},
        {**release, "tag": ["tendering"]},
        {**release, "date": "2024-01-01"},
        {**release, "tender": {**release["tender"], "status": "running"}},
        {**release, "initiationtype": "tender"},
    ):
        assert not VALIDATOR.is_valid({**PACKAGE, "releases": [broken]}), broken
