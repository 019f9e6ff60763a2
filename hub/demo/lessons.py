"""Lessons learned in the style of the GDCA learning network: Dutch source, English translation.

Data only. They are written for the demo: general lessons of circular procurement practice, not
quotations from GDCA publications.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.lessons.models import LessonKind
from hub.taxonomy.models import Phase


@dataclass(frozen=True)
class LessonText:
    kind: LessonKind
    phase: Phase
    product_group: str | None
    strategy: str | None
    title_nl: str
    body_nl: str
    title_en: str
    body_en: str


S, B, T, M = LessonKind.SUCCESS_FACTOR, LessonKind.BARRIER, LessonKind.TIP, LessonKind.TEMPLATE
NEEDS, DIALOGUE, TENDER = Phase.NEEDS_ASSESSMENT, Phase.MARKET_DIALOGUE, Phase.TENDER
AWARD, CONTRACT, END = Phase.AWARD, Phase.CONTRACT_MANAGEMENT, Phase.END_OF_LIFE

# Compact rows: kind, phase, product group, strategy, then the texts.
# fmt: off
LESSONS: tuple[LessonText, ...] = (
    LessonText(
        S, NEEDS, None, None,
        "Vertrek van de functionele behoefte",
        "Vraag niet naar een product maar naar de functie die je nodig hebt: zitcomfort in plaats "
        "van stoelen, licht in plaats van lampen. Zo laat je ruimte voor circulaire oplossingen.",
        "Start from the functional need",
        "Ask for the function you need rather than a product: seating comfort instead of chairs, "
        "light instead of lamps. That leaves room for circular solutions.",
    ),
    LessonText(
        B, NEEDS, None, None,
        "Investerings- en werkingsbudget zijn gescheiden",
        "Circulaire oplossingen kosten soms meer bij aankoop en minder over de levensduur. Als "
        "investerings- en werkingsbudget bij verschillende diensten liggen, ziet niemand de "
        "volledige rekening.",
        "Capital and operating budgets are split",
        "Circular solutions sometimes cost more up front and less over their lifetime. When the "
        "capital and operating budgets sit with different departments, nobody sees the whole bill.",
    ),
    LessonText(
        T, DIALOGUE, None, None,
        "Organiseer een marktconsultatie vóór je het bestek schrijft",
        "Leveranciers weten vaak beter wat circulair haalbaar is. Een open marktconsultatie "
        "voorkomt eisen die niemand kan waarmaken.",
        "Hold a market consultation before writing the specifications",
        "Suppliers often know better what is circularly feasible. An open market consultation "
        "avoids requirements that nobody can meet.",
    ),
    LessonText(
        S, NEEDS, None, None,
        "Betrek gebruikers en budgethouders vanaf het begin",
        "Draagvlak bij gebruikers, budgethouders en de technische dienst bleek doorslaggevend. "
        "Pilots die alleen door de aankoopdienst gedragen werden, liepen vaker vast.",
        "Involve users and budget holders from the start",
        "Support from users, budget holders and the technical department proved decisive. Pilots "
        "carried by the procurement department alone stalled more often.",
    ),
    LessonText(
        M, TENDER, "furniture", "reuse",
        "Sjabloon: gunningscriteria voor hergebruikt meubilair",
        "Een sjabloon met gunningscriteria die punten geven voor het aandeel hergebruikte "
        "onderdelen, de demonteerbaarheid en een terugnamegarantie.",
        "Template: award criteria for reused furniture",
        "A template with award criteria that score the share of reused parts, ease of "
        "disassembly and a take-back guarantee.",
    ),
    LessonText(
        T, TENDER, "ict", "extend_lifetime",
        "Vraag naar een gegarandeerde levensduur en reserveonderdelen",
        "Leg in het bestek vast hoe lang reserveonderdelen en software-updates beschikbaar "
        "blijven. Zo verleng je de gebruiksduur van laptops en smartphones.",
        "Ask for a guaranteed lifetime and spare parts",
        "State in the specifications how long spare parts and software updates remain "
        "available. That extends the use of laptops and smartphones.",
    ),
    LessonText(
        B, TENDER, "construction", "reduce_virgin_input",
        "Geen eenduidige meetmethode voor circulariteit in de bouw",
        "Zonder gedeelde meetmethode zijn offertes moeilijk te vergelijken. Aankopers moesten zelf "
        "indicatoren opstellen, wat tijd kostte en discussies opleverde.",
        "No single way to measure circularity in construction",
        "Without a shared measurement method, bids are hard to compare. Procurers had to draw up "
        "their own indicators, which took time and caused debate.",
    ),
    LessonText(
        S, CONTRACT, "furniture", "product_as_a_service",
        "Een dienstencontract houdt de leverancier betrokken",
        "Wie meubilair als dienst afneemt, houdt de leverancier verantwoordelijk voor onderhoud en "
        "terugname. Dat geeft een prikkel om duurzamer te ontwerpen.",
        "A service contract keeps the supplier involved",
        "Buying furniture as a service keeps the supplier responsible for maintenance and "
        "take-back, which gives an incentive to design for durability.",
    ),
    LessonText(
        T, CONTRACT, None, None,
        "Plan tussentijdse evaluaties in het contract",
        "Circulaire contracten lopen vaak lang. Spreek momenten af om de resultaten te meten en "
        "het contract bij te sturen.",
        "Build interim reviews into the contract",
        "Circular contracts often run for years. Agree on moments to measure the results and "
        "adjust the contract.",
    ),
    LessonText(
        B, AWARD, None, None,
        "De laagste prijs blijft een reflex",
        "Ook met circulaire criteria woog de prijs in veel gunningen zwaarder door dan bedoeld. "
        "Een hogere weging voor kwaliteit en levensduurkosten hielp.",
        "Lowest price remains the reflex",
        "Even with circular criteria, price weighed more heavily in many awards than intended. A "
        "higher weighting for quality and life-cycle costs helped.",
    ),
    LessonText(
        T, AWARD, None, None,
        "Vergelijk op totale eigendomskost (TCO)",
        "Vergelijk offertes op hun kosten over de hele levensduur, inclusief onderhoud en "
        "restwaarde. Circulaire offertes komen dan vaak gunstiger uit.",
        "Compare on total cost of ownership (TCO)",
        "Compare bids on their costs over the whole lifetime, including maintenance and residual "
        "value. Circular bids then often come out ahead.",
    ),
    LessonText(
        M, TENDER, None, None,
        "Sjabloon: terugnameclausule",
        "Een modelclausule waarmee de leverancier zich engageert om producten aan het einde van "
        "het contract terug te nemen en hoogwaardig te verwerken.",
        "Template: take-back clause",
        "A model clause in which the supplier undertakes to take products back at the end of the "
        "contract and to process them to a high standard.",
    ),
    LessonText(
        S, DIALOGUE, "food", "bio_based",
        "Betrek lokale producenten vroeg",
        "Door lokale producenten vroeg te betrekken, konden zij hun aanbod afstemmen op "
        "seizoensgebonden menu’s en herbruikbare verpakkingen.",
        "Involve local producers early",
        "Involving local producers early let them adapt their offer to seasonal menus and "
        "reusable packaging.",
    ),
    LessonText(
        B, CONTRACT, "food", "reduce_materials",
        "Voedselverspilling is moeilijk te meten",
        "Zonder nulmeting viel de vermindering van voedselverspilling niet aan te tonen. Begin "
        "daarom met wegen vóór de pilot start.",
        "Food waste is hard to measure",
        "Without a baseline, the reduction in food waste could not be shown. So start weighing "
        "before the pilot begins.",
    ),
    LessonText(
        T, NEEDS, "textiles", "recycled_content",
        "Vraag naar de vezelsamenstelling",
        "Textiel uit één vezelsoort is veel beter te recycleren dan mengweefsel. Neem de "
        "samenstelling op als eis of als gunningscriterium.",
        "Ask about the fibre composition",
        "Single-fibre textiles are far easier to recycle than blends. Include the composition as "
        "a requirement or an award criterion.",
    ),
    LessonText(
        S, END, "textiles", "reuse",
        "Afgedankt textiel krijgt een tweede leven via de sociale economie",
        "Door samen te werken met een maatwerkbedrijf werden afgedankte handdoeken en lakens "
        "hersteld of tot poetsdoeken verwerkt.",
        "Discarded textiles get a second life through the social economy",
        "Working with a social enterprise meant that discarded towels and sheets were mended or "
        "turned into cleaning cloths.",
    ),
    LessonText(
        B, END, "workwear", "recycle",
        "Logo’s bemoeilijken het hergebruik van werkkleding",
        "Werkkleding met logo kan niet zomaar tweedehands verkocht worden. Afneembare badges maken "
        "hergebruik wel mogelijk.",
        "Logos get in the way of reusing workwear",
        "Workwear with a logo cannot simply be sold second-hand. Removable badges make reuse "
        "possible.",
    ),
    LessonText(
        T, TENDER, "workwear", "recycled_content",
        "Combineer gerecycleerde vezels met eisen aan slijtvastheid",
        "Gerecycleerde vezels hebben pas zin als de kleding ook lang meegaat. Stel daarom ook "
        "eisen aan de slijtvastheid.",
        "Combine recycled fibres with wear-resistance requirements",
        "Recycled fibres only make sense if the clothing also lasts. So set requirements for wear "
        "resistance too.",
    ),
    LessonText(
        S, CONTRACT, "ict", "second_hand",
        "Gerefurbishte laptops voldoen aan de verwachtingen",
        "Gebruikers merkten weinig verschil met nieuwe toestellen, op voorwaarde van een goede "
        "garantie en een snelle vervanging bij defecten.",
        "Refurbished laptops meet expectations",
        "Users noticed little difference from new devices, provided there was a good warranty "
        "and quick replacement of faulty ones.",
    ),
    LessonText(
        B, END, "ict", "reuse",
        "Dataveiligheid remt het hergebruik van ICT",
        "Uit vrees voor datalekken werden harde schijven vernietigd in plaats van gewist. Een "
        "gecertificeerde wisprocedure in het contract lost dat op.",
        "Data security holds back ICT reuse",
        "For fear of data leaks, hard drives were destroyed rather than wiped. A certified wiping "
        "procedure in the contract solves this.",
    ),
    LessonText(
        M, DIALOGUE, "ict", None,
        "Sjabloon: vragenlijst voor een marktconsultatie ICT",
        "Een vragenlijst om leveranciers te bevragen over levensduur, herstelbaarheid, terugname "
        "en refurbishing van ICT-apparatuur.",
        "Template: market consultation questionnaire for ICT",
        "A questionnaire that asks suppliers about the lifetime, repairability, take-back and "
        "refurbishment of ICT equipment.",
    ),
    LessonText(
        S, TENDER, "construction", "reuse",
        "Een inventaris vóór de sloop levert bruikbare materialen op",
        "Een grondige inventaris van herbruikbare materialen vóór de sloop maakte het mogelijk ze "
        "in het bestek van de nieuwbouw op te nemen.",
        "An inventory before demolition yields usable materials",
        "A thorough inventory of reusable materials before demolition made it possible to "
        "include them in the specifications for the new building.",
    ),
    LessonText(
        B, AWARD, "construction", None,
        "Aansprakelijkheid voor hergebruikte bouwmaterialen is onduidelijk",
        "Aannemers aarzelden om garanties te geven op hergebruikte materialen. Afspraken over "
        "keuring en aansprakelijkheid horen in het contract.",
        "Liability for reused building materials is unclear",
        "Contractors hesitated to give warranties on reused materials. Agreements on inspection "
        "and liability belong in the contract.",
    ),
    LessonText(
        T, NEEDS, "construction", "extend_lifetime",
        "Ontwerp voor aanpasbaarheid",
        "Vraag een gebouw dat mee kan veranderen met zijn gebruik: verplaatsbare wanden en "
        "demonteerbare verbindingen verlengen de levensduur.",
        "Design for adaptability",
        "Ask for a building that can change with its use: movable walls and demountable "
        "connections extend its lifetime.",
    ),
    LessonText(
        S, DIALOGUE, "office_furnishing", "sharing",
        "Delen verlaagt de behoefte",
        "Een inventaris van de aanwezige kantoorbenodigdheden en printers toonde dat delen tussen "
        "diensten de aankopen fors kon verminderen.",
        "Sharing lowers demand",
        "An inventory of existing office supplies and printers showed that sharing between "
        "departments could cut purchases considerably.",
    ),
    LessonText(
        T, CONTRACT, "office_furnishing", "reduce_materials",
        "Bundel bestellingen",
        "Minder, grotere leveringen in herbruikbare verpakking verminderen verpakkingsafval en "
        "transport.",
        "Bundle orders",
        "Fewer, larger deliveries in reusable packaging cut packaging waste and transport.",
    ),
    LessonText(
        B, NEEDS, None, None,
        "Te weinig tijd en capaciteit bij de aankoopdienst",
        "Circulair aankopen vraagt meer voorbereiding. Kleine besturen hadden daar vaak geen "
        "capaciteit voor; samen aankopen via een aankoopcentrale hielp.",
        "Too little time and capacity in the procurement team",
        "Circular procurement takes more preparation. Small authorities often lacked the "
        "capacity; buying together through a central purchasing body helped.",
    ),
    LessonText(
        S, TENDER, None, None,
        "Samen aankopen spreidt het risico",
        "Door met meerdere besturen samen aan te besteden, werd de opdracht interessanter voor "
        "leveranciers en deelden aankopers het risico van iets nieuws.",
        "Joint procurement spreads the risk",
        "Tendering together with several authorities made the contract more attractive to "
        "suppliers, and procurers shared the risk of trying something new.",
    ),
    LessonText(
        T, TENDER, None, None,
        "Laat varianten toe",
        "Door varianten toe te laten, geef je leveranciers ruimte om circulaire alternatieven voor "
        "te stellen waar je zelf niet aan gedacht had.",
        "Allow variants",
        "Allowing variants gives suppliers room to propose circular alternatives you had not "
        "thought of yourself.",
    ),
    LessonText(
        M, CONTRACT, None, None,
        "Sjabloon: monitoringsfiche voor circulaire pilots",
        "Een fiche om per pilot de nulmeting en het resultaat voor grondstoffen, afval en CO2 bij "
        "te houden, zoals in de online GDCA-tool.",
        "Template: monitoring sheet for circular pilots",
        "A sheet to record each pilot’s baseline and result for raw materials, waste and CO2, as "
        "in the online GDCA tool.",
    ),
    LessonText(
        S, END, "furniture", "second_hand",
        "Een interne marktplaats voor meubilair",
        "Een intranetpagina waarop diensten overtollig meubilair aanbieden, voorkwam nieuwe "
        "aankopen en afval.",
        "An internal marketplace for furniture",
        "An intranet page on which departments offer surplus furniture prevented new purchases "
        "and waste.",
    ),
    LessonText(
        B, TENDER, "furniture", None,
        "Leveranciers van hergebruikt meubilair zijn klein",
        "Veel aanbieders van gereviseerd meubilair haalden de omzeteisen in de selectiecriteria "
        "niet. Verdeel grote opdrachten in percelen.",
        "Suppliers of reused furniture are small",
        "Many suppliers of refurbished furniture could not meet the turnover requirements in the "
        "selection criteria. Split large contracts into lots.",
    ),
    LessonText(
        T, DIALOGUE, "disposables", "reduce_materials",
        "Vraag eerst of wegwerp nodig is",
        "Op evenementen bleken herbruikbare bekers met statiegeld goedkoper dan wegwerpbekers, "
        "zodra de afwas goed georganiseerd was.",
        "First ask whether disposables are needed",
        "At events, reusable cups with a deposit turned out cheaper than disposable cups once "
        "the washing was well organised.",
    ),
    LessonText(
        S, CONTRACT, "catering", "reduce_materials",
        "Menuplanning op basis van reservaties",
        "Reservaties voor maaltijden lieten de cateraar toe nauwkeuriger te plannen, wat "
        "voedseloverschotten verminderde.",
        "Menu planning based on reservations",
        "Meal reservations let the caterer plan more precisely, which reduced food surpluses.",
    ),
    LessonText(
        T, NEEDS, "infrastructure", "recycled_content",
        "Gebruik gerecycleerd asfalt waar het kan",
        "Voor fietspaden en lokale wegen volstaat vaak asfalt met een hoog aandeel gerecycleerd "
        "materiaal. Neem dat op als minimumeis.",
        "Use recycled asphalt where possible",
        "For cycle paths and local roads, asphalt with a high recycled content is often good "
        "enough. Make it a minimum requirement.",
    ),
    LessonText(
        B, CONTRACT, "energy", "product_as_a_service",
        "Producten als dienst botsen met boekhoudregels",
        "Licht als dienst werd soms als leasing beschouwd, met gevolgen voor de begroting. Overleg "
        "tijdig met de financiële dienst.",
        "Products as a service clash with accounting rules",
        "Light as a service was sometimes treated as a lease, with consequences for the budget. "
        "Consult the finance department in good time.",
    ),
    LessonText(
        S, NEEDS, None, None,
        "Leg de ambitie vast in beleid",
        "Besturen die circulair aankopen in hun aankoopbeleid opnamen, konden pilots makkelijker "
        "opschalen naar andere productgroepen.",
        "Anchor the ambition in policy",
        "Authorities that wrote circular procurement into their procurement policy found it "
        "easier to scale pilots up to other product groups.",
    ),
    LessonText(
        T, AWARD, None, None,
        "Vraag bewijsstukken die je kunt controleren",
        "Circulaire beloftes zijn pas waardevol als je ze kunt verifiëren. Vraag labels, "
        "productpaspoorten of testrapporten.",
        "Ask for evidence you can check",
        "Circular promises only count if you can verify them. Ask for labels, product passports "
        "or test reports.",
    ),
    LessonText(
        M, AWARD, None, None,
        "Sjabloon: beoordelingsrooster voor circulaire offertes",
        "Een rooster om offertes te scoren op levensduur, hergebruik, gerecycleerd materiaal en "
        "terugname, met voorbeelden van goede antwoorden.",
        "Template: scoring grid for circular bids",
        "A grid to score bids on lifetime, reuse, recycled content and take-back, with examples "
        "of good answers.",
    ),
    LessonText(
        T, END, "medical", "reuse",
        "Hergebruik van hulpmiddelen vraagt afspraken over hygiëne",
        "Rolstoelen en bedden kunnen veilig opnieuw gebruikt worden als reiniging en keuring "
        "vooraf in het contract vastgelegd zijn.",
        "Reusing medical devices needs hygiene agreements",
        "Wheelchairs and beds can be safely reused if cleaning and inspection are set out in the "
        "contract beforehand.",
    ),
)
# fmt: on
