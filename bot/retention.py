"""Retention: the inbox, the handled delivery ids and the sent pushes do not grow forever.

Rows older than ``settings.retention_days`` that nothing needs any more are deleted: answered
inbox updates, delivery ids (a messenger re-delivers within a day, so two days is the least
that still recognises a re-delivery) and pushes that were sent. Pending, failed and uncertain
rows are kept: an operator may still need them. Every server worker prunes once an hour; the
deletes are idempotent, so several workers doing it is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import delete

from bot.app import App
from bot.db.engine import Database
from bot.db.models import InboxUpdate, Outbox, ProcessedDelivery

log = logging.getLogger(__name__)

EVERY_SECONDS = 3600.0
FIRST_AFTER_SECONDS = 60.0  # not during start-up, when the webhooks have work waiting


async def prune(db: Database, now: datetime, days: int) -> dict[str, int]:
    """Delete what is older than ``days``; returns the rows deleted per table."""
    cutoff = now - timedelta(days=days)
    statements = {
        "inbox": delete(InboxUpdate).where(
            InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < cutoff
        ),
        "processed_deliveries": delete(ProcessedDelivery).where(
            ProcessedDelivery.processed_at < cutoff
        ),
        "outbox": delete(Outbox).where(Outbox.status == "sent", Outbox.sent_at < cutoff),
    }
    deleted: dict[str, int] = {}
    for table, statement in statements.items():
        async with db.begin() as conn:  # one table per transaction: short write locks
            deleted[table] = (await conn.execute(statement)).rowcount
    return deleted


async def _keep_pruning(app: App) -> None:
    await asyncio.sleep(FIRST_AFTER_SECONDS)
    while True:
        services = app.services
        try:
            deleted = await prune(services.db, services.clock(), services.settings.retention_days)
            log.info("retention: old rows deleted", extra=deleted)
        except Exception as exc:  # the database is away: the next round tries again
            log.warning("retention failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(EVERY_SECONDS)


def setup(web_app: web.Application, app: App) -> None:
    """Feature hook for ``bot.server.create_web_app``."""

    async def pruning(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_keep_pruning(app), name="retention")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    web_app.cleanup_ctx.append(pruning)
