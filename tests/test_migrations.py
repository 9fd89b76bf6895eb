"""The Alembic migrations build exactly the models' schema, on SQLite and on PostgreSQL
(TEST_DATABASE_URL): a model changed without a migration, or a migration that drifted from the
models, fails here instead of in production."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Constraint, Index, Integer, MetaData, String, Table
from sqlalchemy.engine import Connection

from bot.db.engine import Database
from bot.db.models import Base


def differences(conn: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        conn,
        # The models declare no server defaults, so any default the database has is a drift.
        opts={"compare_type": True, "compare_server_default": True},
    )
    diff: list[Any] = compare_metadata(context, metadata)
    return diff


async def differences_from(database_url: str, metadata: MetaData) -> list[Any]:
    # The session fixture has migrated this database from empty (on PostgreSQL, from a freshly
    # recreated public schema); data other tests leave behind does not matter to its schema.
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(differences, metadata)
    finally:
        await db.dispose()


def describe(diff: list[Any]) -> str:
    """One line per difference; autogenerate groups a column's changes in a nested list."""
    lines: list[str] = []
    for entry in diff:
        for op in entry if isinstance(entry, list) else [entry]:
            if op[0].startswith("modify_"):  # (op, schema, table, column, existing, old, new)
                _, schema, table, column, _existing, old, new = op
                where = ".".join(str(n) for n in (schema, table, column) if n)
                lines.append(f"{op[0]} {where}: {old!r} -> {new!r}")
            else:  # (op, schema object) or, for indexes and some constraints, more parts
                parts = [_show(part) for part in op[1:] if part is not None]  # None: default schema
                lines.append(f"{op[0]} " + ", ".join(parts))
    return "\n".join(lines)


def _show(part: Any) -> str:
    if isinstance(part, Table):
        return f"table {part.name}"
    if isinstance(part, Column):
        return f"column {part.table.name}.{part.name} {part.type}"
    if isinstance(part, Index | Constraint):
        # Every constraint autogenerate reports (unique, foreign key, …) has columns.
        columns = ", ".join(c.name for c in getattr(part, "columns", ()))
        table = part.table.name if part.table is not None else "?"
        return f"{type(part).__name__} {part.name} on {table}({columns})"
    return str(part)


async def test_migrations_build_the_models_schema(database_url: str) -> None:
    diff = await differences_from(database_url, Base.metadata)
    assert not diff, "migrations and models differ:\n" + describe(diff)


async def test_the_comparison_sees_a_difference(database_url: str) -> None:
    # Guards the test above against comparing nothing (wrong schema, options ignored).
    altered = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(altered)
    altered.tables["outbox"].append_column(Column("extra", Integer, nullable=True))
    altered.tables["conversations"].c.language.type = String(6)
    altered.tables["dossiers"].c.applicant_name.nullable = True
    diff = await differences_from(database_url, altered)
    shown = describe(diff)
    assert "add_column outbox, column outbox.extra INTEGER" in shown, shown
    assert "modify_type conversations.language: VARCHAR(length=5) -> String(length=6)" in shown
    assert "modify_nullable dossiers.applicant_name: False -> True" in shown, shown
