"""The three programmes as the seed documents describe them: dates, partners, communities and
every published figure with its source (see ``hub.demo.facts`` for why figures are dated)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hub.communities.models import CommunityStatus
from hub.demo.facts import (
    DICTU_NEWS,
    GDCA_WEBSITE,
    GDCI_ANNOUNCEMENT,
    GDCI_FIRST_DEAL_RESULTS,
    INTERREG_GOOD_PRACTICE,
    PROCIRC_RESULTS,
    UNDATED_EN,
    UNDATED_NL,
    VLAANDEREN_CIRCULAIR_PAGE,
    CommunityFacts,
    Figure,
    ProgrammeFacts,
)
from hub.programmes.models import Metric

GDCA = ProgrammeFacts(
    code="gdca",
    short_name="GDCA",
    name_nl="Green Deal Circulair Aankopen",
    name_en="Green Deal Circular Procurement (Flanders)",
    source_language="nl",
    description_nl=(
        "Publiek-privaat lerend netwerk dat via het aankoopbeleid de transitie naar een circulaire "
        "economie wil versnellen. In 2017 opgezet door Vlaanderen Circulair, samen met The Shift, "
        "VVSG en Bond Beter Leefmilieu, en in juni 2017 officieel ondertekend. Aankopende "
        "organisaties startten circulaire aankoopprojecten, faciliterende organisaties "
        "ondersteunden hen. Het lerend netwerk bood webinars, een juridische "
        "vraag-en-antwoordrubriek, een circulaire toolbox, een bibliotheek, actie- en "
        "inspiratiedagen en Buyer meets Supplier-evenementen, en een online tool waarmee aankopers "
        "doelen en strategieën kozen en hun voortgang opvolgden. Vanaf 2020 gaat het netwerk "
        "verder in productgroepspecifieke communities of practice."
    ),
    description_en=(
        "A public-private learning network that set out to speed up the transition to a circular "
        "economy through procurement. Set up in 2017 by Vlaanderen Circulair with The Shift, VVSG "
        "and Bond Beter Leefmilieu, and officially signed in June 2017. Procuring organisations "
        "started circular procurement projects; facilitators supported them. The learning network "
        "offered webinars, a legal Q&A, a circular toolbox, a library, action and inspiration days "
        "and Buyer meets Supplier events, and an online tool in which procurers chose goals and "
        "strategies and followed up their progress. From 2020 the network continues as "
        "product-group communities of practice."
    ),
    region_nl="Vlaanderen",
    region_en="Flanders",
    countries=("BE",),
    starts_on=dt.date(2017, 6, 1),
    ends_on=dt.date(2019, 11, 21),
    min_pilots_per_procurer=2,
    min_actions_per_facilitator=1,
    # The GDCA's own page says "one or more" supporting commitments; the Interreg good practice
    # says "at least two supporting projects". The programme's own rule is kept.
    rules_nl=(
        "Een aankopende organisatie engageert zich om minimaal twee circulaire aankoopprojecten op "
        "te starten (van september 2017 tot eind juni 2019). Een faciliterende organisatie neemt "
        "één of meer concrete engagementen om circulair aankopen in Vlaanderen mee te faciliteren. "
        "De inschrijfperiode liep tot eind 2017."
    ),
    rules_en=(
        "A procuring organisation commits to starting at least two circular procurement projects "
        "(September 2017 to the end of June 2019). A facilitator takes on one or more concrete "
        "commitments to help facilitate circular procurement in Flanders. Registration closed at "
        "the end of 2017."
    ),
    reduction_target_min=None,
    reduction_target_max=None,
    key_figures=(
        Figure(
            Metric.PARTICIPANTS,
            Decimal(170),
            dt.date(2018, 1, 1),
            VLAANDEREN_CIRCULAIR_PAGE,
            approximate=True,
            note_nl="‘Zo’n 170 organisaties’; geschreven na het sluiten van de inschrijvingen "
            "eind 2017. " + UNDATED_NL,
            note_en="‘About 170 organisations’; written after registration closed at the end "
            "of 2017. " + UNDATED_EN,
        ),
        Figure(
            Metric.PROCURERS,
            Decimal(110),
            dt.date(2018, 1, 1),
            VLAANDEREN_CIRCULAIR_PAGE,
            note_nl="‘110 aankopende organisaties’. " + UNDATED_NL,
            note_en="‘110 procuring organisations’. " + UNDATED_EN,
        ),
        Figure(
            Metric.FACILITATORS,
            Decimal(60),
            dt.date(2018, 1, 1),
            VLAANDEREN_CIRCULAIR_PAGE,
            approximate=True,
            note_nl="‘Een kleine 60 ondersteunende organisaties’. " + UNDATED_NL,
            note_en="‘Just under 60 supporting organisations’. " + UNDATED_EN,
        ),
        Figure(
            Metric.PILOTS,
            Decimal(200),
            dt.date(2018, 1, 1),
            VLAANDEREN_CIRCULAIR_PAGE,
            approximate=True,
            note_nl="‘Meer dan 200 experimenten’ verwacht. " + UNDATED_NL,
            note_en="‘More than 200 experiments’ expected. " + UNDATED_EN,
        ),
        Figure(
            Metric.PARTICIPANTS,
            Decimal(153),
            dt.date(2019, 9, 9),
            INTERREG_GOOD_PRACTICE,
            note_nl="101 aankopende organisaties en 52 facilitatoren.",
            note_en="101 procuring organisations and 52 facilitators.",
        ),
        Figure(Metric.PROCURERS, Decimal(101), dt.date(2019, 9, 9), INTERREG_GOOD_PRACTICE),
        Figure(Metric.FACILITATORS, Decimal(52), dt.date(2019, 9, 9), INTERREG_GOOD_PRACTICE),
        Figure(
            Metric.PILOTS,
            Decimal(200),
            dt.date(2019, 9, 9),
            INTERREG_GOOD_PRACTICE,
            note_nl="Circulaire aankoopexperimenten.",
            note_en="Circular procurement experiments.",
        ),
        Figure(
            Metric.SUPPORTING_ACTIONS,
            Decimal(60),
            dt.date(2019, 9, 9),
            INTERREG_GOOD_PRACTICE,
            note_nl="Ondersteunende acties door facilitatoren.",
            note_en="Supportive actions by facilitators.",
        ),
        Figure(Metric.WEBINARS, Decimal(14), dt.date(2019, 9, 9), INTERREG_GOOD_PRACTICE),
        Figure(
            Metric.EVENTS,
            Decimal(8),
            dt.date(2019, 9, 9),
            INTERREG_GOOD_PRACTICE,
            note_nl="Actie- en inspiratiedagen, naast twee Buyer meets Supplier-evenementen.",
            note_en="Action and inspiration days, besides two Buyer meets Supplier events.",
        ),
        Figure(
            Metric.BUDGET,
            Decimal(350000),
            dt.date(2019, 9, 9),
            INTERREG_GOOD_PRACTICE,
            approximate=True,
            note_nl="Geschat budget voor coördinatie, vorming, communicatie en meting, en 3 VTE.",
            note_en="Estimated budget to coordinate, educate, communicate and measure, and 3 FTE.",
        ),
        Figure(
            Metric.PARTICIPANTS,
            Decimal(150),
            dt.date(2020, 1, 1),
            GDCA_WEBSITE,
            approximate=True,
            note_nl="‘Meer dan 150 organisaties’ over twee jaar. " + UNDATED_NL,
            note_en="‘More than 150 organisations’ over two years. " + UNDATED_EN,
        ),
    ),
    communities=tuple(
        CommunityFacts(
            product_group=code,
            name_nl=f"Community of practice {name_nl}",
            name_en=f"{name_en} community of practice",
            description_nl=(
                f"Productgroepspecifieke community of practice ({name_nl}) die het netwerk van "
                "circulaire aankopers en aanbieders uit de Green Deal Circulair Aankopen voortzet. "
                "Wil je deelnemen? Contacteer Melody."
            ),
            description_en=(
                f"Product-group community of practice ({topic_en}) that carries on the network of "
                "circular procurers and suppliers from the Green Deal Circular Procurement. Want "
                "to join? Contact Melody."
            ),
            since=dt.date(2020, 1, 1),
            status=CommunityStatus.ACTIVE,
            contact_name="Melody",
        )
        for code, name_nl, name_en, topic_en in (
            ("food", "voeding", "Food", "food"),
            ("ict", "ICT", "ICT", "ICT"),
            ("textiles", "textiel", "Textiles", "textiles"),
            ("construction", "bouw", "Construction", "construction"),
            ("office_furnishing", "kantoorinrichting & -materiaal", "Office furnishing", "office furnishing"),
        )
    ),
    meetings_per_year=2,
    timezone="Europe/Brussels",
)

GDCI = ProgrammeFacts(
    code="gdci",
    short_name="GDCI 2.0",
    name_nl="Green Deal Circulair Inkopen 2.0",
    name_en="Green Deal Circular Procurement 2.0 (Netherlands)",
    source_language="nl",
    description_nl=(
        "De tweede Green Deal Circulair Inkopen, na een eerdere Green Deal met als ondertitel ‘van "
        "pilot naar opschaling’. Op 7 juni 2018 ondertekend door 45 private en publieke "
        "organisaties en kennispartners, tijdens het PIANOo-congres in Bussum; staatssecretaris "
        "Van Veldhoven van Infrastructuur en Waterstaat tekende namens de Rijksoverheid. "
        "Ondersteund door Rijksoverheid, MVO Nederland, NEVI en kennispartners. Zo’n 70 circulaire "
        "pilots, van bedrijfskleding en catering tot audiovisuele middelen en pacemakers. "
        "Themagerichte werkgroepen en vier Community of Practice-bijeenkomsten per jaar. De Green "
        "Deal leverde onder meer de Wegwijzer Circulair Inkopen, gratis e-learning (21 modules) en "
        "een online magazine op."
    ),
    description_en=(
        "The second Dutch Green Deal on circular procurement, after an earlier Green Deal "
        "subtitled ‘from pilot to scaling up’. Signed on 7 June 2018 by 45 private and public "
        "organisations and knowledge partners at the PIANOo conference in Bussum; State Secretary "
        "Van Veldhoven of Infrastructure and Water Management signed on behalf of the national "
        "government. Supported by the national government, MVO Nederland, NEVI and knowledge "
        "partners. About 70 circular pilots, from workwear and catering to audiovisual equipment "
        "and pacemakers. Themed working groups and four community-of-practice meetings a year. The "
        "Green Deal produced, among other things, the Wegwijzer Circulair Inkopen (a guide to "
        "circular procurement), free e-learning (21 modules) and an online magazine."
    ),
    region_nl="Nederland",
    region_en="Netherlands",
    countries=("NL",),
    starts_on=dt.date(2018, 6, 7),
    ends_on=dt.date(2021, 12, 31),
    min_pilots_per_procurer=2,
    min_actions_per_facilitator=None,
    rules_nl=(
        "Elke inkopende deelnemer start minimaal twee circulaire inkooptrajecten of schaalt een "
        "eerder gedane pilot op. Deelnemers nemen actief deel aan ten minste één themagerichte "
        "werkgroep en delen hun kennis breed, ook via hun eigen kanalen. Uiterlijk in 2020 "
        "integreren de inkopende deelnemers circulair inkopen aantoonbaar in hun inkoopprocessen, "
        "-beleid en -strategie."
    ),
    rules_en=(
        "Every procuring participant starts at least two circular procurement trajectories or "
        "scales up an earlier pilot. Participants take an active part in at least one themed "
        "working group and share their knowledge widely, including through their own channels. By "
        "2020 at the latest, procuring participants demonstrably integrate circular procurement "
        "into their procurement processes, policy and strategy."
    ),
    reduction_target_min=None,
    reduction_target_max=None,
    key_figures=(
        Figure(
            Metric.SIGNATORIES,
            Decimal(45),
            dt.date(2018, 6, 7),
            DICTU_NEWS,
            note_nl="Private en publieke organisaties en kennispartners, ondertekend in 2018.",
            note_en="Private and public organisations and knowledge partners, signed in 2018.",
        ),
        Figure(
            Metric.EVENTS,
            Decimal(4),
            dt.date(2018, 4, 1),
            GDCI_ANNOUNCEMENT,
            note_nl="Community of Practice-bijeenkomsten per jaar.",
            note_en="Community-of-practice meetings a year.",
        ),
        Figure(
            Metric.PILOTS,
            Decimal(70),
            dt.date(2021, 12, 31),
            DICTU_NEWS,
            approximate=True,
            note_nl="‘Zo’n 70 circulaire pilots’, in het jaar waarin de Green Deal eindigde.",
            note_en="‘About 70 circular pilots’, in the year the Green Deal ended.",
        ),
        # The seed dates this paragraph December 2016, before GDCI 2.0 was signed: it sums up
        # the first Green Deal Circulair Inkopen. Kept, with a note, rather than dropped.
        Figure(
            Metric.PILOTS,
            Decimal(80),
            dt.date(2016, 12, 1),
            GDCI_FIRST_DEAL_RESULTS,
            approximate=True,
            note_nl="‘Bijna 80 circulaire inkoopprojecten’ uit de eerste Green Deal Circulair "
            "Inkopen, de voorganger van 2.0.",
            note_en="‘Almost 80 circular procurement projects’ from the first Green Deal "
            "Circulair Inkopen, the predecessor of 2.0.",
        ),
    ),
    communities=tuple(
        CommunityFacts(
            product_group=code,
            name_nl=f"Werkgroep {name_nl}",
            name_en=f"{name_en} working group",
            description_nl=(
                f"Themagerichte werkgroep {name_nl} van de Green Deal Circulair Inkopen 2.0. "
                "Deelnemers delen kennis, ervaringen, belemmeringen en successen."
            ),
            description_en=(
                f"Themed working group ‘{name_en}’ of the Green Deal Circular Procurement 2.0. "
                "Participants share knowledge, experience, obstacles and successes."
            ),
            since=dt.date(2018, 6, 7),
            status=CommunityStatus.CLOSED,
        )
        for code, name_nl, name_en in (
            ("construction", "Bouw", "Construction"),
            ("disposables", "Disposables", "Disposables"),
            ("ict", "ICT", "ICT"),
            ("furniture", "Interieur", "Interior"),
            (None, "Intern draagvlak", "Internal support"),
            (None, "Ketensamenwerking", "Supply chain collaboration"),
            ("infrastructure", "Infra/GWW", "Infrastructure"),
            (None, "Monitoring", "Monitoring"),
        )
    ),
    meetings_per_year=4,
    timezone="Europe/Amsterdam",
)

PROCIRC = ProgrammeFacts(
    code="procirc",
    short_name="ProCirc",
    name_nl="ProCirc",
    name_en="ProCirc",
    source_language="en",
    description_nl=(
        "Interreg Noordzeeregio-project waarin 8 publieke en 3 private partners uit zes landen, "
        "onder leiding van Rijkswaterstaat, meer dan 30 circulaire aankooppilots uitvoeren, elk "
        "met als doel 20 tot 25 % minder grondstoffen, afval en CO2-uitstoot. Transnationaal "
        "organiseert ProCirc leren van aankoper tot aankoper, een actieprogramma, "
        "expert-taskforces circulair aankopen en sectoroverschrijdende communities of practice. "
        "Vlaanderen Circulair is partner en brengt de lessen van de Green Deal Circulair Aankopen "
        "in."
    ),
    description_en=(
        "An Interreg North Sea Region project in which 8 public and 3 private partners from six "
        "countries, led by Rijkswaterstaat, deliver more than 30 circular procurement pilots, each "
        "aiming to reduce raw materials, waste and CO2 emissions by 20–25 %. Transnationally, "
        "ProCirc organises procurer-to-procurer learning and an action programme, circular "
        "procurement expert task forces and cross-industry communities of practice. Vlaanderen "
        "Circulair is a partner and brings in the lessons of the Flemish Green Deal."
    ),
    region_nl="Noordzeeregio (Interreg)",
    region_en="North Sea Region (Interreg)",
    countries=("BE", "DE", "DK", "GB", "NL", "SE"),
    starts_on=dt.date(2019, 1, 1),
    ends_on=dt.date(2023, 12, 31),
    min_pilots_per_procurer=None,
    min_actions_per_facilitator=None,
    rules_nl=(
        "Elke pilot mikt op 20 tot 25 % minder grondstoffen, afval en CO2-uitstoot. Aankopers "
        "buiten het partnerschap kunnen via een open oproep aansluiten bij pilots."
    ),
    rules_en=(
        "Each pilot aims to reduce raw materials, waste and CO2 emissions by 20–25 %. Procurers "
        "outside the partnership can join pilots through an open call."
    ),
    reduction_target_min=Decimal("0.200"),
    reduction_target_max=Decimal("0.250"),
    key_figures=(
        Figure(
            Metric.PARTNERS,
            Decimal(11),
            dt.date(2019, 9, 9),
            INTERREG_GOOD_PRACTICE,
            note_nl="8 publieke en 3 private partners.",
            note_en="8 public and 3 private sector organisations.",
        ),
        Figure(
            Metric.PILOTS,
            Decimal(30),
            dt.date(2019, 9, 9),
            INTERREG_GOOD_PRACTICE,
            approximate=True,
            note_nl="‘Meer dan 30’ geplande pilots.",
            note_en="‘Over 30’ pilots planned.",
        ),
        Figure(Metric.COUNTRIES, Decimal(6), dt.date(2023, 12, 31), PROCIRC_RESULTS),
        Figure(
            Metric.PILOTS,
            Decimal(32),
            dt.date(2023, 12, 31),
            PROCIRC_RESULTS,
            note_nl="Opgeleverde transnationale pilots.",
            note_en="Transnational pilots delivered.",
        ),
        Figure(
            Metric.PILOT_VALUE,
            Decimal(40_000_000),
            dt.date(2023, 12, 31),
            PROCIRC_RESULTS,
            approximate=True,
            note_nl="Gezamenlijke waarde van de pilots.",
            note_en="Combined value of the pilots.",
        ),
    ),
    communities=tuple(
        CommunityFacts(
            product_group=code,
            name_nl=f"Transnationale community of practice {name_nl}",
            name_en=f"Transnational {name_en} community of practice",
            description_nl=(
                f"Sectoroverschrijdende ProCirc-community of practice rond {name_nl}, waarin "
                "aankopers uit de Noordzeeregio hun pilots vergelijken en van elkaar leren."
            ),
            description_en=(
                f"Cross-industry ProCirc community of practice on {name_en}, in which procurers "
                "from the North Sea Region compare their pilots and learn from each other."
            ),
            since=dt.date(2019, 6, 1),
            status=CommunityStatus.CLOSED,
        )
        for code, name_nl, name_en in (
            ("construction", "bouw", "construction"),
            ("infrastructure", "infrastructuur", "infrastructure"),
            ("furniture", "meubilair", "furniture"),
            ("textiles", "textiel", "textiles"),
            ("ict", "ICT", "ICT"),
        )
    ),
    meetings_per_year=1,
    timezone="Europe/Amsterdam",
)

PROGRAMMES: tuple[ProgrammeFacts, ...] = (GDCA, GDCI, PROCIRC)
