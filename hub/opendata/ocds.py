"""The pilots as an OCDS 1.1 release package, with the sustainability extension.

One release per pilot this hub publishes: a snapshot of the pilot as it is now, so its ``id``
and ``date`` change whenever the pilot does. Mapping decisions (see also the report of issue 5):

- ``tag`` and ``tender.status`` follow the pilot's phase and status (``TAGS``, ``_tender_status``).
- Procurers are parties with the role "buyer" (the first is ``buyer``), suppliers "supplier"
  (listed in ``awards[].suppliers`` once the pilot is past the award), partners "partner" (an
  open-codelist code: OCDS has no role for a project partner).
- The sustainability extension's ``goal`` is ``environmental.circularEconomy``. Its
  ``strategies`` codelist says *how* sustainability enters a procurement (award criteria,
  technical specifications ...), which the hub does not record, so it is left out; the pilot's
  circular strategies are named in the entry's ``description`` and listed, with codes, in the
  hub's own field ``circularStrategies``.
- Text is in the pilot's source language (``language``), with the other language, where there
  is one, as OCDS language variants (``title_en``, ``description_nl``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from babel import Locale

from hub import i18n
from hub.db import rfc3339
from hub.i18n import N_
from hub.organisations.models import Organisation
from hub.pilots.models import Pilot, PilotRole, PilotStatus
from hub.taxonomy.models import Phase

VERSION = "1.1"
SUSTAINABILITY_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_sustainability_extension/"
    "master/extension.json"
)
CIRCULAR_ECONOMY = "environmental.circularEconomy"
LANGUAGES = ("nl", "en")
PUBLISHER = N_("Circular procurement hub")
STRATEGIES_TEXT = N_("Circular strategies: %(strategies)s")

PLANNING = (Phase.NEEDS_ASSESSMENT, Phase.MARKET_DIALOGUE)
AWARDED = (Phase.AWARD, Phase.CONTRACT_MANAGEMENT, Phase.END_OF_LIFE)
CONTRACTED = (Phase.CONTRACT_MANAGEMENT, Phase.END_OF_LIFE)
TAGS = {
    Phase.NEEDS_ASSESSMENT: "planning",
    Phase.MARKET_DIALOGUE: "planning",
    Phase.TENDER: "tender",
    Phase.AWARD: "award",
    Phase.CONTRACT_MANAGEMENT: "contract",
    Phase.END_OF_LIFE: "implementation",
}
ROLES = {PilotRole.PROCURER: "buyer", PilotRole.SUPPLIER: "supplier", PilotRole.PARTNER: "partner"}


def timestamp(value: dt.datetime) -> str:
    return rfc3339(value)


def day(value: dt.date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def package_chunks(
    chunks: Iterable[Sequence[Pilot]],
    *,
    uri: str,
    published: dt.datetime,
    publisher_uri: str,
    prefix: str,
) -> Iterator[bytes]:
    """The release package, written piece by piece: the metadata, then one block per chunk."""
    head = {
        "uri": uri,
        "version": VERSION,
        "publishedDate": timestamp(published),
        "publisher": {"name": i18n.translations("en").ugettext(PUBLISHER), "uri": publisher_uri},
        "extensions": [SUSTAINABILITY_EXTENSION],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b',"releases":['
    first = True
    for pilots in chunks:
        parts = []
        for pilot in pilots:
            parts.append(("\n" if first else ",\n") + json.dumps(release(pilot, prefix), ensure_ascii=False))
            first = False
        if parts:
            yield "".join(parts).encode()
    yield b"\n]}\n"


def release(pilot: Pilot, prefix: str) -> dict[str, Any]:
    """One OCDS release describing ``pilot`` as it is now."""
    language = pilot.source_language if pilot.source_language in LANGUAGES else "nl"
    ocid = f"{prefix}-{pilot.uid}"
    document: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{timestamp(pilot.updated_at)}",
        "date": timestamp(pilot.updated_at),
        "tag": [_tag(pilot)],
        "initiationType": "tender",
        "language": language,
    }
    parties = _parties(pilot, language)
    if parties:
        document["parties"] = parties
    buyers = [p for p in pilot.parties if p.role is PilotRole.PROCURER]
    if buyers:
        document["buyer"] = _reference(buyers[0].organisation)
    document["tender"] = _tender(pilot, language)
    suppliers = [p.organisation for p in pilot.parties if p.role is PilotRole.SUPPLIER]
    if pilot.phase in AWARDED and suppliers:
        award_id = f"{pilot.uid}-award"
        stopped = pilot.status is PilotStatus.STOPPED
        document["awards"] = [
            {
                "id": award_id,
                "status": "cancelled" if stopped and pilot.phase is Phase.AWARD else "active",
                "suppliers": [_reference(organisation) for organisation in _unique(suppliers)],
            }
        ]
        if pilot.phase in CONTRACTED:
            contract: dict[str, Any] = {"id": f"{pilot.uid}-contract", "awardID": award_id}
            done = pilot.status in (PilotStatus.COMPLETED, PilotStatus.STOPPED)
            contract["status"] = "terminated" if done else "active"
            period = _period(pilot)
            if period:
                contract["period"] = period
            document["contracts"] = [contract]
    return document


def _tag(pilot: Pilot) -> str:
    if pilot.status is PilotStatus.STOPPED:
        if pilot.phase in PLANNING or pilot.phase is Phase.TENDER:
            return "tenderCancellation"
        return "awardCancellation" if pilot.phase is Phase.AWARD else "contractTermination"
    if pilot.status is PilotStatus.COMPLETED and pilot.phase in CONTRACTED:
        return "contractTermination"
    return TAGS[pilot.phase]


def _tender_status(pilot: Pilot) -> str:
    running = pilot.status is PilotStatus.RUNNING
    if pilot.status is PilotStatus.PLANNED or (running and pilot.phase in PLANNING):
        return "planned"
    if pilot.status is PilotStatus.STOPPED:
        return "complete" if pilot.phase in AWARDED else "cancelled"
    if running and pilot.phase is Phase.TENDER:
        return "active"
    return "complete"


def _tender(pilot: Pilot, language: str) -> dict[str, Any]:
    tender: dict[str, Any] = {"id": pilot.uid, "status": _tender_status(pilot)}
    _texts(tender, pilot, "title", "title", language)
    _texts(tender, pilot, "summary", "description", language)
    if pilot.contract_value is not None:
        tender["value"] = {"amount": float(pilot.contract_value), "currency": "EUR"}
    period = _period(pilot)
    if period:
        tender["contractPeriod"] = period
    tender["hasSustainability"] = True
    tender["sustainability"] = [_sustainability(pilot, language)]
    return tender


def _sustainability(pilot: Pilot, language: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"goal": CIRCULAR_ECONOMY}
    if pilot.strategies:
        names = "; ".join(strategy.name(language) for strategy in pilot.strategies)
        text = i18n.translations(language).ugettext(STRATEGIES_TEXT)
        entry["description"] = text % {"strategies": names}
        entry["circularStrategies"] = [
            {
                "id": strategy.code,
                "kind": strategy.kind.value,
                "name": strategy.name(language),
                **{f"name_{other}": strategy.name(other) for other in LANGUAGES if other != language},
            }
            for strategy in pilot.strategies
        ]
    return entry


def _texts(target: dict[str, Any], pilot: Pilot, field: str, name: str, language: str) -> None:
    """``name`` in the release's language, and ``name_<other>`` where the other differs."""
    main = pilot.localized(field, language).text
    if main:
        target[name] = main
    for other in LANGUAGES:
        text = getattr(pilot, f"{field}_{other}")
        if other != language and text and text != main:
            target[f"{name}_{other}"] = text


def _parties(pilot: Pilot, language: str) -> list[dict[str, Any]]:
    parties: dict[str, dict[str, Any]] = {}
    for party in pilot.parties:
        organisation = party.organisation
        entry = parties.get(organisation.uid)
        if entry is None:
            entry = {"id": organisation.uid, "name": organisation.name, "roles": []}
            parties[organisation.uid] = entry
            country = _country_name(organisation.country, language)
            if country:
                entry["address"] = {"countryName": country}
        role = ROLES[party.role]
        if role not in entry["roles"]:
            entry["roles"].append(role)
    return list(parties.values())


def _reference(organisation: Organisation) -> dict[str, str]:
    return {"id": organisation.uid, "name": organisation.name}


def _unique(organisations: list[Organisation]) -> list[Organisation]:
    return list({organisation.uid: organisation for organisation in organisations}.values())


def _period(pilot: Pilot) -> dict[str, str] | None:
    period = {}
    if pilot.starts_on:
        period["startDate"] = day(pilot.starts_on)
    if pilot.ends_on:
        period["endDate"] = day(pilot.ends_on)
    return period or None


def _country_name(code: str | None, language: str) -> str | None:
    if not code:
        return None
    name: str | None = Locale.parse(language).territories.get(code.upper())
    return name or code
