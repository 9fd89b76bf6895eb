"""``motcua dossiers import FILE``: load dossiers from the one-stop system's JSONL export.

``motcua dossiers event CODE STATUS``: apply one status change by hand, through the events
API's own code path, so that the chats following the dossier are notified (e.g. to watch a push
arrive in ``motcua demo`` from another terminal).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.commands import add_db_option, settings_for
from bot.domain import DossierStatus, member
from bot.i18n import t
from bot.vntime import VN
from lookup.dossier_code import parse_code

MAX_REJECTS_SHOWN = 50
# A due date is a day; on the receipt slips it is the end of office hours.
DUE_TIME = time(17, 0)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("dossiers", help="dossier data: import a JSONL file, apply a status change")
    dsub = p.add_subparsers(dest="dossiers_command", required=True)
    imp = dsub.add_parser(
        "import", help="import dossiers (idempotent; bad lines are reported and skipped)"
    )
    imp.add_argument("file", type=Path, help="JSONL file, one dossier per line")
    add_db_option(imp)
    imp.set_defaults(func=run_import)
    ev = dsub.add_parser(
        "event",
        help="apply one status change to a dossier, as POST /api/v1/dossiers/events does "
        "(chats following it are notified)",
    )
    ev.add_argument(
        "code", metavar="CODE", type=_code_arg, help="dossier code, e.g. 000.00.00.H31-250714-0001"
    )
    ev.add_argument(
        "status",
        metavar="STATUS",
        type=_status_arg,
        help="national status code 1-10, e.g. 9 (result ready)",
    )
    ev.add_argument(
        "--note", metavar="TEXT", default="", help="note shown with the change, e.g. a reason"
    )
    ev.add_argument(
        "--due", type=_due_arg, metavar="YYYY-MM-DD", help="new due date (Vietnam calendar)"
    )
    add_db_option(ev)
    ev.set_defaults(func=run_event)


def _code_arg(value: str) -> str:
    code = parse_code(value).code
    if code is None:
        raise argparse.ArgumentTypeError(f"not a dossier code: {value!r}")
    return str(code)


def _status_arg(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or member(DossierStatus, int(value)) is None:
        raise argparse.ArgumentTypeError("a national status code, 1 to 10")
    return int(value)


def _due_arg(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a date as YYYY-MM-DD") from None
    return datetime.combine(day, DUE_TIME, VN)


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


async def run_event(args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from sqlalchemy import func, select

    from bot.db.engine import Database
    from bot.db.models import Dossier, DossierEvent, Subscription, utcnow
    from bot.demo import demo_clock, holds_demo_data
    from bot.http.events import Event, UnknownDossiers, apply_event

    settings = settings_for(args)
    lang = settings.default_language
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        # The demo dossiers' story is told on the demo clock, by every command.
        now = (demo_clock() if await holds_demo_data(db) else utcnow)()
        async with db.transaction() as session:
            current = select(Dossier.status, Dossier.due_at).where(Dossier.code == args.code)
            before = (
                await session.execute(current if db.is_sqlite else current.with_for_update())
            ).first()
            if before is None:
                raise UnknownDossiers([args.code])
            latest = await session.scalar(
                select(func.max(DossierEvent.at)).where(DossierEvent.dossier_code == args.code)
            )
            # A change entered by hand is the newest thing that happened to the dossier. Each
            # process starts the demo clock anew, so "now" could sort just before the event a
            # previous command wrote, and this one would only be filed as history.
            at = now if latest is None or now > latest else latest + timedelta(seconds=1)
            try:
                event = Event.model_validate(
                    {
                        "event_id": f"cli-{uuid.uuid4().hex}",
                        "code": args.code,
                        "status": args.status,
                        "at": at.isoformat(),
                        "note": args.note,
                        "due_at": args.due.isoformat() if args.due else None,
                    }
                )
            except ValidationError as exc:
                print(f"motcua dossiers event: {exc}", file=sys.stderr)
                return 2
            await apply_event(session, event, now, lock=not db.is_sqlite)
            after = (await session.execute(current)).one()
            followers = await session.scalar(
                select(func.count())
                .select_from(Subscription)
                .where(Subscription.dossier_code == args.code)
            )
    except UnknownDossiers:
        print(t(lang, "dossier-event-unknown", code=args.code))
        return 1
    finally:
        await db.dispose()
    status = DossierStatus(args.status)
    print(
        t(
            lang,
            "dossier-event-applied",
            code=args.code,
            number=str(args.status),
            status=t(lang, status.key),
        )
    )
    if tuple(after) == tuple(before):
        print(t(lang, "dossier-event-unchanged"))
    else:
        print(
            t(
                lang,
                "dossier-event-notified",
                count=followers or 0,
                seconds=f"{settings.outbox_poll_seconds:g}",
                button=t(lang, "ds-btn-notify"),
            )
        )
    return 0
