"""Reading what this hub publishes, and the peer clients it admits (those an administrator registers
or revokes in the workspace are audited; the secret never reaches the log, only its digest is kept)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import literal, select, tuple_
from sqlalchemy.orm import Session

from hub.accounts.services import audit
from hub.changes import jsonable
from hub.db import utcnow
from hub.federation.kinds import Kind
from hub.federation.models import ApiClient
from hub.queries import found
from hub.search import index, query

SCOPE = "hub.read"
ENTITY = "api_clients"  # the audit log's name for peer clients


@dataclasses.dataclass(frozen=True)
class Found:
    """A record as read for the API: its row (see ``Kind.select``) and its child fields' values."""

    row: Any
    children: dict[str, Any]


def searched_as(kind: Kind) -> str | None:
    """The search index's name for ``kind``'s records, if the hub's search finds them."""
    return next((found.name for found in index.kinds() if found.model is kind.model), None)


def changes(
    session: Session,
    *,
    kind: Kind,
    after: tuple[dt.datetime, int] | None,
    until: dt.datetime,
    limit: int,
    q: str = "",
) -> list[Found]:
    """This hub's own records of ``kind`` changed after ``after`` (and by ``until``), oldest change
    first, tombstones included; at most ``limit`` (ix_<table>_changes serves it). Words in ``q``
    keep the records the hub's search finds for them, as in the public lists (tombstones are not
    searched: a searched list has none)."""
    t = kind.table
    statement = kind.select.where(t.c.mirrored.is_(False), t.c.updated_at <= until)
    searched = searched_as(kind)
    if searched and query.parse(q):
        statement = statement.where(found(session, kind.model, searched, q))
    if after is not None:
        changed_at, record_id = after
        statement = statement.where(
            tuple_(t.c.updated_at, t.c.id)
            > tuple_(literal(changed_at, t.c.updated_at.type), literal(record_id))
        )
    rows = session.connection().execute(statement.order_by(t.c.updated_at, t.c.id).limit(limit)).all()
    return _with_children(session, kind, rows)


def record(session: Session, *, kind: Kind, uid: str) -> Found | None:
    rows = session.connection().execute(kind.select.where(kind.table.c.uid == uid)).all()
    found = _with_children(session, kind, rows)
    return found[0] if found else None


def _with_children(session: Session, kind: Kind, rows: Sequence[Any]) -> list[Found]:
    ids = [row.id for row in rows if row.withdrawn_at is None]
    values = [(child, child.dump_many(session, ids) if ids else {}) for child in kind.children]
    found = []
    for row in rows:
        row_id = row._mapping["id"]  # a row's mapping reads several times faster than its attributes
        found.append(Found(row, {child.name: of.get(row_id, child.empty()) for child, of in values}))
    return found


# -- peer clients ---------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def register_client(
    session: Session, *, name: str, created_by_id: int | None = None
) -> tuple[ApiClient, str]:
    """A new client and its secret (returned this once: only its digest is kept)."""
    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        client_id=f"hub-{secrets.token_hex(8)}",
        name=name.strip()[:200],
        secret_hash=_digest(secret),
        scope=SCOPE,
        created_by_id=created_by_id,
    )
    session.add(client)
    session.flush()
    return client, secret


def list_clients(session: Session) -> Sequence[ApiClient]:
    return session.scalars(
        select(ApiClient).order_by(ApiClient.revoked_at.is_not(None), ApiClient.name)
    ).all()


def get_client(session: Session, *, client_id: str) -> ApiClient | None:
    return session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))


def revoke_client(session: Session, *, client_id: str) -> ApiClient | None:
    client = get_client(session, client_id=client_id)
    if client is not None and client.revoked_at is None:
        client.revoked_at = utcnow()
    return client


def authenticate_client(session: Session, *, client_id: str, secret: str) -> ApiClient | None:
    """The active client with this id and secret, or None (compared in constant time)."""
    client = get_client(session, client_id=client_id)
    if client is None or client.revoked_at is not None:
        _digest(secret)  # the same work either way
        return None
    if not hmac.compare_digest(client.secret_hash, _digest(secret)):
        return None
    client.last_used_at = utcnow()
    return client


def client_active(session: Session, *, client_id: str) -> bool:
    return bool(
        session.scalar(
            select(ApiClient.id).where(ApiClient.client_id == client_id, ApiClient.revoked_at.is_(None))
        )
    )


def _audit(
    session: Session,
    client: ApiClient,
    *,
    user_id: int,
    action: str,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    """Records in the audit log that ``user_id`` did ``action`` to ``client``."""
    audit(
        session,
        user=None,
        user_id=user_id,
        action=action,
        entity=ENTITY,
        entity_id=client.id,
        summary=f"{client.name} ({client.client_id})",
        before=before,
        after=after,
    )


def register_client_audited(session: Session, *, name: str, user_id: int) -> tuple[ApiClient, str]:
    """A new client and its secret (to be shown once), audited as created by ``user_id``."""
    client, secret = register_client(session, name=name, created_by_id=user_id)
    after = {"name": client.name, "client_id": client.client_id, "scope": client.scope}
    _audit(session, client, user_id=user_id, action="create", after=after)
    return client, secret


def revoke_client_audited(session: Session, *, client_id: str, user_id: int) -> ApiClient | None:
    """Revokes the client (None if there is none), audited as done by ``user_id``; revoking a
    revoked one changes nothing."""
    client = get_client(session, client_id=client_id)
    if client is None or client.revoked_at is not None:
        return client
    revoke_client(session, client_id=client_id)
    session.flush()
    _audit(
        session,
        client,
        user_id=user_id,
        action="revoke",
        before={"revoked_at": None},
        after={"revoked_at": jsonable(client.revoked_at)},
    )
    return client
