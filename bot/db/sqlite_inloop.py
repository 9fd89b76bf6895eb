"""SQLite calls made directly on the event loop, for the embedded single-process default.

aiosqlite runs every cursor call in a helper thread; SQLAlchemy makes about four such calls
per statement, and each hand-over between threads costs more than the SQLite work itself
(a status lookup is ~0.03 ms of SQLite but ~0.5 ms through the thread). With WAL, reads never
wait, and this process's writers are serialised by ``Database``'s lock, so a call returns in
microseconds and running it on the loop is cheaper than any hand-over. The one wait left is
another *process* writing (e.g. an import while the bot runs): then ``busy_timeout`` applies.

This object offers the small part of aiosqlite's interface that SQLAlchemy's aiosqlite dialect
uses, and is plugged in with ``create_async_engine(async_creator=...)``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any


class InLoopCursor:
    """An awaitable-API cursor whose coroutines complete without suspending."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InLoopCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InLoopCursor:
        self._cursor.execute(sql, parameters or ())
        return self

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> InLoopCursor:
        self._cursor.executemany(sql, seq)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InLoopConnection:
    """The aiosqlite-shaped connection SQLAlchemy's dialect drives."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        # The dialect checks this to see whether the connection is still open.
        self._connection: sqlite3.Connection | None = conn

    def cursor(self) -> InLoopCursor:
        return InLoopCursor(self._conn.cursor())

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    def stop(self) -> None:
        self._conn.close()
        self._connection = None

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)


def in_loop_creator(path: str) -> Callable[[], Awaitable[InLoopConnection]]:
    """``async_creator`` for ``create_async_engine``: opens ``path`` for use on the loop."""

    async def connect() -> InLoopConnection:
        # check_same_thread=False: the pool may hand the connection to another loop's task
        # in tests; all calls still happen on one thread at a time. isolation_level is left at
        # its default, "" (implicit BEGIN before writes, what the dialect expects); typeshed's
        # Literal for the argument omits "", so it is not spelled out.
        conn = sqlite3.connect(path, check_same_thread=False)
        return InLoopConnection(conn)

    return connect
