"""Per-user ordering: one FIFO lock per key, freed when nobody holds or waits for it.

The dialogue and every channel share one :class:`KeyedLock` (``Dialogue.locks``): a channel
holds a user's lock across handling a message *and* sending its replies, and pushes to that
user take the same lock, so one chat sees answers and pushes in the order they were made.
``asyncio.Lock`` wakes waiters in FIFO order, which is what keeps a user's messages in order.
The lock is re-entrant for the task that holds it: a channel holds it and calls the dialogue,
which takes it again without waiting for itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyedLock:
    """``async with locks.hold(key):`` — mutual exclusion per key, in arrival order."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}
        self._owners: dict[Hashable, asyncio.Task[object] | None] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if key in self._owners and self._owners[key] is task:
            yield  # re-entered by the task that holds it
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                self._owners[key] = task
                try:
                    yield
                finally:
                    del self._owners[key]
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:  # the last one out frees the entry: no growth per user
                del self._users[key]
                del self._locks[key]

    def __len__(self) -> int:
        """Keys currently held or waited for."""
        return len(self._locks)
