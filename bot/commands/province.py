"""``motcua province import FILE`` and ``motcua province show``.

Import validates the file (JSON or TOML, see ``bot/data/province.json``) before it touches the
database, then replaces the stored profile in one transaction: a bad file changes nothing, the
same file twice is harmless. Running bots read the new profile on their next question.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from bot.commands import add_db_option, settings_for


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("province", help="import or show the province profile (desks, hours)")
    psub = p.add_subparsers(dest="province_command", required=True)
    imp = psub.add_parser("import", help="replace the province profile with a JSON or TOML file")
    imp.add_argument("file", type=Path, help="profile file (.json or .toml)")
    add_db_option(imp)
    imp.set_defaults(func=run)
    show = psub.add_parser("show", help="print the stored province profile as JSON")
    add_db_option(show)
    show.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    if args.province_command == "import":
        return await _import(args)
    return await _show(args)


async def _import(args: argparse.Namespace) -> int:
    from bot.db.engine import Database
    from bot.province import ProfileError, read_profile, store_profile

    try:
        profile = read_profile(args.file)
    except ProfileError as exc:
        print(f"{exc}\nnothing changed", file=sys.stderr)
        return 2
    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            changed = await store_profile(session, profile)
    finally:
        await db.dispose()
    print(f"loaded {profile.summary()}" + ("" if changed else " (unchanged)"))
    print(f"centre: {profile.centre.name.value}")
    unconfirmed = profile.unconfirmed()
    if unconfirmed:
        # "phuong-le-chan.address", "holiday 2027-02-05": counted by kind of fact.
        kinds = Counter(u.split(" ")[0].rsplit(".", 1)[-1] for u in unconfirmed)
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        print(f"unconfirmed facts: {len(unconfirmed)} ({counts}); each names its source")
    if profile.sample:
        print("note: the file is marked as sample data; replace it with the province's own")
    return 0


async def _show(args: argparse.Namespace) -> int:
    import json

    from bot.db.engine import Database
    from bot.province import load_profile

    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
        async with db.read() as session:
            profile = await load_profile(session)
    finally:
        await db.dispose()
    if profile is None:
        print("no province profile stored", file=sys.stderr)
        return 1
    print(json.dumps(profile.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0
