"""The API's cursor: where a reader stopped in a kind's list of changes, as an opaque string.

A cursor names the last change read: its time and the record's id (ties on the time are broken
by the id). ``c1.<microseconds since 1970, UTC>.<id>``: a peer can compare two cursors of the
same hub to refuse one that goes backwards (connectors/peer.py does).
"""

from __future__ import annotations

import datetime as dt
import re

PATTERN = re.compile(r"^c1\.([0-9]{1,16})\.([0-9]{1,18})$")  # 16 digits: until the year 2286
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class InvalidCursor(ValueError):
    pass


def encode(changed_at: dt.datetime, record_id: int) -> str:
    micros = (changed_at - EPOCH) // dt.timedelta(microseconds=1)
    return f"c1.{micros}.{record_id}"


def decode(text: str) -> tuple[dt.datetime, int]:
    """The (time, id) a cursor names; InvalidCursor if it is not one of ours."""
    match = PATTERN.match(text)
    if not match:
        raise InvalidCursor(text)
    return EPOCH + dt.timedelta(microseconds=int(match[1])), int(match[2])
