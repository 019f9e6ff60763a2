"""Many new rows into one table at once, each value converted by its column type.

SQLAlchemy's own ``executemany`` builds and checks a parameter dictionary per row; for the
thousands of rows of a sync batch that bookkeeping costs about as much as the insert itself. Here
the statement is compiled once per set of columns and each value goes through its column type's
bind processor (the same conversion SQLAlchemy applies), in a plain loop. SQLite gets the rows
through the DB-API's ``executemany``; PostgreSQL through ``COPY ... FROM STDIN`` (psycopg), which
is several times faster than its row-by-row ``executemany`` pipeline.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert
from sqlalchemy.sql.schema import ScalarElementColumnDefault


class BulkInsert:
    def __init__(self, table: Table, columns: Sequence[str], dialect: Dialect) -> None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        self.sql = str(compiled)
        self.positional = bool(dialect.positional)
        # The order the statement wants its parameters in (named styles take a dict).
        order = compiled.positiontup if self.positional else list(compiled.params)
        self.keys: tuple[str, ...] = tuple(order or ())
        missing = set(self.keys) - set(columns)
        if missing:  # a column with a default the caller did not give: SQLAlchemy would fill it
            raise ValueError(f"give every column of {table.name}: missing {sorted(missing)}")
        processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in self.keys]
        # Only some types convert (dates, enums, JSON ...); the other values pass as they are.
        self.conversions = [(i, convert) for i, convert in enumerate(processors) if convert is not None]
        self.values_of = operator.itemgetter(*self.keys)
        self.copy_sql: str | None = None
        if dialect.name == "postgresql":
            preparer = dialect.identifier_preparer
            names = ", ".join(preparer.quote(key) for key in self.keys)
            self.copy_sql = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN"

    def __call__(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
        converted = []
        for row in rows:
            values = list(self.values_of(row))
            for i, convert in self.conversions:
                values[i] = convert(values[i])
            converted.append(values)
        if self.copy_sql is not None:
            psycopg_connection: Any = connection.connection.driver_connection
            with psycopg_connection.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                for values in converted:
                    copy.write_row(values)
        elif self.positional:
            connection.exec_driver_sql(self.sql, [tuple(values) for values in converted])
        else:
            named = [dict(zip(self.keys, values, strict=True)) for values in converted]
            connection.exec_driver_sql(self.sql, named)


@cache
def column_defaults(table: Table) -> dict[str, Any]:
    """Every column of ``table`` but its key, at its scalar default (None where it has none).

    A new row of a batch starts from these, so that every row names every column the insert
    wants. Read-only: callers copy it (``{**column_defaults(t), ...}``).
    """
    return {
        column.name: column.default.arg if isinstance(column.default, ScalarElementColumnDefault) else None
        for column in table.columns
        if not column.primary_key
    }


@cache
def bulk_insert(table: Table, columns: tuple[str, ...], dialect: Dialect) -> BulkInsert:
    """The insert for these columns, compiled once per process."""
    return BulkInsert(table, columns, dialect)
