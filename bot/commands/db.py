"""``motcua db upgrade``: apply database migrations."""

from __future__ import annotations

import argparse

from bot.commands import add_db_option, settings_for


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="database maintenance")
    dbsub = p.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="apply migrations up to the newest")
    add_db_option(up)
    up.set_defaults(func=upgrade)


async def upgrade(args: argparse.Namespace) -> int:
    from bot.db.engine import Database

    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()
    print("ok")
    return 0
