"""The raw material the demo generator composes from: invented names and bilingual text pieces.

Data only. Every place and organisation built from these parts is fictitious on purpose (the
generated organisations say so in their description); only ``facts.REAL_ORGANISATIONS`` are real.
"""

from __future__ import annotations

from hub.organisations.models import Sector

# Invented place names: roots and endings per country, combined by the generator.
# fmt: off
PLACE_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "BE": (
        (
            "Klaver", "Zwaluw", "Reiger", "Esdoorn", "Vlinder", "Kievit", "Sleedoorn", "Mistel",
            "Lijster", "Specht", "Egel", "Haver", "Gerst", "Kastanje", "Otter", "Kamille",
            "Pimpernel", "Boterbloem", "Zonnedauw", "Veldmuis",
        ),
        ("donk", "hove", "zele", "kerke", "gem", "rode", "laar", "hout", "velde", "dries"),
    ),
    "NL": (
        (
            "Klaver", "Zwaluw", "Reiger", "Esdoorn", "Vlinder", "Kievit", "Sleedoorn", "Mistel",
            "Lijster", "Specht", "Egel", "Haver", "Gerst", "Kastanje", "Otter", "Kamille",
        ),
        ("veen", "wijk", "broek", "horst", "woude", "meer", "dorp", "sloot", "haven", "dijk"),
    ),
}
# fmt: on
# Fewer organisations come from ProCirc's other countries, so a fixed list each is enough.
PLACES: dict[str, tuple[str, ...]] = {
    "DK": ("Svalebjerg", "Hejrevig", "Lærkeholm", "Uglerup", "Odderlund", "Storkeskov"),
    "DE": ("Reiherwalde", "Eulenmoor", "Dachsgrund", "Lerchenwiek", "Kranichsruh", "Igelbrück"),
    "SE": ("Hägervik", "Tranberg", "Lärkholmen", "Uggletorp", "Uttersby", "Igelkärr"),
    "GB": ("Swallowmere", "Heronwick", "Larkmoor", "Owlbridge", "Badgerford", "Hedgecombe"),
}

# (name pattern, sector, how many) — the counts add up to the real programmes' sizes.
GDCA_PROCURERS: tuple[tuple[str, Sector, int], ...] = (
    ("Gemeente {place}", Sector.PUBLIC, 35),
    ("Stad {place}", Sector.PUBLIC, 12),
    ("OCMW {place}", Sector.PUBLIC, 5),
    ("Provincie {place}", Sector.PUBLIC, 2),
    ("AZ {place}", Sector.NON_PROFIT, 8),
    ("Woonzorgcentrum {place}", Sector.NON_PROFIT, 5),
    ("Scholengroep {place}", Sector.PUBLIC, 7),
    ("Hogeschool {place}", Sector.PUBLIC, 3),
    ("Intercommunale {place}", Sector.PUBLIC, 5),
    ("Politiezone {place}", Sector.PUBLIC, 4),
    ("Brouwerij {place} NV", Sector.PRIVATE, 3),
    ("{place} Logistiek NV", Sector.PRIVATE, 3),
    ("Bouwgroep {place} NV", Sector.PRIVATE, 3),
    ("Drukkerij {place} bv", Sector.PRIVATE, 3),
    ("Voedingsbedrijf {place} NV", Sector.PRIVATE, 3),
)
GDCA_FACILITATORS: tuple[tuple[str, Sector, int], ...] = (
    ("{place} Advies bv", Sector.PRIVATE, 12),
    ("Studiebureau {place} bv", Sector.PRIVATE, 8),
    ("Advocatenkantoor {place}", Sector.PRIVATE, 4),
    ("Kenniscentrum Circulair {place}", Sector.KNOWLEDGE, 6),
    ("Onderzoeksgroep Materialen {place}", Sector.KNOWLEDGE, 4),
    ("Netwerk Duurzaam Ondernemen {place}", Sector.NON_PROFIT, 6),
    ("Kringloopcentrum {place}", Sector.NON_PROFIT, 6),
    ("Aankoopcentrale {place}", Sector.PUBLIC, 6),
)
GDCI_PROCURERS: tuple[tuple[str, Sector, int], ...] = (
    ("Gemeente {place}", Sector.PUBLIC, 14),
    ("Provincie {place}", Sector.PUBLIC, 2),
    ("Waterschap {place}", Sector.PUBLIC, 4),
    ("Ziekenhuis {place}", Sector.NON_PROFIT, 3),
    ("Hogeschool {place}", Sector.PUBLIC, 2),
    ("Woningcorporatie {place}", Sector.NON_PROFIT, 3),
    ("{place} Bouw B.V.", Sector.PRIVATE, 2),
    ("Zuivelfabriek {place} B.V.", Sector.PRIVATE, 1),
    ("Transportbedrijf {place} B.V.", Sector.PRIVATE, 2),
    ("{place} Facilitair B.V.", Sector.PRIVATE, 2),
)
# With PIANOo (real), these make GDCI's 45 signatories: 35 procurers + 10 knowledge partners.
GDCI_KNOWLEDGE_PARTNERS: tuple[tuple[str, Sector, int], ...] = (
    ("Adviesbureau {place} B.V.", Sector.PRIVATE, 4),
    ("{place} Inkoopadvies B.V.", Sector.PRIVATE, 3),
    ("Kenniscentrum {place}", Sector.KNOWLEDGE, 2),
)
# ProCirc's partners besides Rijkswaterstaat and Vlaanderen Circulair: (name, sector, country,
# city). Public ones also procure pilots themselves.
PROCIRC_PARTNERS: tuple[tuple[str, Sector, str, str], ...] = (
    ("Svalebjerg Kommune", Sector.PUBLIC, "DK", "Svalebjerg"),
    ("Hejrevig Kommune", Sector.PUBLIC, "DK", "Hejrevig"),
    ("Stadt Reiherwalde", Sector.PUBLIC, "DE", "Reiherwalde"),
    ("Tranbergs kommun", Sector.PUBLIC, "SE", "Tranberg"),
    ("Region Hägervik", Sector.PUBLIC, "SE", "Hägervik"),
    ("Swallowmere Borough Council", Sector.PUBLIC, "GB", "Swallowmere"),
    ("Kreislaufwerk Eulenmoor GmbH", Sector.PRIVATE, "DE", "Eulenmoor"),
    ("Loopwise Consulting Ltd", Sector.PRIVATE, "GB", "Heronwick"),
    ("Kringloopkracht Advies B.V.", Sector.PRIVATE, "NL", ""),
)
# Flemish and Dutch procurers who joined ProCirc pilots through its open call, per programme.
PROCIRC_JOINERS_PER_PROGRAMME = 5

LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "BE": ("NV", "bv"),
    "NL": ("B.V.",),
    "DK": ("ApS",),
    "DE": ("GmbH",),
    "SE": ("AB",),
    "GB": ("Ltd",),
}
# What a supplier in each product group does: (Dutch, English) trade names.
SUPPLIER_TRADES: dict[str, tuple[str, str]] = {
    "food": ("Biohoeve", "Organic Farm"),
    "ict": ("IT-Refurbish", "IT Refurbishment"),
    "textiles": ("Textielherstel", "Textile Repair"),
    "construction": ("Bouwkringloop", "Reclaimed Building Materials"),
    "office_furnishing": ("Kantoorcircuit", "Office Loop"),
    "infrastructure": ("Wegenbouw", "Civil Works"),
    "furniture": ("Meubelrevisie", "Furniture Revival"),
    "disposables": ("Herbruikbekers", "Reusable Cups"),
    "catering": ("Cateraar", "Catering"),
    "workwear": ("Werkkleding", "Workwear"),
    "energy": ("Zonnecoöperatie", "Solar Cooperative"),
    "mobility": ("Deelmobiliteit", "Shared Mobility"),
    "medical": ("Medisch Hergebruik", "Medical Reuse"),
    "facility_services": ("Facilitair", "Facility Services"),
}

FICTITIOUS_NL = "Fictieve organisatie uit de demodataset."
FICTITIOUS_EN = "Fictitious organisation from the demo data set."

# How often each product group comes up in a programme's pilots.
# fmt: off
PRODUCT_GROUP_WEIGHTS: dict[str, dict[str, int]] = {
    "gdca": {
        "food": 10, "ict": 12, "textiles": 8, "construction": 14, "office_furnishing": 10,
        "furniture": 10, "infrastructure": 6, "catering": 6, "workwear": 6, "energy": 5,
        "mobility": 5, "disposables": 4, "facility_services": 4,
    },
    "gdci": {
        "construction": 12, "ict": 12, "furniture": 10, "disposables": 8, "infrastructure": 8,
        "workwear": 8, "catering": 8, "office_furnishing": 6, "medical": 4, "textiles": 5,
        "energy": 4, "mobility": 4, "facility_services": 4,
    },
    "procirc": {"construction": 8, "infrastructure": 7, "furniture": 7, "textiles": 5, "ict": 5},
}
# fmt: on

# Strategies that suit a product group; a pilot's main strategy comes from here.
# fmt: off
STRATEGY_FIT: dict[str, tuple[str, ...]] = {
    "food": ("reduce_materials", "bio_based", "reduce_virgin_input", "recycle"),
    "ict": ("extend_lifetime", "second_hand", "reuse", "product_as_a_service", "recycle"),
    "textiles": ("recycled_content", "reuse", "extend_lifetime", "recycle", "bio_based"),
    "construction": (
        "reuse", "reduce_virgin_input", "recycled_content", "extend_lifetime", "bio_based",
        "reduce_materials",
    ),
    "office_furnishing": ("sharing", "reduce_materials", "recycled_content", "second_hand"),
    "infrastructure": ("recycled_content", "reduce_virgin_input", "reuse", "extend_lifetime"),
    "furniture": (
        "reuse", "second_hand", "product_as_a_service", "extend_lifetime", "recycled_content",
    ),
    "disposables": ("reduce_materials", "reuse", "bio_based", "recycle"),
    "catering": ("reduce_materials", "bio_based", "reuse"),
    "workwear": ("recycled_content", "extend_lifetime", "product_as_a_service", "recycle"),
    "energy": ("product_as_a_service", "extend_lifetime", "recycle"),
    "mobility": ("sharing", "product_as_a_service", "extend_lifetime"),
    "medical": ("reuse", "extend_lifetime", "recycle"),
    "facility_services": ("reduce_materials", "bio_based", "recycle", "product_as_a_service"),
}
# fmt: on

# What is bought: (Dutch, English) noun phrases per product group.
OBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "food": (
        ("biologische en seizoensgebonden voeding", "organic and seasonal food"),
        ("schoolmaaltijden", "school meals"),
        ("verse groenten en fruit", "fresh fruit and vegetables"),
        ("koffie en thee", "coffee and tea"),
    ),
    "ict": (
        ("laptops", "laptops"),
        ("smartphones", "smartphones"),
        ("beeldschermen", "monitors"),
        ("audiovisuele middelen", "audiovisual equipment"),
        ("servers en netwerkapparatuur", "servers and network equipment"),
        ("printers en multifunctionals", "printers and multifunction devices"),
    ),
    "textiles": (
        ("handdoeken en beddengoed", "towels and bed linen"),
        ("gordijnen en raamdecoratie", "curtains and window dressings"),
        ("vlaggen en banners", "flags and banners"),
        ("tapijttegels", "carpet tiles"),
    ),
    "construction": (
        ("een modulair schoolgebouw", "a modular school building"),
        ("een kantoorrenovatie", "an office renovation"),
        ("binnenwanden en plafonds", "interior walls and ceilings"),
        ("gevelbekleding", "façade cladding"),
        ("een nieuwe sporthal", "a new sports hall"),
    ),
    "office_furnishing": (
        ("kantoorbenodigdheden", "office supplies"),
        ("kopieerpapier", "copy paper"),
        ("bureauverlichting", "desk lighting"),
        ("de inrichting van vergaderzalen", "meeting room furnishings"),
    ),
    "infrastructure": (
        ("fietspaden", "cycle paths"),
        ("straatmeubilair", "street furniture"),
        ("wegverharding", "road paving"),
        ("een voetgangersbrug", "a footbridge"),
        ("openbare verlichting", "street lighting"),
    ),
    "furniture": (
        ("kantoormeubilair", "office furniture"),
        ("schoolmeubilair", "school furniture"),
        ("bureaustoelen", "office chairs"),
        ("loungemeubilair", "lounge furniture"),
    ),
    "disposables": (
        ("drinkbekers", "drinking cups"),
        ("cateringverpakkingen", "catering packaging"),
        ("wegwerphandschoenen", "disposable gloves"),
        ("afvalzakken", "waste bags"),
    ),
    "catering": (
        ("bedrijfscatering", "staff catering"),
        ("de koffievoorziening", "the coffee service"),
        ("vergadercatering", "meeting catering"),
    ),
    "workwear": (
        ("werkkleding", "work clothing"),
        ("uniformen", "uniforms"),
        ("veiligheidsschoenen", "safety shoes"),
        ("signalisatiekleding", "high-visibility clothing"),
    ),
    "energy": (
        ("zonnepanelen", "solar panels"),
        ("ledverlichting", "LED lighting"),
        ("batterijopslag", "battery storage"),
    ),
    "mobility": (
        ("dienstfietsen", "service bicycles"),
        ("elektrische dienstwagens", "electric fleet vehicles"),
        ("deelauto’s", "shared cars"),
    ),
    "medical": (
        ("pacemakers", "pacemakers"),
        ("rolstoelen", "wheelchairs"),
        ("ziekenhuisbedden", "hospital beds"),
        ("chirurgische instrumenten", "surgical instruments"),
    ),
    "facility_services": (
        ("schoonmaakdiensten", "cleaning services"),
        ("afvalinzameling", "waste collection"),
        ("groenonderhoud", "grounds maintenance"),
    ),
}

# How the strategy shows in a title: (Dutch, English), e.g. "via hergebruik" / "through reuse".
STRATEGY_PHRASES: dict[str, tuple[str, str]] = {
    "reduce_materials": ("met minder materiaal", "using fewer materials"),
    "reduce_virgin_input": ("met minder primaire grondstoffen", "with less virgin raw material"),
    "extend_lifetime": ("met een langere levensduur", "with a longer lifetime"),
    "reuse": ("via hergebruik", "through reuse"),
    "recycle": ("met hoogwaardige recyclage", "with high-quality recycling"),
    "product_as_a_service": ("als dienst", "as a service"),
    "sharing": ("via delen en poolen", "through sharing and pooling"),
    "second_hand": ("via tweedehandsaankoop", "through second-hand purchase"),
    "recycled_content": ("met gerecycleerd materiaal", "with recycled content"),
    "bio_based": ("op basis van biogebaseerde materialen", "using bio-based materials"),
}

# Title frames: {object} and {strategy} are filled in; the Dutch and English frames pair up.
TITLE_FRAMES: tuple[tuple[str, str], ...] = (
    ("Circulaire aankoop van {object} {strategy}", "Circular procurement of {object} {strategy}"),
    ("Circulair aanbesteden van {object} {strategy}", "Circular tender for {object} {strategy}"),
    ("{Object} {strategy}", "{Object} {strategy}"),
    ("Pilot: {object} {strategy}", "Pilot: {object} {strategy}"),
)

# The phase a pilot is in, for summaries (the UI labels come from the gettext catalogs).
PHASE_NAMES: dict[str, tuple[str, str]] = {
    "needs_assessment": ("behoefteanalyse", "needs assessment"),
    "market_dialogue": ("marktdialoog", "market dialogue"),
    "tender": ("aanbesteding", "tender"),
    "award": ("gunning", "award"),
    "contract_management": ("contractbeheer", "contract management"),
    "end_of_life": ("einde levensduur", "end of life"),
}

# A closing sentence that varies the summaries.
SUMMARY_EXTRAS: tuple[tuple[str, str], ...] = (
    (
        "De ervaringen worden gedeeld in het lerend netwerk van de {programme}.",
        "Experiences are shared in the {programme} learning network.",
    ),
    (
        "De leverancier neemt de materialen na gebruik terug.",
        "The supplier takes the materials back after use.",
    ),
    (
        "Een marktconsultatie ging aan de aanbesteding vooraf.",
        "A market consultation preceded the tender.",
    ),
    (
        "De gunningscriteria belonen herbruikbaarheid en demonteerbaarheid.",
        "The award criteria reward reusability and ease of disassembly.",
    ),
    (
        "De totale eigendomskost (TCO) is een gunningscriterium.",
        "Total cost of ownership (TCO) is an award criterion.",
    ),
    ("", ""),
)

# Contract values in euros per product group: (low, high), drawn log-uniformly.
CONTRACT_VALUES: dict[str, tuple[int, int]] = {
    "food": (30_000, 1_500_000),
    "ict": (20_000, 2_000_000),
    "textiles": (10_000, 400_000),
    "construction": (250_000, 12_000_000),
    "office_furnishing": (5_000, 300_000),
    "infrastructure": (200_000, 15_000_000),
    "furniture": (20_000, 1_500_000),
    "disposables": (5_000, 200_000),
    "catering": (50_000, 3_000_000),
    "workwear": (20_000, 1_000_000),
    "energy": (50_000, 4_000_000),
    "mobility": (40_000, 2_500_000),
    "medical": (30_000, 2_000_000),
    "facility_services": (50_000, 3_000_000),
}
# Raw materials at stake in tonnes per product group: (low, high), drawn log-uniformly.
RAW_MATERIAL_TONNES: dict[str, tuple[float, float]] = {
    "food": (10, 400),
    "ict": (2, 60),
    "textiles": (1, 40),
    "construction": (200, 5_000),
    "office_furnishing": (2, 80),
    "infrastructure": (500, 20_000),
    "furniture": (5, 150),
    "disposables": (1, 30),
    "catering": (10, 300),
    "workwear": (1, 25),
    "energy": (5, 200),
    "mobility": (10, 400),
    "medical": (0.5, 20),
    "facility_services": (5, 150),
}

SUPPORTING_ACTION_FRAMES: tuple[tuple[str, str], ...] = (
    ("Webinar over {topic}", "Webinar on {topic}"),
    ("Workshop over {topic}", "Workshop on {topic}"),
    ("Juridisch advies over {topic}", "Legal advice on {topic}"),
    ("Sjabloon voor {topic}", "Template for {topic}"),
    ("Begeleiding van aankopers bij {topic}", "Coaching procurers on {topic}"),
)
SUPPORTING_ACTION_TOPICS: tuple[tuple[str, str], ...] = (
    ("circulaire gunningscriteria", "circular award criteria"),
    ("de totale eigendomskost (TCO)", "total cost of ownership (TCO)"),
    ("terugnameclausules", "take-back clauses"),
    ("materialenpaspoorten", "material passports"),
    ("product-als-dienstcontracten", "product-as-a-service contracts"),
    ("impactmeting van circulaire aankopen", "measuring the impact of circular procurement"),
    ("innovatiegericht aanbesteden", "innovation-oriented procurement"),
    ("marktconsultaties", "market consultations"),
)

MEETING_THEMES: tuple[tuple[str, str], ...] = (
    ("kennismaking en ambities", "introductions and ambitions"),
    ("marktdialoog voorbereiden", "preparing a market dialogue"),
    ("ervaringen uitwisselen", "sharing experiences"),
    ("impact meten", "measuring impact"),
    ("leveranciers aan het woord", "suppliers have their say"),
    ("opschalen na de pilot", "scaling up after the pilot"),
    ("juridische vragen", "legal questions"),
)
# Venues by programme; real cities as meeting places, never as organisations.
MEETING_VENUES: dict[str, tuple[str, ...]] = {
    "gdca": ("Brussel", "Gent", "Antwerpen", "Mechelen", "Leuven"),
    "gdci": ("Utrecht", "Den Haag", "Amersfoort", "Zwolle"),
    "procirc": ("Utrecht", "Mechelen", "Aarhus", "Hamburg", "Malmö", "London"),
}

LINK_NOTES: dict[str, str] = {
    "applies_to": "Confirmed by the pilot's coordinator: the GDCA lesson applies to this pilot.",
    "inspired": "The pilot team read this GDCA lesson while preparing the tender.",
    "reused_by": "The pilot reused the GDCA template in its tender documents.",
}

# A meeting's agenda: a welcome, its theme, one of these, and the close.
AGENDA_OPENING = ("Welkom en kennismakingsronde", "Welcome and round of introductions")
AGENDA_ITEMS: tuple[tuple[str, str], ...] = (
    (
        "Pilot in de kijker: een deelnemer stelt zijn aanpak voor",
        "Pilot in the spotlight: a participant presents their approach",
    ),
    ("Vragen aan de experts", "Questions for the experts"),
    ("Nieuws uit de andere programma's", "News from the other programmes"),
    ("Lessen uit eerdere pilots", "Lessons from earlier pilots"),
    ("Werken in kleine groepen", "Working in small groups"),
)
AGENDA_CLOSING = ("Afspraken en volgende bijeenkomst", "Agreements and next meeting")
# Places at a meeting in a room (an online meeting has no limit).
MEETING_CAPACITIES = (20, 25, 30, 40, 50)

# A close-out's minutes: the theme, the pilots and lessons discussed, and what was agreed.
MINUTES_THEME = ("Thema van de bijeenkomst: {theme}.", "Theme of the meeting: {theme}.")
MINUTES_PILOTS: dict[int, tuple[str, str]] = {
    1: ("Eén pilot werd voorgesteld en besproken.", "One pilot was presented and discussed."),
    2: (
        "Twee pilots werden voorgesteld en met elkaar vergeleken.",
        "Two pilots were presented and compared.",
    ),
}
MINUTES_LESSONS = (
    "De deelnemers legden geleerde lessen naast hun eigen ervaring.",
    "Participants held lessons learned up against their own experience.",
)
MINUTES_OUTCOMES: tuple[tuple[str, str], ...] = (
    (
        "Afgesproken: de aankopers delen hun bestek in de bibliotheek.",
        "Agreed: the procurers will share their specifications in the library.",
    ),
    (
        "Afgesproken: een marktconsultatie samen voorbereiden.",
        "Agreed: to prepare a market consultation together.",
    ),
    (
        "Afgesproken: de resultaten op dezelfde manier meten.",
        "Agreed: to measure the results in the same way.",
    ),
    (
        "Afgesproken: leveranciers uitnodigen op de volgende bijeenkomst.",
        "Agreed: to invite suppliers to the next meeting.",
    ),
    ("Afgesproken: een gezamenlijke aankoop verkennen.", "Agreed: to explore a joint purchase."),
)

# Posts in a community; the moderator is not named (the demo invents no people).
POST_AUTHOR = "Moderator"
POST_WELCOME = (
    ("Welkom in de {name}", "Welcome to the {name}"),
    (
        "Deze community brengt de aankopers en ondersteuners van {programme} samen rond hun pilots. "
        "Stel je voor op de eerste bijeenkomst en breng je vragen mee.",
        "This community brings together the procurers and supporters of {programme} around their "
        "pilots. Introduce yourself at the first meeting and bring your questions.",
    ),
)
POST_MINUTES = (
    ("Het verslag van de bijeenkomst staat online", "The minutes of the meeting are online"),
    (
        "Het verslag van de bijeenkomst over {theme} staat online, met de pilots en lessen die aan "
        "bod kwamen. Reacties zijn welkom op de volgende bijeenkomst.",
        "The minutes of the meeting on {theme} are online, with the pilots and lessons that were "
        "discussed. Comments are welcome at the next meeting.",
    ),
)
