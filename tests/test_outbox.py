"""The push outbox: rendering in the subscriber's language, retries and backoff, retry-after,
giving up, crash recovery (exactly once to the user), several dispatchers at once, and the
whole path from a signed status event to the citizen's chat."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.app import App
from bot.channels.base import DeliveryError
from bot.db.models import Outbox
from bot.http.events import PATH, sign
from bot.messages import Reply
from bot.outbox import Dispatcher, enqueue, render, run_dispatcher
from bot.owners import HOST
from bot.server import create_web_app
from tests.conftest import FIXED_NOW, Chat

CODE = "000.00.00.H31-250714-0001"


class Clock:
    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


class Recorder:
    """A channel that records what the user would see; can fail on demand."""

    name = "test"
    idempotent = False

    def __init__(self, failures: list[DeliveryError] | None = None) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.failures = list(failures or [])
        self.calls = 0

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.extend((user_id, r) for r in replies)

    def texts(self, user: str) -> list[str]:
        return [r.text for u, r in self.sent if u == user]


class IdempotentRecorder(Recorder):
    """A channel that de-duplicates by idempotency key, as some transports can."""

    idempotent = True

    def __init__(self) -> None:
        super().__init__()
        self.keys: set[str] = set()

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None:
        assert idempotency_key, "an idempotent channel always gets the row's key"
        self.calls += 1
        if idempotency_key in self.keys:
            return
        self.keys.add(idempotency_key)
        self.sent.extend((user_id, r) for r in replies)


class Crash(Exception):
    """The worker dies (power cut, OOM kill) right after the platform accepted the message."""


class CrashAfterSend(Dispatcher):
    async def mark_sent(self, row: Outbox) -> None:
        raise Crash


class CrashBeforeSend(Dispatcher):
    async def deliver(self, row: Outbox) -> None:
        raise Crash


def payload(status: int = 9) -> dict[str, Any]:
    return {
        "key": "ds-push-status",
        "args": {"code": CODE, "note": "Kết quả đã ký"},
        "tr": {"status": f"ds-status-{status}"},
        "lines": ["ds-push-note"],
        "buttons": [{"key": "ds-btn-show", "payload": f"dc:{CODE}"}],
    }


async def queue(app: App, user: str = "u1", key: str = "k1", channel: str = "test") -> None:
    async with app.services.db.transaction() as session:
        await enqueue(
            session, channel=channel, user_id=user, kind="t", payload=payload(), dedup_key=key
        )


async def row_of(app: App, key: str = "k1") -> Outbox:
    async with app.services.db.read() as session:
        return (await session.scalars(select(Outbox).where(Outbox.dedup_key == key))).one()


def test_render_in_each_language() -> None:
    vi, en = render("vi", payload()), render("en", payload())
    assert vi.text.startswith(f"🔔 Hồ sơ {CODE} vừa chuyển sang: Đã có kết quả")
    assert "Ghi chú của cơ quan: Kết quả đã ký" in vi.text
    assert en.text.startswith(f"🔔 Dossier {CODE} is now: Result ready for collection")
    assert [b.payload for b in en.buttons] == [f"dc:{CODE}"]


async def test_sent_once_in_the_subscribers_language(app: App) -> None:
    await Chat(app, "eve", lang="en").send("/start")
    rec = Recorder()
    app.senders["test"] = rec
    await queue(app, "eve")
    async with app.services.db.transaction() as session:  # the same cause again: no new row
        again = await enqueue(
            session, channel="test", user_id="eve", kind="t", payload=payload(), dedup_key="k1"
        )
    assert again is False
    d = Dispatcher(app)
    assert await d.run_once() == 1
    assert await d.run_once() == 0
    assert rec.texts("eve") == [render("en", payload()).text]
    row = await row_of(app)
    assert (row.status, row.attempts) == ("sent", 1)


async def test_rows_of_channels_without_a_sender_wait(app: App) -> None:
    app.senders["test"] = Recorder()
    await queue(app, channel="zalo")
    assert await Dispatcher(app).run_once() == 0
    assert (await row_of(app)).status == "pending"


async def test_retries_with_exponential_backoff(app: App) -> None:
    clock = Clock()
    app.services.clock = clock
    rec = Recorder([DeliveryError("timeout"), DeliveryError("502")])
    app.senders["test"] = rec
    await queue(app)
    d = Dispatcher(app)
    await d.run_once()
    row = await row_of(app)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == FIXED_NOW + timedelta(seconds=5)
    assert await d.run_once() == 0  # not due yet
    clock.advance(seconds=5)
    await d.run_once()
    row = await row_of(app)
    assert row.next_attempt_at == clock.now + timedelta(seconds=10)
    clock.advance(seconds=10)
    await d.run_once()
    assert (await row_of(app)).status == "sent"
    assert len(rec.texts("u1")) == 1
    assert rec.calls == 3


async def test_retry_after_is_honoured(app: App) -> None:
    clock = Clock()
    app.services.clock = clock
    app.senders["test"] = Recorder([DeliveryError("429", retry_after=42)])
    await queue(app)
    await Dispatcher(app).run_once()
    assert (await row_of(app)).next_attempt_at == FIXED_NOW + timedelta(seconds=42)


async def test_permanent_failure_and_max_attempts(app: App) -> None:
    clock = Clock()
    app.services.clock = clock
    app.senders["test"] = Recorder([DeliveryError("blocked by user", permanent=True)])
    await queue(app, key="perm")
    await Dispatcher(app).run_once()
    row = await row_of(app, "perm")
    assert (row.status, row.last_error) == ("failed", "blocked by user")

    app.services.settings = app.services.settings.model_copy(update={"outbox_max_attempts": 3})
    rec = Recorder([DeliveryError("down")] * 10)
    app.senders["test"] = rec
    await queue(app, key="flaky")
    d = Dispatcher(app)
    for _ in range(6):
        await d.run_once()
        clock.advance(hours=1)
    assert (await row_of(app, "flaky")).status == "failed"
    assert rec.calls == 3


async def test_crash_between_send_and_mark_is_sent_once_more(app: App) -> None:
    """A channel that cannot de-duplicate: a push cut by a crash is sent once more (a repeated
    "your result is ready" is harmless, a missing one is not); cut twice, it is "uncertain"."""
    clock = Clock()
    app.services.clock = clock
    rec = Recorder()
    app.senders["test"] = rec
    await queue(app)
    try:
        await CrashAfterSend(app).run_once()
    except Crash:
        pass
    assert (await row_of(app)).status == "sending"
    # A new worker starts; while the lease runs it leaves the row alone, then recovers it.
    restarted = Dispatcher(app)
    await restarted.run_once()
    assert len(rec.texts("u1")) == 1
    clock.advance(minutes=2)
    await restarted.run_once()
    assert len(rec.texts("u1")) == 2 and restarted.resent_after_crash == 1
    assert (await row_of(app)).status == "sent"


async def test_a_push_cut_by_two_crashes_is_not_sent_a_third_time(app: App) -> None:
    clock = Clock()
    app.services.clock = clock
    rec = Recorder()
    app.senders["test"] = rec
    await queue(app)
    for _ in range(2):
        try:
            await CrashAfterSend(app).run_once()
        except Crash:
            pass
        clock.advance(minutes=2)
        await Dispatcher(app).recover()
    await Dispatcher(app).run_once()
    assert len(rec.texts("u1")) == 2
    assert (await row_of(app)).status == "uncertain"


async def test_crash_between_send_and_mark_with_an_idempotent_channel(app: App) -> None:
    """A channel that de-duplicates: re-sent with the same key, seen once, marked sent."""
    clock = Clock()
    app.services.clock = clock
    rec = IdempotentRecorder()
    app.senders["test"] = rec
    await queue(app)
    try:
        await CrashAfterSend(app).run_once()
    except Crash:
        pass
    clock.advance(minutes=2)
    await Dispatcher(app).run_once()
    assert rec.calls == 2
    assert len(rec.texts("u1")) == 1
    assert (await row_of(app)).status == "sent"


async def test_crash_after_claim_before_send_is_delivered_after_restart(app: App) -> None:
    clock = Clock()
    app.services.clock = clock
    rec = Recorder()
    app.senders["test"] = rec
    await queue(app)
    try:
        await CrashBeforeSend(app).run_once()
    except Crash:
        pass
    assert (await row_of(app)).status == "claimed"
    clock.advance(minutes=2)
    await Dispatcher(app).run_once()
    assert len(rec.texts("u1")) == 1
    row = await row_of(app)
    assert (row.status, row.attempts) == ("sent", 1)


async def test_a_restart_takes_over_a_dead_process_pushes_at_once(app: App) -> None:
    """A worker killed on this host holds no push for the lease's minute: the next one sees the
    process is gone and sends what it had claimed, and once more what it was sending, at once.
    A worker on another host is judged by its lease."""
    clock = Clock()
    app.services.clock = clock
    rec = Recorder()
    app.senders["test"] = rec
    await queue(app, "u1", "claimed")
    await queue(app, "u2", "sending")
    with contextlib.suppress(Crash):
        await CrashBeforeSend(app, owner="other-host:4242:abcd").run_once()

    async def held_by(owner: str) -> None:
        async with app.services.db.transaction() as session:
            await session.execute(update(Outbox).values(owner=owner))
            await session.execute(
                update(Outbox).where(Outbox.dedup_key == "sending").values(status="sending")
            )

    await held_by("other-host:4242:abcd")
    await Dispatcher(app).run_once()
    assert rec.texts("u1") == rec.texts("u2") == []
    await held_by(f"{HOST}:{os.getpid()}:gone")
    restarted = Dispatcher(app)
    await restarted.run_once()
    assert len(rec.texts("u1")) == len(rec.texts("u2")) == 1
    assert restarted.resent_after_crash == 1
    assert {(await row_of(app, k)).status for k in ("claimed", "sending")} == {"sent"}
    assert (await row_of(app, "claimed")).owner is None


async def test_two_dispatchers_share_the_outbox(app: App) -> None:
    rec = Recorder()
    app.senders["test"] = rec
    for i in range(40):
        await queue(app, f"user{i}", f"key{i}")
    first, second = Dispatcher(app, batch=7), Dispatcher(app, batch=7)

    async def drain(d: Dispatcher) -> None:
        while await d.run_once():
            pass

    await asyncio.gather(drain(first), drain(second))
    assert sorted(u for u, _ in rec.sent) == sorted(f"user{i}" for i in range(40))


async def wait_for(condition: Callable[[], bool], limit: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "condition not met"
        await asyncio.sleep(0.01)


async def test_event_to_push_end_to_end(app: App) -> None:
    """Citizen presses "notify me"; the one-stop system posts a change; the push arrives."""
    vi, en = Chat(app, "vi-user"), Chat(app, "en-user", lang="en")
    for chat in (vi, en):
        await chat.send(CODE)
        await chat.payload(f"dn:{CODE}")
    rec = Recorder()
    app.senders["test"] = rec
    body = json.dumps(
        {"event_id": "e2e-1", "code": CODE, "status": 9, "at": "2025-07-20T09:00:00+07:00"}
    ).encode()
    stamp = str(int(FIXED_NOW.timestamp()))
    headers = {
        "X-Motcua-Timestamp": stamp,
        "X-Motcua-Signature": sign(
            app.services.settings.events_secret.get_secret_value(), stamp, body
        ),
    }
    web_app = create_web_app(app, features=("bot.http.events", "bot.outbox"))
    async with TestClient(TestServer(web_app)) as client:
        resp = await client.post(PATH, data=body, headers=headers)
        assert resp.status == 200
        await wait_for(lambda: len(rec.sent) == 2)
        resp = await client.post(PATH, data=body, headers=headers)  # the sender retries
        assert resp.status == 200
    assert rec.texts("vi-user") == [
        f"🔔 Hồ sơ {CODE} vừa chuyển sang: Đã có kết quả, chờ bạn nhận."
    ]
    assert rec.texts("en-user") == [f"🔔 Dossier {CODE} is now: Result ready for collection."]
    await vi.payload(rec.sent[0][1].buttons[0].payload)
    assert "Tình trạng: Đã có kết quả" in vi.text


async def test_run_dispatcher_wakes_up_and_stops(app: App) -> None:
    rec = Recorder()
    app.senders["test"] = rec
    app.services.settings = app.services.settings.model_copy(update={"outbox_poll_seconds": 30})
    stop = asyncio.Event()
    task = asyncio.create_task(run_dispatcher(app, stop))
    await asyncio.sleep(0)
    await queue(app)
    app.services.outbox_wakeup.set()
    await wait_for(lambda: len(rec.sent) == 1)
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_a_push_waiting_for_a_retry_holds_back_newer_pushes_to_the_same_chat(
    app: App,
) -> None:
    clock = Clock()
    app.services.clock = clock
    rec = Recorder([DeliveryError("busy", retry_after=30.0)])
    app.senders["test"] = rec
    await queue(app, "u1", "first")
    await queue(app, "u1", "second")
    await queue(app, "u2", "other")
    dispatcher = Dispatcher(app)
    await dispatcher.run_once()  # "first" fails and waits; "second" must wait behind it
    assert (await row_of(app, "second")).status == "pending"
    assert rec.sent == []
    dispatcher._paused.clear()  # the channel pause from retry_after, not what is tested here
    await dispatcher.run_once()
    assert [u for u, _ in rec.sent] == ["u2"]  # another chat is not held back
    clock.advance(minutes=1)
    for _ in range(3):
        await dispatcher.run_once()
    assert [u for u, _ in rec.sent] == ["u2", "u1", "u1"]
    first, second = await row_of(app, "first"), await row_of(app, "second")
    assert first.status == second.status == "sent"
    assert first.sent_at is not None and second.sent_at is not None
    assert first.sent_at <= second.sent_at
