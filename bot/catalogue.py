"""The procedure catalogue as the bot uses it: records in the database, a snapshot in memory.

The snapshot (search index and cards) comes from the stored index (``bot.search_index``): built
once when the catalogue changes, read by every start and every worker, rebuilt when the
catalogue, the aliases, the lexicon or the ranker's code changed since it was stored. An import
takes effect at the next start (or ``reload``). Aliases added at ``/operator/aliases``
(``procedure_aliases``) are merged with the shipped alias file when it is built; the web page
reloads its own worker's snapshot after each change. Searching then touches no database: the
index and the cards come from the same snapshot, so a search hit always has its card.
"""

from __future__ import annotations

import asyncio
import logging
from array import array
from collections import OrderedDict

from bot import search_index, semantic
from bot.db.engine import Database
from bot.db.models import Procedure
from bot.search_index import doc_of
from lookup.search import Hit, SearchIndex
from lookup.semantic import POOL, Reranker

log = logging.getLogger(__name__)

__all__ = ["Catalogue", "doc_of"]

# Cards are stored compressed; the few shown again and again (the popular procedures, a card's
# "documents" and "steps" pages) are kept decoded.
CARD_CACHE = 256


class Catalogue:
    """Search over the procedures in the database."""

    def __init__(self, *, semantic: bool = False) -> None:
        self.index = SearchIndex.build([])
        self.semantic = semantic  # re-rank by meaning (bot.semantic) when the model is installed
        self.reranker: Reranker | None = None
        self._cards = search_index.Cards(b"", [], array("Q", [0]), b"")
        self._decoded: OrderedDict[str, Procedure] = OrderedDict()
        self.source = "empty"  # "stored" or "built": how the last reload got its snapshot

    async def reload(self, db: Database) -> None:
        """Take the stored snapshot, rebuilding it first if it is missing or stale."""
        snap = await search_index.load(db)
        # Swapped together, with no await in between: a search sees the old or the new set.
        self.index, self._cards = snap.index, snap.cards
        self._decoded = OrderedDict()
        self.source = snap.source
        if self.semantic:
            self.reranker = await semantic.load(db)

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        """The lexical ranking alone (no model call): what ``find`` starts from."""
        return self.index.search(query, limit=limit)

    async def find(self, query: str, limit: int = 5) -> list[Hit]:
        """What the chat answers from: the lexical ranking, re-ordered by meaning when on."""
        reranker = self.reranker
        if reranker is None:
            return self.index.search(query, limit=limit)
        hits = self.index.search(query, limit=max(limit, POOL))
        if len(hits) > 1:
            hits = await asyncio.to_thread(reranker.rerank, query, hits, limit)
        return hits[:limit]

    def get(self, code: str) -> Procedure | None:
        """The procedure with this code, from the snapshot (None if unknown): a detached object,
        shared by the callers that ask for the same code while it stays in the cache."""
        p = self._decoded.get(code)
        if p is not None:
            self._decoded.move_to_end(code)
            return p
        p = self._cards.load(code)
        if p is None:
            return None
        self._decoded[code] = p
        if len(self._decoded) > CARD_CACHE:
            self._decoded.popitem(last=False)
        return p

    def __len__(self) -> int:
        return len(self._cards)
