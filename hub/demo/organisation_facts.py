"""The real organisations the seed documents name, with their role in each programme."""

from __future__ import annotations

from hub.demo.facts import RealOrganisation
from hub.organisations.models import Role, Sector

REAL_ORGANISATIONS: tuple[RealOrganisation, ...] = (
    RealOrganisation(
        key="vlaanderen_circulair",
        name="Vlaanderen Circulair",
        sector=Sector.PUBLIC,
        country="BE",
        description_nl=(
            "Zette in 2017 samen met The Shift, VVSG en Bond Beter Leefmilieu de Green Deal "
            "Circulair Aankopen op en is partner in het Interreg-project ProCirc."
        ),
        description_en=(
            "Set up the Green Deal Circular Procurement in 2017 with The Shift, VVSG and Bond "
            "Beter Leefmilieu, and is a partner in the Interreg project ProCirc."
        ),
        roles=(("gdca", Role.INITIATOR), ("procirc", Role.PROJECT_PARTNER)),
    ),
    RealOrganisation(
        key="the_shift",
        name="The Shift",
        sector=Sector.NON_PROFIT,
        country="BE",
        description_nl="Mede-initiatiefnemer van de Green Deal Circulair Aankopen.",
        description_en="Co-initiator of the Green Deal Circular Procurement.",
        roles=(("gdca", Role.INITIATOR),),
    ),
    RealOrganisation(
        key="vvsg",
        name="VVSG",
        sector=Sector.NON_PROFIT,
        country="BE",
        description_nl=(
            "Vereniging van Vlaamse steden en gemeenten; mede-initiatiefnemer van de Green Deal "
            "Circulair Aankopen."
        ),
        description_en=(
            "Association of Flemish cities and municipalities; co-initiator of the Green Deal "
            "Circular Procurement."
        ),
        roles=(("gdca", Role.INITIATOR),),
    ),
    RealOrganisation(
        key="bbl",
        name="Bond Beter Leefmilieu",
        sector=Sector.NON_PROFIT,
        country="BE",
        description_nl="Mede-initiatiefnemer van de Green Deal Circulair Aankopen.",
        description_en="Co-initiator of the Green Deal Circular Procurement.",
        roles=(("gdca", Role.INITIATOR),),
    ),
    RealOrganisation(
        key="rijkswaterstaat",
        name="Rijkswaterstaat",
        sector=Sector.PUBLIC,
        country="NL",
        description_nl="Leadpartner van het Interreg Noordzeeregio-project ProCirc.",
        description_en="Lead partner of the Interreg North Sea Region project ProCirc.",
        roles=(("procirc", Role.LEAD_PARTNER),),
    ),
    RealOrganisation(
        key="rijksoverheid",
        name="Rijksoverheid",
        sector=Sector.PUBLIC,
        country="NL",
        description_nl=(
            "De Nederlandse rijksoverheid. Staatssecretaris Van Veldhoven tekende de Green Deal "
            "Circulair Inkopen 2.0 op 7 juni 2018 namens de Rijksoverheid."
        ),
        description_en=(
            "The Dutch national government. State Secretary Van Veldhoven signed the Green Deal "
            "Circular Procurement 2.0 on its behalf on 7 June 2018."
        ),
        roles=(("gdci", Role.INITIATOR),),
    ),
    RealOrganisation(
        key="mvo_nederland",
        name="MVO Nederland",
        sector=Sector.NON_PROFIT,
        country="NL",
        description_nl="Ondersteunde de deelnemers aan de Green Deal Circulair Inkopen 2.0.",
        description_en="Supported the participants in the Green Deal Circular Procurement 2.0.",
        roles=(("gdci", Role.FACILITATOR),),
    ),
    RealOrganisation(
        key="nevi",
        name="NEVI",
        sector=Sector.NON_PROFIT,
        country="NL",
        description_nl="Ondersteunde de deelnemers aan de Green Deal Circulair Inkopen 2.0.",
        description_en="Supported the participants in the Green Deal Circular Procurement 2.0.",
        roles=(("gdci", Role.FACILITATOR),),
    ),
    RealOrganisation(
        key="pianoo",
        name="PIANOo",
        sector=Sector.PUBLIC,
        country="NL",
        description_nl=(
            "Expertisecentrum Aanbesteden. De Green Deal Circulair Inkopen 2.0 werd ondertekend "
            "tijdens het PIANOo-congres in Bussum, op 7 juni 2018."
        ),
        description_en=(
            "The Dutch public procurement expertise centre. The Green Deal Circular Procurement "
            "2.0 was signed at the PIANOo conference in Bussum on 7 June 2018."
        ),
        roles=(("gdci", Role.KNOWLEDGE_PARTNER),),
    ),
    # The seeds show it only as the publisher of the news item on GDCI 2.0's results, so no
    # participation is claimed for it.
    RealOrganisation(
        key="dictu",
        name="Dienst ICT Uitvoering",
        sector=Sector.PUBLIC,
        country="NL",
        description_nl=(
            "Dienst van het Ministerie van Economische Zaken; berichtte over de opbrengsten van de "
            "Green Deal Circulair Inkopen 2.0."
        ),
        description_en=(
            "Agency of the Dutch Ministry of Economic Affairs; reported on the results of the "
            "Green Deal Circular Procurement 2.0."
        ),
        roles=(),
    ),
)
