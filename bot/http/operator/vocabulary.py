"""The words search reads from the database: aliases (``procedure_aliases``) and lexicon
entries (``lexicon_entries``), edited by admins on the web, seen by every worker.

Each change bumps ``vocabulary_revision`` in its own transaction (:func:`bump`). Every worker
that serves the operator web remembers the revision its search was built from and checks the
row every :data:`POLL_SECONDS` (one primary-key read); when it moved, the worker loads the
lexicon entries into ``lookup.search`` and rebuilds its catalogue snapshot
(``Catalogue.reload``, which reads the aliases). The worker that made the change refreshes at
once, so its own next search already sees it; the others within a poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database, insert_ignore
from bot.db.models import VocabularyRevision
from bot.services import Services

log = logging.getLogger(__name__)

#: How often a worker looks for changes made by another: an alias or a lexicon entry reaches
#: every worker within this many seconds.
POLL_SECONDS = 5.0
ROW_ID = 1


async def bump(session: AsyncSession, now: datetime) -> None:
    """Count one change, in the caller's transaction (so it commits with the change)."""
    # The row may be missing (a fresh or emptied database): create it, then count.
    await session.execute(
        insert_ignore(session, VocabularyRevision).values(id=ROW_ID, revision=0, changed_at=now)
    )
    await session.execute(
        update(VocabularyRevision)
        .where(VocabularyRevision.id == ROW_ID)
        .values(revision=VocabularyRevision.revision + 1, changed_at=now)
    )


async def current(db: Database) -> int:
    """The revision in the database (0 before the first change)."""
    async with db.read() as session:
        found = await session.scalar(
            select(VocabularyRevision.revision).where(VocabularyRevision.id == ROW_ID)
        )
    return int(found or 0)


class Vocabulary:
    """This worker's copy of the database words, and the revision it was built from."""

    def __init__(self, services: Services, *, poll_seconds: float | None = None) -> None:
        self.services = services
        self.poll_seconds = POLL_SECONDS if poll_seconds is None else poll_seconds
        self.seen: int | None = None
        self._lock = asyncio.Lock()  # one reload at a time: the page's and the poll's

    async def refresh(self, *, start: bool = False) -> bool:
        """Reload if the database's revision differs from the one this worker built from.
        ``start``: the catalogue was just indexed with the aliases and lexicon entries, so only
        the revision is noted. True when the revision moved."""
        async with self._lock:
            db = self.services.db
            # Read before the words: a change landing in between is read now and again at
            # the next check, never missed.
            revision = await current(db)
            if revision == self.seen:
                return False
            if not start:
                # Reloading reads the aliases and the admins' lexicon entries (bot.lexicon,
                # loaded by bot.search_index), and rebuilds the index when they changed.
                await self.services.catalogue.reload(db)
            self.seen = revision
            log.info("search vocabulary loaded", extra={"revision": revision})
            return True

    async def run(self) -> None:
        """Check every ``poll_seconds`` until cancelled; a failed check is tried again."""
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                await self.refresh()
            except Exception:  # the database may be away for a moment: keep the old words
                log.exception("search vocabulary check failed")


def setup(web_app: web.Application, vocabulary: Vocabulary) -> None:
    """Load the database words at start, then watch for changes while the server runs."""

    async def watch(_app: web.Application) -> AsyncIterator[None]:
        await vocabulary.refresh(start=True)
        task = asyncio.create_task(vocabulary.run(), name="vocabulary_watch")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    web_app.cleanup_ctx.append(watch)
