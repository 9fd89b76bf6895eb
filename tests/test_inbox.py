"""The durable inbox: what a webhook acknowledged is in the database, and is answered even when
the process that took it dies (``bot.inbox``, ``bot.channels.runtime``).

A "dead process" here is a runtime whose workers never ran, replaced by a second runtime on the
same database, as a restarted server would be; the kill -9 version is ``tests/test_crash.py``.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from bot import metrics
from bot.app import App
from bot.channels.render import numbered_turn
from bot.channels.runtime import ChannelRuntime
from bot.db.engine import Database
from bot.db.models import Conversation, InboxUpdate
from bot.inbox import MAX_ATTEMPTS, SET_ASIDE_AFTER, Inbox, Start, postponement
from bot.messages import Incoming
from bot.owners import HOST
from tests.test_channel_runtime import MemoryPlatform


def text_update(user: int, text: str, msg: str) -> dict[str, Any]:
    return {"user": user, "text": text, "id": msg}


async def rows(db: Database) -> list[InboxUpdate]:
    async with db.read() as session:
        return list((await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))).all())


async def wait_until(predicate: Any, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not met"
        await asyncio.sleep(0.01)


def dead_runtime(app: App) -> ChannelRuntime:
    """A runtime that acknowledges but never handles: the process dies after the 200. Its
    leases carry this pid under another name, as a restarted container's earlier life would."""
    rt = ChannelRuntime(app, MemoryPlatform(), concurrency=1, backlog=8)
    rt.inbox = Inbox(app.services.db, app.services.clock, owner=f"{HOST}:{os.getpid()}:gone")
    rt.ready = True
    return rt


async def test_acknowledged_update_is_stored_and_answered_after_a_crash(app: App) -> None:
    first = dead_runtime(app)
    resp = await first.accept(text_update(1, "/start", "m1"))
    assert resp.status == 200
    [row] = await rows(app.services.db)
    assert row.done_at is None and row.body["text"] == "/start" and row.user_id == "1"

    platform = MemoryPlatform()
    second = ChannelRuntime(app, platform, concurrency=2, backlog=8)
    await second.start()  # the restarted server: its first sweep takes the update over
    try:
        await wait_until(lambda: second.completed == 1)
        assert platform.sent and "Xin chào" in platform.sent[0][1]
    finally:
        await second.stop()
    [row] = await rows(app.services.db)
    assert row.done_at is not None


async def test_update_handled_before_a_crash_is_answered_from_stored_replies(app: App) -> None:
    """The crash came after the dialogue committed and before the answer went out: the answer
    is sent from what was stored, and the conversation does not move twice."""
    first = dead_runtime(app)
    await first.accept(text_update(2, "/buudien", "m2"))
    [row] = await rows(app.services.db)
    original = await app.dialogue.handle(
        Incoming("memory", "2", text="/buudien", delivery_id="mem:m2", inbox_id=row.id)
    )
    async with app.services.db.read() as session:
        state = await session.scalar(select(Conversation.step).where(Conversation.user_id == "2"))
    replayed = metrics.INBOX_REPLAYED.labels("memory")._value.get()

    platform = MemoryPlatform()
    second = ChannelRuntime(app, platform, concurrency=1, backlog=8)
    await second.start()
    try:
        await wait_until(lambda: second.completed == 1)
    finally:
        await second.stop()
    assert [text for _, text in platform.sent] == numbered_turn(original)
    assert metrics.INBOX_REPLAYED.labels("memory")._value.get() == replayed + 1
    async with app.services.db.read() as session:
        after = await session.scalar(select(Conversation.step).where(Conversation.user_id == "2"))
    assert after == state


async def test_redelivery_is_recognised_at_the_door(app: App) -> None:
    platform = MemoryPlatform()
    rt = ChannelRuntime(app, platform, concurrency=2, backlog=8)
    await rt.start()
    try:
        answers = await asyncio.gather(
            *(rt.accept(text_update(3, "/start", "same")) for _ in range(10))
        )
        assert {a.status for a in answers} == {200}
        await wait_until(lambda: rt.completed == 10)
    finally:
        await rt.stop()
    said = "".join(text for _, text in platform.sent)
    assert said.count("Xin chào") == 1 and len(await rows(app.services.db)) == 1


async def test_later_update_waits_for_an_earlier_one_another_live_process_holds(
    app: App,
) -> None:
    db = app.services.db
    elsewhere = Inbox(db, app.services.clock, owner="another-host:1:live")
    held, now = await elsewhere.put("memory", "mem:e1", "4", text_update(4, "/help", "e1"))
    assert held is not None and now

    platform = MemoryPlatform()
    rt = ChannelRuntime(app, platform, concurrency=1, backlog=8)
    rt.sweep_seconds = 0.02
    await rt.start()
    try:
        assert (await rt.accept(text_update(4, "/start", "e2"))).status == 200
        await asyncio.sleep(0.2)  # several sweeps: the later update must not overtake
        assert platform.sent == []
        async with db.begin() as conn:  # the other process answers its update
            await conn.execute(
                update(InboxUpdate)
                .where(InboxUpdate.id == held)
                .values(done_at=app.services.clock(), owner=None)
            )
        await wait_until(lambda: rt.completed == 1)
    finally:
        await rt.stop()
    assert "Xin chào" in platform.sent[0][1]


async def test_update_of_a_live_process_is_left_alone_until_its_lease_runs_out(
    app: App,
) -> None:
    db = app.services.db
    elsewhere = Inbox(db, app.services.clock, owner="another-host:2:live")
    await elsewhere.put("memory", "mem:l1", "5", text_update(5, "/start", "l1"))
    mine = Inbox(db, app.services.clock)
    assert await mine.claim("memory") == []
    later = Inbox(db, lambda: app.services.clock() + timedelta(minutes=2))
    [item] = await later.claim("memory")  # its owner stopped renewing: taken over
    assert item.recovered and item.body["text"] == "/start"


async def crashed_often(app: App, user: str, msg: str) -> int:
    """An update whose handling was cut MAX_ATTEMPTS times, its last owner gone."""
    db = app.services.db
    inbox = Inbox(db, app.services.clock, owner="another-host:3:gone")
    row_id, _ = await inbox.put("memory", f"mem:{msg}", user, text_update(int(user), "/start", msg))
    assert row_id is not None
    async with db.begin() as conn:
        await conn.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id == row_id)
            .values(attempts=MAX_ATTEMPTS, lease_until=None, owner=None)
        )
    return row_id


async def test_update_that_keeps_killing_its_handler_is_set_aside(app: App) -> None:
    db = app.services.db
    await crashed_often(app, "6", "p1")
    given_up = metrics.INBOX_GIVEN_UP._value.get()
    later = Inbox(db, lambda: app.services.clock() + SET_ASIDE_AFTER)
    [item] = await later.claim("memory")
    # Started MAX_ATTEMPTS times already and old enough: set aside.
    assert await later.begin("memory", item) is Start.SET_ASIDE
    [row] = await rows(db)
    assert row.done_at is not None
    assert metrics.INBOX_GIVEN_UP._value.get() == given_up + 1


async def test_young_update_cut_repeatedly_is_postponed_and_still_goes_first(app: App) -> None:
    # Five kills in a row can come from outside (a deploy, a loaded host): a young update is
    # taken again later rather than set aside, and the user's next message waits behind it.
    db = app.services.db
    shift = [timedelta(0)]
    inbox = Inbox(db, lambda: app.services.clock() + shift[0])
    row_id = await crashed_often(app, "8", "q1")
    [item] = await inbox.claim("memory")
    assert await inbox.begin("memory", item) is Start.LATER
    [row] = await rows(db)
    assert row.done_at is None and row.owner is None and row.attempts == MAX_ATTEMPTS
    later_id, handle_now = await inbox.put("memory", "mem:q2", "8", text_update(8, "/help", "q2"))
    assert later_id is not None and not handle_now  # behind the postponed one
    assert await inbox.claim("memory") == []  # neither is handed out before its time
    shift[0] = postponement(MAX_ATTEMPTS) + timedelta(seconds=1)
    first, second = await inbox.claim("memory")
    assert (first.id, second.id) == (row_id, later_id)
    assert first.waited and not second.waited
    assert await inbox.begin("memory", first) is Start.HANDLE
    assert await inbox.begin("memory", second) is Start.HANDLE
    # Cut once more (its process dies): it waits longer this time.
    async with db.begin() as conn:
        await conn.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id == row_id)
            .values(owner=f"{HOST}:{os.getpid()}:gone")
        )
    [again] = await inbox.claim("memory")
    assert again.id == row_id and not again.waited
    assert await inbox.begin("memory", again) is Start.LATER
    [row, _] = await rows(db)
    wait = postponement(MAX_ATTEMPTS + 1)
    assert wait > postponement(MAX_ATTEMPTS)
    assert row.lease_until == app.services.clock() + shift[0] + wait


async def test_runtime_leaves_a_postponed_update_pending_and_answers_it_in_its_time(
    app: App,
) -> None:
    await crashed_often(app, "9", "r1")
    shift = [timedelta(0)]
    platform = MemoryPlatform()
    rt = ChannelRuntime(app, platform, concurrency=2, backlog=8)
    rt.inbox = Inbox(app.services.db, lambda: app.services.clock() + shift[0])
    rt.sweep_seconds = 0.02
    await rt.start()
    try:
        await wait_until(lambda: rt.completed >= 1)
        await asyncio.sleep(0.1)  # several sweeps: it is not taken again before its time
        [row] = await rows(app.services.db)
        assert row.done_at is None and platform.sent == []
        shift[0] = postponement(MAX_ATTEMPTS) + timedelta(seconds=1)
        await wait_until(lambda: bool(platform.sent))
    finally:
        await rt.stop()
    assert "Xin chào" in platform.sent[0][1]
    [row] = await rows(app.services.db)
    assert row.done_at is not None


async def test_claims_by_processes_killed_before_handling_do_not_count(app: App) -> None:
    # A process killed right after its start-up sweep never touched what it claimed: however
    # often that happens, the update is still handled by the next process that gets to it.
    db = app.services.db
    inbox = Inbox(db, app.services.clock, owner="another-host:3:gone")
    row_id, _ = await inbox.put("memory", "mem:p2", "7", text_update(7, "/start", "p2"))
    for n in range(MAX_ATTEMPTS + 4):
        async with db.begin() as conn:  # its owner died before starting it: its lease ends
            await conn.execute(
                update(InboxUpdate).where(InboxUpdate.id == row_id).values(lease_until=None)
            )
        taker = Inbox(db, app.services.clock, owner=f"another-host:{n + 10}:gone")
        [item] = await taker.claim("memory")
        assert item.id == row_id
    async with db.begin() as conn:
        await conn.execute(
            update(InboxUpdate).where(InboxUpdate.id == row_id).values(lease_until=None)
        )
    taker = Inbox(db, app.services.clock)
    [item] = await taker.claim("memory")
    assert await taker.begin("memory", item) is Start.HANDLE
    [row] = await rows(db)
    assert row.done_at is None and row.attempts == 2


async def test_database_unreachable_answers_503_so_the_messenger_retries(app: App) -> None:
    rt = dead_runtime(app)
    away = Database("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    rt.inbox = Inbox(away, app.services.clock)
    try:
        resp = await rt.accept(text_update(7, "/start", "d1"))
    finally:
        await away.dispose()
    assert resp.status == 503 and resp.headers["Retry-After"]
    assert rt.queue.qsize() == 0


async def test_clean_stop_hands_unfinished_updates_on_at_once(app: App) -> None:
    rt = ChannelRuntime(app, MemoryPlatform(), concurrency=1, backlog=8)
    rt.ready = True
    await rt.accept(text_update(8, "/start", "s1"))
    await rt.stop(drain_seconds=0)
    [row] = await rows(app.services.db)
    assert row.done_at is None and row.owner is None and row.lease_until is None
    [item] = await Inbox(app.services.db, app.services.clock, owner="next:1:x").claim("memory")
    assert item.body["text"] == "/start"


async def test_same_update_at_two_workers_is_answered_once(app: App) -> None:
    """Two server processes behind one address, the messenger retrying on both."""
    platforms = [MemoryPlatform(), MemoryPlatform()]
    workers = [ChannelRuntime(app, p, concurrency=2, backlog=16) for p in platforms]
    for rt in workers:
        await rt.start()
    try:
        updates = [text_update(30 + n % 3, "/help", f"x{n}") for n in range(6)]
        answers = await asyncio.gather(
            *(rt.accept(u) for u in updates for rt in workers for _ in range(2))
        )
        assert {a.status for a in answers} == {200}
        await wait_until(lambda: sum(rt.completed for rt in workers) == len(answers))
    finally:
        for rt in workers:
            await rt.stop()
    said = [text for p in platforms for _, text in p.sent]
    assert len(await rows(app.services.db)) == 6
    async with app.services.db.read() as session:
        done = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.done_at.is_not(None))
        )
    assert done == 6
    help_first_lines = [t for t in said if t == said[0]]
    assert len(help_first_lines) == 6  # one answer per update, whichever worker gave it
