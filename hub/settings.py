"""The one place that reads configuration: an optional TOML file, then ``HUB_*`` environment variables.

Every setting is documented in ``config/hub.example.toml``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PREFIX = "HUB_"


class SettingsError(ValueError):
    """A setting has a value the hub cannot use."""


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/hub.sqlite3"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    default_language: str = "nl"
    allowed_hosts: tuple[str, ...] = ("*",)
    data_dir: Path = Path("var")
    debug: bool = False
    log_level: str = "INFO"
    demo_seed: int = 2017
    db_pool_size: int = 10
    scheduler_tick_seconds: int = 30

    @property
    def https(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``HUB_CONFIG_FILE`` (if set), then the environment, then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        config_file = env.get(PREFIX + "CONFIG_FILE")
        if config_file:
            values.update(_read_config_file(Path(config_file)))
        for field in dataclasses.fields(cls):
            raw = env.get(PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = raw
        values.update(overrides)
        settings = cls(**{name: _coerce(name, value) for name, value in values.items()})
        settings._validate()
        return settings

    def with_secret_key(self) -> Settings:
        """Settings with a secret key: the configured one, or one kept in the data directory.

        The embedded default needs no configuration, yet sessions and signed links must survive
        a restart, so a random key is generated once and stored (mode 0600) beside the database.
        """
        if self.secret_key:
            return self
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        return dataclasses.replace(self, secret_key=path.read_text().strip())

    def _validate(self) -> None:
        if self.default_language not in ("nl", "en"):
            raise SettingsError(f"HUB_DEFAULT_LANGUAGE must be 'nl' or 'en', not {self.default_language!r}")
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise SettingsError(f"HUB_BASE_URL must start with http:// or https://: {self.base_url!r}")
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise SettingsError(
                "HUB_DATABASE_URL must be an SQLite (sqlite:///...) or PostgreSQL "
                f"(postgresql+psycopg://...) URL, not {self.database_url!r}"
            )


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise SettingsError(f"HUB_CONFIG_FILE points to {path}, which does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    section = data.get("hub", data)
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return dict(section)


def _coerce(name: str, value: Any) -> Any:
    field_type = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    try:
        if field_type == "bool" and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
                raise ValueError(value)
            return lowered in ("1", "true", "yes", "on")
        if field_type == "int":
            return int(value)
        if field_type == "Path":
            return Path(value)
        if field_type == "tuple[str, ...]":
            items = value.split(",") if isinstance(value, str) else value
            return tuple(item.strip() for item in items if item.strip())
    except (TypeError, ValueError):
        raise SettingsError(f"{PREFIX}{name.upper()} has an invalid value: {value!r}") from None
    return value
