"""The GDCA learning network's events, as the demo shows them: eight action and inspiration days and
two Buyer-meets-Supplier events (2017–2019), and one event still to come so that the demo shows a
working registration form.

The seeds say the Green Deal ran eight offline action and inspiration days that brought
participants together, and two Buyer-meets-Supplier events where procurers met circular suppliers
and their offers; networking events had 50 to 200 participants each, the final one on
21 November 2019. Titles, places and outcomes are written for the demo in that spirit (the venues
are real Flemish event venues, the programme of each day is invented). The suppliers who registered
are invented organisations with example.org addresses. Every past date is fixed; the event to come
is dated from the day the demo is loaded (``Demo.today``: about six weeks ahead, on a Thursday), so
its form is open and its date believable, and one seed loaded on one day gives one network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hub.demo.context import Demo
from hub.demo.programme_facts import GDCA
from hub.events.models import Event, EventKind, EventRegistration, Side, event_product_groups
from hub.i18n import TIMEZONE

ZONE = ZoneInfo(TIMEZONE)
ACTION, INSPIRATION, BMS = EventKind.ACTION_DAY, EventKind.INSPIRATION_DAY, EventKind.BUYER_MEETS_SUPPLIER


@dataclass(frozen=True)
class EventText:
    kind: EventKind
    day: dt.date | None  # None: the event to come, dated from the day the demo is loaded
    location: str
    product_groups: tuple[str, ...]
    title_nl: str
    title_en: str
    summary_nl: str
    summary_en: str
    outcome_nl: str = ""
    outcome_en: str = ""


@dataclass(frozen=True)
class Supplier:
    """An invented supplier registered for a Buyer-meets-Supplier event with its circular offer."""

    event: int  # index in EVENTS
    product_group: str
    organisation: str
    contact: str
    offer: str


# fmt: off
EVENTS: tuple[EventText, ...] = (
    EventText(
        INSPIRATION, dt.date(2017, 10, 10), "Lamot Congres- en Erfgoedcentrum, Mechelen", (),
        "Inspiratiedag: circulair aankopen van start", "Inspiration day: circular procurement starts",
        "De aftrap van het lerend netwerk: wat circulair aankopen is, wat de Green Deal van aankopers "
        "en facilitatoren vraagt en hoe je een eerste pilot kiest.",
        "The kick-off of the learning network: what circular procurement is, what the Green Deal asks "
        "of procurers and facilitators and how to choose a first pilot.",
        "Meer dan 150 deelnemers kozen in workshops per productgroep een eerste pilot; de vragen die "
        "bleven hangen werden de onderwerpen van de eerste webinars.",
        "More than 150 participants chose a first pilot in workshops per product group; the questions "
        "that remained became the subjects of the first webinars.",
    ),
    EventText(
        ACTION, dt.date(2017, 12, 7), "ICC Gent, Gent", (),
        "Actiedag: je eerste circulaire pilot", "Action day: your first circular pilot",
        "Aankopers werken hun pilot uit met facilitatoren: behoefte, ambitie en de circulaire "
        "strategie die erbij past.",
        "Procurers work out their pilot with facilitators: the need, the ambition and the circular "
        "strategy that fits it.",
        "Zestig pilots kregen een eerste plan van aanpak; aankopers vroegen vooral om voorbeelden van "
        "gunningscriteria.",
        "Sixty pilots got a first plan of approach; procurers asked above all for examples of award "
        "criteria.",
    ),
    EventText(
        ACTION, dt.date(2018, 3, 15), "Felix Pakhuis, Antwerpen", ("office_furnishing", "ict"),
        "Actiedag kantoorinrichting en ICT", "Action day office furnishing and ICT",
        "Hoe koop je meubilair en ICT-materiaal dat langer meegaat, hergebruikt of teruggenomen wordt? "
        "Met voorbeelden van product-als-dienst.",
        "How do you buy furniture and ICT equipment that lasts longer, is reused or taken back? With "
        "examples of product-as-a-service.",
        "Aankopers deelden bestekteksten voor terugname en hergebruik; een groep van twaalf besloot "
        "samen een marktconsultatie voor kantoormeubilair te organiseren.",
        "Procurers shared tender texts for take-back and reuse; a group of twelve decided to organise "
        "a market consultation for office furniture together.",
    ),
    EventText(
        BMS, dt.date(2018, 5, 24), "Herman Teirlinckgebouw, Brussel",
        ("office_furnishing", "textiles", "ict"),
        "Buyer meets Supplier: kantoorinrichting, textiel en ICT",
        "Buyer meets Supplier: office furnishing, textiles and ICT",
        "Aankopers ontmoeten leveranciers met een circulair aanbod in korte gesprekken aan tafel. "
        "Leveranciers horen wat aankopers nodig hebben en waar ze op botsen.",
        "Procurers meet suppliers with a circular offer in short conversations at the table. "
        "Suppliers hear what procurers need and what holds them back.",
        "Zo'n 90 aankopers en 30 leveranciers voerden meer dan 200 gesprekken. Leveranciers vroegen "
        "om langere contracten zodat terugname en herstel rendabel worden.",
        "Some 90 procurers and 30 suppliers held more than 200 conversations. Suppliers asked for "
        "longer contracts so that take-back and repair pay off.",
    ),
    EventText(
        INSPIRATION, dt.date(2018, 6, 21), "Provinciehuis Vlaams-Brabant, Leuven", (),
        "Inspiratiedag: één jaar Green Deal", "Inspiration day: one year of Green Deal",
        "Een jaar na de start: de eerste resultaten van de pilots, de lessen die al getrokken zijn en "
        "wat het netwerk het komende jaar wil bereiken.",
        "A year after the start: the first results of the pilots, the lessons already drawn and what "
        "the network wants to achieve in the coming year.",
        "Tien pilots stelden hun resultaten voor; de deelnemers kozen monitoring en intern draagvlak "
        "als thema's voor het tweede jaar.",
        "Ten pilots presented their results; participants chose monitoring and internal support as "
        "the themes of the second year.",
    ),
    EventText(
        ACTION, dt.date(2018, 10, 18), "C-mine, Genk", ("construction", "infrastructure"),
        "Actiedag bouw en infrastructuur", "Action day construction and infrastructure",
        "Circulair bouwen en renoveren: materialenpaspoorten, demonteerbaar ontwerp en hergebruik van "
        "bouwmaterialen in overheidsopdrachten.",
        "Circular building and renovation: material passports, design for disassembly and the reuse "
        "of building materials in public contracts.",
        "De deelnemers stelden een lijst op van bouwmaterialen die vandaag al hergebruikt kunnen "
        "worden en van de certificaten die daarvoor nog ontbreken.",
        "Participants drew up a list of building materials that can be reused today and of the "
        "certificates still missing for it.",
    ),
    EventText(
        ACTION, dt.date(2019, 2, 14), "Kortrijk Xpo, Kortrijk", ("food", "catering"),
        "Actiedag voeding en catering", "Action day food and catering",
        "Voedselverlies voorkomen en herbruikbare verpakkingen in catering: wat kan een aankoper "
        "vragen, en wat kan de markt al leveren?",
        "Preventing food waste and reusable packaging in catering: what can a procurer ask for, and "
        "what can the market already deliver?",
        "Cateraars en aankopers spraken af om voedselverlies in nieuwe contracten te meten; drie "
        "steden starten met herbruikbare bekers op evenementen.",
        "Caterers and procurers agreed to measure food waste in new contracts; three cities start "
        "with reusable cups at events.",
    ),
    EventText(
        BMS, dt.date(2019, 4, 25), "De Krook, Gent", ("food", "construction", "textiles"),
        "Buyer meets Supplier: voeding, bouw en textiel",
        "Buyer meets Supplier: food, construction and textiles",
        "De tweede ontmoeting van aankopers en circulaire leveranciers, met tafels per productgroep "
        "en een marktplaats van circulaire producten en diensten.",
        "The second meeting of procurers and circular suppliers, with tables per product group and a "
        "marketplace of circular products and services.",
        "Meer dan 100 aankopers bezochten de marktplaats; vier pilots vonden er een leverancier voor "
        "hun marktconsultatie.",
        "More than 100 procurers visited the marketplace; four pilots found a supplier for their "
        "market consultation there.",
    ),
    EventText(
        ACTION, dt.date(2019, 6, 13), "Oud Sint-Jan, Brugge", (),
        "Actiedag: opschalen en monitoren", "Action day: scaling up and monitoring",
        "Van pilot naar gewone praktijk: hoe meet je wat een circulaire aankoop oplevert en hoe maak "
        "je er de standaard van in je organisatie?",
        "From pilot to common practice: how do you measure what a circular purchase delivers and how "
        "do you make it the standard in your organisation?",
        "De deelnemers testten de online tool om doelen en voortgang op te volgen en gaven feedback "
        "voor de volgende versie.",
        "Participants tested the online tool for following up goals and progress and gave feedback "
        "for its next version.",
    ),
    EventText(
        INSPIRATION, dt.date(2019, 11, 21), "Herman Teirlinckgebouw, Brussel", (),
        "Slotevent Green Deal Circulair Aankopen", "Closing event Green Deal Circular Procurement",
        "Het slot van de Green Deal: de resultaten van 101 aankopers en 52 facilitatoren, en hoe het "
        "netwerk verdergaat in gemeenschappen per productgroep.",
        "The close of the Green Deal: the results of 101 procurers and 52 facilitators, and how the "
        "network continues in communities per product group.",
        "Ongeveer 200 deelnemers blikten terug op zo'n 200 experimenten en 60 ondersteunende acties. "
        "Vanaf 2020 gaat het netwerk verder in vijf productgroepgemeenschappen.",
        "About 200 participants looked back on some 200 experiments and 60 supporting actions. From "
        "2020 the network continues in five product-group communities.",
    ),
    EventText(
        BMS, None, "Herman Teirlinckgebouw, Brussel", ("ict", "office_furnishing"),
        "Buyer meets Supplier: circulaire ICT en kantoorinrichting",
        "Buyer meets Supplier: circular ICT and office furnishing",
        "Schrijf je in als aankoper of als leverancier met een circulair aanbod. Demodata: dit "
        "evenement is gegenereerd voor de demonstratie.",
        "Register as a procurer or as a supplier with a circular offer. Demo data: this event was "
        "generated for the demonstration.",
    ),
)

SUPPLIERS: tuple[Supplier, ...] = (
    Supplier(3, "office_furnishing", "Herzit Meubelcircuit", "Lien Van Damme",
             "Gereviseerde bureaustoelen en -tafels met vijf jaar garantie, en terugname aan "
             "het einde van het contract."),
    Supplier(3, "office_furnishing", "Tweede Ronde Interieur", "Tom Verhaegen",
             "Kantoorinrichting als dienst: je betaalt per werkplek per maand, wij herstellen "
             "en herstofferen."),
    Supplier(3, "textiles", "Vezelkring", "Sara Michiels",
             "Werkkledij uit gerecycleerde vezels, met een inzamelsysteem voor afgedankte kledij."),
    Supplier(3, "ict", "Refurb Noord", "Jonas Claeys",
             "Gereviseerde laptops en schermen met dezelfde garantie als nieuwe, en veilige "
             "datawissing bij terugname."),
    Supplier(7, "food", "Korte Keten Catering", "Eva De Wilde",
             "Catering met lokale seizoensproducten, herbruikbaar servies en meting van "
             "voedselverlies per maaltijd."),
    Supplier(7, "construction", "Bouwkring Hergebruik", "Wout Maes",
             "Selectieve ontmanteling en herverkoop van bouwmaterialen, met een inventaris vóór de sloop."),
    Supplier(7, "construction", "Modulo Bouwsystemen", "Nele Janssens",
             "Demonteerbare modulaire units met een materialenpaspoort, te huur of te koop "
             "met terugkoopgarantie."),
    Supplier(7, "textiles", "Draadwerk Herstel", "Pieter Goossens",
             "Herstel en hergebruik van bedrijfstextiel; wat niet meer te herstellen is, wordt nieuw garen."),
    Supplier(10, "ict", "Refurb Noord", "Jonas Claeys",
             "Gereviseerde laptops en schermen als dienst, met herstel ter plaatse. Demodata."),
    Supplier(10, "office_furnishing", "Tweede Ronde Interieur", "Tom Verhaegen",
             "Herstoffering en herindeling van bestaand meubilair in plaats van nieuw aankopen. Demodata."),
)
# fmt: on


AHEAD = dt.timedelta(weeks=6)  # how far ahead the event to come is
THURSDAY = 3


def _day(text: EventText, today: dt.date) -> dt.date:
    """An event's day; the event to come's is the first Thursday six weeks or more after ``today``."""
    if text.day is not None:
        return text.day
    earliest = today + AHEAD
    return earliest + dt.timedelta(days=(THURSDAY - earliest.weekday()) % 7)


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE).astimezone(dt.UTC)


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def load_events(demo: Demo) -> None:
    """The GDCA events with their product groups, and the suppliers who registered."""
    programme_id = demo.programmes[GDCA.code]
    rows: list[dict[str, Any]] = []
    days = [_day(text, demo.today) for text in EVENTS]
    for text, day in zip(EVENTS, days, strict=True):
        bms = text.kind is BMS
        starts = _moment(day, 9, 30)
        # Announced two months ahead; the event to come, a month before the demo's day.
        announced = min(starts - dt.timedelta(days=60), _moment(demo.today, 9) - dt.timedelta(days=30))
        rows.append(
            demo.record(
                programme_id=programme_id,
                kind=text.kind,
                source_language="nl",
                title_nl=text.title_nl,
                title_en=text.title_en,
                summary_nl=text.summary_nl,
                summary_en=text.summary_en,
                outcome_nl=text.outcome_nl,
                outcome_en=text.outcome_en,
                starts_at=starts,
                ends_at=_moment(day, 16, 30),
                timezone=TIMEZONE,
                location=text.location,
                capacity_buyers=120 if bms else 200,
                capacity_suppliers=40 if bms else 0,
                registration_closes_at=None,
                created_at=announced,
                updated_at=announced,
            )
        )
    ids = demo.insert(Event, rows)
    demo.insert_plain(
        event_product_groups,
        [
            {"event_id": event_id, "product_group_id": demo.product_groups[code]}
            for text, event_id in zip(EVENTS, ids, strict=True)
            for code in text.product_groups
        ],
    )
    demo.insert_plain(
        EventRegistration,
        [
            {
                "event_id": ids[supplier.event],
                "side": Side.SUPPLIER,
                "organisation_name": supplier.organisation,
                "contact_name": supplier.contact,
                "email": f"{_slug(supplier.contact)}@{_slug(supplier.organisation)}.example.org",
                "product_group_id": demo.product_groups[supplier.product_group],
                "circular_offer": supplier.offer,
                "language": "nl",
                "created_at": min(  # three weeks before the event, or in the days before today
                    rows[supplier.event]["starts_at"] - dt.timedelta(days=21 + n),
                    _moment(demo.today, 9) - dt.timedelta(days=1 + n),
                ),
                "cancelled_at": None,
            }
            for n, supplier in enumerate(SUPPLIERS)
        ],
    )
