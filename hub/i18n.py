"""Locales, the current locale (a ContextVar), negotiation and Babel formatting.

Translations are never installed globally: gettext looks up the current locale per call, so
concurrent requests in different languages cannot leak into each other.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time
from babel.dates import format_timedelta, get_timezone
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern
from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "en")
TIMEZONE = "Europe/Brussels"  # the programmes' time (Flanders and the Netherlands share it)
# The time zones meetings and events are planned in: the programmes' countries (ProCirc: BE, NL, DK,
# DE, SE, NO, UK).
ZONES = (
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Copenhagen",
    "Europe/Oslo",
    "Europe/Stockholm",
    "Europe/London",
)
SOURCE_LANGUAGE = "en"  # msgids are English
DOMAIN = "messages"

log = logging.getLogger(__name__)

current_language: ContextVar[str] = ContextVar("current_language", default="nl")


def locales_dir() -> Path:
    """``hub/locales`` in an installed wheel, else ``locales/`` beside the package (a checkout)."""
    packaged = Path(__file__).parent / "locales"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "locales"


@cache
def translations(language: str) -> NullTranslations:
    mo = locales_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists():
        if language != SOURCE_LANGUAGE:
            log.error("No compiled catalog %s: run `pybabel compile -d locales`", mo)
        return NullTranslations()
    with mo.open("rb") as f:
        return Translations(f, domain=DOMAIN)


def catalog_missing(language: str) -> bool:
    """True when a translated language has no compiled catalog (its pages would be English)."""
    return language != SOURCE_LANGUAGE and not isinstance(translations(language), Translations)


def gettext(message: str, **variables: Any) -> str:
    text = translations(current_language.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(current_language.get()).ungettext(singular, plural, n)
    return text % {"num": n, **variables}


def describe(message: str, values: Mapping[str, Any] | None = None) -> str:
    """A stored, untranslated message (a run's outcome, a connector's problem) in the current language.

    A value given as ``{"message": ..., "values": ...}`` is a message of its own, translated too.
    """
    resolved = {
        name: describe(value["message"], value.get("values")) if isinstance(value, dict) else value
        for name, value in (values or {}).items()
    }
    try:
        return gettext(message, **resolved)
    except (KeyError, TypeError, ValueError):  # a translation whose placeholders do not match
        return message % resolved if resolved else message


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message's two forms for extraction (a keyword in ``babel.cfg``); they are said where
    the count is known: ``ngettext(*forms, n)``."""
    return singular, plural


_ = gettext


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable label: ``MEMBER = "value", N_("Label")``."""

    msgid: str

    def __new__(cls, value: str, msgid: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.msgid = msgid or value
        return member

    @property
    def label(self) -> str:
        return gettext(self.msgid)


def negotiate(accept_language: str | None, cookie: str | None, default: str = "nl") -> str:
    """The cookie wins, then the best Accept-Language match, then the default (Dutch)."""
    if cookie in LANGUAGES:
        return cookie
    best: tuple[float, str] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().split("-")[0].lower()
        if language not in LANGUAGES:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, language)
    return best[1] if best else default


def locale() -> Locale:
    return _locale(current_language.get())


@cache
def _locale(language: str) -> Locale:
    return Locale.parse({"nl": "nl_BE", "en": "en_GB"}.get(language, language))


def format_date(value: dt.date | None, format: str = "medium") -> str:
    return _format_date(value, format=format, locale=locale()) if value else ""


def format_datetime(value: dt.datetime | None, format: str = "medium") -> str:
    return _format_datetime(value, format=format, locale=locale()) if value else ""


def local_moment(value: dt.datetime) -> dt.datetime:
    """``value`` in Brussels time; a naive value (SQLite gives those back) is taken as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(get_timezone(TIMEZONE))


def utc_moment(day: dt.date, time: dt.time, zone: str) -> dt.datetime | None:
    """``day`` at ``time`` in ``zone``, in UTC; None for a time the clocks skip there."""
    local = dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone))
    moment = local.astimezone(dt.UTC)
    return (
        moment
        if moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local.replace(tzinfo=None)
        else None
    )


def format_local_datetime(value: dt.datetime | None, format: str = "medium") -> str:
    """A moment as people in the programmes read it: Brussels time, in the current locale."""
    return _format_datetime(local_moment(value), format=format, locale=locale()) if value else ""


def _zoned(value: dt.datetime, zone: str) -> tuple[str, str, str]:
    """The day, the time and the zone's short name of a moment, in ``zone`` (Brussels if unknown)."""
    try:
        tzinfo = get_timezone(zone)
    except LookupError:
        tzinfo = get_timezone(TIMEZONE)
    moment = value.astimezone(tzinfo)
    return (
        _format_date(moment.date(), format="full", locale=locale()),
        _format_time(moment, format="short", tzinfo=tzinfo, locale=locale()),
        _format_time(moment, format="z", tzinfo=tzinfo, locale=locale()),
    )


def format_zoned_datetime(value: dt.datetime | None, zone: str) -> str:
    """A moment in the time zone it happens in (a meeting's), named: "Monday, 30 March 2026 09:30 CEST"."""
    return " ".join(_zoned(value, zone)) if value else ""


def format_zoned_span(starts: dt.datetime, ends: dt.datetime | None, zone: str) -> tuple[str, str]:
    """The start and end of an event as they are read, its day said once where it ends that day:
    ("Thursday, 19 March 2026 09:30", "16:30 CET"); else each in full (the end "" without one)."""
    start = _zoned(starts, zone)
    if ends is None:
        return " ".join(start), ""
    end = _zoned(ends, zone)
    if end[0] == start[0] and end[2] == start[2]:
        return f"{start[0]} {start[1]}", f"{end[1]} {end[2]}"
    return " ".join(start), " ".join(end)


def format_local_date(value: dt.datetime | None, format: str = "medium") -> str:
    """The day of a moment, in Brussels time."""
    return _format_date(local_moment(value).date(), format=format, locale=locale()) if value else ""


def format_duration(value: dt.timedelta | None) -> str:
    """A duration in words ("3 minutes"), rounded to its largest unit, down to seconds."""
    if value is None:
        return ""
    return format_timedelta(value, granularity="second", threshold=1.5, locale=locale())


# Codes Babel knows that are not countries (regions, groupings, pseudo-locales, "unknown").
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})


@cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes of countries, as Babel knows them."""
    return frozenset(
        code
        for code in Locale("en").territories
        if isinstance(code, str) and len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def format_number(value: int | float | Decimal | None, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale())


def format_euro(value: int | float | Decimal | None) -> str:
    """Whole euros in the locale's own currency layout (``€ 1.234`` in Dutch, ``€1,234`` in English)."""
    if value is None:
        return ""
    pattern = _euro_pattern(current_language.get())
    text: str = pattern.apply(value, locale(), currency="EUR", currency_digits=False)
    return text


@cache
def _euro_pattern(language: str) -> NumberPattern:
    # Parsing a pattern is the slow part of Babel's format_currency; pages format many amounts.
    pattern = _locale(language).currency_formats["standard"].pattern
    return parse_pattern(pattern.replace(".00", ""))


def format_percentage(value: float | Decimal | None, digits: int = 0) -> str:
    """``value`` as a fraction: 0.225 -> '22,5 %' in Dutch."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=locale())


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return str(locale().territories.get(code.upper(), code))


def language_name(code: str) -> str:
    return str(locale().languages.get(code, code))
