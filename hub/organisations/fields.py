"""The fields of the network's records, declared once: an organisation, its participation in a
programme, a participation's commitment, a supporting action.

Every way these are written (the coordinators' forms, a participant's published entry, a source's
sync, a peer hub's mirror) takes its fields from here, or a test holds it to them
(tests/organisations/test_fields.py). The rules their values obey are checked where they are
written (``hub.organisations.writes``).
"""

from __future__ import annotations

from hub.records import LANGUAGES

# An organisation's own values (its participations are records of their own).
ORGANISATION_FIELDS = (
    "name",
    "sector",
    "country",
    "city",
    "website",
    "source_language",
    *(f"description_{lang}" for lang in LANGUAGES),
)

PARTICIPATION_FIELDS = ("programme_id", "organisation_id", "role", "joined_on", "left_on")

# A commitment's values; the participation it belongs to is its parent, not one of its fields.
COMMITMENT_FIELDS = ("kind", "target_count", "signed_on", *(f"description_{lang}" for lang in LANGUAGES))

ACTION_FIELDS = (
    "programme_id",
    "organisation_id",
    "source_language",
    *(f"{name}_{lang}" for name in ("title", "summary") for lang in LANGUAGES),
    "starts_on",
    "ends_on",
)
