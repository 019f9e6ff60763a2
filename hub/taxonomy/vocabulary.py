"""The reference vocabularies every hub needs: product groups and circular strategies.

These are not demo data: pilots, lessons and communities on every hub (and the data exchanged
between hubs) refer to them by ``code``, so the codes never change; names may be improved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.taxonomy.models import ProductGroup, Strategy, StrategyKind

Row = TypeVar("Row", ProductGroup, Strategy)


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
    _ensure(session, ProductGroup, PRODUCT_GROUPS)
    _ensure(session, Strategy, STRATEGIES)
    session.flush()


def _ensure(session: Session, model: type[Row], terms: Sequence[ProductGroupTerm | StrategyTerm]) -> None:
    """The rows of ``model`` brought to ``terms``: each term's values, in the terms' order."""
    existing = {row.code: row for row in session.scalars(select(model))}
    for position, term in enumerate(terms, start=1):
        row = existing.get(term.code)
        if row is None:
            row = model(code=term.code)
            session.add(row)
        _update(row, **asdict(term), position=position)


def _update(row: ProductGroup | Strategy, **values: object) -> None:
    # Assign only what differs, so an unchanged vocabulary leaves no pending UPDATEs.
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
