"""Storage behaviour that users depend on without seeing it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.db.engine import Database
from bot.db.models import Conversation


async def test_concurrent_writers_on_one_sqlite_file_do_not_block(db: Database) -> None:
    """Two Database objects on the same file (e.g. server and dispatcher) share one write lock,
    so a writer never waits on the event loop for a transaction that cannot progress."""
    if not db.is_sqlite:
        pytest.skip("SQLite-specific: PostgreSQL has row locks")
    other = Database(str(db.url))

    async def write(database: Database, user: str) -> None:
        async with database.transaction() as s:
            s.add(
                Conversation(
                    channel="test",
                    user_id=user,
                    data={},
                    language="vi",
                    updated_at=datetime.now(UTC),
                )
            )
            await asyncio.sleep(0.01)  # hold the transaction across a loop turn

    try:
        await asyncio.wait_for(
            asyncio.gather(*(write(db if i % 2 else other, f"w{i}") for i in range(10))), 10
        )
    finally:
        await other.dispose()
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(Conversation)) == 10


async def test_times_come_back_aware_and_in_utc(db: Database) -> None:
    seen = datetime(2025, 7, 20, 10, 0, tzinfo=UTC)
    async with db.transaction() as s:
        s.add(
            Conversation(
                channel="test", user_id="t", data={"k": "ư"}, language="vi", updated_at=seen
            )
        )
    async with db.read() as s:
        conv = (await s.execute(select(Conversation))).scalar_one()
    assert conv.updated_at == seen and conv.updated_at.tzinfo is not None
    assert conv.data == {"k": "ư"}


async def test_database_errors_do_not_carry_personal_data(db: Database) -> None:
    async with db.transaction() as s:
        s.add(
            Conversation(
                channel="test", user_id="dup", data={}, language="vi", updated_at=datetime.now(UTC)
            )
        )
    with pytest.raises(IntegrityError) as err:
        async with db.transaction() as s:
            s.add(
                Conversation(
                    channel="test",
                    user_id="dup",
                    data={"phone": "0912345678"},
                    language="vi",
                    updated_at=datetime.now(UTC),
                )
            )
    assert "0912345678" not in str(err.value)
