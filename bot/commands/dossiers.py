"""``motcua dossiers import FILE``: load dossiers from the one-stop system's JSONL export."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.commands import add_db_option, settings_for

MAX_REJECTS_SHOWN = 50


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("dossiers", help="dossier data: import a JSONL file")
    dsub = p.add_subparsers(dest="dossiers_command", required=True)
    imp = dsub.add_parser(
        "import", help="import dossiers (idempotent; bad lines are reported and skipped)"
    )
    imp.add_argument("file", type=Path, help="JSONL file, one dossier per line")
    add_db_option(imp)
    imp.set_defaults(func=run_import)


async def run_import(args: argparse.Namespace) -> int:
    from bot.db.engine import Database
    from bot.dossier_io import import_dossier_file

    if not args.file.exists():
        print(f"no such file: {args.file}")
        return 2
    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            report = await import_dossier_file(session, args.file)
    finally:
        await db.dispose()
    print(report.summary())
    for line, reason in report.rejected[:MAX_REJECTS_SHOWN]:
        print(f"  line {line}: {reason}")
    if len(report.rejected) > MAX_REJECTS_SHOWN:
        print(f"  … and {len(report.rejected) - MAX_REJECTS_SHOWN} more")
    return (
        1 if report.rejected and not (report.imported or report.updated or report.unchanged) else 0
    )
