"""The shapes of what the seed documents say (programmes, communities, figures, real organisations)
and the publications they come from; the facts themselves are in ``programme_facts`` and
``organisation_facts``.

Data only. Every figure names its publication and the date it held, because sources disagree
(GDCA: more than 150, about 170, or 101 + 52 participants). No URLs: none are given in the seeds
and none are invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from hub.communities.models import CommunityStatus
from hub.organisations.models import Role, Sector
from hub.programmes.models import Metric


class Publication(NamedTuple):
    """A publication a figure is cited from: its title as published, and the language of that."""

    title: str
    language: str = "nl"


@dataclass(frozen=True)
class Figure:
    metric: Metric
    value: Decimal
    as_of: dt.date
    source: Publication
    approximate: bool = False
    note_nl: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class CommunityFacts:
    product_group: str | None
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    since: dt.date
    status: CommunityStatus
    contact_name: str = ""


@dataclass(frozen=True)
class ProgrammeFacts:
    code: str
    short_name: str
    name_nl: str
    name_en: str
    source_language: str
    description_nl: str
    description_en: str
    region_nl: str
    region_en: str
    countries: tuple[str, ...]
    starts_on: dt.date
    ends_on: dt.date
    min_pilots_per_procurer: int | None
    min_actions_per_facilitator: int | None
    rules_nl: str
    rules_en: str
    reduction_target_min: Decimal | None
    reduction_target_max: Decimal | None
    key_figures: tuple[Figure, ...]
    communities: tuple[CommunityFacts, ...]
    # Meetings each community holds a year (GDCI: 4 community-of-practice meetings a year).
    meetings_per_year: int
    timezone: str


@dataclass(frozen=True)
class RealOrganisation:
    key: str
    name: str
    sector: Sector
    country: str
    description_nl: str
    description_en: str
    # (programme code, role) for each participation the seeds document.
    roles: tuple[tuple[str, Role], ...]


# The publications the figures come from (seeds 000-004), titled as published.
GDCA_WEBSITE = Publication("Website Green Deal Circulair Aankopen (homepagina, na afloop van de Green Deal)")
VLAANDEREN_CIRCULAIR_PAGE = Publication("Vlaanderen Circulair — Green Deal Circulair Aankopen in Vlaanderen")
INTERREG_GOOD_PRACTICE = Publication(
    "Interreg Europe good practice: Flemish Green Deal Circular Procurement (Green Deal Circulair "
    "Aankopen), published 9 September 2019",
    "en",
)
DICTU_NEWS = Publication(
    "Dienst ICT Uitvoering — Green Deal ‘Circulair Inkopen 2.0’ levert schat aan kennis en "
    "ervaringen op (2021)"
)
GDCI_ANNOUNCEMENT = Publication("Green Deal Circulair Inkopen 2.0 — aankondiging en deelname (april 2018)")
GDCI_FIRST_DEAL_RESULTS = Publication("Drie jaar Green Deal Circulair Inkopen (december 2016)")
PROCIRC_RESULTS = Publication("ProCirc — projectresultaten (Interreg North Sea Region, 2023)")

UNDATED_NL = "Ongedateerde pagina; datum afgeleid uit de tekst."
UNDATED_EN = "Undated page; date inferred from the text."
