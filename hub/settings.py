"""The one place that reads configuration: an optional TOML file, then ``HUB_*`` environment variables.

Every setting is documented in ``config/hub.example.toml``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PREFIX = "HUB_"
OCDS_PREFIX = re.compile(r"ocds-[a-z0-9]{1,20}")
# A shorter key can be guessed or brute-forced, and it signs sessions, links and API tokens.
MIN_SECRET_KEY_LENGTH = 32
MAKE_SECRET_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


# Whole-number settings and the range each must lie in (both ends included).
RANGES = {
    "shutdown_timeout_seconds": (1, 600),
    "fetch_timeout_seconds": (1, 300),
    "fetch_deadline_seconds": (0, 3600),
    "api_token_seconds": (60, 86400),
    "api_settle_seconds": (0, 60),
    "newsletter_confirm_hours": (1, 24 * 30),
    "newsletter_pending_days": (1, 365),
    "newsletter_batch_size": (1, 1000),
    "newsletter_connections": (1, 20),
    "newsletter_lease_seconds": (1, 3600),
    "bounce_threshold": (1, 100),
}


# The default deadline of a whole fetch, in fetch timeouts: a slow but steady source finishes.
FETCH_DEADLINE_FACTOR = 3


class SettingsError(ValueError):
    """A setting has a value the hub cannot use."""


@dataclasses.dataclass(frozen=True)
class OidcProvider:
    """An OpenID Connect provider people can log in with (one entry of ``HUB_OIDC_PROVIDERS``)."""

    name: str  # a slug: in the login URL and the callback URL registered at the provider
    title: str  # the button text, "Log in with <title>"
    server_metadata_url: str  # discovery: .../.well-known/openid-configuration
    client_id: str
    client_secret: str = dataclasses.field(default="", repr=False)
    scope: str = "openid email profile"

    @property
    def secret_variable(self) -> str:
        """The environment variable that holds this provider's client secret."""
        return f"{PREFIX}OIDC_{self.name.upper().replace('-', '_')}_CLIENT_SECRET"


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
    log_format: str = "text"
    demo_seed: int = 2017
    db_pool_size: int = 10
    scheduler_tick_seconds: int = 30
    sources_file: str = ""
    fetch_timeout_seconds: int = 10
    fetch_deadline_seconds: int = 0  # 0: FETCH_DEADLINE_FACTOR times the timeout
    fetch_max_bytes: int = 20 * 2**20
    fetch_allowed_networks: tuple[str, ...] = ()
    api_token_seconds: int = 600
    api_settle_seconds: int = 2
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = dataclasses.field(default="", repr=False)
    smtp_starttls: bool = True
    mail_from: str = "hub@localhost"
    ocds_prefix: str = "ocds-hub"
    newsletter_confirm_hours: int = 48
    newsletter_pending_days: int = 7
    newsletter_batch_size: int = 50
    newsletter_connections: int = 3
    newsletter_rate: float = 0
    newsletter_lease_seconds: int = 300
    bounce_token: str = dataclasses.field(default="", repr=False)
    bounce_threshold: int = 3
    oidc_providers: tuple[OidcProvider, ...] = ()
    metrics_token: str = dataclasses.field(default="", repr=False)
    metrics_port: int = 0
    metrics_address: str = "0.0.0.0"
    shutdown_timeout_seconds: int = 20
    # Whether HUB_BASE_URL (or the config file) named the address; if not, ``hub serve`` derives it
    # from the address it serves on (``served_at``).
    base_url_given: bool = dataclasses.field(default=False, compare=False, metadata={"setting": False})

    @property
    def fetch_deadline(self) -> int:
        """How long one fetch of a source may take in all, however its server trickles the answer."""
        return self.fetch_deadline_seconds or FETCH_DEADLINE_FACTOR * self.fetch_timeout_seconds

    @property
    def maildir(self) -> Path:
        """Where e-mail goes when no SMTP server is configured (the embedded default)."""
        return self.data_dir / "maildir"

    @property
    def uploads_dir(self) -> Path:
        """Where files uploaded for sources (exports) are kept."""
        return self.data_dir / "uploads"

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
        for field in setting_fields():
            raw = env.get(PREFIX + field.name.upper())
            if raw is not None:
                values[field.name] = raw
        values.update(overrides)
        if "oidc_providers" in values:
            values["oidc_providers"] = _oidc_providers(values["oidc_providers"], env)
        settings = cls(
            **{name: _coerce(name, value) for name, value in values.items()},
            base_url_given="base_url" in values,
        )
        settings._validate()
        return settings

    def served_at(self, host: str, port: int) -> Settings:
        """The settings of a process serving on ``host``:``port``: links (mail, downloads) point at
        it unless HUB_BASE_URL names the public address."""
        if self.base_url_given:
            return self
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # all interfaces: this machine
        shown = f"[{shown}]" if ":" in shown else shown
        return dataclasses.replace(self, base_url=f"http://{shown}:{port}")

    def unreachable_base_url(self, host: str, port: int) -> bool:
        """Whether HUB_BASE_URL names this machine on another port than the one served: links would
        lead to another process (or none)."""
        parts = urlsplit(self.base_url)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1") or parts.hostname == host
        return self.base_url_given and local and (parts.port or 80) != port

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
        key = path.read_text().strip()
        check_secret_key(key, where=str(path))
        return dataclasses.replace(self, secret_key=key)

    def _validate(self) -> None:
        if self.secret_key:  # empty: generated by with_secret_key
            check_secret_key(self.secret_key, where=f"{PREFIX}SECRET_KEY")
        if self.default_language not in ("nl", "en"):
            raise SettingsError(f"HUB_DEFAULT_LANGUAGE must be 'nl' or 'en', not {self.default_language!r}")
        if self.log_format not in ("text", "json"):
            raise SettingsError(f"HUB_LOG_FORMAT must be 'text' or 'json', not {self.log_format!r}")
        if not 0 <= self.metrics_port <= 65535:
            raise SettingsError("HUB_METRICS_PORT must be a port number (1 to 65535), or 0 for none")
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise SettingsError(f"HUB_BASE_URL must start with http:// or https://: {self.base_url!r}")
        for name, (low, high) in RANGES.items():
            if not low <= getattr(self, name) <= high:
                raise SettingsError(f"{PREFIX}{name.upper()} must be between {low} and {high}")
        if self.newsletter_rate < 0:
            raise SettingsError("HUB_NEWSLETTER_RATE must be 0 (no limit) or more messages a second")
        for network in self.fetch_allowed_networks:
            try:
                ipaddress.ip_network(network)
            except ValueError:
                raise SettingsError(
                    f"HUB_FETCH_ALLOWED_NETWORKS: {network!r} is not a network (e.g. 10.1.0.0/16)"
                ) from None
        if not OCDS_PREFIX.fullmatch(self.ocds_prefix):
            raise SettingsError(
                "HUB_OCDS_PREFIX must be an ocid prefix such as 'ocds-a1b2c3' ('ocds-' and letters or "
                f"digits), not {self.ocds_prefix!r}"
            )
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise SettingsError(
                "HUB_DATABASE_URL must be an SQLite (sqlite:///...) or PostgreSQL "
                f"(postgresql+psycopg://...) URL, not {self.database_url!r}"
            )


def check_secret_key(key: str, *, where: str) -> None:
    """Refuses a secret key shorter than 32 characters (without showing it), saying how to make one."""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"{where} is too short ({len(key)} characters): a secret key needs at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters. Make one with: {MAKE_SECRET_KEY} "
            f"(or leave {PREFIX}SECRET_KEY empty to have one generated and kept in <data_dir>/secret_key)"
        )


def read_toml(path: Path, error: type[Exception], *, missing: str) -> dict[str, Any]:
    """The TOML file at ``path`` (a config or sources file); ``error`` says it is ``missing`` or
    not valid TOML."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise error(missing) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path} is not valid TOML: {exc}") from None


def setting_fields() -> list[dataclasses.Field[Any]]:
    """The fields of :class:`Settings` that are settings (``HUB_*``), not what the hub notes of them."""
    return [field for field in dataclasses.fields(Settings) if field.metadata.get("setting", True)]


def _read_config_file(path: Path) -> dict[str, Any]:
    data = read_toml(path, SettingsError, missing=f"HUB_CONFIG_FILE points to {path}, which does not exist")
    section = data.get("hub", data)
    known = {f.name for f in setting_fields()}
    unknown = sorted(set(section) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return dict(section)


OIDC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
OIDC_KEYS = {f.name for f in dataclasses.fields(OidcProvider)}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _oidc_providers(value: Any, env: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    """Providers from a JSON list (the environment variable) or a TOML array of tables.

    A provider's client secret may be left out of both and given in its own environment
    variable, ``HUB_OIDC_<NAME>_CLIENT_SECRET``, which keeps it out of config files.
    """
    where = f"{PREFIX}OIDC_PROVIDERS"
    if isinstance(value, tuple) and all(isinstance(p, OidcProvider) for p in value):
        entries: list[Any] = [dataclasses.asdict(p) for p in value]
    elif isinstance(value, str):
        try:
            entries = json.loads(value) if value.strip() else []
        except json.JSONDecodeError as exc:
            raise SettingsError(f"{where} is not valid JSON: {exc}") from None
    else:
        entries = value
    if not isinstance(entries, list):
        raise SettingsError(f"{where} must be a list of providers (JSON objects or TOML tables)")
    providers: list[OidcProvider] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise SettingsError(f"{where}: provider {number} is not an object")
        label = f"{where}: provider {entry.get('name') or number}"
        unknown = sorted(set(entry) - OIDC_KEYS)
        if unknown:
            raise SettingsError(f"{label} has unknown key(s) {', '.join(unknown)}")
        missing = [key for key in ("name", "server_metadata_url", "client_id") if not entry.get(key)]
        if missing:
            raise SettingsError(f"{label} needs {', '.join(missing)}")
        if not all(isinstance(v, str) for v in entry.values()):
            raise SettingsError(f"{label}: every value must be a string")
        name = entry["name"]
        if not OIDC_NAME.fullmatch(name):
            raise SettingsError(
                f"{label}: the name must be a slug (lower-case letters, digits, - and _; at most 40)"
            )
        if any(p.name == name for p in providers):
            raise SettingsError(f"{where}: the name {name!r} is used twice")
        provider = OidcProvider(**{"title": name, **entry})
        url = urlsplit(provider.server_metadata_url)
        if not (url.scheme == "https" or (url.scheme == "http" and url.hostname in LOOPBACK)):
            raise SettingsError(
                f"{label}: server_metadata_url must be an https:// URL "
                f"(http:// only on this machine): {provider.server_metadata_url!r}"
            )
        if "openid" not in provider.scope.split():
            raise SettingsError(f"{label}: the scope must include openid, not {provider.scope!r}")
        if not provider.client_secret:
            secret = env.get(provider.secret_variable, "")
            if not secret:
                raise SettingsError(f"{label} has no client secret: set {provider.secret_variable}")
            provider = dataclasses.replace(provider, client_secret=secret)
        providers.append(provider)
    return tuple(providers)


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
        if field_type == "float":
            return float(value)
        if field_type == "Path":
            return Path(value)
        if field_type == "tuple[str, ...]":
            items = value.split(",") if isinstance(value, str) else value
            return tuple(item.strip() for item in items if item.strip())
    except (TypeError, ValueError):
        raise SettingsError(f"{PREFIX}{name.upper()} has an invalid value: {value!r}") from None
    return value
