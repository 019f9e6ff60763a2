"""The routes of the coordinator workspace, mounted at ``/{lang}/coordinator`` behind a login.

Each part of the workspace lists its own routes in its module; this is the one place they meet.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.workspace import (
    actions,
    audit,
    calls,
    clients,
    communities,
    events,
    lesson_links,
    lessons,
    library,
    meetings,
    newsletters,
    organisations,
    participants,
    participations,
    people,
    pilots,
    programme_sdgs,
    sources,
    views,
)

POST = ["POST"]


def workspace_routes() -> list[BaseRoute]:
    return [
        Route("/", views.dashboard, name="dashboard"),
        Route("/dashboard/{chart:str}.csv", views.dashboard_csv, name="dashboard_csv"),
        # The Sustainable Development Goals of a programme (it has no other form)
        Route("/programmes/{code:str}/sdgs", programme_sdgs.programme_sdgs_edit, name="ws_programme_sdgs"),
        Route(
            "/programmes/{code:str}/sdgs",
            programme_sdgs.programme_sdgs_update,
            methods=POST,
            name="ws_programme_sdgs_update",
        ),
        # Pilots and their translations
        Route("/pilots", pilots.pilot_list, name="ws_pilots"),
        Route("/pilots/new", pilots.pilot_new, name="ws_pilot_new"),
        Route("/pilots/new", pilots.pilot_create, methods=POST, name="ws_pilot_create"),
        Route("/pilots/{pilot_id:int}", pilots.pilot_edit, name="ws_pilot"),
        Route("/pilots/{pilot_id:int}", pilots.pilot_update, methods=POST, name="ws_pilot_update"),
        Route("/pilots/{pilot_id:int}/archive", pilots.pilot_archive, methods=POST, name="ws_pilot_archive"),
        Route("/pilots/{pilot_id:int}/local", pilots.pilot_local_update, methods=POST, name="ws_pilot_local"),
        Route("/translations", pilots.translation_queue, name="ws_translations"),
        # Lessons learned (also recorded from a meeting's close-out: /lessons/new?closeout=<id>)
        Route("/lessons", lessons.lesson_list, name="ws_lessons"),
        Route("/lessons/new", lessons.lesson_new, name="ws_lesson_new"),
        Route("/lessons/new", lessons.lesson_create, methods=POST, name="ws_lesson_create"),
        Route("/lessons/{lesson_id:int}", lessons.lesson_edit, name="ws_lesson"),
        Route("/lessons/{lesson_id:int}", lessons.lesson_update, methods=POST, name="ws_lesson_update"),
        Route(
            "/lessons/{lesson_id:int}/archive", lessons.lesson_archive, methods=POST, name="ws_lesson_archive"
        ),
        # The knowledge library
        Route("/library", library.library_list, name="ws_library"),
        Route("/library/new", library.library_new, name="ws_library_new"),
        Route("/library/new", library.library_create, methods=POST, name="ws_library_create"),
        Route("/library/{item_id:int}", library.library_edit, name="ws_library_item"),
        Route("/library/{item_id:int}", library.library_update, methods=POST, name="ws_library_update"),
        Route(
            "/library/{item_id:int}/archive", library.library_archive, methods=POST, name="ws_library_archive"
        ),
        # Organisations, their participations and commitments
        Route("/organisations", organisations.organisation_list, name="ws_organisations"),
        Route("/organisations/new", organisations.organisation_new, name="ws_organisation_new"),
        Route(
            "/organisations/new",
            organisations.organisation_create,
            methods=POST,
            name="ws_organisation_create",
        ),
        Route(
            "/organisations/{organisation_id:int}", organisations.organisation_edit, name="ws_organisation"
        ),
        Route(
            "/organisations/{organisation_id:int}",
            organisations.organisation_update,
            methods=POST,
            name="ws_organisation_update",
        ),
        Route(
            "/organisations/{organisation_id:int}/archive",
            organisations.organisation_archive,
            methods=POST,
            name="ws_organisation_archive",
        ),
        Route(
            "/organisations/{organisation_id:int}/participations",
            participations.participation_add,
            methods=POST,
            name="ws_participation_add",
        ),
        Route(
            "/participations/{participation_id:int}/remove",
            participations.participation_remove,
            methods=POST,
            name="ws_participation_remove",
        ),
        Route(
            "/participations/{participation_id:int}/commitments",
            participations.commitment_new,
            name="ws_commitment_new",
        ),
        Route(
            "/participations/{participation_id:int}/commitments",
            participations.commitment_create,
            methods=POST,
            name="ws_commitment_create",
        ),
        Route("/commitments/{commitment_id:int}", participations.commitment_edit, name="ws_commitment"),
        Route(
            "/commitments/{commitment_id:int}",
            participations.commitment_update,
            methods=POST,
            name="ws_commitment_update",
        ),
        Route(
            "/commitments/{commitment_id:int}/archive",
            participations.commitment_archive,
            methods=POST,
            name="ws_commitment_archive",
        ),
        # Supporting actions
        Route("/actions", actions.action_list, name="ws_actions"),
        Route("/actions/new", actions.action_new, name="ws_action_new"),
        Route("/actions/new", actions.action_create, methods=POST, name="ws_action_create"),
        Route("/actions/{action_id:int}", actions.action_edit, name="ws_action"),
        Route("/actions/{action_id:int}", actions.action_update, methods=POST, name="ws_action_update"),
        Route(
            "/actions/{action_id:int}/archive", actions.action_archive, methods=POST, name="ws_action_archive"
        ),
        # Sources and their runs
        Route("/sources", sources.source_list, name="ws_sources"),
        Route("/sources/new", sources.source_new, name="ws_source_new"),
        Route("/sources/new", sources.source_create, methods=POST, name="ws_source_create"),
        Route("/sources/{source_id:int}", sources.source_detail, name="ws_source"),
        Route("/sources/{source_id:int}/edit", sources.source_edit, name="ws_source_edit"),
        Route("/sources/{source_id:int}/edit", sources.source_update, methods=POST, name="ws_source_update"),
        Route("/sources/{source_id:int}/run", sources.source_run, methods=POST, name="ws_source_run"),
        Route(
            "/sources/{source_id:int}/enable", sources.source_enable, methods=POST, name="ws_source_enable"
        ),
        Route(
            "/sources/{source_id:int}/disable", sources.source_disable, methods=POST, name="ws_source_disable"
        ),
        Route("/runs/{run_id:int}", sources.run_detail, name="ws_run"),
        # Communities of practice: moderation, meetings and their close-outs, proposals
        Route("/communities", communities.community_index, name="ws_communities"),
        Route("/communities/{community_id:int}", communities.community_page, name="ws_community"),
        Route(
            "/communities/{community_id:int}/requests/{request_id:int}",
            communities.request_decide,
            methods=POST,
            name="ws_request_decide",
        ),
        Route(
            "/communities/{community_id:int}/members",
            communities.member_add,
            methods=POST,
            name="ws_member_add",
        ),
        Route(
            "/communities/{community_id:int}/members/{member_id:int}/remove",
            communities.member_remove,
            methods=POST,
            name="ws_member_remove",
        ),
        Route(
            "/communities/{community_id:int}/posts", communities.post_add, methods=POST, name="ws_post_add"
        ),
        Route("/communities/{community_id:int}/meetings/new", meetings.meeting_new, name="ws_meeting_new"),
        Route(
            "/communities/{community_id:int}/meetings/new",
            meetings.meeting_create,
            methods=POST,
            name="ws_meeting_create",
        ),
        Route(
            "/communities/{community_id:int}/meetings/{meeting_id:int}",
            meetings.meeting_edit,
            name="ws_meeting",
        ),
        Route(
            "/communities/{community_id:int}/meetings/{meeting_id:int}",
            meetings.meeting_update,
            methods=POST,
            name="ws_meeting_update",
        ),
        Route(
            "/communities/{community_id:int}/meetings/{meeting_id:int}/closeout",
            meetings.closeout_edit,
            name="ws_closeout",
        ),
        Route(
            "/communities/{community_id:int}/meetings/{meeting_id:int}/closeout",
            meetings.closeout_save,
            methods=POST,
            name="ws_closeout_save",
        ),
        Route(
            "/communities/{community_id:int}/meetings/{meeting_id:int}/closeout/publish",
            meetings.closeout_publish,
            methods=POST,
            name="ws_closeout_publish",
        ),
        Route(
            "/proposals/{proposal_id:int}",
            communities.proposal_decide,
            methods=POST,
            name="ws_proposal_decide",
        ),
        # Calls to join: open, change and close a call; answer the visitors who are interested
        # Participants: invitations, and the review of what they log
        Route("/participants", participants.participant_list, name="ws_participants"),
        Route("/participants", participants.participant_invite, methods=POST, name="ws_participant_invite"),
        Route(
            "/participants/invitations/{invitation_id:int}/withdraw",
            participants.participant_revoke,
            methods=POST,
            name="ws_invitation_withdraw",
        ),
        Route("/entries", participants.entry_list, name="ws_entries"),
        Route("/entries/{entry_id:int}", participants.entry_page, name="ws_entry"),
        Route("/entries/{entry_id:int}", participants.entry_review, methods=POST, name="ws_entry_review"),
        Route("/calls", calls.call_list, name="ws_calls"),
        Route("/calls/new", calls.call_new, name="ws_call_new"),
        Route("/calls/new", calls.call_create, methods=POST, name="ws_call_create"),
        Route("/calls/{call_id:int}", calls.call_page, name="ws_call"),
        Route("/calls/{call_id:int}/edit", calls.call_edit, name="ws_call_edit"),
        Route("/calls/{call_id:int}/edit", calls.call_update, methods=POST, name="ws_call_update"),
        Route("/calls/{call_id:int}/close", calls.call_close, methods=POST, name="ws_call_close"),
        Route("/calls/{call_id:int}/reopen", calls.call_reopen, methods=POST, name="ws_call_reopen"),
        Route(
            "/calls/{call_id:int}/interests/{interest_id:int}",
            calls.interest_answer,
            methods=POST,
            name="ws_interest_answer",
        ),
        # Events: plan one, write its outcome, archive it; see and cancel registrations per side
        Route("/events", events.event_list, name="ws_events"),
        Route("/events/new", events.event_new, name="ws_event_new"),
        Route("/events/new", events.event_create, methods=POST, name="ws_event_create"),
        Route("/events/{event_id:int}", events.event_edit, name="ws_event"),
        Route("/events/{event_id:int}", events.event_update, methods=POST, name="ws_event_update"),
        Route("/events/{event_id:int}/archive", events.event_archive, methods=POST, name="ws_event_archive"),
        Route(
            "/events/{event_id:int}/registrations", events.event_registrations, name="ws_event_registrations"
        ),
        Route(
            "/events/{event_id:int}/registrations/{registration_id:int}/cancel",
            events.registration_cancel,
            methods=POST,
            name="ws_event_registration_cancel",
        ),
        # The newsletter: issues, their preview per segment, a test, scheduling (newsletter editors)
        Route("/newsletter", newsletters.issue_list, name="ws_newsletter"),
        Route("/newsletter/new", newsletters.issue_new, name="ws_issue_new"),
        Route("/newsletter/new", newsletters.issue_create, methods=POST, name="ws_issue_create"),
        Route("/newsletter/{issue_id:int}", newsletters.issue_edit, name="ws_issue"),
        Route("/newsletter/{issue_id:int}", newsletters.issue_update, methods=POST, name="ws_issue_update"),
        Route("/newsletter/{issue_id:int}/preview", newsletters.issue_preview, name="ws_issue_preview"),
        Route("/newsletter/{issue_id:int}/test", newsletters.issue_test, methods=POST, name="ws_issue_test"),
        Route(
            "/newsletter/{issue_id:int}/schedule",
            newsletters.issue_schedule,
            methods=POST,
            name="ws_issue_schedule",
        ),
        Route(
            "/newsletter/{issue_id:int}/cancel",
            newsletters.issue_cancel,
            methods=POST,
            name="ws_issue_cancel",
        ),
        # Links between lessons and pilots: suggestions to confirm or turn down
        Route("/pilots/{pilot_id:int}/lessons", lesson_links.pilot_lessons, name="ws_pilot_lessons"),
        Route(
            "/pilots/{pilot_id:int}/lessons",
            lesson_links.link_confirm,
            methods=POST,
            name="ws_pilot_lesson_confirm",
        ),
        Route(
            "/pilots/{pilot_id:int}/lessons/dismiss",
            lesson_links.link_dismiss,
            methods=POST,
            name="ws_pilot_lesson_dismiss",
        ),
        Route("/lessons/{lesson_id:int}/pilots", lesson_links.lesson_pilots, name="ws_lesson_pilots"),
        Route(
            "/lessons/{lesson_id:int}/pilots",
            lesson_links.link_confirm,
            methods=POST,
            name="ws_lesson_pilot_confirm",
        ),
        Route(
            "/lessons/{lesson_id:int}/pilots/dismiss",
            lesson_links.link_dismiss,
            methods=POST,
            name="ws_lesson_pilot_dismiss",
        ),
        Route("/links/{link_id:int}/remove", lesson_links.link_remove, methods=POST, name="ws_link_remove"),
        # Who changed what
        Route("/audit", audit.audit_log, name="ws_audit"),
        # People and roles (administrators)
        Route("/people", people.people, name="ws_people"),
        Route("/people/{user_id:int}/roles", people.grant_role, methods=POST, name="ws_grant"),
        Route("/people/roles/{grant_id:int}/revoke", people.revoke_role, methods=POST, name="ws_revoke"),
        # Peer clients: the hubs allowed to read protected fields (administrators)
        Route("/clients", clients.client_list, name="ws_clients"),
        Route("/clients", clients.client_register, methods=POST, name="ws_client_register"),
        Route(
            "/clients/{client_id:str}/revoke", clients.client_revoke, methods=POST, name="ws_client_revoke"
        ),
    ]
