"""Reading catalogue files and writing them into the database (idempotent upsert), and back out.

A catalogue file is JSONL (optionally gzip). Each line is either the project's own format
(``code``, ``name`` … see ``lookup.procedure``) or a national-portal object (``ma_thu_tuc`` …),
detected per line so an operator can mix a curated file with portal exports. A bad line is
reported with its line number and reason and the import goes on: one typo must not keep
2,000 good procedures out of the bot.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Procedure, ProcedureMethod
from lookup.portal import from_portal, is_portal
from lookup.procedure import (
    CHANNELS,
    FEE_STATUSES,
    TIME_STATUSES,
    Method,
    ProcedureRecord,
    RecordError,
    is_junk,
)

BATCH = 500
_DERIVED = ("fee_status", "time_status")
# Flattened-table residue in a document name: a glued form file name ("…theo mẫuMauX.docx"),
# a file name cut to "Mau", or a numbered stem with its diacritics stripped ("…).1.MuCT01banhnh").
DOC_RESIDUE = re.compile(
    r"[a-zà-ỹ.;:)][A-Z][A-Za-z0-9_-]*(?: \(\d+\))?\.(?:docx?|pdf|xlsx?|rar|zip|odt)"
    r"|[a-zà-ỹ.;)]Mau$"
    r"|[.)]\s*\d{1,2}\.[A-Za-z0-9-]{8,}$"
)


def _open_text(path: Path) -> IO[str]:
    """Text handle on a plain or gzip file; gzip is recognised by its magic bytes, not the name."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    """(line number, object or error) for each non-empty line of a JSONL file, gzip or not."""
    with _open_text(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, RecordError(f"invalid JSON: {exc.msg}")


def record_from_object(obj: Any) -> ProcedureRecord:
    """Validate one JSON object of either format (project ``code`` or portal ``ma_thu_tuc``)."""
    if not isinstance(obj, dict):
        raise RecordError("not a JSON object")
    if is_portal(obj):
        return from_portal(obj)
    if "code" not in obj:
        raise RecordError("neither 'code' (project format) nor 'ma_thu_tuc' (portal format)")
    return ProcedureRecord.from_dict(obj)


def read_records(path: Path) -> Iterator[tuple[int, ProcedureRecord | RecordError]]:
    """(line number, record or the reason it was rejected) for each line, either format."""
    for n, obj in read_jsonl(path):
        if isinstance(obj, RecordError):
            yield n, obj
            continue
        try:
            yield n, record_from_object(obj)
        except RecordError as exc:
            yield n, exc
        except Exception as exc:  # a parser bug on one odd line must not stop the import
            yield n, RecordError(f"unreadable record: {type(exc).__name__}: {exc}")


def _apply(p: Procedure, r: ProcedureRecord) -> None:
    d = r.to_dict()
    for key in (
        "name",
        "field",
        "levels",
        "subjects",
        "agency",
        "implementing_agency",
        "steps",
        "documents",
        "conditions",
        "result",
        "legal_basis",
        "online_level",
        "url",
        "aliases",
        "popular",
        "name_en",
        "agency_en",
        "summary_en",
        "source_url",
    ):
        setattr(p, key, d[key])
    p.checked_on = date.fromisoformat(r.checked_on) if r.checked_on else None
    # The statuses have no column: they are derived again from the stored values when read.
    p.methods = [
        ProcedureMethod(position=i, **{k: v for k, v in m.items() if k not in _DERIVED})
        for i, m in enumerate(d["methods"])
    ]


class _Row:
    """What ``_apply`` writes, on a plain object instead of an ORM one: the import reads the
    attributes back as one row's column values, so a column ``_apply`` learns to set is written
    too, and no ORM state is built for thousands of rows."""

    methods: list[ProcedureMethod]


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively: how a JSON column gives a value back, for comparing."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _method_defaults() -> dict[str, Any]:
    """Column defaults of ``procedure_methods`` for a key a method row does not carry."""
    out: dict[str, Any] = {}
    for c in ProcedureMethod.__table__.columns:
        if c.key in ("id", "procedure_code"):
            continue
        default = c.default
        out[c.key] = default.arg if default is not None and default.is_scalar else None
    return out


_METHOD_DEFAULTS = _method_defaults()


def _values(r: ProcedureRecord) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The procedure's column values and its method rows, as ``_apply`` maps them."""
    row = _Row()
    _apply(cast(Procedure, row), r)
    state = {k: v for k, v in vars(row).items() if k != "methods" and not k.startswith("_")}
    state["code"] = r.code
    methods = []
    for m in row.methods:
        given = {k: v for k, v in vars(m).items() if not k.startswith("_")}
        methods.append({**_METHOD_DEFAULTS, **given})
    return state, methods


async def upsert_records(
    session: AsyncSession, records: Iterable[ProcedureRecord]
) -> tuple[int, int, int]:
    """Insert new procedures, update changed ones by code, leave identical ones alone; returns
    (inserted, updated, unchanged).

    Keyed by code, so importing the same file twice writes nothing the second time (and the
    stored search index stays current); a code seen twice in one batch counts once as inserted
    and then as updated (last one wins). Plain Core statements, many rows per round trip: the
    ORM's unit of work cost more than the rest of the import together."""
    table = cast(Table, Procedure.__table__)  # declared as a FromClause; it is a Table
    mtable = cast(Table, ProcedureMethod.__table__)
    batch = list(records)
    codes = list(dict.fromkeys(r.code for r in batch))
    existing: dict[str, dict[str, Any]] = {}
    existing_methods: dict[str, list[dict[str, Any]]] = {}
    for i in range(0, len(codes), BATCH):
        chunk = codes[i : i + BATCH]
        for row in await session.execute(select(table).where(table.c.code.in_(chunk))):
            existing[row.code] = dict(row._mapping)
        rows = await session.execute(
            select(mtable)
            .where(mtable.c.procedure_code.in_(chunk))
            .order_by(mtable.c.procedure_code, mtable.c.position)
        )
        for m in rows:
            d = dict(m._mapping)
            code = d.pop("procedure_code")
            d.pop("id", None)
            existing_methods.setdefault(code, []).append(d)
    inserted = updated = unchanged = 0
    new: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    changed: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for r in batch:
        state, methods = _values(r)
        seen = new.get(r.code) or changed.get(r.code)
        if seen is not None:
            before, before_methods = seen
        elif r.code in existing:
            before, before_methods = existing[r.code], existing_methods.get(r.code, [])
        else:
            new[r.code] = (state, methods)
            inserted += 1
            continue
        same = all(_plain(v) == before.get(k) for k, v in state.items()) and [
            _plain(m) for m in methods
        ] == [_plain(m) for m in before_methods]
        if same:
            unchanged += 1
            continue
        updated += 1
        if r.code in new:
            new[r.code] = (state, methods)
        else:
            changed[r.code] = (state, methods)
    if new:
        await session.execute(insert(table), [state for state, _ in new.values()])
    if changed:
        # updated_at comes from the column's onupdate: the stored index's revision reads it.
        params = [
            {**{k: v for k, v in state.items() if k != "code"}, "b_code": code}
            for code, (state, _) in changed.items()
        ]
        await session.execute(update(table).where(table.c.code == bindparam("b_code")), params)
        await session.execute(delete(mtable).where(mtable.c.procedure_code.in_(list(changed))))
    method_rows = [
        {**m, "procedure_code": code, "position": m.get("position", i)}
        for code, (_, methods) in (*new.items(), *changed.items())
        for i, m in enumerate(methods)
    ]
    if method_rows:
        await session.execute(insert(mtable), method_rows)
    return inserted, updated, unchanged


@dataclass
class MethodStats:
    """How many submission channels have a machine-readable time and fee (per channel)."""

    rows: Counter[str] = field(default_factory=Counter)
    timed: Counter[str] = field(default_factory=Counter)
    priced: Counter[str] = field(default_factory=Counter)

    def add(self, r: ProcedureRecord) -> None:
        for m in r.methods:
            self.rows[m.channel] += 1
            self.timed[m.channel] += m.time_value is not None and m.time_unit is not None
            self.priced[m.channel] += m.fee_amount is not None

    def lines(self) -> list[str]:
        out = []
        for ch in CHANNELS:
            n = self.rows[ch]
            if n:
                t, f = self.timed[ch], self.priced[ch]
                out.append(
                    f"{ch}: {n} rows, time parsed {t} ({100 * t / n:.1f}%),"
                    f" fee parsed {f} ({100 * f / n:.1f}%)"
                )
        return out


def _shown(m: Method) -> tuple[str, str]:
    """The fee and time text a chat card shows for this row (numbers are rendered, not shown)."""
    fee = "" if m.fee_amount is not None else m.fee_text
    time = "" if m.time_value is not None and m.time_unit else m.time_text
    return fee, time


@dataclass
class FieldReport:
    """Per-field outcome of an import, one count per channel row: how the fee and the time were
    read (parsed, free, text, not published, flagged), plus the documents' clean-up."""

    rows: int = 0
    fee: Counter[str] = field(default_factory=Counter)
    time: Counter[str] = field(default_factory=Counter)
    under_1000: int = 0  # amounts below 1,000 VND: almost always a lost "000"
    shown_junk: int = 0  # rows whose displayed fee or time text is junk (target 0)
    procedures: int = 0
    documents: int = 0
    doc_residue: int = 0
    doc_duplicates: int = 0

    def add(self, r: ProcedureRecord) -> None:
        self.procedures += 1
        for m in r.methods:
            self.rows += 1
            fee_shown, time_shown = _shown(m)
            # Junk still on display counts as flagged whatever the status says (older importers).
            self.fee[m.fee_status if not is_junk(fee_shown) else "flagged"] += 1
            self.time[m.time_status if not is_junk(time_shown) else "flagged"] += 1
            self.under_1000 += m.fee_amount is not None and 0 < m.fee_amount < 1000
            self.shown_junk += is_junk(fee_shown) or is_junk(time_shown)
        names = [d.name for d in r.documents]
        self.documents += len(names)
        self.doc_duplicates += len(names) - len(set(names))
        self.doc_residue += sum(bool(DOC_RESIDUE.search(n)) for n in names)

    def lines(self) -> list[str]:
        out = [f"channel rows: {self.rows}"]
        for name, counts, kinds in (
            ("fee", self.fee, FEE_STATUSES),
            ("time", self.time, TIME_STATUSES),
        ):
            n = self.rows or 1
            cells = ", ".join(f"{k} {counts[k]} ({100 * counts[k] / n:.1f}%)" for k in kinds)
            read = n - counts["flagged"]
            out.append(f"{name}: {cells}; read or not published {100 * read / n:.1f}%")
        out.append(f"fee amounts under 1,000 VND: {self.under_1000}")
        out.append(f"rows displaying junk fee/time text: {self.shown_junk}")
        out.append(
            f"documents: {self.documents} in {self.procedures} procedures,"
            f" names with table residue {self.doc_residue}, duplicate names {self.doc_duplicates}"
        )
        return out


@dataclass
class ImportReport:
    """What an import did; ``rejected`` holds (line number, reason) for every refused line."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0  # already stored exactly so: not written
    rejected: list[tuple[int, str]] = field(default_factory=list)
    formats: Counter[str] = field(default_factory=Counter)
    methods: MethodStats = field(default_factory=MethodStats)
    fields: FieldReport = field(default_factory=FieldReport)

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged


async def import_file(
    session: AsyncSession,
    path: Path,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and upsert every line of ``path``; bad lines are reported, not fatal.

    ``progress(n)`` is called with the number of lines handled since the last call (every line,
    so that a bar moves while the slow part, reading portal records, goes on)."""
    report = ImportReport()
    batch: list[ProcedureRecord] = []

    async def flush() -> None:
        ins, upd, same = await upsert_records(session, batch)
        report.inserted += ins
        report.updated += upd
        report.unchanged += same
        batch.clear()

    for n, obj in read_jsonl(path):
        if progress is not None:
            progress(1)
        if isinstance(obj, RecordError):
            report.rejected.append((n, str(obj)))
            continue
        kind = "portal" if is_portal(obj) else "project"
        try:
            record = record_from_object(obj)
        except RecordError as exc:
            report.rejected.append((n, str(exc)))
            continue
        except Exception as exc:  # see read_records
            report.rejected.append((n, f"unreadable record: {type(exc).__name__}: {exc}"))
            continue
        report.formats[kind] += 1
        report.methods.add(record)
        report.fields.add(record)
        batch.append(record)
        if len(batch) >= BATCH:
            await flush()
    if batch:
        await flush()
    return report


def record_of(p: Procedure) -> ProcedureRecord:
    """The database row back in the project format (what ``export`` writes)."""
    return ProcedureRecord.from_dict(
        {
            "code": p.code,
            "name": p.name,
            "field": p.field,
            "levels": p.levels,
            "subjects": p.subjects,
            "agency": p.agency,
            "implementing_agency": p.implementing_agency,
            "steps": p.steps,
            "methods": [
                {
                    "channel": m.channel,
                    "time_value": m.time_value,
                    "time_unit": m.time_unit,
                    "time_text": m.time_text,
                    "fee_amount": m.fee_amount,
                    "fee_text": m.fee_text,
                    "description": m.description,
                }
                for m in sorted(p.methods, key=lambda m: m.position)
            ],
            "documents": p.documents,
            "conditions": p.conditions,
            "result": p.result,
            "legal_basis": p.legal_basis,
            "online_level": p.online_level,
            "url": p.url,
            "aliases": p.aliases,
            "popular": p.popular,
            "name_en": p.name_en or "",
            "agency_en": p.agency_en or "",
            "summary_en": p.summary_en or "",
            "source_url": p.source_url or "",
            "checked_on": p.checked_on.isoformat() if p.checked_on else "",
        }
    )


async def export_records(session: AsyncSession, out: IO[str]) -> int:
    """Write every procedure as one project-format JSON line, ordered by code; returns count."""
    count = 0
    rows = (await session.execute(select(Procedure).order_by(Procedure.code))).scalars()
    for p in rows:
        out.write(json.dumps(record_of(p).to_dict(), ensure_ascii=False) + "\n")
        count += 1
    return count
