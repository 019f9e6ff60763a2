"""Publishing a participant's entry: its values become (or change) the public record, audited in
the name of the coordinator who reviewed it."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.forms import Form
from hub.i18n import gettext as _
from hub.organisations.models import Commitment, SupportingAction
from hub.organisations.writes import (
    CommitmentInput,
    SupportingActionInput,
    create_action,
    create_commitment,
    update_action,
    update_commitment,
)
from hub.participants import services
from hub.participants.forms import Choices, Milestone, parse
from hub.participants.models import Entry, EntryKind
from hub.pilots.models import Pilot, PilotMilestone, PilotParty, PilotProgress, PilotRole
from hub.pilots.writes import PilotInput, create_pilot, update_pilot
from hub.refusals import Invalid, Refused
from hub.taxonomy import services as taxonomy


def choices(session: Session) -> Choices:
    return Choices(taxonomy.product_groups(session), taxonomy.strategies(session))


def check(session: Session, entry: Entry, vocabulary: Choices | None = None) -> tuple[dict[str, Any], Form]:
    """The entry's values parsed again, with the form's errors (none if it can be published)."""
    form = Form(entry.values)
    return parse(entry.kind, form, vocabulary or choices(session)), form


def publish(session: Session, *, entry: Entry, user_id: int) -> Pilot | Commitment | SupportingAction:
    """Applies the entry to its record (a new one if it has none). The caller has claimed the entry
    (``services.claim_for_review``) and commits, or rolls back on ``Refused`` (why the entry cannot
    be published as it is: the coordinator returns it instead)."""
    values, form = check(session, entry)
    if not form.ok:
        raise Refused(_("The entry has errors; return it to the participant with a note."))
    target = None
    if entry.target_id is not None:
        target = services.target_of(
            session,
            kind=entry.kind,
            record_id=entry.target_id,
            programme_id=entry.programme_id,
            organisation_id=entry.organisation_id,
        )
        if target is None or target.withdrawn_at is not None:
            raise Refused(_("The record this entry changes is no longer there."))
        if target.home_hub is not None:
            raise Refused(_("This record is kept by %(home)s and edited there.", home=target.home_hub))
    summary = f"{entry.organisation.name}: {entry.title}"
    record: Pilot | Commitment | SupportingAction
    if entry.kind == EntryKind.PILOT:
        assert target is None or isinstance(target, Pilot)
        record = _write_pilot(session, target, entry, values, user_id=user_id, summary=summary)
    elif entry.kind == EntryKind.COMMITMENT:
        assert target is None or isinstance(target, Commitment)
        record = _write_commitment(session, target, entry, values, user_id=user_id, summary=summary)
    else:
        assert target is None or isinstance(target, SupportingAction)
        record = _write_action(session, target, entry, values, user_id=user_id, summary=summary)
    entry.target_id = record.id
    session.flush()
    return record


def _write_pilot(
    session: Session,
    pilot: Pilot | None,
    entry: Entry,
    values: dict[str, Any],
    *,
    user_id: int,
    summary: str,
) -> Pilot:
    """The entry's values given to its pilot (a new one in the entry's programme and country of
    its organisation) through the pilots' own write; then its procurer, progress and milestones."""
    progress: int | None = values.pop("progress", None)
    milestones: list[Milestone] = values.pop("milestones", [])
    strategy_ids = tuple(values.pop("strategy_ids"))
    try:
        if pilot is None:
            data = PilotInput(
                programme_id=entry.programme_id,
                country=entry.organisation.country,
                strategy_ids=strategy_ids,
                **values,
            )
            pilot = create_pilot(session, data=data, user_id=user_id, summary=summary)
        else:
            data = dataclasses.replace(PilotInput.of(pilot), strategy_ids=strategy_ids, **values)
            update_pilot(session, pilot=pilot, data=data, user_id=user_id, summary=summary)
    except Invalid:
        raise Refused(_("The entry has errors; return it to the participant with a note.")) from None
    _report(pilot, entry.organisation_id, progress, milestones)
    return pilot


def _write_commitment(
    session: Session,
    commitment: Commitment | None,
    entry: Entry,
    values: dict[str, Any],
    *,
    user_id: int,
    summary: str,
) -> Commitment:
    """The entry's values given to its commitment (a new one of the organisation's live
    participation in the entry's programme) through the commitments' own write."""
    data = CommitmentInput(**values)
    if commitment is not None:
        update_commitment(session, commitment=commitment, data=data, user_id=user_id, summary=summary)
        return commitment
    participation = services.participation_for(
        session, programme_id=entry.programme_id, organisation_id=entry.organisation_id
    )
    if participation is None:
        raise Refused(_("The organisation no longer takes part in this programme."))
    return create_commitment(
        session, participation=participation, data=data, user_id=user_id, summary=summary
    )


def _write_action(
    session: Session,
    action: SupportingAction | None,
    entry: Entry,
    values: dict[str, Any],
    *,
    user_id: int,
    summary: str,
) -> SupportingAction:
    """The entry's values given to its supporting action (a new one of the entry's organisation
    in its programme) through the actions' own write, which holds their rules."""
    if action is None:
        data = SupportingActionInput(
            programme_id=entry.programme_id, organisation_id=entry.organisation_id, **values
        )
        return create_action(session, data=data, user_id=user_id, summary=summary)
    data = dataclasses.replace(SupportingActionInput.of(action), **values)
    update_action(session, action=action, data=data, user_id=user_id, summary=summary)
    return action


def _report(pilot: Pilot, organisation_id: int, progress: int | None, milestones: list[Milestone]) -> None:
    """The procurer, progress and milestones a participant's pilot entry gives its pilot."""
    if not any(party.organisation_id == organisation_id for party in pilot.parties):
        pilot.parties.append(PilotParty(organisation_id=organisation_id, role=PilotRole.PROCURER))
    changed = False
    today = utcnow().date()
    if progress is not None and pilot.progress is None:
        pilot.progress = PilotProgress(percent=progress, as_of=today)
        changed = True
    elif progress is not None and pilot.progress is not None and pilot.progress.percent != progress:
        pilot.progress.percent, pilot.progress.as_of = progress, today
        changed = True
    wanted = [(m.title, m.due_on, m.done_on) for m in milestones]
    if [(m.title, m.due_on, m.done_on) for m in pilot.milestones] != wanted:
        pilot.milestones = [
            PilotMilestone(position=i, title=title, due_on=due_on, done_on=done_on)
            for i, (title, due_on, done_on) in enumerate(wanted)
        ]
        changed = True
    if changed:  # the pilot's news too: peers read changes by ``updated_at``
        pilot.updated_at = utcnow()
