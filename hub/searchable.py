"""The kinds of record the hub's search finds, in the order its page lists them.

Each is declared in its own domain (``hub/<domain>/search.py``); importing them here registers
them with the index (``hub.search.index``), which from then on follows their writes.
"""

from __future__ import annotations

from hub.communities.search import COMMUNITIES
from hub.events.search import EVENTS
from hub.lessons.search import LESSONS
from hub.library.search import LIBRARY
from hub.news.search import NEWS
from hub.organisations.search import ORGANISATIONS
from hub.pilots.search import PILOTS
from hub.search.index import Kind

KINDS: tuple[Kind, ...] = (PILOTS, LESSONS, LIBRARY, ORGANISATIONS, COMMUNITIES, EVENTS, NEWS)
