"""The procedure catalogue as the bot uses it: records in the database, a snapshot in memory.

The snapshot (search index and the procedures themselves) is read from the database at start-up;
an import takes effect at the next start. Aliases added at ``/operator/aliases``
(``procedure_aliases``) are merged with the shipped alias file at every reload; the web page
reloads its own worker's snapshot after each change. Searching then touches no database: the
index and the cards come from the same snapshot, so a search hit always has its card.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Procedure, ProcedureAlias
from lookup.aliases import with_aliases
from lookup.procedure import subject_kind
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
        subject=subject_kind(p.subjects or ""),
    )


class Catalogue:
    """Search over the procedures in the database."""

    def __init__(self) -> None:
        self.index = SearchIndex.build([])
        self._procedures: dict[str, Procedure] = {}

    async def reload(self, db: Database) -> None:
        started = time.perf_counter()
        async with db.read() as session:
            rows = (await session.execute(select(Procedure))).scalars().all()
            added: dict[str, tuple[str, ...]] = {}
            for code, text in await session.execute(
                select(ProcedureAlias.code, ProcedureAlias.text).order_by(ProcedureAlias.id)
            ):
                added[code] = (*added.get(code, ()), text)
            # The reviewed everyday phrasings (lookup/data/aliases.tsv), as the bench uses them,
            # then those admins added at /operator/aliases (procedure_aliases).
            docs = with_aliases(with_aliases(doc_of(p) for p in rows), added)
            self.index = SearchIndex.build(docs)
            self._procedures = {p.code: p for p in rows}  # methods are loaded eagerly (selectin)
        log.info(
            "catalogue indexed",
            extra={
                "procedures": len(self.index),
                "ms": round(1000 * (time.perf_counter() - started)),
            },
        )

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        return self.index.search(query, limit=limit)

    def get(self, code: str) -> Procedure | None:
        """The procedure with this code, from the snapshot (None if unknown)."""
        return self._procedures.get(code)
