"""Group commit: one transaction for every caller that is ready at the same moment.

On SQLite every write transaction takes the one write lock and a commit; under load, callers
that each commit alone queue behind each other (and behind the dialogue's transactions). A
:class:`GroupCommit` lets a caller add its item and yield once, so that the others the event
loop has ready add theirs; the first to get the lock writes them all in one transaction, and
each caller gets its own result. Nobody waits for a timer: a caller alone writes alone, at
once. Used by the inbox (webhook updates stored before the 200) and the outbox ("sending" and
"sent" marks of a burst of pushes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class GroupCommit(Generic[In, Out]):
    """``await group(item)`` → ``item``'s result from ``write(batch)`` (results in order)."""

    def __init__(self, write: Callable[[list[In]], Awaitable[list[Out]]]) -> None:
        self._write = write
        self._waiting: list[tuple[In, asyncio.Future[Out]]] = []
        self._lock = asyncio.Lock()

    async def __call__(self, item: In) -> Out:
        done: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        await asyncio.sleep(0)  # let the callers the loop has ready join this batch
        async with self._lock:
            if not done.done():
                batch, self._waiting = self._waiting, []
                try:
                    results = await self._write([i for i, _ in batch])
                except BaseException as exc:
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    for (_, fut), result in zip(batch, results, strict=True):
                        fut.set_result(result)
        return await done
