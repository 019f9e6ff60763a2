"""Reading a pilot's values from a form (the coordinators' and the participants'): the parts both
forms share, with the pilot's rules shown next to the field they concern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from hub.forms import Form
from hub.i18n import gettext as _
from hub.pilots.fields import QUANTITIES, broken


def show_broken(form: Form, values: Mapping[str, Any], *, among: Collection[str] | None = None) -> None:
    """Each rule of a pilot's that ``values`` break, as an error on its field (rules over a value
    the form could not read are left: its own error says why)."""
    for rule in broken(values, unread=form.errors, among=among):
        form.error(rule.field, _(rule.message))


def parse_dates(form: Form) -> tuple[dt.date | None, dt.date | None]:
    """The start and end dates; an end before the start is refused."""
    values = {"starts_on": form.date("starts_on"), "ends_on": form.date("ends_on")}
    show_broken(form, values, among=values)
    return values["starts_on"], values["ends_on"]


def parse_impact(form: Form) -> dict[str, Decimal | None]:
    """The measured baselines and results (tonnes); a result without its baseline is refused."""
    values: dict[str, Decimal | None] = {}
    for quantity in QUANTITIES:
        pair = {name: form.decimal(name) for name in (f"{quantity}_baseline_t", f"{quantity}_result_t")}
        show_broken(form, pair, among=pair)
        values.update(pair)
    return values
