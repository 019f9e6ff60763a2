"""How a commitment's form is read: the same for the coordinators' commitment form and a
participant's commitment entry (its fields: ``fields.COMMITMENT_FIELDS``)."""

from __future__ import annotations

from typing import Any

from hub.forms import TEXT_MAX, Form
from hub.organisations.models import CommitmentKind


def parse_commitment(form: Form) -> dict[str, Any]:
    """The values of a ``writes.CommitmentInput`` (valid when the form has no errors)."""
    return {
        "kind": form.choice("kind", CommitmentKind),
        "target_count": form.integer("target_count", minimum=1, maximum=1000, required=True),
        "signed_on": form.date("signed_on"),
        "description_nl": form.text("description_nl", max_length=TEXT_MAX),
        "description_en": form.text("description_en", max_length=TEXT_MAX),
    }
