"""XML entity declarations, checked before feedparser reads a document.

feedparser removes entity declarations only where one starts a line, and expat's own guard against
"billion laughs" still lets a document grow a hundredfold: measured here, a 1 MB feed of nested
entities on one line cost feedparser 21 s and 736 MB. A feed needs no entity beyond a short name for
a character or a word (``<!ENTITY nbsp "&#160;">``), so a document that declares another kind is not
read at all. Only the prolog is parsed: declarations come before the first element.
"""

from __future__ import annotations

import re
from xml.parsers import expat

# The most characters an entity may stand for: a character or a word, never a piece of a document.
SHORT = 32
_DECLARATION = re.compile(rb"<!ENTITY\s+(?:%\s*)?([^\s>]*)")
_ELEMENT = re.compile(rb"<[^!?]")


class _Refused(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _Root(Exception):
    """The first element: no declaration can follow."""


def unsafe_entity(body: bytes) -> str | None:
    """The name of the first entity ``body`` declares that could make it grow, or None.

    Refused: parameter entities, and general entities whose text holds a reference or is longer
    than :data:`SHORT`. External entities are left alone: feedparser never loads them. Where expat
    cannot read the prolog (an encoding it does not know, say), any declaration at all counts.
    """
    parser = expat.ParserCreate()

    def declared(name: str, parameter: bool, value: str | None, *_: object) -> None:
        if parameter or (value is not None and ("&" in value or len(value) > SHORT)):
            raise _Refused(name)

    def root(*_: object) -> None:
        raise _Root

    parser.EntityDeclHandler = declared
    parser.StartElementHandler = root
    try:
        parser.Parse(body, True)
    except _Refused as refused:
        return refused.name
    except _Root:
        return None
    except (expat.ExpatError, LookupError):  # LookupError: an encoding Python does not know
        element = _ELEMENT.search(body)
        first = _DECLARATION.search(body, 0, element.start() if element else len(body))
        return first.group(1).decode("utf-8", "replace") if first else None
    return None
