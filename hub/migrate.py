"""Schema changes go through Alembic only; ``hub serve`` and ``hub migrate`` bring a database to head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant will do: it only has to be the same in every hub process.
_MIGRATION_LOCK = 72_017_0601


# Full-text search lives outside the metadata: an FTS5 table (SQLite) or a tsvector column with a
# GIN indexes (PostgreSQL), created by migrations 0015 and 0016. Comparing the models with a database must not
# see them.
SEARCH_OBJECTS = ("search_fts", "search_vector", "ix_search_vector")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (name and name.startswith(SEARCH_OBJECTS))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = engine.url.render_as_string(hide_password=False)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision``; on PostgreSQL, processes starting together take turns."""
    with _migrating(engine) as (config, connection):
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _migrating(engine) as (config, _connection):
        command.downgrade(config, revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[tuple[Config, Connection]]:
    """One transaction for the migrations. SQLite rebuilds a table to alter it (batch mode): its
    foreign keys are off meanwhile, as SQLite's own procedure says, or dropping the old table
    would delete (or cascade to) the rows that refer to it. They are checked before the commit."""
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside a transaction: inside one, SQLite ignores this pragma
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                yield config, connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def pending(engine: Engine) -> bool:
    """True when the database is not at the newest revision."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return current_revision(connection) != head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(engine), message=message, autogenerate=True)
