"""The audit log in a coordinator's words: actions, kinds of record and fields as the forms say them,
values as the pages show them (yes/no, names instead of ids, Brussels time) and a link to each record.

The log stores what the code knows (table and column names, raw values) so that it stays exact;
this module only reads it out. A name it does not know is shown as it is, made readable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hub import i18n
from hub.i18n import N_, gettext
from hub.records import LANGUAGES
from hub.urls import url

ACTIONS = {
    "create": N_("created"),
    "update": N_("changed"),
    "archive": N_("archived"),
    "restore": N_("restored"),
    "delete": N_("deleted"),
    "grant": N_("role granted"),
    "revoke": N_("role withdrawn"),
    "login": N_("logged in"),
    "password": N_("password set"),
    "deactivate": N_("deactivated"),
    "run": N_("run by hand"),
    "enable": N_("switched on"),
    "disable": N_("switched off"),
    "schedule": N_("scheduled"),
    "cancel": N_("cancelled"),
    "close": N_("closed"),
    "append": N_("added to"),
    "bounced": N_("bounced"),
}
# Kind of record (its table) -> its name, and the page of one (route, the route's id parameter).
KINDS: dict[str, tuple[str, str | None, str]] = {
    "pilots": (N_("Pilot"), "ws_pilot", "pilot_id"),
    "lessons": (N_("Lesson"), "ws_lesson", "lesson_id"),
    "library_items": (N_("Library entry"), "ws_library_item", "item_id"),
    "organisations": (N_("Organisation"), "ws_organisation", "organisation_id"),
    "events": (N_("Event"), "ws_event", "event_id"),
    "calls": (N_("Call to join"), "ws_call", "call_id"),
    "communities": (N_("Community"), "ws_community", "community_id"),
    "meetings": (N_("Meeting"), None, ""),
    "sources": (N_("Source"), "ws_source", "source_id"),
    "newsletter_issues": (N_("Newsletter issue"), "ws_issue", "issue_id"),
    "users": (N_("Person"), None, ""),
    "role_grants": (N_("Role"), None, ""),
    "api_clients": (N_("API client"), None, ""),
    "participations": (N_("Participation"), None, ""),
    "commitments": (N_("Commitment"), "ws_commitment", "commitment_id"),
    "supporting_actions": (N_("Supporting action"), None, ""),
    "participant_entries": (N_("Participant's entry"), None, ""),
}
FIELDS = {
    "title": N_("Title"),
    "summary": N_("Summary"),
    "name": N_("Name"),
    "description": N_("Description"),
    "body": N_("What was learned"),
    "programme_id": N_("Programme"),
    "product_group_id": N_("Product group"),
    "strategy_id": N_("Strategy"),
    "country": N_("Country"),
    "status": N_("Status"),
    "phase": N_("Phase"),
    "kind": N_("Kind"),
    "starts_on": N_("Start"),
    "ends_on": N_("End"),
    "starts_at": N_("Starts at"),
    "ends_at": N_("Ends at"),
    "contract_value": N_("Contract value"),
    "source_language": N_("Source language"),
    "key": N_("Key"),
    "schedule": N_("Schedule"),
    "enabled": N_("Switched on"),
    "allow_private": N_("Allow private addresses"),
    "notify_failures": N_("E-mail the coordinators when it starts failing"),
    "options.url": N_("Address (URL)"),
    "options.target": N_("What it feeds"),
    "options.format": N_("File format"),
    "options.upload": N_("Uploaded file"),
    "options.columns": N_("Field mapping"),
    "options.defaults": N_("Defaults"),
    "scheduled_for": N_("Sending time"),
    "subject": N_("Subject"),
    "intro": N_("Introduction"),
    "location": N_("Place"),
    "city": N_("City"),
    "website": N_("Website"),
    "sector": N_("Sector"),
}


def action_label(action: str) -> str:
    return gettext(ACTIONS[action]) if action in ACTIONS else action.replace("_", " ")


def kind_label(entity: str) -> str:
    return gettext(KINDS[entity][0]) if entity in KINDS else entity.replace("_", " ")


def record_url(entity: str, entity_id: int | None) -> str | None:
    """The workspace page of the record an entry is about, where there is one."""
    route, param = KINDS.get(entity, ("", None, ""))[1:]
    if route is None or entity_id is None:
        return None
    return url(route, query=None, **{param: entity_id})


def field_label(name: str) -> str:
    """A field as the forms name it: "title_nl" is "Title (Dutch)"."""
    base, _, language = name.rpartition("_")
    if language in LANGUAGES and base in FIELDS:
        return gettext(
            "%(field)s (%(language)s)", field=gettext(FIELDS[base]), language=i18n.language_name(language)
        )
    if name in FIELDS:
        return gettext(FIELDS[name])
    return name.removeprefix("options.").replace("_", " ").capitalize()


def value_shown(name: str, value: Any, names: Mapping[str, Mapping[int, str]]) -> str:
    """A value as the pages show it: yes/no, a programme's name for its id, a moment in Brussels time."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, int) and name in names:
        return names[name].get(value, str(value))
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return i18n.format_local_datetime(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key} = {item}" for key, item in value.items())
    return str(value)
