"""``motcua postal export``: the day's dispatch list for the post office, as CSV.

"Accepted for dispatch" means requests the post office accepted (with an S10 tracking code) on
that Vietnam date and that have not moved on since: the handover list (*bảng kê giao nhận*)
the one-stop desk prints with the items. Full names, phones and addresses are in the file, so
it goes to the post office only; nothing personal is logged.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.commands import add_db_option, settings_for
from bot.vntime import vn_date


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("postal", help="postal delivery of results")
    psub = p.add_subparsers(dest="postal_command", required=True)
    ex = psub.add_parser("export", help="today's accepted-for-dispatch requests as CSV")
    ex.add_argument("--date", type=_day, help="Vietnam date YYYY-MM-DD (default: today)")
    ex.add_argument("--out", default="-", help="output file, or - for stdout (default)")
    add_db_option(ex)
    ex.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)
    ex.set_defaults(func=export)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


async def export(args: argparse.Namespace) -> int:
    from bot import postal
    from bot.db.engine import Database
    from bot.http.postal import rows_to_csv

    day = args.date or vn_date(datetime.now(UTC))
    db = Database(settings_for(args).database_url)
    try:
        async with db.read() as session:
            ids = await postal.accepted_on(session, day)
            rows = await postal.request_rows(session, ids=ids) if ids else []
    finally:
        await db.dispose()
    text = rows_to_csv(rows)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(Path(args.out).write_text, text, encoding="utf-8", newline="")
        print(f"{len(rows)} requests written to {args.out}", file=sys.stderr)
    return 0
