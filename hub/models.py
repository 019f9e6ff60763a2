"""Imports every model so that the metadata is complete (Alembic, tests, create_all), and every
searchable kind, so that the search index follows their writes wherever they are made."""

import hub.searchable  # noqa: F401  (registers the kinds with the search index)
from hub.accounts.models import AuditEntry, RoleGrant, SignInLink, User
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
from hub.events.models import Event, EventRegistration, event_product_groups
from hub.federation.models import ApiClient
from hub.freshness import ContentVersion
from hub.jobs.models import ScheduledJob
from hub.lessons.models import Lesson, LessonPilotLink
from hub.library.models import LibraryItem
from hub.news.models import NewsItem
from hub.newsletters.models import ConsentEvent, Delivery, Interest, NewsletterIssue, Subscription
from hub.organisations.models import Commitment, Organisation, Participation, SupportingAction
from hub.participants.models import Entry, Invitation
from hub.pilots.models import Pilot, PilotMilestone, PilotParty, PilotProgress, PilotSdg, pilot_strategies
from hub.programmes.models import KeyFigure, Programme, ProgrammeSdg
from hub.search.models import SearchDocument, SearchPending, SearchState, SearchWord
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
    "ContentVersion",
    "Delivery",
    "Entry",
    "Event",
    "EventRegistration",
    "Interest",
    "Invitation",
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
    "PilotMilestone",
    "PilotParty",
    "PilotProgress",
    "PilotSdg",
    "Post",
    "ProductGroup",
    "Programme",
    "ProgrammeSdg",
    "Registration",
    "RoleGrant",
    "ScheduledJob",
    "SearchDocument",
    "SearchPending",
    "SearchState",
    "SearchWord",
    "SignInLink",
    "Source",
    "Strategy",
    "Subscription",
    "SupportingAction",
    "SyncError",
    "SyncRun",
    "User",
    "event_product_groups",
    "pilot_strategies",
]
