"""Migrations are the only way the schema changes: at head they match the models exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hub import migrate
from hub.db import make_engine, metadata
from hub.migrate import include_name
from tests.conftest import BACKENDS, create_database_url, drop_database


def test_upgrade_head_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, metadata) == []
        assert migrate.current_revision(connection) is not None
    assert not migrate.pending(engine)


@pytest.mark.parametrize("backend", BACKENDS)
def test_downgrade_to_base_and_up_again(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    admin_url = request.getfixturevalue("postgres_admin_url") if backend == "postgresql" else None
    url, handle = create_database_url(backend, tmp_path_factory, admin_url)
    fresh = make_engine(url)
    try:
        migrate.upgrade(fresh)
        assert "pilots" in inspect(fresh).get_table_names()
        migrate.downgrade(fresh, "base")
        assert set(inspect(fresh).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(fresh)
        assert not migrate.pending(fresh)
    finally:
        fresh.dispose()
        drop_database(admin_url, handle)
