"""Retention: old answered updates, delivery ids and sent pushes are deleted; what someone may
still need (pending, failed, recent) is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.db.models import InboxUpdate, Outbox, ProcessedDelivery
from bot.retention import prune
from tests.conftest import FIXED_NOW


async def test_old_rows_go_and_the_rest_stays(app: App) -> None:
    db = app.services.db
    old, recent = FIXED_NOW - timedelta(days=30), FIXED_NOW - timedelta(days=1)
    async with db.transaction() as session:
        for n, (done, received) in enumerate(((old, old), (recent, recent), (None, old))):
            session.add(
                InboxUpdate(
                    channel="telegram",
                    delivery_id=f"tg:{n}",
                    user_id="1",
                    body={"update_id": n},
                    received_at=received,
                    attempts=1,
                    done_at=done,
                )
            )
        session.add(ProcessedDelivery(channel="telegram", delivery_id="tg:old", processed_at=old))
        session.add(
            ProcessedDelivery(channel="telegram", delivery_id="tg:new", processed_at=recent)
        )
        for key, status, sent in (("a", "sent", old), ("b", "sent", recent), ("c", "failed", None)):
            session.add(
                Outbox(
                    dedup_key=key,
                    channel="telegram",
                    user_id="1",
                    kind="status",
                    payload={"key": "ds-push-status"},
                    status=status,
                    created_at=old,
                    sent_at=sent,
                )
            )
    deleted = await prune(db, FIXED_NOW, 14)
    assert deleted == {"inbox": 1, "processed_deliveries": 1, "outbox": 1}
    async with db.read() as session:
        inbox = set((await session.scalars(select(InboxUpdate.delivery_id))).all())
        ids = set((await session.scalars(select(ProcessedDelivery.delivery_id))).all())
        outbox = set((await session.scalars(select(Outbox.dedup_key))).all())
        assert await session.scalar(select(func.count()).select_from(InboxUpdate)) == 2
    assert inbox == {"tg:1", "tg:2"}  # the recent answered one, and the unanswered one
    assert ids == {"tg:new"}
    assert outbox == {"b", "c"}
    assert await prune(db, FIXED_NOW, 14) == {"inbox": 0, "processed_deliveries": 0, "outbox": 0}
