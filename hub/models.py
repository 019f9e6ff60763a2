"""Imports every model so that the metadata is complete (Alembic, tests, create_all)."""

from hub.accounts.models import AuditEntry, RoleGrant, User
from hub.calls.models import Call, CallInterest
from hub.communities.models import (
    CloseOut,
    Community,
    CommunityProposal,
    JoinRequest,
    Meeting,
    Membership,
    Post,
    Registration,
)
from hub.federation.models import ApiClient
from hub.jobs.models import ScheduledJob
from hub.lessons.models import Lesson, LessonPilotLink
from hub.library.models import LibraryItem
from hub.news.models import NewsItem
from hub.newsletters.models import ConsentEvent, Delivery, Interest, NewsletterIssue, Subscription
from hub.organisations.models import Commitment, Organisation, Participation, SupportingAction
from hub.pilots.models import Pilot, PilotParty, pilot_strategies
from hub.programmes.models import KeyFigure, Programme
from hub.sync.models import Source, SyncError, SyncRun
from hub.taxonomy.models import ProductGroup, Strategy

__all__ = [
    "ApiClient",
    "AuditEntry",
    "Call",
    "CallInterest",
    "CloseOut",
    "Commitment",
    "Community",
    "CommunityProposal",
    "ConsentEvent",
    "Delivery",
    "Interest",
    "JoinRequest",
    "KeyFigure",
    "Lesson",
    "LessonPilotLink",
    "LibraryItem",
    "Meeting",
    "Membership",
    "NewsItem",
    "NewsletterIssue",
    "Organisation",
    "Participation",
    "Pilot",
    "PilotParty",
    "Post",
    "ProductGroup",
    "Programme",
    "Registration",
    "RoleGrant",
    "ScheduledJob",
    "Source",
    "Strategy",
    "Subscription",
    "SupportingAction",
    "SyncError",
    "SyncRun",
    "User",
    "pilot_strategies",
]
