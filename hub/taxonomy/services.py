"""The vocabularies: product groups and circular strategies, in their order."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.taxonomy.models import ProductGroup, Strategy


def product_groups(session: Session) -> Sequence[ProductGroup]:
    """Every product group in its order (for forms and filters)."""
    return session.scalars(select(ProductGroup).order_by(ProductGroup.position, ProductGroup.id)).all()


def strategies(session: Session) -> Sequence[Strategy]:
    """Every circular strategy in its order (for forms and filters)."""
    return session.scalars(select(Strategy).order_by(Strategy.position, Strategy.id)).all()


def get_product_group(session: Session, *, code: str) -> ProductGroup | None:
    return session.scalar(select(ProductGroup).where(ProductGroup.code == code))


def strategies_by_id(session: Session, *, ids: Collection[int]) -> list[Strategy]:
    if not ids:
        return []
    return list(
        session.scalars(select(Strategy).where(Strategy.id.in_(list(ids))).order_by(Strategy.position)).all()
    )
