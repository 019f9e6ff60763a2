"""How one field of a federated record becomes JSON, what JSON Schema describes it, and back.

A field reads a record (``dump``), writes column values from a peer's document (``load``, which
raises :class:`~connectors.messages.Problem` naming the field on bad input) and describes itself
(``schema``), so that the API, its OpenAPI document and the mirror of a peer's records can never
disagree about a field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from connectors.messages import N_, Problem
from hub.db import rfc3339
from hub.i18n import country_codes

JSON = dict[str, Any]


@dataclasses.dataclass
class Lookups:
    """What references resolve against while loading: codes of the shared vocabularies (product
    groups, strategies, programmes) and the local ids of records by uid, per kind."""

    codes: dict[str, dict[str, int]]
    uids: dict[str, dict[str, int]]


class MissingReference(Problem):
    """A document refers to a record this hub has not mirrored (yet): it may arrive later."""


def or_null(schema: JSON) -> JSON:
    nullable = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        nullable["enum"] = [*schema["enum"], None]
    return nullable


def bad_value(name: str, expected: str) -> Problem:
    return Problem(N_("%(field)s: expected %(expected)s"), field=name, expected=expected)


@dataclasses.dataclass(frozen=True)
class Field:
    """A column as a JSON value of one type (null where ``nullable``); every field is always sent,
    except ``protected`` ones, which only token holders get (a peer without one keeps them empty).

    Protected: a person's e-mail address or phone number, and a link that lets one into an online
    meeting. Names of contact persons are public (the programmes publish them). No page, download,
    feed or calendar shows a protected field; only the API does, to a peer with a token.
    """

    name: str
    column: str = ""
    nullable: bool = False
    protected: bool = False
    # Public now, protected in earlier releases: a peer's document may lack it (then empty).
    optional: bool = False

    @functools.cached_property
    def attribute(self) -> str:
        return self.column or self.name

    def dump(self, values: Mapping[str, Any]) -> Any:
        """The field's JSON value in a record's row (``values``: the row's mapping; reading it is
        several times cheaper than attributes of the row, and the API reads thousands a page)."""
        value = values[self.attribute]
        return None if value is None else self.to_json(value)

    def load(self, document: Mapping[str, Any], lookups: Lookups, row: JSON) -> None:
        """Sets the field's column(s) in ``row`` from a peer's ``document``."""
        value = document.get(self.name)
        if value is None:
            if not (self.nullable or self.protected or self.optional):
                raise Problem(N_("%(field)s is missing"), field=self.name)
            row[self.attribute] = self.empty()
        else:
            row[self.attribute] = self.from_json(value, lookups)

    def empty(self) -> Any:
        return None

    def schema(self) -> JSON:
        base = self.value_schema()
        return or_null(base) if self.nullable else base

    # -- per type
    def to_json(self, value: Any) -> Any:
        return value

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        return value

    def value_schema(self) -> JSON:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Text(Field):
    max_length: int = 0
    blank: str | None = ""  # what the column holds when a peer leaves the field out

    def empty(self) -> Any:
        return self.blank

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        if not isinstance(value, str):
            raise bad_value(self.name, "text")
        if self.max_length and len(value) > self.max_length:
            raise Problem(
                N_("%(field)s is longer than %(max)s characters"), field=self.name, max=self.max_length
            )
        return value

    def value_schema(self) -> JSON:
        return {"type": "string", **({"maxLength": self.max_length} if self.max_length else {})}


@dataclasses.dataclass(frozen=True)
class Url(Text):
    """An http(s) address: pages link to it, so no other scheme (``javascript:``) is taken."""

    max_length: int = 500

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        value = super().from_json(value, lookups)
        if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
            raise bad_value(self.name, "an http(s) address")
        return value

    def value_schema(self) -> JSON:
        return {**super().value_schema(), "format": "uri", "pattern": "^https?://"}


@dataclasses.dataclass(frozen=True)
class Bilingual(Field):
    """``<name>_nl`` and ``<name>_en`` as ``{"nl": ..., "en": ...}`` (null: not written)."""

    max_length: int = 0

    @functools.cached_property
    def columns(self) -> tuple[tuple[str, str], ...]:
        return tuple((lang, f"{self.name}_{lang}") for lang in ("nl", "en"))

    def dump(self, values: Mapping[str, Any]) -> Any:
        return {lang: values[column] or None for lang, column in self.columns}

    def load(self, document: Mapping[str, Any], lookups: Lookups, row: JSON) -> None:
        value = document.get(self.name)
        if not isinstance(value, Mapping):
            raise bad_value(self.name, "an object with nl and en")
        for lang in ("nl", "en"):
            text = value.get(lang) or ""
            if not isinstance(text, str):
                raise bad_value(f"{self.name}.{lang}", "text")
            if self.max_length and len(text) > self.max_length:
                raise Problem(
                    N_("%(field)s is longer than %(max)s characters"),
                    field=f"{self.name}.{lang}",
                    max=self.max_length,
                )
            row[f"{self.name}_{lang}"] = text

    def value_schema(self) -> JSON:
        text: JSON = {"type": ["string", "null"]}
        if self.max_length:
            text["maxLength"] = self.max_length
        return {
            "type": "object",
            "properties": {"nl": text, "en": text},
            "required": ["nl", "en"],
            "additionalProperties": False,
        }


@dataclasses.dataclass(frozen=True)
class Choice(Field):
    choices: type[enum.Enum] | None = None

    def to_json(self, value: Any) -> Any:
        return value.value

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        assert self.choices is not None
        try:
            return self.choices(value)
        except ValueError:
            codes = ", ".join(str(member.value) for member in self.choices)
            raise Problem(
                N_("%(field)s: “%(value)s” is not one of %(codes)s"),
                field=self.name,
                value=str(value)[:100],
                codes=codes,
            ) from None

    def value_schema(self) -> JSON:
        assert self.choices is not None
        return {"type": "string", "enum": [member.value for member in self.choices]}


@dataclasses.dataclass(frozen=True)
class Date(Field):
    def to_json(self, value: Any) -> Any:
        return value.isoformat()

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise bad_value(self.name, "a date (YYYY-MM-DD)") from None

    def value_schema(self) -> JSON:
        return {"type": "string", "format": "date"}


@dataclasses.dataclass(frozen=True)
class DateTime(Field):
    def to_json(self, value: Any) -> Any:
        return rfc3339(value)

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise bad_value(self.name, "a date and time (RFC 3339)") from None
        if parsed.tzinfo is None:
            raise bad_value(self.name, "a date and time with its offset (RFC 3339)")
        return parsed.astimezone(dt.UTC)

    def value_schema(self) -> JSON:
        return {"type": "string", "format": "date-time"}


@dataclasses.dataclass(frozen=True)
class Number(Field):
    """A decimal as a string (exact; JSON numbers are binary floating point for many readers)."""

    def to_json(self, value: Any) -> Any:
        return str(value)

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        try:
            number = Decimal(value) if isinstance(value, str) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise bad_value(self.name, "a decimal number as text, e.g. “12.50”")
        return number

    def value_schema(self) -> JSON:
        return {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


@dataclasses.dataclass(frozen=True)
class Integer(Field):
    def from_json(self, value: Any, lookups: Lookups) -> Any:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**31:
            raise bad_value(self.name, "a whole number")
        return value

    def value_schema(self) -> JSON:
        return {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


@dataclasses.dataclass(frozen=True)
class Country(Field):
    def from_json(self, value: Any, lookups: Lookups) -> Any:
        if not isinstance(value, str) or value.upper() not in country_codes():
            raise bad_value(self.name, "a country code (ISO 3166, e.g. BE)")
        return value.upper()

    def value_schema(self) -> JSON:
        return {"type": "string", "pattern": "^[A-Z]{2}$"}


@dataclasses.dataclass(frozen=True)
class Countries(Field):
    def dump(self, values: Mapping[str, Any]) -> Any:
        return list(values[self.attribute] or [])

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        if not isinstance(value, list):
            raise bad_value(self.name, "a list of country codes")
        return [Country(self.name).from_json(code, lookups) for code in value]

    def value_schema(self) -> JSON:
        return {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}}


@dataclasses.dataclass(frozen=True)
class Code(Field):
    """A reference by code to a vocabulary every hub shares (``vocabulary``: the table, e.g.
    "product_groups"). Read as the referenced row's ``code``, selected under the field's name."""

    vocabulary: str = ""
    target_column = "code"

    @property
    def target(self) -> str:
        return self.vocabulary

    def dump(self, values: Mapping[str, Any]) -> Any:
        return values[self.name]

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        found = lookups.codes[self.vocabulary].get(value) if isinstance(value, str) else None
        if found is None:
            raise Problem(
                N_("%(field)s: “%(value)s” is not known on this hub"), field=self.name, value=str(value)[:100]
            )
        return found

    def value_schema(self) -> JSON:
        return {"type": "string", "maxLength": 40}


@dataclasses.dataclass(frozen=True)
class Reference(Field):
    """A reference to another federated record, by its uid (``kind``: the API kind and table, e.g.
    "pilots"). Read as the referenced row's ``uid``, selected under the field's name."""

    kind: str = ""
    target_column = "uid"

    @property
    def target(self) -> str:
        return self.kind

    def dump(self, values: Mapping[str, Any]) -> Any:
        return values[self.name]

    def from_json(self, value: Any, lookups: Lookups) -> Any:
        found = lookups.uids[self.kind].get(value) if isinstance(value, str) else None
        if found is None:
            raise MissingReference(
                N_("%(field)s refers to %(uid)s, which this hub does not have (yet)"),
                field=self.name,
                uid=str(value)[:100],
            )
        return found

    def value_schema(self) -> JSON:
        return {"type": "string", "maxLength": 36}
