"""A small bilingual glossary of procurement and circular-economy words, for matching texts.

Each concept lists Dutch and English word forms (lower case, without accents). ``concepts``
turns a text into concept tokens with the search's analysis (:mod:`hub.search.analysis`): a word
becomes the concept of a glossary form when their Snowball stems agree in the text's language
("meubels" and "meubilair" -> furniture, "reusing" -> reuse); a form of several words
("second-hand") is found as those words in a row; a compound whose parts are glossary words
becomes their concepts (``kantoormeubilair`` -> office, furniture); any other word becomes its
Snowball stem. A text of unknown language is read as either.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from hub.search import analysis

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

LANGUAGES = analysis.LANGUAGES
_MIN_WORD = 3  # shorter words outside the glossary are noise


@dataclass(frozen=True)
class _Forms:
    """The glossary's forms, keyed for matching (where two concepts share a key, the first keeps it)."""

    written: dict[str, str]  # a one-word form, folded -> concept
    stems: dict[str, dict[str, str]]  # language -> a one-word form's stem in it -> concept
    phrases: dict[str, dict[tuple[str, ...], str]]  # language -> stems of a several-word form -> concept


def _build() -> _Forms:
    """Every form stemmed by both stemmers: the glossary does not say which words are Dutch."""
    forms = _Forms({}, {lang: {} for lang in LANGUAGES}, {lang: {} for lang in LANGUAGES})
    for concept, listed in GLOSSARY.items():
        for form in listed:
            written = analysis.words(form)  # "second-hand" is two words, as in any text
            if len(written) == 1:
                forms.written.setdefault(written[0], concept)
            for language in LANGUAGES:
                stems = tuple(analysis.stem(word, language) for word in written)
                if len(stems) == 1:
                    forms.stems[language].setdefault(stems[0], concept)
                elif stems:
                    forms.phrases[language].setdefault(stems, concept)
    return forms


_FORMS = _build()
_PHRASE_STARTS = {lang: frozenset(key[0] for key in keys) for lang, keys in _FORMS.phrases.items()}
_LONGEST_PHRASE = max((len(key) for keys in _FORMS.phrases.values() for key in keys), default=1)


def _languages(language: str | None) -> tuple[str, ...]:
    return LANGUAGES if language is None else (language,)


def _stopped(word: str, languages: Sequence[str]) -> bool:
    """A stop word of the glossary (its own, procurement's "pilot", "phase") or of the analysis."""
    return word in STOP_WORDS or any(word in analysis.STOP_WORDS[language] for language in languages)


def _glossary_concept(word: str, languages: Sequence[str]) -> str | None:
    """The concept of the glossary form ``word`` is, or shares its stem with in one of ``languages``."""
    found = _FORMS.written.get(word)
    for language in languages:
        if found is None:
            found = _FORMS.stems[language].get(analysis.stem(word, language))
    return found


def _compound(word: str, languages: Sequence[str]) -> tuple[str, ...]:
    """The concepts of the glossary words a compound is made of ("kantoormeubilair" -> office,
    furniture); its other parts say less than the whole and are left out."""
    for language in languages:
        parts = analysis.compound_parts(word, language)
        found = [_glossary_concept(part, (language,)) for part in parts if not _stopped(part, (language,))]
        if any(found):
            return tuple(dict.fromkeys(concept for concept in found if concept))
    return ()


@lru_cache(maxsize=65536)
def word_concepts(word: str, language: str | None = None) -> tuple[str, ...]:
    """The concept tokens of one folded word in ``language`` (``None``: Dutch or English): its
    glossary concept, those of its parts, or its Snowball stem (in an unknown language the
    shorter of its two stems)."""
    languages = _languages(language)
    if _stopped(word, languages) or word.isdigit():
        return ()
    found = _glossary_concept(word, languages)
    if found:
        return (found,)
    split = _compound(word, languages)
    if split:
        return split
    if len(word) < _MIN_WORD:
        return ()
    return (min((analysis.stem(word, lang) for lang in languages), key=len),)


@lru_cache(maxsize=65536)
def _starts_phrase(word: str, language: str | None) -> bool:
    return any(analysis.stem(word, lang) in _PHRASE_STARTS[lang] for lang in _languages(language))


def _phrase(words: Sequence[str], start: int, languages: Sequence[str]) -> tuple[int, str | None]:
    """The length and concept of the longest several-word glossary form at ``words[start]``."""
    for language in languages:
        for size in range(min(_LONGEST_PHRASE, len(words) - start), 1, -1):
            stems = tuple(analysis.stem(word, language) for word in words[start : start + size])
            found = _FORMS.phrases[language].get(stems)
            if found:
                return size, found
    return 1, None


def _units(words: Sequence[str], language: str | None) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """(first word, end, concepts) of each glossary phrase or other word of ``words``, in order."""
    start = 0
    while start < len(words):
        word = words[start]
        size, found = (
            _phrase(words, start, _languages(language)) if _starts_phrase(word, language) else (1, None)
        )
        yield start, start + size, (found,) if found else word_concepts(word, language)
        start += size


def concepts(text: str, language: str | None = None) -> Iterator[str]:
    """The concept tokens of a text in ``language``, in order (``None``: Dutch, English or both)."""
    for _, _, found in _units(analysis.words(text), language):
        yield from found


_WRITTEN = re.compile(r"[^\W_]+")  # where the words of ``analysis.words`` stand in the text


def written_words(text: str, wanted: Collection[str], language: str | None = None) -> dict[str, str]:
    """For each ``wanted`` concept, the first word of ``text`` that carries it, as written there
    (to explain a match in the reader's words: "hergebruik", not the concept "reuse"). In a text
    of unknown ``language`` a word carries what it means in either language."""
    spans: list[tuple[int, int]] = []
    folded: list[str] = []
    for match in _WRITTEN.finditer(text):
        for word in analysis.words(match.group()):
            spans.append(match.span())
            folded.append(word)
    units = [unit for lang in _languages(language) for unit in _units(folded, lang)]
    found: dict[str, str] = {}
    for start, end, carried in sorted(units, key=lambda unit: unit[0]):  # stable: Dutch first
        for concept in carried:
            if concept in wanted and concept not in found:
                found[concept] = text[spans[start][0] : spans[end - 1][1]].lower()
    return found
