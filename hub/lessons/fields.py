"""A lesson's fields, declared once.

The coordinators' form reads them and the lesson's write path (``hub.lessons.writes``) saves them;
a source's sync and a peer hub's mirror write the same fields, which a test holds them to
(tests/lessons/test_fields.py).
"""

from __future__ import annotations

from hub.records import LANGUAGES

# The texts a lesson has in both languages: what was learned, and the good-practice fields of the
# EU databases (resources needed, evidence of success, potential for transfer).
TEXT_NAMES = ("title", "body", "resources", "evidence", "transfer")
TEXTS = tuple(f"{name}_{lang}" for name in TEXT_NAMES for lang in LANGUAGES)

# The lesson's own values (its columns, not its bookkeeping); the pilots it was learned in and its
# documents are collections of their own.
FIELDS = (
    "programme_id",
    "source_language",
    *TEXTS,
    "product_group_id",
    "strategy_id",
    "phase",
    "kind",
)
