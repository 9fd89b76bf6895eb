"""``motcua chat``: talk to the bot in the terminal, with this user's pushes printed."""

from __future__ import annotations

import argparse
import sys

from bot.commands import add_db_option, settings_for
from bot.i18n import t


def add_console_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``chat`` and ``demo``, which run the same console."""
    add_db_option(p)
    p.add_argument("--user", default="local", help="user id of this chat (default: local)")
    p.add_argument("--lang", choices=("vi", "en"), help="language for a new user")
    p.add_argument(
        "--real-clock",
        action="store_true",
        help="use today's date even on the demo data (which has its own clock: 20 July 2025)",
    )
    p.add_argument(
        "--echo",
        action="store_true",
        help="print each input line ('> line') before its replies, for transcripts of piped input",
    )
    p.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("chat", help="chat with the bot in the terminal (no token needed)")
    add_console_options(p)
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    from bot.app import open_app
    from bot.channels.console import run_chat
    from bot.demo import DEMO_NOW, use_demo_clock

    async with open_app(settings_for(args)) as app:
        demo = await use_demo_clock(app.services, real_clock=args.real_clock)
        if demo and sys.stdin.isatty():  # piped input gets replies only
            lang = args.lang or app.services.settings.default_language
            print(t(lang, "console-demo-clock", date=DEMO_NOW.strftime("%d/%m/%Y")))
        await run_chat(
            app,
            user_id=args.user,
            language=args.lang,
            stdin=sys.stdin,
            stdout=sys.stdout,
            echo=args.echo,
        )
    return 0
