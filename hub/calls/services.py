"""Calls to join: which calls are open, a visitor's interest in one, and the coordinator's answer.

A call is open until it is closed by hand or its closing day has passed (in the programmes' time
zone). A visitor needs no account to express interest; one open (pending) interest per address and
call, which the database enforces too, so two processes taking the same one at once cannot both
store it. Interests are never deleted: an answered one stays as the record of what was answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import LoaderOption

from hub import changes
from hub.accounts.services import coordinators_of
from hub.calls.models import Call, CallInterest, CallRole
from hub.communities.joining import decide, pending_from
from hub.communities.models import RequestStatus
from hub.i18n import N_, TIMEZONE, format_date
from hub.i18n import gettext as _
from hub.pilots.models import Pilot
from hub.refusals import Refused

CLOSED_SHOWN = 20  # closed calls on the public list, most recent first


def today() -> dt.date:
    """The date in the programmes' time zone: a call closing on a day is open all that day there."""
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def _is_open(today: dt.date) -> ColumnElement[bool]:
    return and_(Call.closed_at.is_(None), or_(Call.closes_on.is_(None), Call.closes_on >= today))


def _with_programme_and_pilot() -> tuple[LoaderOption, ...]:
    return (joinedload(Call.programme), joinedload(Call.pilot))


def open_calls(
    session: Session,
    *,
    today: dt.date,
    programme_id: int | None = None,
    pilot_id: int | None = None,
) -> Sequence[Call]:
    """Open calls (of one programme or pilot if given), those closing soonest first."""
    statement = select(Call).where(_is_open(today)).options(*_with_programme_and_pilot())
    if programme_id is not None:
        statement = statement.where(Call.programme_id == programme_id)
    if pilot_id is not None:
        statement = statement.where(Call.pilot_id == pilot_id)
    # Calls without a closing day (open until closed by hand) come last.
    return session.scalars(statement.order_by(Call.closes_on.is_(None), Call.closes_on, Call.id)).all()


def closed_calls(session: Session, *, today: dt.date, limit: int = CLOSED_SHOWN) -> Sequence[Call]:
    """The most recently closed calls (by hand or by date), newest first."""
    closed_on = func.coalesce(func.date(Call.closed_at), Call.closes_on)
    return session.scalars(
        select(Call)
        .where(or_(Call.closed_at.is_not(None), Call.closes_on < today))
        .options(*_with_programme_and_pilot())
        .order_by(closed_on.desc(), Call.id.desc())
        .limit(limit)
    ).all()


def get_call(session: Session, *, call_id: int) -> Call | None:
    return session.scalars(
        select(Call).where(Call.id == call_id).options(*_with_programme_and_pilot())
    ).one_or_none()


def closing_day(call: Call) -> dt.date | None:
    """The day a closed call closed (by hand or by date)."""
    if call.closed_at is not None:
        return call.closed_at.astimezone(ZoneInfo(TIMEZONE)).date()
    return call.closes_on


# --- a visitor's interest ---


def express_interest(
    session: Session,
    *,
    call: Call,
    today: dt.date,
    name: str,
    email: str,
    organisation_name: str,
    role: CallRole,
    product_group_id: int | None,
    message: str,
    language: str,
) -> CallInterest:
    """A new pending interest (flushed); refused for a closed call or a second open interest."""
    if not call.is_open(today):
        raise Refused(closed_message(call))
    interested_already = Refused(_already_interested(email), field="email")
    if _pending_interest(session, call_id=call.id, email=email):
        raise interested_already
    interest = CallInterest(
        call_id=call.id,
        name=name,
        email=email,
        organisation_name=organisation_name,
        role=role,
        product_group_id=product_group_id,
        message=message,
        language=language,
    )
    # Another process may store the same interest at this moment.
    changes.add_unique(session, interest, interested_already)
    return interest


def _pending_interest(session: Session, *, call_id: int, email: str) -> bool:
    """Whether an interest from ``email`` (in any case) in the call is still waiting for an answer."""
    return pending_from(session, CallInterest, email, CallInterest.call_id == call_id)


def closed_message(call: Call) -> str:
    day = closing_day(call)
    if day is None:
        return _("This call is closed and takes no more expressions of interest.")
    return _("This call closed on %(date)s and takes no more expressions of interest.", date=format_date(day))


def _already_interested(email: str) -> str:
    return _(
        "An expression of interest from %(email)s is already waiting for the coordinators' answer. "
        "You will hear by e-mail.",
        email=email,
    )


def coordinator_addresses(session: Session, *, call: Call) -> list[str]:
    """Who hears of a new interest: the coordinators of the call's programme."""
    return [user.email for user in coordinators_of(session, programme_id=call.programme_id)]


# --- the workspace ---


def calls_of(session: Session, *, programme_ids: Collection[int] | None) -> Sequence[Call]:
    """Every call of the programmes (all programmes for None), newest first."""
    statement = select(Call).options(*_with_programme_and_pilot())
    if programme_ids is not None:
        statement = statement.where(Call.programme_id.in_(list(programme_ids)))
    return session.scalars(statement.order_by(Call.created_at.desc(), Call.id.desc())).all()


def pending_counts(session: Session, *, call_ids: Collection[int]) -> dict[int, int]:
    """Interests waiting for an answer, per call (calls without any are left out)."""
    if not call_ids:
        return {}
    rows = session.execute(
        select(CallInterest.call_id, func.count())
        .where(CallInterest.call_id.in_(list(call_ids)), CallInterest.status == RequestStatus.PENDING)
        .group_by(CallInterest.call_id)
    ).all()
    return {call_id: count for call_id, count in rows}


def pending_total(session: Session, *, programme_ids: Collection[int] | None) -> int:
    """Interests waiting for an answer in the calls of the programmes (all for None)."""
    statement = (
        select(func.count())
        .select_from(CallInterest)
        .join(Call, Call.id == CallInterest.call_id)
        .where(CallInterest.status == RequestStatus.PENDING)
    )
    if programme_ids is not None:
        statement = statement.where(Call.programme_id.in_(list(programme_ids)))
    return session.scalar(statement) or 0


def interests_of(session: Session, *, call_id: int) -> Sequence[CallInterest]:
    """The call's interests: those waiting first (oldest first), then the answered ones (newest first)."""
    return session.scalars(
        select(CallInterest)
        .where(CallInterest.call_id == call_id)
        .options(joinedload(CallInterest.product_group))
        .order_by(
            CallInterest.status != RequestStatus.PENDING,
            CallInterest.decided_at.desc(),
            CallInterest.created_at,
            CallInterest.id,
        )
    ).all()


def get_interest(session: Session, *, interest_id: int, call_id: int) -> CallInterest | None:
    return session.scalars(
        select(CallInterest).where(CallInterest.id == interest_id, CallInterest.call_id == call_id)
    ).one_or_none()


def find_pilot(session: Session, *, pilot_id: int) -> Pilot | None:
    return session.get(Pilot, pilot_id)


def answer_interest(
    session: Session, *, interest: CallInterest, call: Call, accept: bool, note: str, user_id: int
) -> None:
    """Accept or decline a pending interest, with a note for the visitor; refused once answered."""
    decide(
        session,
        interest,
        accept=accept,
        note=note,
        user_id=user_id,
        programme_id=call.programme_id,
        summary=f"{interest.email} · {call.title_en or call.title_nl}",
        decided_already=N_("This interest was answered already (%(status)s)."),
    )


def close_call(session: Session, *, call: Call, user_id: int) -> bool:
    """Closes the call now (False if it was closed by hand already)."""
    return changes.stamp(
        session,
        record=call,
        column="closed_at",
        action="close",
        user_id=user_id,
        programme_id=call.programme_id,
        summary=call.title_en or call.title_nl,
    )


def reopen_call(session: Session, *, call: Call, today: dt.date, user_id: int) -> None:
    """Opens a closed call again; Refused if it is open.

    A closing day that has passed goes too: the call is then open until further notice, until
    a coordinator sets a new closing day in its form or closes it again.
    """
    if call.is_open(today):
        raise Refused(_("This call is open already."))
    before: dict[str, str | None] = {}
    after: dict[str, str | None] = {}
    if call.closed_at is not None:
        before["closed_at"], after["closed_at"] = call.closed_at.isoformat(), None
        call.closed_at = None
    if call.closes_on is not None and call.closes_on < today:
        before["closes_on"], after["closes_on"] = call.closes_on.isoformat(), None
        call.closes_on = None
    session.flush()
    changes.log(
        session,
        call,
        "reopen",
        user_id=user_id,
        programme_id=call.programme_id,
        summary=call.title_en or call.title_nl,
        before=before,
        after=after,
    )
