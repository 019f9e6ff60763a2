"""Migrations are the only way the schema changes: at head they match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from hub import freshness, migrate
from hub.db import metadata
from hub.migrate import include_name
from hub.search import index
from tests import factories


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


def test_lessons_keep_their_pilot_and_links_across_0008(empty_engine: Engine) -> None:
    """0008 moves a lesson's one pilot into a list, rebuilding ``lessons`` (on SQLite) while
    links point at it: nothing is lost either way."""
    migrate.upgrade(empty_engine, "0007")
    # No search index and no content version at 0007.
    with Session(empty_engine, info={index.FOLLOW: False, freshness.FOLLOW: False}) as session:
        gdca = factories.programme(session, "gdca")
        pilot = factories.pilot(session, gdca)
        session.commit()
        ids = {"programme": gdca.id, "pilot": pilot.id}
    row = "'u-{0}', false, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO lessons (id, programme_id, pilot_id, title_nl, title_en, body_nl, body_en, "
                "kind, source_language, uid, is_demo, mirrored, created_at, updated_at) VALUES "
                f"(7, :programme, :pilot, 'Les', '', '', '', 'tip', 'nl', {row.format(1)})"
            ),
            ids,
        )
        connection.execute(
            text(
                "INSERT INTO lesson_pilot_links (lesson_id, pilot_id, kind, note, uid, is_demo, mirrored, "
                f"created_at, updated_at) VALUES (7, :pilot, 'reused_by', 'Zo gedaan', {row.format(2)})"
            ),
            ids,
        )

    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT lesson_id, pilot_id FROM lesson_pilots")).all() == [
            (7, pilot.id)
        ]
        link = connection.execute(text("SELECT lesson_id, note, made_at FROM lesson_pilot_links")).one()
        assert link[:2] == (7, "Zo gedaan") and link.made_at is not None

    migrate.downgrade(empty_engine, "0007")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT id, pilot_id FROM lessons")).all() == [(7, pilot.id)]
        assert connection.execute(text("SELECT count(*) FROM lesson_pilot_links")).scalar() == 1
