"""Global identifiers: every record is named by a URI on its home hub, the same on every hub."""

from __future__ import annotations

API_PATH = "/api/v1"


def hub_address(base_url: str) -> str:
    """A hub's address as records and tokens name it (no trailing slash)."""
    return base_url.rstrip("/")


def record_uri(home: str, kind: str, uid: str) -> str:
    """The URI of record ``uid`` of ``kind`` (e.g. "pilots") at its home hub ``home``."""
    return f"{hub_address(home)}{API_PATH}/{kind}/{uid}"


def home_of(record: object, base_url: str) -> str:
    """The address of ``record``'s home hub: a peer's for a mirrored record, else this hub's."""
    if getattr(record, "mirrored", False) and getattr(record, "home_hub", None):
        return str(record.home_hub)  # type: ignore[attr-defined]
    return hub_address(base_url)
