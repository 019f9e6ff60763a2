"""A small form-validation layer: typed field parsers that collect values and localised errors.

A view builds a ``Form`` from the submitted data, asks it for each field (``form.text(...)``,
``form.date(...)``, ...), then checks ``form.ok``. Every parser keeps what was typed (``form.raw``)
so that a refused form is shown again as the user left it, and records one message per field
(``form.errors``) in the user's language. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from starlette.datastructures import FormData

from hub import i18n
from hub.i18n import LabelledEnum, gettext, ngettext
from hub.inputs import email_address, on_one_line
from hub.refusals import Refused
from hub.security import MAX_FIELD_LENGTH

E = TypeVar("E", bound=LabelledEnum)

TEXT_MAX = MAX_FIELD_LENGTH  # a Text column: bounded by what the CSRF layer accepts
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class Form:
    """Submitted (or initial) values as strings, the parsed values, and per-field error messages."""

    def __init__(self, raw: Mapping[str, str | list[str]] | None = None) -> None:
        self.raw: dict[str, str | list[str]] = dict(raw or {})
        self.errors: dict[str, str] = {}

    @classmethod
    def submitted(cls, data: FormData, multi: Iterable[str] = ()) -> Form:
        """The form as posted; ``multi`` names fields that may repeat (checkboxes)."""
        multiple = set(multi)
        raw: dict[str, str | list[str]] = {}
        for key in data:
            if key == "csrf_token":
                continue
            if key in multiple:
                raw[key] = [v for v in data.getlist(key) if isinstance(v, str)]
            else:
                value = data.get(key)
                raw[key] = value if isinstance(value, str) else ""
        for key in multiple:
            raw.setdefault(key, [])
        return cls(raw)

    # --- what templates use ---

    @property
    def ok(self) -> bool:
        return not self.errors

    def value(self, name: str) -> str:
        value = self.raw.get(name, "")
        return value if isinstance(value, str) else ""

    def values(self, name: str) -> list[str]:
        value = self.raw.get(name, [])
        return value if isinstance(value, list) else [value]

    def error(self, name: str, message: str) -> None:
        """Records ``message`` for ``name`` unless the field already has one (the first one counts)."""
        self.errors.setdefault(name, message)

    def show(self, refused: Refused) -> None:
        """Puts what the domain refused at the fields it names; a refusal naming no field is raised
        again (it is not about this form)."""
        if not refused.errors:
            raise refused
        for name, message in refused.errors.items():
            self.error(name, message)

    def summary(self) -> str:
        n = len(self.errors)
        return ngettext(
            "The form was not saved: %(num)d field needs your attention.",
            "The form was not saved: %(num)d fields need your attention.",
            n,
        )

    # --- parsers ---

    def _text(self, name: str) -> str:
        return self.value(name).replace("\r\n", "\n").strip()

    def _given(self, name: str, required: bool, missing: str | None = None) -> str:
        """The field's text; left empty, it is an error if the field is ``required`` (``missing``
        says which, "required" by default)."""
        text = self._text(name)
        if required and not text:
            self.error(name, missing or gettext("This field is required."))
        return text

    def text(self, name: str, *, max_length: int, required: bool = False) -> str:
        text = self._given(name, required)
        if len(text) > max_length:
            self.error(
                name,
                gettext(
                    "Use at most %(max)d characters; this has %(count)d.", max=max_length, count=len(text)
                ),
            )
        return text

    def line(self, name: str, *, max_length: int, required: bool = False) -> str:
        """A one-line text (a name, a title): line breaks and control characters are refused, since
        such a value may end up in an e-mail header."""
        text = self.text(name, max_length=max_length, required=required)
        if not on_one_line(text):
            self.error(name, gettext("Write this on one line, without special characters."))
        return text

    def email(self, name: str, *, required: bool = False) -> str:
        """An e-mail address, normalised (the domain in lower case); internationalised ones allowed."""
        text = self.line(name, max_length=254, required=required)
        if not text or name in self.errors:
            return text
        address = email_address(text)
        if address is None:
            self.error(name, gettext("Enter an e-mail address such as name@example.org."))
        return address or text

    def bilingual(self, *texts: str, title_max: int = 300) -> dict[str, Any]:
        """The source language, the title in both languages (required in the source language) and
        the longer ``texts`` (e.g. "summary") in both languages: ``title_nl``, ``summary_en`` …"""
        source = self.key("source_language", i18n.LANGUAGES)
        values: dict[str, Any] = {"source_language": source}
        for code in i18n.LANGUAGES:
            values[f"title_{code}"] = self.line(f"title_{code}", max_length=title_max)
            for name in texts:
                values[f"{name}_{code}"] = self.text(f"{name}_{code}", max_length=TEXT_MAX)
        if source and not values[f"title_{source}"]:
            self.error(f"title_{source}", gettext("Enter the title in the source language."))
        return values

    def optional_text(self, name: str, *, max_length: int) -> str | None:
        return self.text(name, max_length=max_length) or None

    def url(self, name: str, *, max_length: int) -> str | None:
        text = self.text(name, max_length=max_length)
        if text and not _URL.match(text):
            self.error(name, gettext("Enter a web address starting with http:// or https://."))
        return text or None

    def choice(self, name: str, enum: type[E], *, required: bool = True) -> E | None:
        """A member of ``enum``, chosen by its value."""
        text = self.key(name, {member.value for member in enum}, required=required)
        return None if text is None else enum(text)

    def key(self, name: str, allowed: Collection[str], *, required: bool = True) -> str | None:
        """One of ``allowed`` (e.g. ids or codes offered in a select)."""
        text = self._given(name, required, gettext("Choose one of the options."))
        if not text:
            return None
        if text not in allowed:
            self.error(name, gettext("Choose one of the options offered."))
            return None
        return text

    def keys(self, name: str, allowed: Collection[str]) -> list[str]:
        chosen = [v.strip() for v in self.values(name) if v.strip()]
        if any(v not in allowed for v in chosen):
            self.error(name, gettext("Choose one of the options offered."))
            return []
        return list(dict.fromkeys(chosen))

    def integer(self, name: str, *, minimum: int, maximum: int, required: bool = False) -> int | None:
        text = self._given(name, required)
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            self.error(name, gettext("Enter a whole number, e.g. 2."))
            return None
        if not minimum <= number <= maximum:
            self.error(
                name,
                gettext("Enter a whole number from %(min)d to %(max)d.", min=minimum, max=maximum),
            )
            return None
        return number

    def decimal(self, name: str, *, maximum: Decimal = MAX_AMOUNT, places: int = 2) -> Decimal | None:
        """A number of zero or more; a comma or a point as decimal separator, spaces ignored."""
        text = re.sub(r"[\s\u00a0\u202f]", "", self._text(name))
        if not text:
            return None
        if "," in text and "." in text:
            # Both: the last one separates the decimals, the other groups thousands (1.234,5 / 1,234.5).
            decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal_mark == "," else ",", "")
        text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not re.fullmatch(r"[+-]?\d*\.?\d*", text):
            self.error(name, gettext("Enter a number, e.g. 1250.50."))
            return None
        if number < 0:
            self.error(name, gettext("Enter a number of zero or more."))
            return None
        if number > maximum:
            self.error(name, gettext("This number is too large."))
            return None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.error(name, gettext("Use at most %(places)d decimals.", places=places))
            return None
        return number

    def date(self, name: str) -> dt.date | None:
        text = self._text(name)
        if not text:
            return None
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) or not 1900 <= value.year <= 2200:
            self.error(name, gettext("Enter a date as YYYY-MM-DD, e.g. 2024-03-31."))
            return None
        return value

    def time(self, name: str, *, required: bool = False) -> dt.time | None:
        """A time of day as HH:MM (24 hours)."""
        text = self._given(name, required)
        if not text:
            return None
        try:
            value = dt.time.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or not re.fullmatch(r"\d{2}:\d{2}", text):
            self.error(name, gettext("Enter a time as HH:MM, e.g. 09:30."))
            return None
        return value

    def moment(self, name: str, day: dt.date, time: dt.time, zone: str) -> dt.datetime | None:
        """``day`` at ``time`` (the value of the field ``name``) in the time zone ``zone``, in UTC;
        a time the clocks skip there that day (they go forward) is refused."""
        moment = i18n.utc_moment(day, time, zone)
        if moment is None:
            self.error(
                name,
                gettext("This time does not exist in %(zone)s that day: the clocks go forward.", zone=zone),
            )
        return moment

    def date_range(self, start: str, end: str) -> tuple[dt.date | None, dt.date | None]:
        starts_on, ends_on = self.date(start), self.date(end)
        if starts_on and ends_on and ends_on < starts_on:
            self.error(end, gettext("The end date cannot be before the start date."))
        return starts_on, ends_on


def as_raw(value: Any) -> str | list[str]:
    """A stored value as a form shows it (the initial state of an edit form)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return str(value)


# The programmes' own countries first (Flanders, the Netherlands), then the other North Sea
# countries of ProCirc's region, then every other country by name.
FIRST_COUNTRIES = ("BE", "NL", "DK", "DE", "NO", "SE", "GB", "FR")


def countries() -> list[tuple[str, str]]:
    """(ISO 3166-1 alpha-2 code, name in the current language): ``FIRST_COUNTRIES``, then by name."""
    names = i18n.locale().territories
    codes = i18n.country_codes()
    first = [(c, str(names[c])) for c in FIRST_COUNTRIES if c in codes]
    rest = sorted(
        ((c, str(names[c])) for c in codes if c not in FIRST_COUNTRIES), key=lambda item: item[1].casefold()
    )
    return first + rest
