"""Engine, sessions and migrations for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.dml import Insert

from bot.db.models import Base
from bot.db.sqlite_inloop import in_loop_creator

_SQLITE_WRITE_LOCKS: dict[str, asyncio.Lock] = {}


class Database:
    """One engine and session factory per process.

    SQLite allows one writer at a time; rather than retrying on "database is locked", write
    transactions of this process are serialised by an asyncio lock, and SQLite calls run on the
    event loop itself (``bot.db.sqlite_inloop``), which is cheaper than a thread hand-over.
    PostgreSQL needs no such lock: row locks order one user's updates and let different users
    proceed in parallel.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # hide_parameters: a database error's message must not carry names or phone numbers
        # into the logs.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            path = self.url.database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                kwargs["async_creator"] = in_loop_creator(path)
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # One lock per database file, shared by every Database object of this process on it.
        self._write_lock = (
            _SQLITE_WRITE_LOCKS.setdefault(str(self.url.database), asyncio.Lock())
            if self.is_sqlite
            else None
        )

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one committed-or-rolled-back transaction, for Core statements;
        ``sessions(bind=conn)`` opens an ORM session inside the same transaction."""
        if self._write_lock is not None:
            async with self._write_lock, self.engine.begin() as conn:
                yield conn
        else:
            async with self.engine.begin() as conn:
                yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one committed-or-rolled-back transaction."""
        async with self.begin() as conn, self.sessions(bind=conn) as session:
            yield session
            await session.flush()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only (no lock, no commit)."""
        async with self.sessions() as session:
            yield session

    def insert_ignore(self, table: type[Base]) -> Insert:
        """``INSERT … ON CONFLICT DO NOTHING`` in this database's dialect."""
        return _insert_ignore("sqlite" if self.is_sqlite else "postgresql", table)

    def insert_replace(
        self, table: type[Base], values: dict[str, Any] | list[dict[str, Any]], key: str
    ) -> Insert:
        """``INSERT … ON CONFLICT (key) DO UPDATE`` every other given column: rows replaced
        whole, in this database's dialect."""
        stmt = (sqlite.insert if self.is_sqlite else postgresql.insert)(table).values(values)
        columns = values[0] if isinstance(values, list) else values
        upsert: Insert = stmt.on_conflict_do_update(
            index_elements=[key], set_={k: stmt.excluded[k] for k in columns if k != key}
        )
        return upsert

    async def upgrade(self) -> None:
        """Apply Alembic migrations up to head (idempotent)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(_run_upgrade)

    async def dispose(self) -> None:
        await self.engine.dispose()


def insert_ignore(session: AsyncSession, table: type[Base]) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` in the dialect of the session's connection."""
    assert session.bind is not None
    return _insert_ignore(session.bind.dialect.name, table)


def rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE matched.

    ``AsyncSession.execute`` is typed as returning a plain ``Result`` for every statement; for
    DML it returns a ``CursorResult``, the only kind that carries ``rowcount``.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"no rowcount on a {type(result).__name__}: not a DML statement's result")
    return result.rowcount


def _insert_ignore(dialect_name: str, table: type[Base]) -> Insert:
    if dialect_name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return postgresql.insert(table).on_conflict_do_nothing()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Only another process's writer can make us wait (ours are serialised by the lock); the
    # wait happens on the event loop, so keep it short: past it the user gets an apology.
    cur.execute("PRAGMA busy_timeout=3000")
    cur.close()


def alembic_config() -> Config:
    folder = resources.files("bot.db") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    return cfg


def _run_upgrade(conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


__all__ = ["Database", "alembic_config", "insert", "rowcount"]
