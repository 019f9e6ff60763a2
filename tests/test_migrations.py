"""Migrations are the only way the schema changes: at head they match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hub import migrate
from hub.db import metadata
from hub.migrate import include_name


def test_upgrade_head_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, metadata) == []
        assert migrate.current_revision(connection) is not None
    assert not migrate.pending(engine)


def test_downgrade_to_base_and_up_again(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert "pilots" in inspect(empty_engine).get_table_names()
    migrate.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_engine)
    assert not migrate.pending(empty_engine)
