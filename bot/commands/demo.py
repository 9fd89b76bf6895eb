"""``motcua demo``: the embedded default — SQLite, bundled data, chat in the terminal."""

from __future__ import annotations

import argparse

from bot.commands import add_db_option, settings_for


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="migrate, load the demo data and chat in the terminal")
    add_db_option(p)
    p.add_argument("--user", default="local", help="user id of this chat")
    p.add_argument("--lang", choices=("vi", "en"), help="language for a new user")
    p.add_argument(
        "--real-clock", action="store_true", help="use today's date instead of the demo date"
    )
    p.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    import sys

    from bot.app import open_app
    from bot.channels.console import run_console
    from bot.demo import DEMO_NOW, demo_clock
    from bot.i18n import t

    async with open_app(settings_for(args, load_demo_data=True)) as app:
        if not args.real_clock:
            app.services.clock = demo_clock()
        if sys.stdin.isatty():
            lang = args.lang or app.services.settings.default_language
            print(t(lang, "console-banner"))
            if not args.real_clock:
                print(t(lang, "console-demo-clock", date=DEMO_NOW.strftime("%d/%m/%Y")))
        await run_console(app.dialogue, user_id=args.user, language=args.lang)
    return 0
