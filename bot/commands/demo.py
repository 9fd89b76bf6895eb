"""``motcua demo``: the embedded default — SQLite, bundled data, chat in the terminal."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from bot.commands import settings_for
from bot.commands.chat import add_console_options
from bot.config import Settings
from bot.domain import DossierStatus
from bot.i18n import t


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="migrate, load the demo data and chat in the terminal")
    add_console_options(p)
    p.set_defaults(func=run)


def program() -> str:
    """How this process was started (e.g. ``.venv/bin/motcua``), so a hint can be pasted."""
    started = Path(sys.argv[0])
    if started.name != "motcua":
        return "motcua"  # python -m bot, or an embedding
    relative = os.path.relpath(started)
    return relative if not relative.startswith("..") else str(started)


def event_command(settings: Settings, code: str, status: int) -> str:
    """The ``dossiers event`` command line for this demo's database."""
    words = [program(), "dossiers", "event", code, str(status)]
    if settings.database_url != Settings.model_fields["database_url"].default:
        words += ["--db", settings.database_url]
    return shlex.join(words)


async def run(args: argparse.Namespace) -> int:
    from bot.app import open_app
    from bot.channels.console import run_chat
    from bot.demo import DEMO_CODE, DEMO_NOW, use_demo_clock

    settings = settings_for(args, load_demo_data=True)
    async with open_app(settings) as app:
        demo = await use_demo_clock(app.services, real_clock=args.real_clock)
        if sys.stdin.isatty():  # piped input gets replies only
            lang = args.lang or app.services.settings.default_language
            print(t(lang, "console-banner"))
            if demo:
                print(t(lang, "console-demo-clock", date=DEMO_NOW.strftime("%d/%m/%Y")))
            ready = DossierStatus.RESULT_READY
            command = event_command(settings, DEMO_CODE, int(ready))
            print(
                t(
                    lang,
                    "console-demo-push",
                    code=DEMO_CODE,
                    button=t(lang, "ds-btn-notify"),
                    command=command,
                )
            )
        await run_chat(
            app,
            user_id=args.user,
            language=args.lang,
            stdin=sys.stdin,
            stdout=sys.stdout,
            echo=args.echo,
        )
    return 0
