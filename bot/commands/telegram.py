"""``motcua telegram``: long polling, for a laptop or a small deployment without a public URL.

It runs the same channel as the webhook (same queue, workers, renderer, limiter); only the source
of updates differs. The push dispatcher runs here too, since no ``motcua serve`` is running.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.commands import add_db_option, run_until_signal, settings_for

if TYPE_CHECKING:  # imported when the command runs (see run_polling)
    from bot.app import App

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("telegram", help="run the Telegram bot with long polling (no public URL)")
    add_db_option(p)
    p.add_argument("--log-level", default=None, help="logging level")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    if not settings.telegram_token.get_secret_value():
        print("MOTCUA_TELEGRAM_TOKEN is not set (get one from @BotFather)")
        return 2
    return await run_until_signal(settings, "Telegram long polling; Ctrl-C to stop", run_polling)


async def run_polling(app: App, stop: asyncio.Event, *, poll_timeout: float = 10.0) -> None:
    """Poll until ``stop`` is set: deleteWebhook, command menu, workers, the outbox dispatcher,
    then a clean shutdown."""
    from telegram.ext import Updater

    from bot.channels.telegram import (
        ALLOWED_UPDATES,
        CHANNEL,
        TelegramChannel,
    )
    from bot.outbox import run_dispatcher

    channel = TelegramChannel(app)
    await channel.start(polling=True)
    app.senders[CHANNEL] = channel
    updater = Updater(channel.bot, channel.queue)  # a bounded queue: polling waits when full
    dispatcher: asyncio.Task[None] | None = None
    try:
        await updater.initialize()
        await updater.start_polling(
            poll_interval=0.0,
            timeout=timedelta(seconds=poll_timeout),
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=False,
        )
        dispatcher = asyncio.create_task(run_dispatcher(app, stop), name="outbox")
        await stop.wait()
    finally:
        stop.set()
        if updater.running:
            await updater.stop()
        if dispatcher is not None:
            try:
                await asyncio.wait_for(dispatcher, 10.0)
            except Exception:
                log.exception("outbox dispatcher stopped with an error")
        app.senders.pop(CHANNEL, None)
        await channel.stop()
        await updater.shutdown()
