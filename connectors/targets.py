"""The kinds of record a source can feed, their fields and how a raw value becomes a typed one.

Connectors map a source's entries onto these fields (a feed by convention, an export by its
declared column mapping) and coerce each value here, so that a wrong type becomes a clear error
on that one entry. ``hub.sync`` turns the typed fields into database rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from connectors.messages import N_, Problem

# Spreadsheet formulas start with one of these; a cell that does is kept as plain text, prefixed
# with an apostrophe, so that it can never run when the data is opened in a spreadsheet again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text(value: Any, max_length: int = 300) -> str:
    result = " ".join(str(value).split())
    if len(result) > max_length:
        raise Problem(N_("is longer than %(max)s characters"), max=max_length)
    return defuse_formula(result)


def long_text(value: Any) -> str:
    """HTML or plain text of any length (sanitised by the hub on ingest)."""
    return str(value).strip()


def defuse_formula(value: str) -> str:
    if value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+([.,]\d+)?", value))


# Dates as people in Belgium and the Netherlands type them (day first), besides ISO 8601:
# 31/03/2024, 31-03-2024, 31.03.2024 and 2024/03/31; a date and time adds " 14:30" (or "T14:30").
_WRITTEN_DATE = (
    r"(?:(?P<year>\d{4})(?P<ymd>[-/])(?P<month>\d{1,2})(?P=ymd)(?P<day>\d{1,2})"
    r"|(?P<d>\d{1,2})(?P<dmy>[-/.])(?P<m>\d{1,2})(?P=dmy)(?P<y>\d{4}))"
)
_WRITTEN = re.compile(_WRITTEN_DATE)
_WRITTEN_MOMENT = re.compile(
    _WRITTEN_DATE + r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
)


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        written = _written(_WRITTEN, raw)
        if written is None:
            raise Problem(
                N_("“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY)"), value=_short(value)
            ) from None
        return written.date()


def datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        raw = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(raw)
        except ValueError:
            written = _written(_WRITTEN_MOMENT, raw)
            if written is None:
                raise Problem(
                    N_("“%(value)s” is not a date and time (YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM)"),
                    value=_short(value),
                ) from None
            moment = written
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _written(pattern: re.Pattern[str], raw: str) -> dt.datetime | None:
    """The date (and time) ``raw`` gives in one of the forms ``pattern`` reads, or None."""
    found = pattern.fullmatch(raw)
    if found is None:
        return None
    parts = {name: value for name, value in found.groupdict().items() if value}
    try:
        return dt.datetime(
            int(parts.get("year") or parts["y"]),
            int(parts.get("month") or parts["m"]),
            int(parts.get("day") or parts["d"]),
            int(parts.get("hour", 0)),
            int(parts.get("minute", 0)),
            int(parts.get("second", 0)),
        )
    except ValueError:  # 31/02/2024, 25:00
        return None


def decimal(value: Any) -> Decimal:
    raw = str(value).strip().replace(" ", "")
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise Problem(N_("“%(value)s” is not a number"), value=_short(value)) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise Problem(N_("“%(value)s” is not a number"), value=_short(value))
    return number


def integer(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Problem(N_("“%(value)s” is not a whole number"), value=_short(value)) from None


_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def code(value: Any) -> str:
    """A value of a vocabulary (product group, status, phase, country), checked by the hub: its code
    (in lower case), or its name as a spreadsheet writes it ("Lopend", "België"), kept as written."""
    result = str(value).strip()
    if _CODE.fullmatch(result):
        return result.lower()
    result = " ".join(result.split())
    if not result or len(result) > 100 or not any(character.isalpha() for character in result):
        raise Problem(N_("“%(value)s” is not a valid code"), value=_short(value))
    return result


def references(value: Any) -> tuple[str, ...]:
    """Ids of records of other sources (a lesson's pilots), separated by commas, semicolons or spaces.

    A tuple, immutable like the other typed values; one given again comes back as it is.
    """
    parts = value if isinstance(value, tuple) else re.split(r"[\s,;]+", str(value))
    ids = tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))
    if any(len(one) > 200 for one in ids):
        raise Problem(N_("is longer than %(max)s characters"), max=200)
    return ids


def url(value: Any) -> str:
    result = str(value).strip()
    parts = urlsplit(result)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(result) > 500:
        raise Problem(N_("“%(value)s” is not a web address (http:// or https://)"), value=_short(value))
    return result


def _short(value: Any) -> str:
    shown = str(value)
    return shown if len(shown) <= 60 else shown[:59] + "…"


Coerce = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True)
class Target:
    """A kind of record a source can feed: its fields (name -> coercion) and required fields.

    ``one_of`` lists groups of fields of which at least one must be given (a title in either
    language).
    """

    name: str
    fields: Mapping[str, Coerce]
    required: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()

    def coerce(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Typed fields from raw values; empty values are left out. Raises Problem naming the field."""
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in self.fields:
                raise Problem(N_("“%(field)s” is not a field of this kind of record"), field=name)
            if _empty(value):
                continue
            values[name] = self.coerce_field(name, value)
        return self.check(values)

    def coerce_field(self, name: str, value: Any) -> Any:
        """One non-empty value of a known field, typed; a Problem names the field."""
        try:
            return self.fields[name](value)
        except Problem as problem:
            raise Problem(N_("%(field)s: %(problem)s"), field=name, problem=problem) from None

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` (already typed) if the required fields are there, else a Problem naming one."""
        for name in self.required:
            if name not in values:
                raise Problem(N_("the required field “%(field)s” is empty"), field=name)
        for group in self.one_of:
            if not any(name in values for name in group):
                raise Problem(N_("one of the fields %(fields)s must be given"), fields=", ".join(group))
        return values

    def uncovered(self, names: Collection[str]) -> list[str]:
        """The required fields (and "a or b" groups) that ``names`` do not provide, for option checks."""
        missing = [name for name in self.required if name not in names]
        missing += [" or ".join(group) for group in self.one_of if not any(name in names for name in group)]
        return missing

    def row_coercer(
        self, keys: Mapping[str, Any], defaults: Mapping[str, Any]
    ) -> Callable[[Any], dict[str, Any]]:
        """``coerce`` for many rows of one shape: field ``name`` gets ``row[keys[name]]``.

        Field names and ``defaults`` are checked and typed once, so a row costs only its own
        values (exports of 100,000 rows). A default applies where the row's value is empty.
        Raises Problem at once for an unknown field or an invalid default.
        """
        for name in (*keys, *defaults):
            if name not in self.fields:
                raise Problem(N_("“%(field)s” is not a field of this kind of record"), field=name)
        base = {name: self.coerce_field(name, value) for name, value in defaults.items() if not _empty(value)}
        steps = [(key, name, self.fields[name]) for name, key in keys.items()]

        def coerce_row(row: Any) -> dict[str, Any]:
            values = base.copy()
            for key, name, convert in steps:  # coerce_field and _empty inlined: this runs per row
                value = row[key]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                try:
                    values[name] = convert(value)
                except Problem as problem:
                    raise Problem(N_("%(field)s: %(problem)s"), field=name, problem=problem) from None
            return self.check(values)

        return coerce_row


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _bilingual(name: str, coerce: Coerce) -> dict[str, Coerce]:
    return {f"{name}_nl": coerce, f"{name}_en": coerce}


TITLES = ("title_nl", "title_en")

TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target(
            "news",
            {**_bilingual("title", text), **_bilingual("summary", long_text), "published_at": datetime},
            one_of=(TITLES,),
        ),
        Target(
            "pilot",
            {
                **_bilingual("title", text),
                **_bilingual("summary", long_text),
                "country": code,
                "status": code,
                "phase": code,
                "product_group": code,
                "starts_on": date,
                "ends_on": date,
                "contract_value": decimal,
            },
            required=("country", "status", "phase"),
            one_of=(TITLES,),
        ),
        Target(
            "meeting",
            {
                **_bilingual("title", text),
                "community_id": integer,
                "starts_at": datetime,
                "ends_at": datetime,
                "timezone": text,
                "mode": code,
                "location": text,
                "online_url": url,
                "capacity": integer,
                **_bilingual("agenda", long_text),
            },
            required=("community_id", "starts_at"),
            one_of=(TITLES,),
        ),
        Target(
            "lesson",
            {
                **_bilingual("title", text),
                **_bilingual("body", long_text),
                **_bilingual("resources", long_text),
                **_bilingual("evidence", long_text),
                **_bilingual("transfer", long_text),
                "source_language": code,
                "product_group": code,
                "strategy": code,
                "phase": code,
                "kind": code,
                "pilots": references,
            },
            # No default kind: a barrier filed as a tip would mislead; a source that knows gives
            # "defaults" (kind = tip) once.
            required=("kind",),
            one_of=(TITLES,),
        ),
        Target(
            "organisation",
            {
                "name": text,
                "sector": code,
                "country": code,
                "city": text,
                "website": url,
                **_bilingual("description", long_text),
                "role": code,
                "joined_on": date,
            },
            required=("name", "sector", "country"),
        ),
    )
}
