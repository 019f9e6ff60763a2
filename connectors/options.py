"""Checks shared by the connectors' options, so every mistake gets one clear message.

Options arrive as a mapping of JSON values, typed by a coordinator into a source's form or declared
in a config file. These helpers turn each into a typed value or raise
:class:`~connectors.messages.OptionsError` naming the option, so the form shows the message next
to it. Field mappings and defaults are checked against the target kind here too: a typo must
fail when the source is saved, not at three in the morning on every entry.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.messages import N_, OptionsError, Problem
from connectors.targets import TARGETS, Target


def check_known(raw: Mapping[str, Any], names: Collection[str]) -> None:
    if not isinstance(raw, Mapping):
        raise OptionsError("options", N_("The options must be a mapping of names to values."))
    for name in raw:
        if name not in names:
            raise OptionsError(name, N_("“%(option)s” is not an option of this kind of source."), option=name)


def text(raw: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    """A non-empty string, stripped, or ``default`` when absent (None or empty)."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str):
        raise OptionsError(name, N_("This option must be text."))
    return value.strip()


def required_text(raw: Mapping[str, Any], name: str) -> str:
    value = text(raw, name)
    if value is None:
        raise OptionsError(name, N_("This option is required."))
    return value


def choice(raw: Mapping[str, Any], name: str, choices: Collection[str], default: str | None = None) -> str:
    value = text(raw, name, default)
    if value is None:
        raise OptionsError(name, N_("This option is required."))
    if value not in choices:
        raise OptionsError(name, N_("Choose one of: %(choices)s."), choices=", ".join(choices))
    return value


def whole_number(raw: Mapping[str, Any], name: str, minimum: int = 1) -> int | None:
    """A whole number of at least ``minimum`` (digits typed into a form will do), or None when absent."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise OptionsError(
            name, N_("This option must be a whole number of at least %(minimum)s."), minimum=minimum
        )
    return value


def web_address(raw: Mapping[str, Any], name: str) -> str | None:
    value = text(raw, name)
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OptionsError(name, N_("Enter a web address starting with http:// or https://."))
    return value


def required_web_address(raw: Mapping[str, Any], name: str) -> str:
    value = web_address(raw, name)
    if value is None:
        raise OptionsError(name, N_("This option is required."))
    return value


def flag(raw: Mapping[str, Any], name: str, default: bool) -> bool:
    value = raw.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise OptionsError(name, N_("This option must be true or false."))
    return value


def target_kind(
    raw: Mapping[str, Any], name: str, choices: Collection[str], default: str | None = None
) -> Target:
    return TARGETS[choice(raw, name, choices, default)]


def field_map(raw: Mapping[str, Any], name: str, target: Target) -> dict[str, str]:
    """Target field -> a key of the source (column, entry key); every field must be the target's."""
    value = _mapping(raw, name)
    for field, key in value.items():
        _check_field(name, field, target)
        if not isinstance(key, str) or not key.strip():
            raise OptionsError(name, N_("Give the source's name for “%(field)s” as text."), field=field)
    return {field: key.strip() for field, key in value.items()}


def defaults(raw: Mapping[str, Any], name: str, target: Target) -> dict[str, Any]:
    """Target field -> a constant for every item; each must be a valid value of its field."""
    value = _mapping(raw, name)
    for field, constant in value.items():
        _check_field(name, field, target)
        if not isinstance(constant, str | int | float) or isinstance(constant, bool):
            raise OptionsError(name, N_("The default for “%(field)s” must be text or a number."), field=field)
        try:
            target.coerce_field(field, constant)
        except Problem as problem:
            raise OptionsError(
                name,
                N_("The default for “%(field)s” is not valid: %(problem)s"),
                field=field,
                problem=problem,
            ) from None
    return dict(value)


def covered(target: Target, names: Collection[str], option: str) -> None:
    """Raises unless ``names`` (mapped or defaulted fields) provide every required field."""
    missing = target.uncovered(names)
    if missing:
        raise OptionsError(
            option,
            N_(
                "Nothing gives the required field(s) %(fields)s: map them in “%(option)s” or give “defaults”."
            ),
            fields=", ".join(missing),
            option=option,
        )


def _mapping(raw: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise OptionsError(name, N_("This option must map field names to values."))
    return dict(value)


def _check_field(option: str, field: str, target: Target) -> None:
    if field not in target.fields:
        raise OptionsError(
            option,
            N_("“%(field)s” is not a field of a %(target)s record; the fields are: %(fields)s."),
            field=field,
            target=target.name,
            fields=", ".join(target.fields),
        )
