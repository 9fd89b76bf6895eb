"""The database goes away under the bot (PostgreSQL restarted: every connection cut) and comes
back: updates are refused politely meanwhile or answered after, and the bot recovers without a
process restart."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.app import App
from bot.channels.runtime import ChannelRuntime
from bot.db.engine import Database
from tests.test_channel_runtime import MemoryPlatform
from tests.test_inbox import wait_until


async def cut_every_connection(url: str) -> int:
    """What a PostgreSQL restart does to the bot's pool: every server process of it ends."""
    admin = Database(url)
    try:
        async with admin.engine.begin() as conn:
            cut = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()
    return int(cut or 0)


async def test_bot_recovers_when_every_database_connection_is_cut(
    app: App, database_url: str
) -> None:
    if app.services.db.is_sqlite:
        pytest.skip("an embedded SQLite file has no server to restart")
    platform = MemoryPlatform()
    rt = ChannelRuntime(app, platform, concurrency=4, backlog=64)
    await rt.start()
    try:
        for n in range(5):
            assert (
                await rt.accept({"user": 10 + n, "text": "/start", "id": f"a{n}"})
            ).status == 200
        await wait_until(lambda: rt.completed == 5)
        assert await cut_every_connection(database_url) >= 1
        statuses = []
        for n in range(20):
            resp = await rt.accept({"user": 20 + n, "text": "/help", "id": f"b{n}"})
            statuses.append(resp.status)
            await asyncio.sleep(0.01)
        # Never a 500: acknowledged (200) or refused for the messenger to retry (503).
        assert set(statuses) <= {200, 503}
        assert statuses[-1] == 200  # recovered without a restart
        acknowledged = statuses.count(200)
        await wait_until(lambda: rt.completed == 5 + acknowledged)
    finally:
        await rt.stop()
    answered = {user for user, _ in platform.sent}
    assert {str(20 + n) for n, s in enumerate(statuses) if s == 200} <= answered
