"""Peer clients registered and revoked from the workspace, each change in the audit log.

The secret never reaches the log (nor anything else that is stored): only ``hub.federation``
keeps its digest.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.accounts.services import audit
from hub.changes import jsonable
from hub.federation import services
from hub.federation.models import ApiClient

ENTITY = "api_clients"


def _summary(client: ApiClient) -> str:
    return f"{client.name} ({client.client_id})"


def register(session: Session, *, name: str, user_id: int) -> tuple[ApiClient, str]:
    """A new client and its secret (to be shown once), audited as created by ``user_id``."""
    client, secret = services.register_client(session, name=name, created_by_id=user_id)
    audit(
        session,
        user=None,
        user_id=user_id,
        action="create",
        entity=ENTITY,
        entity_id=client.id,
        summary=_summary(client),
        after={"name": client.name, "client_id": client.client_id, "scope": client.scope},
    )
    return client, secret


def revoke(session: Session, *, client_id: str, user_id: int) -> ApiClient | None:
    """Revokes the client (None if there is none); revoking a revoked one changes nothing."""
    client = services.get_client(session, client_id=client_id)
    if client is None or client.revoked_at is not None:
        return client
    services.revoke_client(session, client_id=client_id)
    session.flush()
    audit(
        session,
        user=None,
        user_id=user_id,
        action="revoke",
        entity=ENTITY,
        entity_id=client.id,
        summary=_summary(client),
        before={"revoked_at": None},
        after={"revoked_at": jsonable(client.revoked_at)},
    )
    return client
