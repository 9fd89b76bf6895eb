"""``motcua chat``: talk to the bot in the terminal."""

from __future__ import annotations

import argparse

from bot.commands import add_db_option, settings_for


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("chat", help="chat with the bot in the terminal (no token needed)")
    add_db_option(p)
    p.add_argument("--user", default="local", help="user id of this chat (default: local)")
    p.add_argument("--lang", choices=("vi", "en"), help="language for a new user")
    p.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    from bot.app import open_app
    from bot.channels.console import run_console

    async with open_app(settings_for(args)) as app:
        await run_console(app.dialogue, user_id=args.user, language=args.lang)
    return 0
