"""Product-group communities of practice: members, requests to join, proposals, meetings, outcomes, posts.

Communities, meetings and published close-outs are records (federated, synced); the rest holds
people's names and addresses and stays on the hub where they were given.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, Created, Email, LanguageCode, LongText, Title, link_table, partial_index
from hub.i18n import N_, LabelledEnum
from hub.lessons.models import Lesson
from hub.organisations.models import Organisation
from hub.pilots.models import Pilot
from hub.programmes.models import Programme, ProgrammeId
from hub.records import Bilingual, Record, Synced, changes_index, source_key_index
from hub.taxonomy.models import ProductGroup, enum_column


class CommunityStatus(LabelledEnum):
    PROPOSED = "proposed", N_("Proposed")
    ACTIVE = "active", N_("Active")
    CLOSED = "closed", N_("Closed")


class MemberRole(LabelledEnum):
    MEMBER = "member", N_("Member")
    CONTACT = "contact", N_("Contact person")
    EXPERT = "expert", N_("Expert or knowledge partner")


class RequestStatus(LabelledEnum):
    """Where a request to join, or a proposal, stands."""

    PENDING = "pending", N_("Waiting for a decision")
    ACCEPTED = "accepted", N_("Accepted")
    DECLINED = "declined", N_("Declined")


class MeetingMode(LabelledEnum):
    IN_PERSON = "in_person", N_("In person")
    ONLINE = "online", N_("Online")
    HYBRID = "hybrid", N_("In person and online")


class Community(Record, Bilingual, Base):
    """A community of practice or working group around a product group or theme."""

    __tablename__ = "communities"
    __table_args__ = (changes_index("communities"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"), index=True)
    name_nl: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    description_nl: Mapped[LongText]
    description_en: Mapped[LongText]
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[Email | None]
    status: Mapped[CommunityStatus] = mapped_column(
        enum_column(CommunityStatus, "community_status"), default=CommunityStatus.ACTIVE
    )
    since: Mapped[dt.date | None]

    programme: Mapped[Programme] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()


class Membership(Base):
    """An organisation or a person taking part in a community (a person may name their organisation)."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("community_id", "email"),
        Index("ix_memberships_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")  # the person ('' for an organisation)
    email: Mapped[Email | None]
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[MemberRole] = mapped_column(
        enum_column(MemberRole, "member_role"), default=MemberRole.MEMBER
    )
    created_at: Mapped[Created]

    community: Mapped[Community] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation else self.organisation_name


class Decision:
    """What a request and a proposal share: the asker, their language, and the decision taken."""

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[Email]
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[LanguageCode]  # of the decision e-mail
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "request_status"), default=RequestStatus.PENDING
    )
    created_at: Mapped[Created]
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[LongText]
    notified_at: Mapped[dt.datetime | None]  # the decision e-mail went out


class JoinRequest(Decision, Base):
    """A visitor asking to join a community; a moderator accepts or declines it."""

    __tablename__ = "join_requests"
    __table_args__ = (
        # One open request per address and community, whichever process takes the second.
        partial_index(
            "uq_join_requests_pending", "community_id", "email", where="status = 'pending'", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    message: Mapped[LongText]

    community: Mapped[Community] = relationship()


class CommunityProposal(Decision, Base):
    """A visitor proposing a community (for a product group without one); the programme decides."""

    __tablename__ = "community_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[ProgrammeId]
    product_group_id: Mapped[int | None] = mapped_column(ForeignKey("product_groups.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[LongText]
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))  # once accepted

    programme: Mapped[Programme] = relationship()
    product_group: Mapped[ProductGroup | None] = relationship()
    community: Mapped[Community | None] = relationship()


class Meeting(Record, Bilingual, Synced, Base):
    __tablename__ = "meetings"
    __table_args__ = (source_key_index("meetings"), changes_index("meetings"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title_nl: Mapped[Title]
    title_en: Mapped[Title]
    # UTC on both databases (SQLite would keep a local time's digits and drop its offset).
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime | None]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    mode: Mapped[MeetingMode] = mapped_column(
        enum_column(MeetingMode, "meeting_mode"), default=MeetingMode.IN_PERSON, server_default="in_person"
    )
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str | None] = mapped_column(String(500))
    agenda_nl: Mapped[LongText] = mapped_column(server_default="")
    agenda_en: Mapped[LongText] = mapped_column(server_default="")
    capacity: Mapped[int | None]  # None: no limit

    community: Mapped[Community] = relationship()
    closeout: Mapped[CloseOut | None] = relationship(back_populates="meeting", uselist=False)


class Registration(Base):
    """A person registered for a meeting (one per address)."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (UniqueConstraint("meeting_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[Email]
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[LanguageCode]
    created_at: Mapped[Created]

    meeting: Mapped[Meeting] = relationship()


closeout_organisations = link_table(
    "closeout_organisations", ("closeout_id", "meeting_closeouts.id"), ("organisation_id", "organisations.id")
)
closeout_pilots = link_table(
    "closeout_pilots", ("closeout_id", "meeting_closeouts.id"), ("pilot_id", "pilots.id")
)
closeout_lessons = link_table(
    "closeout_lessons", ("closeout_id", "meeting_closeouts.id"), ("lesson_id", "lessons.id")
)


class CloseOut(Record, Bilingual, Base):
    """What a meeting came to: minutes, attendance, who was there, the pilots and lessons it touched.

    It is a draft for the moderators until ``published_at``; from then on it is public and federated.
    """

    __tablename__ = "meeting_closeouts"
    __table_args__ = (changes_index("meeting_closeouts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    minutes_nl: Mapped[LongText]
    minutes_en: Mapped[LongText]
    attendance: Mapped[int | None]
    published_at: Mapped[dt.datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="closeout")
    organisations: Mapped[list[Organisation]] = relationship(secondary=closeout_organisations)
    pilots: Mapped[list[Pilot]] = relationship(secondary=closeout_pilots)
    lessons: Mapped[list[Lesson]] = relationship(secondary=closeout_lessons)


class Post(Bilingual, Base):
    """An update a moderator posts in a community."""

    __tablename__ = "community_posts"
    __table_args__ = (Index("ix_community_posts_community", "community_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    title_nl: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_nl: Mapped[LongText]
    body_en: Mapped[LongText]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[Created]

    community: Mapped[Community] = relationship()
