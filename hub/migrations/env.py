"""Alembic environment: the hub's metadata, batch mode on SQLite, dialect-specific search objects ignored."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import hub.models  # noqa: F401  (fills the metadata)
from hub.db import make_engine, metadata
from hub.migrate import include_name


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


config = context.config
connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(config.attributes["database_url"])
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
