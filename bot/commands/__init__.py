"""Sub-commands of the ``motcua`` command line, one module each."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.config import Settings, get_settings

if TYPE_CHECKING:
    from bot.app import App


def add_db_option(parser: argparse._ActionsContainer) -> None:
    """Add ``--db`` to a parser or to an argument group (e.g. a mutually exclusive one)."""
    parser.add_argument("--db", metavar="URL", help="database URL (default: MOTCUA_DATABASE_URL)")


def settings_for(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Settings with the command line's --db (and other overrides) applied."""
    settings = get_settings()
    updates = dict(overrides)
    if getattr(args, "db", None):
        updates["database_url"] = args.db
    return settings.model_copy(update=updates) if updates else settings


async def run_until_signal(
    settings: Settings, banner: str, serve: Callable[[App, asyncio.Event], Awaitable[None]]
) -> int:
    """Open the app and run ``serve(app, stop)`` until SIGINT or SIGTERM sets ``stop``: the
    shape of every long-polling command."""
    from bot.app import open_app

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_app(settings) as app:
        if banner:
            print(banner, flush=True)
        await serve(app, stop)
    return 0
