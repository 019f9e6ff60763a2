"""The GDCA learning network's online library, as the demo shows it: webinars, legal questions and
answers, toolbox entries and documents, Dutch source with an English translation.

The seeds say the learning platform held 14 webinars, a legal Q&A, a circular procurement toolbox
and a library with general and sector-specific information. These entries are written for the
demo in that spirit: general circular procurement practice, not quotations from GDCA material.
Speakers are invented names; links point to example.org. Each entry is linked from a few GDCA
pilots and lessons of its product group (or, without one, from a few general lessons).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hub.demo.community import LessonRef
from hub.demo.context import Demo
from hub.demo.pilots import PilotRef
from hub.library.models import LibraryItem, LibraryKind, ToolKind, library_item_lessons, library_item_pilots
from hub.pilots.models import PilotStatus
from hub.taxonomy.models import Phase

LINKED_PILOTS = 2  # at most, per entry
LINKED_LESSONS = 2
LINKS = "https://example.org/gdca/library/"


@dataclass(frozen=True)
class LibraryText:
    kind: LibraryKind
    tool_kind: ToolKind | None
    phase: Phase | None
    product_group: str | None
    strategy: str | None
    held_on: dt.date | None
    speakers: str
    slug: str
    title_nl: str
    body_nl: str
    title_en: str
    body_en: str


W, Q, T, D = LibraryKind.WEBINAR, LibraryKind.LEGAL_QA, LibraryKind.TOOLBOX, LibraryKind.DOCUMENT
NEEDS, DIALOGUE, TENDER = Phase.NEEDS_ASSESSMENT, Phase.MARKET_DIALOGUE, Phase.TENDER
AWARD, CONTRACT, END = Phase.AWARD, Phase.CONTRACT_MANAGEMENT, Phase.END_OF_LIFE

# Compact rows: kind, tool kind, phase, product group, strategy, date, speakers, slug, then the texts.
# fmt: off
LIBRARY: tuple[LibraryText, ...] = (
    LibraryText(
        W, None, NEEDS, None, None, dt.date(2017, 10, 17), "Sofie Claes, Pieter Wouters",
        "webinar-waar-begin-je",
        "Webinar: circulair aankopen, waar begin je?",
        "Een eerste verkenning voor wie net gestart is: wat circulair aankopen is, hoe je een "
        "geschikte aankoop kiest voor een pilot en wie je in je organisatie mee aan boord haalt.",
        "Webinar: circular procurement, where do you start?",
        "A first exploration for those who have just started: what circular procurement is, how to "
        "choose a suitable purchase for a pilot and whom to bring on board in your organisation.",
    ),
    LibraryText(
        W, None, DIALOGUE, None, None, dt.date(2018, 2, 20), "Hanne Maes, Koen De Smet",
        "webinar-marktconsultatie",
        "Webinar: de markt consulteren voor een circulaire aankoop",
        "Hoe organiseer je een marktconsultatie die leveranciers uitnodigt om circulaire "
        "oplossingen voor te stellen, en wat doe je met wat je hoort? Met voorbeelden uit "
        "lopende pilots.",
        "Webinar: consulting the market for a circular purchase",
        "How do you organise a market consultation that invites suppliers to propose circular "
        "solutions, and what do you do with what you hear? With examples from running pilots.",
    ),
    LibraryText(
        W, None, TENDER, "office_furnishing", "sharing", dt.date(2018, 6, 12),
        "Lotte Peeters, Bram Jacobs",
        "webinar-kantoorinrichting",
        "Webinar: circulaire kantoorinrichting",
        "Delen, herstofferen en hergebruiken: drie aankopers vertellen hoe ze hun kantoorinrichting "
        "circulair aanbesteedden en welke gunningscriteria het verschil maakten.",
        "Webinar: circular office furnishing",
        "Sharing, reupholstering and reusing: three procurers tell how they tendered their office "
        "furnishing circularly and which award criteria made the difference.",
    ),
    LibraryText(
        W, None, TENDER, "ict", "extend_lifetime", dt.date(2018, 11, 27), "Ruben Willems, Eline Goossens",
        "webinar-ict-langer-gebruiken",
        "Webinar: ICT-hardware langer gebruiken",
        "Langere garanties, herstelbaarheid en gereviseerde toestellen: wat kun je vandaag al "
        "vragen aan leveranciers van laptops en smartphones?",
        "Webinar: using ICT hardware for longer",
        "Longer warranties, repairability and refurbished devices: what can you already ask of "
        "suppliers of laptops and smartphones today?",
    ),
    LibraryText(
        W, None, CONTRACT, "food", "reduce_materials", dt.date(2019, 3, 19), "Nele Hermans, Wim Aerts",
        "webinar-voedselverlies",
        "Webinar: minder voedselverlies in grootkeukens",
        "Meten, bijsturen en afspraken maken in het contract: hoe grootkeukens hun voedselverlies "
        "met een derde verminderden.",
        "Webinar: less food waste in large kitchens",
        "Measuring, adjusting and agreeing on it in the contract: how large kitchens cut their food "
        "waste by a third.",
    ),
    LibraryText(
        Q, None, TENDER, None, "reuse", None, "",
        "vraag-hergebruikte-producten",
        "Mag ik in mijn bestek vragen naar hergebruikte producten?",
        "Ja. Technische specificaties mogen eisen stellen aan de herkomst van materialen en aan "
        "het productieproces, zolang die eisen verband houden met het voorwerp van de opdracht en "
        "in verhouding staan tot wat je aankoopt.\n\nLaat gelijkwaardige oplossingen toe en "
        "omschrijf wat je verwacht liefst functioneel, zodat je geen leveranciers uitsluit.",
        "May I ask for reused products in my specifications?",
        "Yes. Technical specifications may set requirements on the origin of materials and on the "
        "production process, as long as those requirements are linked to the subject matter of "
        "the contract and proportionate to what you buy.\n\nAllow equivalent solutions and "
        "preferably describe what you expect in functional terms, so that you exclude no suppliers.",
    ),
    LibraryText(
        Q, None, NEEDS, "furniture", "product_as_a_service", None, "",
        "vraag-product-als-dienst",
        "Kan ik een product-als-dienst aanbesteden?",
        "Ja. Wie betaalt voor het gebruik in plaats van voor het bezit, plaatst meestal een "
        "opdracht voor diensten. Let op de looptijd, op wat er gebeurt met de producten aan het "
        "einde van het contract en op de voorwaarden voor onderhoud en vervanging.",
        "Can I tender a product as a service?",
        "Yes. If you pay for use rather than ownership, you usually award a services contract. Mind "
        "the duration, what happens to the products at the end of the contract and the terms for "
        "maintenance and replacement.",
    ),
    LibraryText(
        Q, None, AWARD, None, None, None, "",
        "vraag-terugnamegarantie",
        "Mag een terugnamegarantie meetellen als gunningscriterium?",
        "Ja, als de terugname verband houdt met het voorwerp van de opdracht en je vooraf duidelijk "
        "maakt hoe je ze beoordeelt. Vraag ook hoe de leverancier de teruggenomen producten "
        "hergebruikt of recycleert, en hoe hij dat aantoont.",
        "May a take-back guarantee count as an award criterion?",
        "Yes, if the take-back is linked to the subject matter of the contract and you state in "
        "advance how you will score it. Also ask how the supplier reuses or recycles the products "
        "taken back, and how it will show this.",
    ),
    LibraryText(
        T, ToolKind.TEMPLATE, NEEDS, None, None, None, "",
        "sjabloon-ambities",
        "Sjabloon: circulaire ambities voor je aankoopbeleid",
        "Een sjabloon om samen met gebruikers en budgethouders vast te leggen welke circulaire "
        "doelen je met een aankoop nastreeft en hoe je ze opvolgt.",
        "Template: circular ambitions for your procurement policy",
        "A template to record, together with users and budget holders, which circular goals you "
        "pursue with a purchase and how you will follow them up.",
    ),
    LibraryText(
        T, ToolKind.MODEL_TENDER_TEXT, TENDER, "furniture", "reuse", None, "",
        "modelbestek-meubilair",
        "Modelbestektekst: hergebruikt en hersteld meubilair",
        "Bestekteksten om over te nemen: technische specificaties voor hergebruikte onderdelen, "
        "gunningscriteria voor herstelbaarheid en een clausule over terugname.",
        "Model tender text: reused and repaired furniture",
        "Tender texts to copy: technical specifications for reused parts, award criteria for "
        "repairability and a take-back clause.",
    ),
    LibraryText(
        T, ToolKind.CALCULATOR, AWARD, None, None, None, "",
        "rekentool-tco",
        "Rekentool: de totale kost over de levensduur",
        "Een rekenblad om offertes te vergelijken op hun totale kost over de levensduur: "
        "aankoop, onderhoud, energie, herstel en de waarde aan het einde.",
        "Calculator: the total cost over the lifetime",
        "A spreadsheet to compare bids on their total cost over the lifetime: purchase, "
        "maintenance, energy, repair and the value at the end.",
    ),
    LibraryText(
        T, ToolKind.GUIDE, None, "construction", "reduce_virgin_input", None, "",
        "stappenplan-bouw",
        "Stappenplan: circulair bouwen en renoveren",
        "Van de eerste inventaris van wat er al is tot de oplevering: de stappen van een circulair "
        "bouw- of renovatieproject en waar je als aankoper het verschil maakt.",
        "Step by step: circular building and renovation",
        "From the first inventory of what is already there to delivery: the steps of a circular "
        "building or renovation project and where you make the difference as a procurer.",
    ),
    LibraryText(
        D, None, None, None, None, None, "",
        "overzicht-leerervaringen",
        "Wat de pilots ons leerden: een overzicht",
        "Een overzicht van de succesfactoren en drempels die de aankopers in hun pilots "
        "tegenkwamen, geordend volgens de fasen van het aankoopproces.",
        "What the pilots taught us: an overview",
        "An overview of the success factors and barriers the procurers met in their pilots, "
        "ordered by the phases of the procurement process.",
    ),
    LibraryText(
        D, None, END, "textiles", "recycle", None, "",
        "inspiratie-textiel",
        "Inspiratienota: textiel en bedrijfskleding na gebruik",
        "Wat kan er met afgedankt textiel en bedrijfskleding gebeuren? Voorbeelden van "
        "hergebruik, recyclage en afspraken met leveranciers.",
        "Inspiration note: textiles and workwear after use",
        "What can happen to discarded textiles and workwear? Examples of reuse, recycling and "
        "agreements with suppliers.",
    ),
)
# fmt: on


def library_row(demo: Demo, entry: LibraryText, slug: str) -> dict[str, Any]:
    """A library entry's row (its uid drawn now), at ``slug`` under the example links."""
    return demo.record(
        programme_id=demo.programmes["gdca"],
        kind=entry.kind,
        tool_kind=entry.tool_kind,
        title_nl=entry.title_nl,
        title_en=entry.title_en,
        body_nl=entry.body_nl,
        body_en=entry.body_en,
        url=f"{LINKS}{slug}",
        held_on=entry.held_on,
        speakers=entry.speakers,
        product_group_id=demo.product_groups[entry.product_group] if entry.product_group else None,
        strategy_id=demo.strategies[entry.strategy] if entry.strategy else None,
        phase=entry.phase,
        source_language="nl",
    )


def load_library(demo: Demo, pilots: list[PilotRef], lessons: list[LessonRef]) -> None:
    """GDCA's library entries, each linked from a few GDCA pilots and lessons."""
    rng = demo.rng
    rows: list[dict[str, Any]] = []
    for entry in LIBRARY:
        rows.append(library_row(demo, entry, entry.slug))
    ids = demo.insert(LibraryItem, rows)
    pilot_links: list[dict[str, Any]] = []
    lesson_links: list[dict[str, Any]] = []
    for item_id, entry in zip(ids, LIBRARY, strict=True):
        group = entry.product_group
        candidates = [
            pilot.id
            for pilot in pilots
            if group
            and pilot.programme == "gdca"
            and pilot.product_group == group
            and pilot.status in (PilotStatus.RUNNING, PilotStatus.COMPLETED)
        ]
        chosen = rng.sample(candidates, min(LINKED_PILOTS, len(candidates)))
        pilot_links += [{"item_id": item_id, "pilot_id": pilot_id} for pilot_id in sorted(chosen)]
        related = [lesson.id for lesson in lessons if lesson.product_group == group]
        chosen = rng.sample(related, min(LINKED_LESSONS, len(related)))
        lesson_links += [{"item_id": item_id, "lesson_id": lesson_id} for lesson_id in sorted(chosen)]
    demo.insert_plain(library_item_pilots, pilot_links)
    demo.insert_plain(library_item_lessons, lesson_links)
