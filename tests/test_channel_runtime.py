"""The channel runtime with a messenger written against the interface only (``Platform``).

``MemoryPlatform`` is what a new messenger module writes: adapt, deliver, typing, acknowledge,
capabilities. Everything else (queue, workers, order per user, pushes, limits, "text only")
comes from ``bot.channels.runtime``; these tests hold that machinery to its promises.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import App
from bot.channels.base import Adapted, Capabilities, DeliveryError, RateLimited
from bot.channels.ratelimit import OutgoingLimiter
from bot.channels.render import numbered_turn, short_label, split_text
from bot.channels.runtime import ChannelRuntime
from bot.channels.telegram import adapt
from bot.i18n import t
from bot.messages import Button, Incoming, Reply
from bot.ordering import KeyedLock


class MemoryPlatform:
    """A messenger without buttons that keeps what it sends, in order."""

    name = "memory"
    idempotent = False
    capabilities = Capabilities(max_text=200, buttons=False, typing=True)
    typing_after = 0.01

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.typed: list[str] = []
        self.acks: list[str] = []
        self.started = self.stopped = False
        self.fail_with: Exception | None = None

    def configure(self, *, webhook_url: str | None, polling: bool) -> None:
        self.webhook_url, self.polling = webhook_url, polling

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    def adapt(self, update: dict[str, Any]) -> Adapted | None:
        if update.get("kind") == "unknown":
            return None
        user = str(update["user"])
        if update.get("kind") == "sticker":
            return Adapted(user, None)
        delivery = f"mem:{update['id']}" if "id" in update else None
        incoming = Incoming(self.name, user, text=update["text"], delivery_id=delivery)
        return Adapted(user, incoming, ack=update.get("ack"))

    async def deliver(self, user_id: str, replies: list[Reply], *, lang: str, push: bool) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        for text in numbered_turn(replies):
            for part in split_text(text, self.capabilities.max_text):
                self.sent.append((user_id, part))

    async def typing(self, user_id: str) -> None:
        self.typed.append(user_id)

    async def acknowledge(self, ack: str) -> None:
        self.acks.append(ack)


@pytest.fixture
async def runtime(app: App) -> Any:
    platform = MemoryPlatform()
    rt = ChannelRuntime(app, platform, concurrency=4, backlog=8)
    await rt.start()
    yield rt
    await rt.stop()


async def drain(rt: ChannelRuntime) -> None:
    await asyncio.wait_for(rt.queue.join(), 10)


async def test_a_messenger_written_against_the_interface_answers(runtime: ChannelRuntime) -> None:
    platform = runtime.platform
    assert isinstance(platform, MemoryPlatform) and platform.started
    assert runtime.submit_nowait({"user": 1, "text": "/start", "id": "m1", "ack": "a1"})
    await drain(runtime)
    texts = [text for user, text in platform.sent if user == "1"]
    assert any("  [1] " in text for text in texts)  # no buttons: choices are numbered lines
    assert all(len(text) <= 200 for text in texts)
    assert platform.acks == ["a1"]


async def test_stickers_get_text_only_and_unknown_updates_nothing(
    runtime: ChannelRuntime,
) -> None:
    platform = runtime.platform
    assert isinstance(platform, MemoryPlatform)
    runtime.submit_nowait({"user": 2, "kind": "sticker"})
    runtime.submit_nowait({"user": 3, "kind": "unknown"})
    await drain(runtime)
    assert platform.sent == [("2", t("vi", "error-not-text"))]


async def test_answers_of_one_user_keep_their_order_with_pushes_in_between(
    runtime: ChannelRuntime,
) -> None:
    platform = runtime.platform
    assert isinstance(platform, MemoryPlatform)
    for n in range(6):
        runtime.submit_nowait({"user": 4, "text": f"/lang {'en' if n % 2 else 'vi'}", "id": n})
    push = asyncio.create_task(runtime.send("4", [Reply("push")]))
    await drain(runtime)
    await push
    texts = [text for user, text in platform.sent if user == "4"]
    said = [
        lang
        for text in texts
        for lang in ("vi", "en")
        if text.startswith(t(lang, "language-set").split("\n")[0])
    ]
    assert said == ["vi", "en", "vi", "en", "vi", "en"]  # in the order they were sent
    assert "push" in texts


async def test_full_backlog_answers_503_and_starting_answers_503(app: App) -> None:
    rt = ChannelRuntime(app, MemoryPlatform(), concurrency=1, backlog=1)
    starting = await rt.accept({"user": 5, "text": "x", "id": "s1"})
    assert starting.status == 503 and starting.headers["Retry-After"]
    rt.ready = True  # no workers: nothing drains the queue
    assert (await rt.accept({"user": 5, "text": "x", "id": "s2"})).status == 200
    busy = await rt.accept({"user": 5, "text": "y", "id": "s3"})
    assert busy.status == 503 and busy.headers["Retry-After"] == "1"


async def test_push_failures_become_delivery_errors(runtime: ChannelRuntime) -> None:
    platform = runtime.platform
    assert isinstance(platform, MemoryPlatform)
    platform.fail_with = RateLimited(7.0)
    with pytest.raises(DeliveryError) as caught:
        await runtime.send("6", [Reply("x")])
    assert caught.value.retry_after == 7.0
    runtime.ready = False
    with pytest.raises(DeliveryError):
        await runtime.send("6", [Reply("x")])


async def test_keyed_lock_is_fifo_per_key_reentrant_and_frees_its_entries() -> None:
    locks = KeyedLock()
    order: list[int] = []

    async def worker(n: int) -> None:
        async with locks.hold("u"), locks.hold("u"):  # re-entered by the holder: no deadlock
            await asyncio.sleep(0)
            order.append(n)

    await asyncio.gather(*(worker(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]
    assert len(locks) == 0


async def test_limiter_retries_answers_after_retry_after_and_returns_pushes_at_once() -> None:
    limiter = OutgoingLimiter(chat_per_second=1000, chat_burst=10, push_per_second=1000)
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RateLimited(0.01)
        return "ok"

    assert await limiter.call("c", False, flaky) == "ok" and calls == 2
    calls = 0
    with pytest.raises(RateLimited):
        await limiter.call("c", True, flaky)


async def test_an_answer_waits_out_a_storm_of_429s_within_its_patience() -> None:
    limiter = OutgoingLimiter(chat_per_second=1000, chat_burst=10, answer_patience=5.0)
    storm = 8

    async def stormy() -> str:
        nonlocal storm
        storm -= 1
        if storm > 0:
            raise RateLimited(0.01)
        return "delivered"

    assert await limiter.call("c", False, stormy) == "delivered"  # 7 refusals, then through
    impatient = OutgoingLimiter(chat_per_second=1000, chat_burst=10, answer_patience=0.0)
    storm = 8
    with pytest.raises(RateLimited):
        await impatient.call("c", False, stormy)
    assert impatient.given_up == 1


def test_render_helpers() -> None:
    assert short_label("Đăng ký thường trú cho người chưa thành niên", 20) == "Đăng ký thường trú…"
    turn = numbered_turn([Reply("a", (Button("x", "1"),)), Reply("b", (Button("y", "2"),))])
    assert turn == ["a\n  [1] x", "b\n  [2] y"]


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "message": {"chat": {"id": "abc", "type": "private"}, "text": "hi"}},
        {"update_id": 2, "message": {"chat": {"id": None, "type": "private"}, "text": "hi"}},
        {"update_id": 3, "message": {"chat": {"id": 10**70, "type": "private"}, "text": "hi"}},
        {"update_id": 4, "message": {"chat": "x", "text": "hi"}},
        {"update_id": 5, "callback_query": {"id": "q", "from": "x", "data": "menu"}},
        {"update_id": 6, "callback_query": {"id": "q", "message": {"chat": {"id": True}}}},
    ],
)
def test_forged_telegram_updates_are_not_answered(update: dict[str, Any]) -> None:
    adapted = adapt(update)
    assert adapted is None or adapted.user_id is None


def test_odd_language_codes_are_ignored() -> None:
    update = {
        "update_id": 7,
        "message": {
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "language_code": ["vi"]},
            "text": "hi",
        },
    }
    adapted = adapt(update)
    assert adapted is not None and adapted.incoming is not None
    assert adapted.language_hint is None and adapted.user_id == "42"
