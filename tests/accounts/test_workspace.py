"""Administrators grant and revoke roles; nobody else may."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from hub.accounts.models import AuditEntry, RoleGrant, RoleName, User
from tests import factories
from tests.accounts.conftest import log_in
from tests.coordinators import Network, post


def grants_of(session: Session, email: str) -> set[tuple[str, int | None]]:
    session.expire_all()
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return {(g.role.value, g.programme_id) for g in user.grants}


def test_an_administrator_grants_a_coordinator_role(
    client: TestClient, session: Session, network: Network
) -> None:
    newcomer = factories.user(session, "new@example.org")
    session.commit()
    log_in(client, network.admin)
    page = client.get("/en/coordinator/people")
    assert page.status_code == 200
    assert "new@example.org" in page.text
    response = post(
        client,
        f"/en/coordinator/people/{newcomer.id}/roles",
        {"role": "coordinator", "programme": "procirc"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert grants_of(session, "new@example.org") == {("coordinator", network.procirc.id)}
    assert (
        session.scalar(
            select(AuditEntry.summary).where(
                AuditEntry.action == "grant", AuditEntry.entity_id == newcomer.id
            )
        )
        == "coordinator procirc"
    )


def test_a_participant_role_comes_only_with_an_invitation(
    client: TestClient, session: Session, network: Network
) -> None:
    newcomer = factories.user(session, "new@example.org")
    session.commit()
    log_in(client, network.admin)
    page = client.get("/en/coordinator/people")
    assert 'value="participant"' not in page.text
    response = post(client, f"/en/coordinator/people/{newcomer.id}/roles", {"role": "participant"})
    assert response.status_code == 400 and "comes with an invitation" in response.text
    assert grants_of(session, "new@example.org") == set()


def test_a_coordinator_role_needs_a_programme(client: TestClient, session: Session, network: Network) -> None:
    newcomer = factories.user(session, "new@example.org")
    session.commit()
    log_in(client, network.admin)
    response = post(
        client, f"/nl/coordinator/people/{newcomer.id}/roles", {"role": "coordinator", "programme": ""}
    )
    assert response.status_code == 400
    assert "Een coördinatorrol vraagt een programma." in response.text
    assert grants_of(session, "new@example.org") == set()


def test_roles_are_revoked_but_not_your_own_admin_role(
    client: TestClient, session: Session, network: Network
) -> None:
    log_in(client, network.admin)
    coordinator_grant = session.scalar(
        select(RoleGrant).join(User, RoleGrant.user_id == User.id).where(User.email == network.coordinator)
    )
    own_admin = session.scalar(
        select(RoleGrant)
        .join(User, RoleGrant.user_id == User.id)
        .where(User.email == network.admin, RoleGrant.role == RoleName.ADMIN)
    )
    assert coordinator_grant is not None and own_admin is not None
    response = post(client, f"/en/coordinator/people/roles/{own_admin.id}/revoke", {}, follow_redirects=False)
    assert response.status_code == 400
    assert "You cannot remove your own administrator role." in response.text
    assert (
        post(
            client, f"/en/coordinator/people/roles/{coordinator_grant.id}/revoke", {}, follow_redirects=False
        ).status_code
        == 303
    )
    assert grants_of(session, network.coordinator) == set()


def test_only_administrators_manage_people(
    coordinator: TestClient, session: Session, network: Network
) -> None:
    assert coordinator.get("/en/coordinator/people").status_code == 403
    admin = session.scalar(select(User).where(User.email == network.admin))
    assert admin is not None
    assert (
        post(
            coordinator, f"/en/coordinator/people/{admin.id}/roles", {"role": "admin"}, follow_redirects=False
        ).status_code
        == 403
    )
    assert "People and roles" not in coordinator.get("/en/coordinator/").text


def test_an_administrator_makes_someone_moderator_of_one_community(
    client: TestClient, session: Session, network: Network
) -> None:
    community = factories.community(session, network.gdca, name_en="Food network")
    newcomer = factories.user(session, "new@example.org")
    session.commit()
    log_in(client, network.admin)
    assert "Food network (GDCA)" in client.get("/en/coordinator/people").text
    path = f"/en/coordinator/people/{newcomer.id}/roles"
    missing = post(client, path, {"role": "moderator", "community": ""})
    assert missing.status_code == 400 and "A moderator role needs a community." in missing.text
    assert post(client, path, {"role": "moderator", "community": "999999"}).status_code == 400
    assert post(client, path, {"role": "moderator", "community": str(community.id)}).status_code == 200
    grant = session.scalars(select(RoleGrant).where(RoleGrant.user_id == newcomer.id)).one()
    assert (grant.role, grant.community_id, grant.programme_id) == (RoleName.MODERATOR, community.id, None)
    # At their next login the role is theirs: the community's workspace page opens.
    log_in(client, "new@example.org")
    assert client.get(f"/en/coordinator/communities/{community.id}").status_code == 200
