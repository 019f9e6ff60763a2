"""``hub clients``: register (secret shown once, kept as a digest), list and revoke peer clients."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.servers import hub_environment, run_hub


def test_clients_are_registered_listed_and_revoked(tmp_path: Path) -> None:
    env = hub_environment(tmp_path, HUB_BASE_URL="https://hub.procirc.example")
    added = run_hub("clients", "add", "Flemish hub", env=env)
    assert added.returncode == 0, added.stderr
    client_id = re.search(r"client_id = (hub-[0-9a-f]{16})", added.stdout)[1]  # type: ignore[index]
    secret = re.search(r"client_secret = (\S{40,})", added.stdout)[1]  # type: ignore[index]
    assert "https://hub.procirc.example/api/v1/token" in added.stderr

    engine = create_engine(env["HUB_DATABASE_URL"])
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT secret_hash FROM api_clients")).scalar_one()
    engine.dispose()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()

    listed = run_hub("clients", "list", env=env)
    assert f"{client_id}\tFlemish hub\tactive\tnever used" in listed.stdout
    assert secret not in listed.stdout

    assert run_hub("clients", "revoke", client_id, env=env).returncode == 0
    assert "\trevoked " in run_hub("clients", "list", env=env).stdout
    unknown = run_hub("clients", "revoke", "hub-nobody", env=env)
    assert unknown.returncode == 2 and "there is no client 'hub-nobody'" in unknown.stderr
    empty = run_hub("clients", "add", " ", env=env)
    assert empty.returncode == 2 and "give the client a name" in empty.stderr
