"""A small bilingual glossary of procurement and circular-economy words, for matching texts.

Each concept lists Dutch and English word forms (lower case, without accents). ``concepts``
turns a text into concept tokens: words of the glossary become their concept, whichever the
language; Dutch compounds are split on glossary words they start or end with
(``kantoormeubilair`` → office, furniture); other words are kept in a lightly stemmed form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator
from functools import lru_cache

# fmt: off
GLOSSARY: dict[str, tuple[str, ...]] = {
    "furniture": ("meubilair", "meubel", "meubels", "furniture", "furnishings", "inrichting"),
    "chair": ("stoel", "stoelen", "chair", "chairs", "seating", "zitcomfort"),
    "reuse": ("hergebruik", "hergebruikt", "hergebruikte", "herbruikbaar", "herbruikbare", "reuse",
              "reused", "reusing", "reusable", "tweede", "second life"),
    "second_hand": ("tweedehands", "tweedehandsaankoop", "second-hand", "secondhand", "gereviseerd",
                    "gereviseerde", "refurbished", "refurbishment", "refurbishing", "refurbish",
                    "gerefurbishte", "refurbishing"),
    "recycle": ("recycleren", "recyclage", "gerecycleerd", "gerecycleerde", "recycling", "recycle",
                "recycled", "recyclebaar", "verwerken", "verwerkt", "process"),
    "textiles": ("textiel", "textiles", "textile", "weefsel", "stof", "stoffen"),
    "blend": ("mengweefsel", "blend", "blends"),
    "clothing": ("kleding", "kledij", "clothing", "clothes", "workwear", "werkkleding", "uniform",
                 "uniformen", "uniforms"),
    "fibre": ("vezel", "vezels", "vezelsoort", "vezelsamenstelling", "fibre", "fibres", "fiber",
              "fibers"),
    "composition": ("samenstelling", "composition"),
    "towel": ("handdoek", "handdoeken", "towel", "towels"),
    "linen": ("beddengoed", "laken", "lakens", "linen", "sheets"),
    "bed": ("bed", "bedden", "beds"),
    "take_back": ("terugname", "terugnemen", "terugneemt", "take-back", "takeback", "terug"),
    "lifetime": ("levensduur", "gebruiksduur", "lifetime", "lifespan", "life", "meegaat", "lasts",
                 "duurzaam", "duurzamer", "durability", "durable"),
    "wear_resistance": ("slijtvastheid", "wear-resistance", "wear", "resistance"),
    "part": ("onderdeel", "onderdelen", "part", "parts", "component", "components"),
    "spare": ("reserve", "spare"),
    "repair": ("herstel", "hersteld", "herstellen", "herstelbaarheid", "repair", "repairability",
               "repaired", "mended", "mend"),
    "maintenance": ("onderhoud", "maintenance"),
    "service": ("dienst", "diensten", "service", "services"),
    "department": ("afdeling", "afdelingen", "department", "departments"),
    "contract": ("contract", "contracten", "contracts", "opdracht", "opdrachten", "overeenkomst"),
    "tender": ("aanbesteding", "aanbestedingen", "aanbesteden", "aanbesteed", "besteden", "tender",
               "tendering", "tenders"),
    "specification": ("bestek", "bestekken", "specification", "specifications"),
    "requirement": ("eis", "eisen", "minimumeis", "requirement", "requirements"),
    "award": ("gunning", "gunningen", "gunnen", "gegund", "award", "awarded", "awards"),
    "criteria": ("criteria", "criterium", "criterion"),
    "supplier": ("leverancier", "leveranciers", "supplier", "suppliers", "aanbieder", "aanbieders"),
    "contractor": ("aannemer", "aannemers", "contractor", "contractors"),
    "procure": ("aankoop", "aankopen", "aankoper", "aankopers", "procure", "procured", "procuring",
                "procurement", "procurer", "procurers", "purchase", "purchases", "purchasing",
                "buying", "buy", "kopen", "koopt", "kochten", "kocht", "inkoop"),
    "market": ("markt", "market"),
    "consultation": ("consultatie", "consultation"),
    "exploration": ("verkenning", "exploration"),
    "dialogue": ("dialoog", "dialogue"),
    "food": ("voeding", "voedsel", "food", "groenten", "vegetables", "fruit"),
    "meal": ("maaltijd", "maaltijden", "meal", "meals"),
    "surplus": ("overschot", "overschotten", "surplus", "surpluses", "overtollig", "overtollige"),
    "waste": ("afval", "waste", "verspilling"),
    "packaging": ("verpakking", "verpakkingen", "packaging"),
    "catering": ("catering", "cateraar", "caterer"),
    "menu": ("menu", "menus"),
    "local": ("lokaal", "lokale", "local"),
    "producer": ("producent", "producenten", "producer", "producers"),
    "seasonal": ("seizoensgebonden", "seasonal"),
    "organic": ("biologisch", "biologische", "organic"),
    "coffee": ("koffie", "coffee", "koffievoorziening"),
    "cup": ("beker", "bekers", "cup", "cups"),
    "disposable": ("wegwerp", "disposable", "disposables"),
    "glove": ("handschoen", "handschoenen", "glove", "gloves"),
    "deposit": ("statiegeld", "deposit"),
    "event": ("evenement", "evenementen", "event", "events"),
    "washing": ("afwas", "washing"),
    "ict": ("ict", "ict-apparatuur", "it", "computer", "computers"),
    "laptop": ("laptop", "laptops"),
    "smartphone": ("smartphone", "smartphones"),
    "device": ("toestel", "toestellen", "device", "devices", "apparatuur", "equipment", "hulpmiddel",
               "hulpmiddelen", "middelen", "multifunctionals"),
    "monitor": ("beeldscherm", "beeldschermen", "monitor", "monitors", "screen", "screens"),
    "software": ("software", "software-updates", "updates", "update"),
    "data": ("data", "gegevens"),
    "leak": ("lek", "lekken", "leak", "leaks"),
    "security": ("veiligheid", "security", "dataveiligheid"),
    "drive": ("schijf", "schijven", "drive", "drives"),
    "wipe": ("wissen", "gewist", "wipe", "wiped", "wiping", "wisprocedure"),
    "destroy": ("vernietigen", "vernietigd", "destroy", "destroyed"),
    "building": ("gebouw", "gebouwen", "building", "buildings", "nieuwbouw", "schoolgebouw"),
    "construction": ("bouw", "construction", "renovatie", "renovation"),
    "demolition": ("sloop", "slopen", "demolition"),
    "inventory": ("inventaris", "inventory"),
    "material": ("materiaal", "materialen", "material", "materials"),
    "raw_material": ("grondstof", "grondstoffen", "raw"),
    "virgin": ("primair", "primaire", "virgin"),
    "facade": ("gevel", "gevelbekleding", "facade", "cladding", "bekleding"),
    "wall": ("wand", "wanden", "wall", "walls", "plafond", "plafonds", "ceilings"),
    "adaptable": ("aanpasbaar", "aanpasbaarheid", "adaptable", "adaptability", "veranderen", "change"),
    "disassembly": ("demonteerbaar", "demonteerbare", "demonteerbaarheid", "demountable",
                    "disassembly"),
    "modular": ("modulair", "modulaire", "modular", "verplaatsbare", "movable"),
    "liability": ("aansprakelijkheid", "liability"),
    "warranty": ("garantie", "garanties", "warranty", "warranties", "guarantee", "gegarandeerd",
                 "gegarandeerde", "guaranteed"),
    "inspection": ("keuring", "inspection", "keuren"),
    "measure": ("meten", "meting", "meetmethode", "measure", "measurement", "measured", "measuring",
                "wegen", "weighing", "indicator", "indicatoren", "indicators"),
    "baseline": ("nulmeting", "baseline"),
    "monitoring": ("monitoring", "monitoringsfiche", "bijhouden", "record"),
    "result": ("resultaat", "resultaten", "result", "results"),
    "bid": ("offerte", "offertes", "bid", "bids"),
    "compare": ("vergelijken", "vergelijk", "compare", "comparison"),
    "price": ("prijs", "price", "goedkoper", "cheaper"),
    "cost": ("kost", "kosten", "cost", "costs", "eigendomskost", "tco", "levensduurkosten"),
    "budget": ("budget", "budgetten", "budgets", "begroting", "werkingsbudget", "budgethouder",
               "budgethouders"),
    "capital": ("investering", "investerings", "capital"),
    "finance": ("financiele", "financieel", "finance", "financial"),
    "accounting": ("boekhoud", "boekhoudregels", "accounting"),
    "lease": ("leasing", "lease"),
    "light": ("licht", "light", "lighting", "verlichting", "ledverlichting", "lamp", "lampen", "lamps",
              "led"),
    "asphalt": ("asfalt", "asphalt"),
    "road": ("weg", "wegen", "road", "roads", "verharding", "paving"),
    "cycle_path": ("fietspad", "fietspaden", "cycle"),
    "wheelchair": ("rolstoel", "rolstoelen", "wheelchair", "wheelchairs"),
    "hospital": ("ziekenhuis", "ziekenhuizen", "hospital", "hospitals"),
    "medical": ("medisch", "medische", "medical", "chirurgische", "surgical"),
    "hygiene": ("hygiene", "hygienisch"),
    "cleaning": ("reiniging", "schoonmaak", "cleaning", "poets"),
    "cloth": ("doek", "doeken", "cloth", "cloths"),
    "social": ("sociaal", "sociale", "social", "maatwerkbedrijf"),
    "discarded": ("afgedankt", "afgedankte", "discarded"),
    "office": ("kantoor", "office"),
    "supplies": ("benodigdheden", "supplies"),
    "paper": ("papier", "paper"),
    "printer": ("printer", "printers"),
    "sharing": ("delen", "share", "sharing", "shared", "poolen", "pooling", "deelauto"),
    "order": ("bestelling", "bestellingen", "order", "orders", "bundel", "bundle"),
    "delivery": ("levering", "leveringen", "delivery", "deliveries"),
    "transport": ("transport", "vervoer"),
    "joint": ("samen", "gezamenlijk", "joint", "together", "aankoopcentrale"),
    "risk": ("risico", "risicos", "risk", "risks"),
    "lot": ("perceel", "percelen", "lot", "lots"),
    "turnover": ("omzet", "omzeteisen", "turnover"),
    "selection": ("selectie", "selectiecriteria", "selection"),
    "variant": ("variant", "varianten", "variants", "alternatief", "alternatieven", "alternatives"),
    "user": ("gebruiker", "gebruikers", "user", "users"),
    "support": ("draagvlak", "support"),
    "policy": ("beleid", "aankoopbeleid", "policy"),
    "evidence": ("bewijs", "bewijsstukken", "evidence", "verifieren", "verify", "controleren",
                 "check", "testrapporten", "reports"),
    "label": ("label", "labels"),
    "passport": ("paspoort", "paspoorten", "productpaspoorten", "passport", "passports"),
    "grid": ("rooster", "beoordelingsrooster", "grid", "scoren", "score"),
    "template": ("sjabloon", "template", "model", "modelclausule"),
    "clause": ("clausule", "clause"),
    "questionnaire": ("vragenlijst", "questionnaire"),
    "internal": ("intern", "interne", "internal", "intranet", "intranetpagina"),
    "marketplace": ("marktplaats", "marketplace"),
    "logo": ("logo", "logos", "badge", "badges"),
    "function": ("functie", "functies", "function", "functional", "functionele"),
    "need": ("behoefte", "behoeften", "need", "needs", "needed", "nodig", "demand"),
    "capacity": ("capaciteit", "capacity"),
    "review": ("evaluatie", "evaluaties", "review", "reviews", "tussentijdse", "interim", "bijsturen",
               "adjust"),
    "quality": ("kwaliteit", "quality", "hoogwaardig", "hoogwaardige", "high-quality"),
    "carpet": ("tapijt", "tapijttegels", "carpet"),
    "curtain": ("gordijn", "gordijnen", "curtain", "curtains"),
    "vehicle": ("wagen", "wagens", "dienstwagens", "auto", "autos", "vehicle", "vehicles", "fleet",
                "cars"),
    "bicycle": ("fiets", "fietsen", "bicycle", "bicycles"),
    "battery": ("batterij", "batterijen", "batterijopslag", "battery", "batteries"),
    "circular": ("circulair", "circulaire", "circular", "circularly", "circulariteit", "circularity"),
    "bio_based": ("biogebaseerd", "biogebaseerde", "bio-based", "biobased"),
    "reduce": ("verminderen", "vermindering", "verminderden", "verminderde", "reduce", "reduced",
               "reduction", "cut", "lowers", "verlaagt"),
    "extend": ("verlengen", "verlengt", "extend", "extends"),
}

_DUTCH_STOP = (
    "de het een en van in op te voor met aan als bij door dat die dit deze is zijn werd worden wordt "
    "kan kunnen kon konden niet of om ook maar naar uit tot over dan je jij zo wat wie waar hun hem "
    "zij ze zich er heeft hebben had hadden was waren al nog meer minder vaak pas zelf daar daarom "
    "wel veel iets niemand alleen elk elke per zoals vooraf vroeg goed goede beter even hele "
    "tussen mee waarmee waarop wanneer welke ander andere anders lang langere binnenkort "
    "pilot pilots fase gekozen strategieen"
)
_ENGLISH_STOP = (
    "the a an and of in on to for with at as by that this these is are was were be been being it "
    "its can could not or also but from into than you your so what who whom which their they them "
    "there has have had more less fewer often only if then when one all any much many own whole "
    "once well good far too even many most such how up out about before after between long longer "
    "soon phase chosen strategies through using"
)
# fmt: on
STOP_WORDS = frozenset(_DUTCH_STOP.split() + _ENGLISH_STOP.split())

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SUFFIXES = ("ingen", "ing", "ies", "es", "ed", "en", "s", "e")
_MIN_COMPOUND = 8  # only words at least this long are split as compounds
_MIN_PART = 4  # and only on glossary words at least this long


def stem(word: str) -> str:
    """Strip one common English or Dutch inflection, keeping at least four letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "").replace("'", ""))
    return "".join(c for c in text if not unicodedata.combining(c))


def _build() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    forms: dict[str, str] = {}
    for concept, words in GLOSSARY.items():
        for word in words:
            for key in (word, stem(word)):
                forms.setdefault(key, concept)
    # Parts of compounds: glossary words (and their stems), longest first.
    parts = tuple(sorted(((w, c) for w, c in forms.items() if len(w) >= _MIN_PART), key=lambda p: -len(p[0])))
    return forms, parts


_FORMS, _PARTS = _build()


@lru_cache(maxsize=65536)
def word_concepts(word: str) -> tuple[str, ...]:
    """The concept tokens of one folded word: glossary concepts, or the word's stem."""
    if word in STOP_WORDS or word.isdigit():
        return ()
    found = _FORMS.get(word) or _FORMS.get(stem(word))
    if found:
        return (found,)
    if "-" in word:
        return tuple(c for part in word.split("-") for c in word_concepts(part))
    if len(word) >= _MIN_COMPOUND:
        head = next((c for w, c in _PARTS if word.startswith(w) and len(word) - len(w) >= 3), None)
        tail = next((c for w, c in _PARTS if word.endswith(w) and len(word) - len(w) >= 3), None)
        split = tuple(dict.fromkeys(c for c in (head, tail) if c))
        if split:
            return split
    if len(word) < 3:
        return ()
    return (stem(word),)


def concepts(text: str) -> Iterator[str]:
    """The concept tokens of a text in Dutch or English (or both), in order."""
    for word in _WORD.findall(_fold(text)):
        yield from word_concepts(word)


_WRITTEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def written_words(text: str, wanted: Collection[str]) -> dict[str, str]:
    """For each ``wanted`` concept, the first word of ``text`` that carries it, as written there
    (to explain a match in the reader's words: "hergebruik", not the concept "reuse")."""
    found: dict[str, str] = {}
    for match in _WRITTEN.finditer(text.lower()):
        for concept in word_concepts(_fold(match.group())):
            if concept in wanted and concept not in found:
                found[concept] = match.group()
    return found
