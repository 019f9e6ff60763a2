"""Peer clients: the other hubs (and systems) allowed to read this hub's protected fields."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, Timestamps


class ApiClient(Timestamps, Base):
    """An OAuth2 client (client credentials grant) registered with this hub.

    Only a SHA-256 digest of the secret is kept: the secret is random (256 bits), so a slow
    password hash adds nothing, and the token endpoint checks it on every request. The secret is
    shown once, when the client is registered.
    """

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(200), default="hub.read")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    @property
    def active(self) -> bool:
        return self.revoked_at is None
