"""``motcua zalo-bot``: the Zalo Bot Platform with long polling, for a laptop or a small
deployment without a public URL.

It runs the same channel as the webhook (same queue, workers, renderer, limiter); only the source
of updates differs. Polling deletes the webhook (Zalo allows one or the other), so do not run it
next to a ``motcua serve`` that registers one. The push dispatcher runs here too, since no
``motcua serve`` is running.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.commands import add_db_option, run_until_signal, settings_for

if TYPE_CHECKING:  # imported when the command runs (see run_polling)
    from bot.app import App
    from bot.channels.zalo_bot import ZaloBotChannel

log = logging.getLogger(__name__)

POLL_SECONDS = 10.0  # each getUpdates waits this long; stopping waits for the current one
BACKOFF_MAX = 30.0  # seconds between failed polls, at most


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "zalo-bot", help="run the Zalo Bot Platform bot with long polling (no public URL)"
    )
    add_db_option(p)
    p.add_argument("--log-level", default=None, help="logging level")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    if not settings.zalo_bot_token.get_secret_value():
        print("MOTCUA_ZALO_BOT_TOKEN is not set (create a bot: https://zalo.me/s/botcreator/)")
        return 2
    return await run_until_signal(settings, "Zalo Bot long polling; Ctrl-C to stop", run_polling)


async def run_polling(app: App, stop: asyncio.Event, *, poll_seconds: float = POLL_SECONDS) -> None:
    """Poll until ``stop`` is set: deleteWebhook, workers, the outbox dispatcher, then a clean
    shutdown. Fails at once when Zalo is unreachable or the token is wrong."""
    from bot.channels.zalo_bot import CALL_TIMEOUT, CHANNEL, ZaloBotChannel
    from bot.outbox import run_dispatcher

    channel = ZaloBotChannel(app)
    await channel.start(polling=True)
    app.senders[CHANNEL] = channel
    poller = asyncio.create_task(poll(channel, stop, poll_seconds), name="zalo-bot-poll")
    dispatcher = asyncio.create_task(run_dispatcher(app, stop), name="outbox")
    try:
        await stop.wait()
    finally:
        stop.set()
        # getUpdates has no offset to confirm with: an update Zalo handed out is gone, so the
        # poll in flight is finished rather than cancelled (it ends within poll_seconds).
        for task, name in ((poller, "poller"), (dispatcher, "outbox dispatcher")):
            try:
                await asyncio.wait_for(task, poll_seconds + CALL_TIMEOUT + 5.0)
            except Exception:
                log.exception("task stopped with an error", extra={"task": name})
        app.senders.pop(CHANNEL, None)
        await channel.stop()


async def poll(channel: ZaloBotChannel, stop: asyncio.Event, poll_seconds: float) -> None:
    """getUpdates until ``stop``; each update goes to the channel's bounded queue (polling
    waits while it is full). Failures are logged and retried with backoff, never fatal."""
    from bot.channels.base import RateLimited
    from bot.channels.zalo_bot import ZaloBotError

    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await channel.zalo.get_updates(poll_seconds)
        except RateLimited as exc:
            await _pause(stop, exc.retry_after)
            continue
        except ZaloBotError as exc:
            log.warning("zalo bot getUpdates failed", extra={"error": str(exc)})
            await _pause(stop, backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
            continue
        except Exception:
            log.exception("zalo bot polling failed")
            await _pause(stop, backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
            continue
        backoff = 1.0
        for update in updates:
            await channel.queue.put(update)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
