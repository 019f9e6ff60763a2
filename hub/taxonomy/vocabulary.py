"""The reference vocabularies every hub needs: product groups and circular strategies.

These are not demo data: pilots, lessons and communities on every hub (and the data exchanged
between hubs) refer to them by ``code``, so the codes never change; names may be improved.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.taxonomy.models import ProductGroup, Strategy, StrategyKind


@dataclass(frozen=True)
class ProductGroupTerm:
    code: str
    name_nl: str
    name_en: str


@dataclass(frozen=True)
class StrategyTerm:
    code: str
    kind: StrategyKind
    name_nl: str
    name_en: str


PRODUCT_GROUPS: tuple[ProductGroupTerm, ...] = (
    ProductGroupTerm("food", "Voeding", "Food"),
    ProductGroupTerm("ict", "ICT", "ICT"),
    ProductGroupTerm("textiles", "Textiel", "Textiles"),
    ProductGroupTerm("construction", "Bouw", "Construction"),
    ProductGroupTerm("office_furnishing", "Kantoorinrichting & -materiaal", "Office furnishing & materials"),
    ProductGroupTerm("infrastructure", "Infrastructuur (GWW)", "Infrastructure"),
    ProductGroupTerm("furniture", "Meubilair", "Furniture"),
    ProductGroupTerm("disposables", "Disposables", "Disposables"),
    ProductGroupTerm("catering", "Catering", "Catering"),
    ProductGroupTerm("workwear", "Bedrijfskleding", "Workwear"),
    ProductGroupTerm("energy", "Energie", "Energy"),
    ProductGroupTerm("mobility", "Mobiliteit", "Mobility"),
    ProductGroupTerm("medical", "Medische hulpmiddelen", "Medical devices"),
    ProductGroupTerm("facility_services", "Facilitaire diensten", "Facility services"),
)

# The five goals GDCA procurers chose from, then the circular business models that reach them.
STRATEGIES: tuple[StrategyTerm, ...] = (
    StrategyTerm(
        "reduce_materials",
        StrategyKind.GOAL,
        "Totale hoeveelheid materialen verminderen",
        "Reduce the total amount of materials",
    ),
    StrategyTerm(
        "reduce_virgin_input",
        StrategyKind.GOAL,
        "Gebruik van niet-hernieuwbare primaire grondstoffen verminderen",
        "Reduce non-renewable virgin input",
    ),
    StrategyTerm(
        "extend_lifetime",
        StrategyKind.GOAL,
        "Gebruiks- en levensduur van producten verlengen",
        "Extend the use and lifetime of products",
    ),
    StrategyTerm(
        "reuse",
        StrategyKind.GOAL,
        "Hergebruik van producten en onderdelen optimaliseren",
        "Optimise reuse of products and components",
    ),
    StrategyTerm(
        "recycle",
        StrategyKind.GOAL,
        "Recyclage van producten en materialen optimaliseren",
        "Optimise recycling of products and materials",
    ),
    StrategyTerm(
        "product_as_a_service",
        StrategyKind.BUSINESS_MODEL,
        "Product als dienst",
        "Product as a service",
    ),
    StrategyTerm(
        "sharing",
        StrategyKind.BUSINESS_MODEL,
        "Delen en poolen van middelen",
        "Sharing and pooling",
    ),
    StrategyTerm(
        "second_hand",
        StrategyKind.BUSINESS_MODEL,
        "Hergebruik en tweedehandsaankoop",
        "Reuse and second-hand purchase",
    ),
    StrategyTerm(
        "recycled_content",
        StrategyKind.BUSINESS_MODEL,
        "Producten met gerecycleerd materiaal",
        "Products with recycled content",
    ),
    StrategyTerm(
        "bio_based",
        StrategyKind.BUSINESS_MODEL,
        "Biogebaseerde materialen",
        "Bio-based materials",
    ),
)


def ensure_vocabulary(session: Session) -> None:
    """Insert missing product groups and strategies (by ``code``) and bring names up to date."""
    existing_groups = {g.code: g for g in session.scalars(select(ProductGroup))}
    for position, term in enumerate(PRODUCT_GROUPS, start=1):
        group = existing_groups.get(term.code)
        if group is None:
            group = ProductGroup(code=term.code)
            session.add(group)
        _update(group, name_nl=term.name_nl, name_en=term.name_en, position=position)

    existing_strategies = {s.code: s for s in session.scalars(select(Strategy))}
    for position, strategy_term in enumerate(STRATEGIES, start=1):
        strategy = existing_strategies.get(strategy_term.code)
        if strategy is None:
            strategy = Strategy(code=strategy_term.code)
            session.add(strategy)
        _update(
            strategy,
            kind=strategy_term.kind,
            name_nl=strategy_term.name_nl,
            name_en=strategy_term.name_en,
            position=position,
        )
    session.flush()


def _update(row: ProductGroup | Strategy, **values: object) -> None:
    # Assign only what differs, so an unchanged vocabulary leaves no pending UPDATEs.
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
