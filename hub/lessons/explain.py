"""Why a lesson is suggested for a pilot (or a pilot for a lesson), in the reader's language."""

from __future__ import annotations

from hub.i18n import gettext as _
from hub.lessons.suggest import Reason
from hub.search.glossary import written_words
from hub.taxonomy.models import Phase, ProductGroup, Strategy

MAX_WORDS = 3


def explain(
    reasons: list[Reason],
    *,
    texts: list[str],
    groups: dict[str, ProductGroup],
    strategies: dict[str, Strategy],
    language: str,
) -> list[str]:
    """One phrase per reason ("same product group: Food", "both about reuse, furniture").

    ``texts``: the suggested and the given record's texts, the reader's language first; shared
    concepts are named by the first of them that has a word for each.
    """
    phrases: list[str] = []
    for code, value in reasons:
        if code == "product_group" and isinstance(value, str):
            phrases.append(_("same product group: %(group)s", group=_name(groups, value, language)))
        elif code == "related_group" and isinstance(value, str):
            phrases.append(_("related product group: %(group)s", group=_name(groups, value, language)))
        elif code == "strategy" and isinstance(value, str):
            phrases.append(
                _("same circular strategy: %(strategy)s", strategy=_name(strategies, value, language))
            )
        elif code == "phase" and isinstance(value, str):
            phrases.append(_("same procurement phase: %(phase)s", phase=Phase(value).label))
        elif code == "words" and isinstance(value, list):
            words = _words(value, texts)
            if words:
                phrases.append(_("both about %(words)s", words=", ".join(words)))
    return phrases


def _name(named: dict[str, ProductGroup] | dict[str, Strategy], code: str, language: str) -> str:
    found = named.get(code)
    return found.name(language) if found else code


def _words(concepts: list[str], texts: list[str]) -> list[str]:
    written: dict[str, str] = {}
    for text in texts:
        for concept, word in written_words(text, set(concepts) - written.keys()).items():
            written[concept] = word
    return list(dict.fromkeys(written[c] for c in concepts if c in written))[:MAX_WORDS]
