"""The stored catalogue snapshot: search index and cards, built once, loaded cheaply at start.

Building the search index folds and tokenises every procedure (about 1 s for the national
catalogue, 8 s for ten times that), and reading every procedure as ORM objects for the cards
costs about as much again and some 60 MB that stay resident. So the snapshot is built when the
catalogue changes (``motcua catalogue import``, an alias added at ``/operator/aliases``, the
first start after an upgrade) and stored in one row of ``search_index``; every start, and every
``motcua serve`` worker on the same database, reads that row instead.

The row is keyed by two strings and is rebuilt (and replaced) when either differs:

* ``format``: :data:`FORMAT_VERSION` and a digest of the code and data files that shape the index
  (``lookup/search.py``, the alias file …), so a new release never loads an old layout;
* ``revision``: a stamp of the catalogue as stored (procedure count and last update, method
  count and last id, the admins' aliases) and of the lexicon in force, read with a few cheap
  queries. Catalogue writes go through the ORM or ``bot.catalogue_io``, both of which set
  ``procedures.updated_at``.

The row holds ``data``, ``gzip(pickle((index, codes, offsets)))``, and ``cards``, every card
end to end in one buffer kept as read (one object, not one per procedure, and no second copy).
Only this module writes them; ``data`` is read with an
unpickler that resolves nothing but the index's own classes and a few standard types, so a
tampered row cannot name arbitrary callables. A card is one procedure's columns and methods,
pickled and compressed on its own (about 1 KB) and turned back into a detached ``Procedure``
when asked for: a card costs a tenth of the ORM object it replaces.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import logging
import pickle
import sys
import time
import zlib
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

import lookup.search as search_module
from bot import lexicon
from bot.db.engine import Database
from bot.db.models import Procedure, ProcedureAlias, ProcedureMethod, SearchIndexRow, utcnow
from lookup.aliases import with_aliases
from lookup.procedure import subject_kind
from lookup.search import SearchDoc, SearchIndex

log = logging.getLogger(__name__)

Row = Mapping[Any, Any]  # one row's column values: a dict or a database RowMapping

# Bump when the blob's layout changes in a way the source digest below would not see.
FORMAT_VERSION = 2
ROW_NAME = "catalogue"
_LOOKUP = Path(search_module.__file__).parent
# What shapes the index besides the catalogue: the ranker's code and the data it reads.
_SHAPING_FILES = (
    Path(__file__),
    _LOOKUP / "search.py",
    _LOOKUP / "teencode.py",
    _LOOKUP / "fold.py",
    _LOOKUP / "marks.py",
    _LOOKUP / "aliases.py",
    _LOOKUP / "procedure.py",
    _LOOKUP / "data" / "aliases.tsv",
    _LOOKUP / "data" / "english-stop.txt",
    _LOOKUP / "data" / "english-words.txt",
)
_PROC_KEYS = tuple(a.key for a in inspect(Procedure).column_attrs)
_METHOD_KEYS = tuple(
    a.key for a in inspect(ProcedureMethod).column_attrs if a.key not in ("id", "procedure_code")
)
# The only globals a stored blob may name: the index's own classes and plain standard types.
_ALLOWED_MODULES = frozenset({"lookup.search"})
_ALLOWED = frozenset(
    {
        ("collections", "Counter"),
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
        ("decimal", "Decimal"),
        (__name__, "_unpack_postings"),
    }
)


class StaleIndex(Exception):
    """The stored blob cannot be used: unreadable or naming a class it must not."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module in _ALLOWED_MODULES or (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise StaleIndex(f"stored index names {module}.{name}")


def _loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


def doc_of(p: Procedure) -> SearchDoc:
    """What the index reads of a procedure."""
    return doc_of_row(
        {
            k: getattr(p, k)
            for k in ("code", "name", "field", "result", "aliases", "popular", "subjects")
        }
    )


def doc_of_row(row: Row) -> SearchDoc:
    """What the index reads of a procedure, from its column values."""
    return SearchDoc(
        code=row["code"],
        name=row["name"],
        field=row["field"] or "",
        result=row["result"] or "",
        aliases=tuple(row["aliases"] or ()),
        popular=bool(row["popular"]),
        subject=subject_kind(row["subjects"] or ""),
    )


def encode_card(cols: Row, methods: Iterable[Row]) -> bytes:
    """One procedure's column values and method rows, pickled (every column: new ones come
    along); :meth:`Cards.pack` compresses them."""
    state = {k: cols[k] for k in _PROC_KEYS if k in cols}
    rows = [{k: m[k] for k in _METHOD_KEYS if k in m} for m in methods]
    return pickle.dumps((state, rows), protocol=5)


def decode_card(raw: bytes) -> Procedure:
    """A detached ``Procedure`` (with its methods) from :func:`encode_card`'s bytes."""
    cols, methods = _loads(raw)
    p = Procedure(**cols)
    p.methods = [ProcedureMethod(procedure_code=p.code, **m) for m in methods]
    return p


ZDICT_SIZE = 32 * 1024  # zlib's window: a longer preset dictionary is not used


class Cards:
    """Every procedure's card (:func:`encode_card`) compressed on its own, end to end in one
    buffer, found by code.

    Compressed with a preset dictionary sampled from the cards themselves: a 2 KB card shares
    its column names and the catalogue's stock phrases with every other, which plain per-card
    compression cannot exploit (national catalogue: 5.6 MB plainly, 3.3 MB with it)."""

    def __init__(self, buffer: bytes, codes: list[str], offsets: array[int], zdict: bytes) -> None:
        self.buffer = buffer
        self.codes = codes
        self.offsets = offsets  # card i is buffer[offsets[i]:offsets[i + 1]]
        self.zdict = zdict
        self._where = {code: i for i, code in enumerate(codes)}

    @classmethod
    def pack(cls, cards: dict[str, bytes]) -> Cards:
        raws = list(cards.values())
        step = max(1, len(raws) // 64)
        zdict = b"".join(raws[::step])[-ZDICT_SIZE:]
        offsets = array("Q", [0])
        parts = []
        # Loading the dictionary costs more than compressing a card: load it once, copy it.
        primed = zlib.compressobj(6, zdict=zdict) if zdict else zlib.compressobj(6)
        for raw in raws:
            packer = primed.copy()
            blob = packer.compress(raw) + packer.flush()
            parts.append(blob)
            offsets.append(offsets[-1] + len(blob))
        return cls(b"".join(parts), list(cards), offsets, zdict)

    def get(self, code: str) -> bytes | None:
        """The card's pickled bytes (decompressed), None for an unknown code."""
        i = self._where.get(code)
        if i is None:
            return None
        unpacker = zlib.decompressobj(zdict=self.zdict) if self.zdict else zlib.decompressobj()
        return unpacker.decompress(self.buffer[self.offsets[i] : self.offsets[i + 1]])

    def load(self, code: str) -> Procedure | None:
        """The procedure with this code as a detached object, None if unknown."""
        raw = self.get(code)
        return None if raw is None else decode_card(raw)

    def __len__(self) -> int:
        return len(self.codes)


@dataclass
class Snapshot:
    """The search index and the cards of one catalogue revision."""

    index: SearchIndex
    cards: Cards
    revision: str = ""
    source: str = "built"  # "stored" when read from the database, "built" when rebuilt


def format_key() -> str:
    """:data:`FORMAT_VERSION` and a digest of the files that shape the index."""
    h = hashlib.blake2b(digest_size=12)
    h.update(sys.byteorder.encode())  # packed postings are native arrays
    for path in _SHAPING_FILES:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"-")
    return f"{FORMAT_VERSION}:{h.hexdigest()}"


def lexicon_digest() -> str:
    """The lexicon in force in this process (the shipped file plus the admins' lines): the
    index's speller vocabulary and alias rewriting depend on it. Read at call time, since
    admins' entries replace the module's lexicon."""
    lexicon = getattr(search_module, "_LEXICON", {})
    return hashlib.blake2b(repr(lexicon).encode(), digest_size=12).hexdigest()


async def revision(session: AsyncSession) -> str:
    """A stamp of the stored catalogue, the admins' aliases and the lexicon: a few cheap queries
    (counts, maxima, the small alias table), not a read of every procedure."""
    procs = (await session.execute(select(func.count(), func.max(Procedure.updated_at)))).one()
    methods = (await session.execute(select(func.count(), func.max(ProcedureMethod.id)))).one()
    aliases = (
        await session.execute(
            select(ProcedureAlias.code, ProcedureAlias.text).order_by(ProcedureAlias.id)
        )
    ).all()
    h = hashlib.blake2b(digest_size=16)
    stamp = (tuple(procs), tuple(methods), [tuple(a) for a in aliases], lexicon_digest())
    h.update(repr(stamp).encode())
    return h.hexdigest()


async def admin_aliases(session: AsyncSession) -> dict[str, tuple[str, ...]]:
    """The aliases admins added at /operator/aliases, by procedure code."""
    added: dict[str, tuple[str, ...]] = {}
    rows = await session.execute(
        select(ProcedureAlias.code, ProcedureAlias.text).order_by(ProcedureAlias.id)
    )
    for code, text in rows:
        added[code] = (*added.get(code, ()), text)
    return added


def docs_of(rows: Iterable[Row], added: Mapping[str, tuple[str, ...]]) -> list[SearchDoc]:
    """What the index reads of these procedures: their columns, the reviewed everyday phrasings
    (lookup/data/aliases.tsv, as the bench uses them), then those admins added (``added``)."""
    return with_aliases(with_aliases(doc_of_row(r) for r in rows), added)


def build_snapshot(
    procedures: Iterable[Row],
    methods: Mapping[str, list[Row]],
    added: dict[str, tuple[str, ...]],
    revision: str = "",
) -> Snapshot:
    """Index and cards for these procedures (column values), with their method rows by code;
    ``added`` are the admins' aliases by code."""
    rows = list(procedures)
    index = SearchIndex.build(docs_of(rows, added))
    share_strings(index)
    cards = Cards.pack({r["code"]: encode_card(r, methods.get(r["code"], ())) for r in rows})
    return Snapshot(index=index, cards=cards, revision=revision)


async def _catalogue_rows(
    session: AsyncSession,
) -> tuple[list[Row], dict[str, list[Row]]]:
    """Every procedure's column values and method rows, as plain rows: building ORM objects for
    them cost a third of the rebuild."""
    ptable = Procedure.__table__
    mtable = ProcedureMethod.__table__
    result = await session.execute(select(ptable).order_by(ptable.c.code))
    procs: list[Row] = [r._mapping for r in result]
    methods: dict[str, list[Row]] = {}
    rows = await session.execute(
        select(mtable).order_by(mtable.c.procedure_code, mtable.c.position, mtable.c.id)
    )
    for m in rows:
        methods.setdefault(m.procedure_code, []).append(m._mapping)
    return procs, methods


def share_strings(index: SearchIndex) -> None:
    """Make equal terms one string object throughout the index, so that pickle stores each once.

    The index holds each document's terms in its own sets, built from its own text: "dang",
    "ky", "cap" exist once per document. Pickle keeps shared objects shared but does not merge
    equal ones, so a loaded index had thousands of copies of each common syllable (measured on
    the national catalogue: documents 25 MB of the index's 40 MB). Values are only replaced by
    equal ones: the index answers exactly as before. Touches plain containers of strings only
    (dict keys at the top, and per-document strings, tuples and frozensets of strings)."""
    pool: dict[str, str] = {}
    one = pool.setdefault

    def shared(value: Any) -> Any:
        if type(value) is str:
            return one(value, value)
        if type(value) in (frozenset, tuple) and all(type(x) is str for x in value):
            return type(value)(one(x, x) for x in value)
        return value

    state = vars(index)
    for key, value in list(state.items()):
        if type(value) is dict and all(type(k) is str for k in value):
            state[key] = {one(k, k): v for k, v in value.items()}
    for value in state.values():
        if type(value) is list:
            for doc in value:
                fields = getattr(doc, "__dict__", None)
                if fields is not None:
                    for name, x in list(fields.items()):
                        fields[name] = shared(x)


class _PackedPostings:
    """Stands in for the index's postings (term → {document number: weight}) while pickling.

    Pickle writes every int and float of a posting as a new object, so a loaded index had one
    int and one float object per posting (1.6 million of each for 26,420 procedures, 28 and 24
    bytes each), although there are only as many document numbers as documents and a few
    distinct weights per term. Packed as arrays, they come back as plain dicts whose keys and
    values are shared objects; equal values in the same order, so the index answers the same."""

    def __init__(self, postings: dict[str, dict[int, float]]) -> None:
        self.postings = postings

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        lengths, ids, slots = array("I"), array("I"), array("I")
        weights: dict[float, int] = {}
        for post in self.postings.values():
            lengths.append(len(post))
            ids.extend(post.keys())
            slots.extend(weights.setdefault(w, len(weights)) for w in post.values())
        packed = (lengths.tobytes(), ids.tobytes(), slots.tobytes())
        return (_unpack_postings, (list(self.postings), *packed, list(weights)))


def _unpack_postings(
    terms: list[str], lengths: bytes, ids: bytes, slots: bytes, weights: list[float]
) -> dict[str, dict[int, float]]:
    counts, docs, where = array("I"), array("I"), array("I")
    counts.frombytes(lengths)
    docs.frombytes(ids)
    where.frombytes(slots)
    numbers = list(range(max(docs, default=0) + 1))  # one int object per document number
    # Lazy maps, not lists: 1.6 million references each at the largest size, whose freed memory
    # would stay in the process's heap.
    keys = map(numbers.__getitem__, docs)
    values = map(weights.__getitem__, where)
    return {
        t: dict(zip(islice(keys, n), islice(values, n), strict=True))
        for t, n in zip(terms, counts, strict=True)
    }


def encode_snapshot(snap: Snapshot) -> bytes:
    """The stored ``data``: gzip (read back as a stream) of the pickled index and card table."""
    state = vars(snap.index)
    postings = state.get("_postings")
    if type(postings) is dict:
        state["_postings"] = _PackedPostings(postings)
    try:
        table = (snap.cards.codes, snap.cards.offsets.tobytes(), snap.cards.zdict)
        raw = pickle.dumps((snap.index, *table), protocol=5)
    finally:
        state["_postings"] = postings
    return gzip.compress(raw, compresslevel=1, mtime=0)


def decode_snapshot(data: bytes, cards: bytes = b"") -> tuple[SearchIndex, Cards]:
    """The index and cards of a stored row; :class:`StaleIndex` if it is not one of ours."""
    # Unpickling creates hundreds of thousands of containers: the cyclic collector would run
    # dozens of times over objects that are all alive (measured: 40 % of the load time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        # Unpickled from a decompressing stream: the whole decompressed pickle (10 MB for the
        # national catalogue, ten times that for the largest) is never in memory at once.
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            index, codes, offsets, zdict = _Unpickler(stream).load()
    except StaleIndex:
        raise
    except Exception as exc:  # a truncated or foreign blob: rebuild rather than fail the start
        raise StaleIndex(f"unreadable stored index: {type(exc).__name__}: {exc}") from exc
    finally:
        if enabled:
            gc.enable()
    if not isinstance(index, SearchIndex) or not isinstance(codes, list | tuple):
        raise StaleIndex("stored index has an unexpected shape")
    table = array("Q")
    table.frombytes(offsets)
    if len(table) != len(codes) + 1 or table[-1] != len(cards):
        raise StaleIndex("stored cards do not match their table")
    return index, Cards(cards, list(codes), table, bytes(zdict))


async def _stored(session: AsyncSession, fmt: str, rev: str) -> tuple[bytes, bytes] | None:
    """The stored ``data`` and ``cards`` when they are current (the blobs are read only then)."""
    mine = (SearchIndexRow.name == ROW_NAME, SearchIndexRow.format == fmt)
    current = SearchIndexRow.revision == rev
    row = (
        await session.execute(
            select(SearchIndexRow.data, SearchIndexRow.cards).where(*mine, current)
        )
    ).one_or_none()
    if row is None:
        return None
    # The drivers hand bytes (asyncpg) or bytes (sqlite3) over: kept as they are, no copy.
    return bytes(row.data), bytes(row.cards)


async def store(db: Database, snap: Snapshot, fmt: str) -> None:
    """Write (or replace) the stored row; concurrent workers may race: last write wins, and
    both wrote the same catalogue revision."""
    values = {
        "name": ROW_NAME,
        "format": fmt,
        "revision": snap.revision,
        "procedures": len(snap.cards),
        "built_at": utcnow(),
        "data": encode_snapshot(snap),
        "cards": snap.cards.buffer,
    }
    async with db.begin() as conn:
        await conn.execute(db.insert_replace(SearchIndexRow, values, "name"))


async def rebuild(db: Database, fmt: str | None = None) -> Snapshot:
    """Read the catalogue, build the snapshot and store it."""
    fmt = fmt or format_key()
    async with db.read() as session:
        # Stamped before reading: a write that lands in between leaves a snapshot newer than its
        # stamp, which the next start rebuilds; the other order could keep a stale one.
        rev = await revision(session)
        procs, methods = await _catalogue_rows(session)
        added = await admin_aliases(session)
    snap = build_snapshot(procs, methods, added, rev)
    try:
        await store(db, snap, fmt)
    except Exception:  # a read-only database still gets a working bot, just a slower start
        log.exception("search index not stored")
    return snap


async def load(db: Database) -> Snapshot:
    """The stored snapshot when it matches the code and the catalogue, else a fresh one."""
    started = time.perf_counter()
    await lexicon.load(db)  # the admins' entries are part of what an index was built from
    fmt = format_key()
    async with db.read() as session:
        rev = await revision(session)
        stored = await _stored(session, fmt, rev)
    if stored is not None:
        data, buffer = stored
        try:
            index, cards = decode_snapshot(data, buffer)
        except StaleIndex as exc:
            log.warning("stored search index unusable, rebuilding", extra={"reason": str(exc)})
        else:
            log.info(
                "search index loaded",
                extra={
                    "procedures": len(index),
                    "bytes": len(data) + len(buffer),
                    "ms": round(1000 * (time.perf_counter() - started)),
                },
            )
            return Snapshot(index=index, cards=cards, revision=rev, source="stored")
    snap = await rebuild(db, fmt)
    log.info(
        "search index built",
        extra={
            "procedures": len(snap.index),
            "ms": round(1000 * (time.perf_counter() - started)),
        },
    )
    return snap


async def refresh(db: Database) -> bool:
    """Rebuild and store the snapshot if the stored one is missing or stale (after an import);
    True when it was rebuilt. Nothing is decoded when it is current."""
    await lexicon.load(db)
    fmt = format_key()
    async with db.read() as session:
        rev = await revision(session)
        current = await session.scalar(
            select(func.count())
            .select_from(SearchIndexRow)
            .where(
                SearchIndexRow.name == ROW_NAME,
                SearchIndexRow.format == fmt,
                SearchIndexRow.revision == rev,
            )
        )
    if current:
        return False
    await rebuild(db, fmt)
    return True
