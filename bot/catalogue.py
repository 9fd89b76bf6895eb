"""The procedure catalogue as the bot uses it: records in the database, search index in memory.

The index is rebuilt from the database at start-up and after an import; a search never touches
the database, and the card for a chosen procedure is read by code.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import Procedure
from lookup.search import Hit, SearchDoc, SearchIndex

log = logging.getLogger(__name__)


def doc_of(p: Procedure) -> SearchDoc:
    return SearchDoc(
        code=p.code,
        name=p.name,
        field=p.field,
        result=p.result,
        aliases=tuple(p.aliases or ()),
        popular=p.popular,
    )


class Catalogue:
    """Search over the procedures in the database."""

    def __init__(self) -> None:
        self.index = SearchIndex.build([])

    async def reload(self, db: Database) -> None:
        started = time.perf_counter()
        async with db.read() as session:
            rows = (await session.execute(select(Procedure))).scalars().all()
            self.index = SearchIndex.build(doc_of(p) for p in rows)
        log.info(
            "catalogue indexed",
            extra={
                "procedures": len(self.index),
                "ms": round(1000 * (time.perf_counter() - started)),
            },
        )

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        return self.index.search(query, limit=limit)

    @staticmethod
    async def get(session: AsyncSession, code: str) -> Procedure | None:
        return await session.get(Procedure, code)
