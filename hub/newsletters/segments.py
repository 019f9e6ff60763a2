"""Each segment of an issue (a language and what its subscribers follow) rendered once per send."""

from __future__ import annotations

import collections
import threading

from sqlalchemy.orm import Session

from hub.newsletters.models import NewsletterIssue, Subscription
from hub.newsletters.rendering import Segment, render_issue
from hub.newsletters.transport import Prepared
from hub.settings import Settings

SEGMENT_CACHE = 64  # rendered segments kept during one send


class SegmentCache:
    """Each segment rendered and prepared once for a whole send, shared by its workers.

    At most ``size`` segments are kept (the least recently used goes first).
    """

    def __init__(self, *, issue_id: int, settings: Settings, size: int = SEGMENT_CACHE) -> None:
        self.issue_id = issue_id
        self.settings = settings
        self.size = size
        self.renders = 0
        self._prepared: collections.OrderedDict[Segment, Prepared] = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, segment: Segment) -> Prepared:
        with self._lock:  # rendering is rare (once per segment): the others wait rather than repeat it
            prepared = self._prepared.get(segment)
            if prepared is not None:
                self._prepared.move_to_end(segment)
                return prepared
            issue = session.get(NewsletterIssue, self.issue_id)
            if issue is None:
                raise LookupError(f"newsletter issue {self.issue_id} is gone")
            rendered = render_issue(session, issue=issue, segment=segment, settings=self.settings)
            self.renders += 1
            prepared = Prepared(self.settings, rendered, segment.language)
            self._prepared[segment] = prepared
            if len(self._prepared) > self.size:
                self._prepared.popitem(last=False)
            return prepared


def segment_of(subscription: Subscription) -> Segment:
    return Segment(
        subscription.language,
        frozenset((interest.kind, interest.ref_id) for interest in subscription.interests),
    )
