"""The kinds of record the hub's search finds, in the order its page lists them.

Each is declared in its own domain (``hub/<domain>/search.py``); importing them here registers
them with the index (``hub.search.index``), which from then on follows their writes.
"""

from __future__ import annotations

from hub.pilots.search import PILOTS
from hub.search.index import Kind

KINDS: tuple[Kind, ...] = (PILOTS,)
