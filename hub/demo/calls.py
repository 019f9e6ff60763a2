"""The demo's calls to join: ProCirc's open call to join its pilots (closed now), and one open call
of the GDCA network so that the demo shows a working interest form.

ProCirc's call comes from the seeds: the GDCA website, after the Green Deal ended (dated 2020 like
its other statements), announced that within ProCirc more than 30 circular procurement pilots would
be set up and asked organisations interested in taking part to say so. The seeds give no closing
day; the call is taken to close with the project (its end in the demo's facts). The GDCA call is
invented and says so: the Green Deal ended in 2019, its network went on in communities per product
group (seed 000), and the call looks for procurers for a new pilot there. It opened two weeks before
the day the demo is loaded and closes two months after it (``Demo.today``), so that its form is
open and its dates believable. Nothing here draws from the random generator, so a seed loaded on a
day gives the same calls and the rest of the network is unchanged by them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.calls.models import Call
from hub.demo.context import Demo
from hub.demo.programme_facts import GDCA, PROCIRC

PROCIRC_CALL_ANNOUNCED = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # the GDCA website's "from 2020"
GDCA_CALL_OPEN_BEFORE = dt.timedelta(weeks=2)  # before the day the demo is loaded
GDCA_CALL_OPEN_AFTER = dt.timedelta(weeks=8)

PROCIRC_TITLE_NL = "Doe mee aan een ProCirc-pilot"
PROCIRC_TITLE_EN = "Join a ProCirc pilot"
PROCIRC_BODY_NL = (
    "Binnen ProCirc worden meer dan 30 pilootprojecten voor circulair aankopen opgezet. Heb je "
    "interesse om deel te nemen? Laat het dan zeker weten!\n\n"
    "Aankopers buiten het partnerschap kunnen via deze open oproep aansluiten bij pilots. Elke "
    "pilot mikt op 20 tot 25 % minder grondstoffen, afval en CO2-uitstoot. Vlaamse aankopers "
    "brengen de lessen van de Green Deal Circulair Aankopen mee en leren, experimenteren en "
    "wisselen uit in een Europese context."
)
PROCIRC_BODY_EN = (
    "Within ProCirc, more than 30 circular procurement pilots are being set up. Are you interested "
    "in taking part? Then let us know!\n\n"
    "Procurers outside the partnership can join pilots through this open call. Each pilot aims to "
    "reduce raw materials, waste and CO2 emissions by 20–25 %. Flemish procurers bring the lessons "
    "of the Green Deal Circular Procurement and learn, experiment and exchange in a European "
    "context."
)

GDCA_TITLE_NL = "Aankopers gezocht voor een nieuwe pilot in het GDCA-netwerk"
GDCA_TITLE_EN = "Procurers wanted for a new pilot in the GDCA network"
GDCA_BODY_NL = (
    "Het netwerk van de Green Deal Circulair Aankopen gaat verder in gemeenschappen per "
    "productgroep. Voor een nieuwe pilot zoeken we aankopende organisaties die mee willen "
    "aankopen, en leveranciers of experts die de aanpak willen versterken. Laat weten welke rol je "
    "organisatie zou opnemen en voor welke productgroep; de coördinatoren antwoorden je per e-mail.\n\n"
    "Demodata: deze oproep is gegenereerd voor de demonstratie."
)
GDCA_BODY_EN = (
    "The network of the Green Deal Circular Procurement goes on in communities per product group. "
    "For a new pilot we are looking for procuring organisations that want to buy along, and for "
    "suppliers or experts who want to strengthen the approach. Tell us what role your organisation "
    "would take and for which product group; the coordinators answer you by e-mail.\n\n"
    "Demo data: this call was generated for the demonstration."
)


def load_calls(demo: Demo) -> None:
    """ProCirc's closed call for its pilots and the GDCA network's open call for a new pilot."""
    opened = dt.datetime.combine(demo.today - GDCA_CALL_OPEN_BEFORE, dt.time(9), tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = [
        {
            "programme_id": demo.programmes[PROCIRC.code],
            "pilot_id": None,
            "source_language": "nl",  # the seed is the GDCA website's Dutch text
            "title_nl": PROCIRC_TITLE_NL,
            "title_en": PROCIRC_TITLE_EN,
            "body_nl": PROCIRC_BODY_NL,
            "body_en": PROCIRC_BODY_EN,
            "closes_on": PROCIRC.ends_on,
            "closed_at": None,
            "created_at": PROCIRC_CALL_ANNOUNCED,
            "created_by_id": None,
        },
        {
            "programme_id": demo.programmes[GDCA.code],
            "pilot_id": None,  # a pilot still to be set up
            "source_language": GDCA.source_language,
            "title_nl": GDCA_TITLE_NL,
            "title_en": GDCA_TITLE_EN,
            "body_nl": GDCA_BODY_NL,
            "body_en": GDCA_BODY_EN,
            "closes_on": demo.today + GDCA_CALL_OPEN_AFTER,
            "closed_at": None,
            "created_at": opened,
            "created_by_id": None,
        },
    ]
    demo.insert_plain(Call, rows)
