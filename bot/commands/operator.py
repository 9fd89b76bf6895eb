"""``motcua operator add|list|passwd``: accounts of the operators' web application.

The password is asked twice at a terminal (never echoed, never an argument: arguments end up in
the shell history and in ``ps``); when stdin is not a terminal its first line is the password,
so ``printf '%s\\n' "$PW" | motcua operator add lan --role inspector`` works in scripts.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from bot.commands import add_db_option, settings_for

ROLES = ("inspector", "officer", "admin")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("operator", help="accounts of the operators' web application")
    osub = p.add_subparsers(dest="operator_command", required=True)
    add = osub.add_parser("add", help="add an account (password from a prompt or stdin)")
    add.add_argument("name", metavar="NAME", help="user name: a-z, 0-9, '.', '_', '-'")
    add.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="inspector: sees figures; officer: also answers citizens; admin: also manages "
        "accounts",
    )
    add_db_option(add)
    add.set_defaults(func=run_add)
    ls = osub.add_parser("list", help="list the accounts")
    add_db_option(ls)
    ls.set_defaults(func=run_list)
    pw = osub.add_parser("passwd", help="set a new password (signs the operator out everywhere)")
    pw.add_argument("name", metavar="NAME")
    add_db_option(pw)
    pw.set_defaults(func=run_passwd)
    for parser in (add, ls, pw):
        parser.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)


def read_password(stdin: TextIO | None = None) -> str | None:
    """The new password: typed twice at a terminal, or the first line of piped input.
    None when the two typed passwords differ or nothing was given."""
    stream = stdin or sys.stdin
    if stream.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            print("the two passwords differ", file=sys.stderr)
            return None
        return first or None
    line = stream.readline()
    return line.removesuffix("\n").removesuffix("\r") or None


async def run_add(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    from bot.db.engine import Database
    from bot.http.operator import accounts

    try:
        name = accounts.check_name(args.name)
    except accounts.AccountError as exc:
        print(exc, file=sys.stderr)
        return 2
    password = read_password(stdin)
    if password is None:
        print("no password given", file=sys.stderr)
        return 2
    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            operator = await accounts.create(session, name, args.role, password)
            summary = f"operator {operator.name} added ({operator.role})"
    except accounts.AccountError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(summary)
    return 0


async def run_list(args: argparse.Namespace) -> int:
    from bot.db.engine import Database
    from bot.http.operator import accounts
    from bot.vntime import fmt_datetime

    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
        async with db.read() as session:
            operators = await accounts.all_operators(session)
    finally:
        await db.dispose()
    for op in operators:
        state = "active" if op.active else "disabled"
        print(f"{op.name}\t{op.role}\t{state}\tcreated {fmt_datetime(op.created_at)}")
    if not operators:
        print("no operators yet: motcua operator add NAME --role admin", file=sys.stderr)
    return 0


async def run_passwd(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    from bot.db.engine import Database
    from bot.http.operator import accounts

    password = read_password(stdin)
    if password is None:
        print("no password given", file=sys.stderr)
        return 2
    try:
        accounts.check_password(password)
    except accounts.AccountError as exc:
        print(exc, file=sys.stderr)
        return 2
    db = Database(settings_for(args).database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            operator = await accounts.find(session, args.name)
            if operator is None:
                print(f"no operator named {args.name!r}", file=sys.stderr)
                return 1
            await accounts.set_password(session, operator, password)
    finally:
        await db.dispose()
    print(f"password of {operator.name} changed; their sessions are closed")
    return 0
