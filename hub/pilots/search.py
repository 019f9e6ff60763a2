"""Full-text search over pilots in both languages: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

The index objects are created by migration 0002; the expression here must stay identical to it.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, String, bindparam, func, literal_column, select, text

from hub.pilots.models import Pilot

MAX_TERMS = 8
# Must match the expression of ix_pilots_search (migration 0002) for PostgreSQL to use the index.
_DOCUMENT = (
    "coalesce(pilots.title_nl, '') || ' ' || coalesce(pilots.title_en, '') || ' ' "
    "|| coalesce(pilots.summary_nl, '') || ' ' || coalesce(pilots.summary_en, '')"
)
_WORD = re.compile(r"\w+", re.UNICODE)


def terms(query: str) -> list[str]:
    """The words of a search box entry, lower-cased; punctuation and operators are dropped."""
    return [word.lower() for word in _WORD.findall(query)][:MAX_TERMS]


def query_text(dialect: str, query: str) -> str:
    """The search box entry as the database's full-text query: every word, as a prefix."""
    words = terms(query)
    if dialect == "postgresql":
        return " & ".join(f"{word}:*" for word in words)
    return " AND ".join(f'"{word}"*' for word in words)


def condition(dialect: str) -> ColumnElement[bool]:
    """A WHERE clause selecting pilots whose titles or summaries match the ``search`` parameter."""
    if dialect == "postgresql":
        document = func.to_tsvector(literal_column("'simple'::regconfig"), literal_column(_DOCUMENT))
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("search", type_=String))
        return document.op("@@")(tsquery)
    return Pilot.id.in_(
        select(literal_column("rowid"))
        .select_from(text("pilots_fts"))
        .where(text("pilots_fts MATCH :search"))
    )
