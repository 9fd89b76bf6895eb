"""Outgoing rate limits for any messenger: per chat, overall for pushes, and ``retry_after``.

Messengers limit how fast a bot may write: Telegram about 1 message/s per chat (with a small
burst) and 30/s overall for bulk notifications; Zalo has its own quotas. A platform wraps each
API call in :meth:`OutgoingLimiter.call`; the call raises
:class:`~bot.channels.base.RateLimited` when the platform answers "too many requests", and the
limiter then pauses that chat (and, for pushes, every push) for ``retry_after`` and retries an
answer, for as long as ``answer_patience`` allows: a storm of 429s delays an answer, it does
not drop it (the chat's lock keeps its later messages behind it, in order). A push gets the
error back at once, so the outbox can reschedule it without holding a worker.

The push budget is a window of ``push_per_second`` slots a second, counted on *answers*: a slot
is taken when a push starts and given back one second after the platform answered it. The
platform sees each message between those two moments, so however the network or a busy CPU
delays one message and hurries the next, no second at the platform ever holds more than the
budget (pacing by start times alone cannot promise that: jitter bunches them up). Starts are
paced evenly as well, so the slots do not cycle in bursts that queue behind each other. Pushes
may run concurrently, up to the budget. Answers do not wait for it (a citizen waiting for a
reply comes before a broadcast), as before. A push to a chat also keeps ``1 / chat_per_second``
after the answer to that chat's previous message, burst or not: a push has no reason to hurry.

:func:`on_push_start` lets the caller of a push (the outbox) run a step at the moment its
message really goes out, after every wait, e.g. to record "sending" as late as possible.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from bot import metrics
from bot.channels.base import RateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BUCKETS = 50_000
PUSH_PER_SECOND = 30.0
PUSH_PACE_BURST = 3.0  # pushes that may start back to back after a pause in the pacing
PushStart = Callable[[], Awaitable[None]]
_push_start: contextvars.ContextVar[PushStart | None] = contextvars.ContextVar(
    "push_start", default=None
)


@contextlib.contextmanager
def on_push_start(step: PushStart) -> Iterator[None]:
    """Within this block (this task), ``step`` is awaited right before each push message is
    handed to the platform, once its chat and push budgets allow it. An exception from
    ``step`` cancels that message: it propagates to the caller, nothing is sent."""
    token = _push_start.set(step)
    try:
        yield
    finally:
        _push_start.reset(token)


class OutgoingLimiter:
    """Token bucket per chat, push slots freed a window after each answer, ``retry_after``."""

    def __init__(
        self,
        *,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        push_per_second: float = PUSH_PER_SECOND,
        answer_patience: float = 600.0,
        channel: str = "",
    ) -> None:
        self.chat_rate = chat_per_second
        self.chat_burst = float(chat_burst)
        self.push_per_second = push_per_second
        # ``slots`` pushes per ``window`` seconds: one second, or longer below 1 push/s.
        self.push_slots = max(1, round(push_per_second))
        self.push_window = self.push_slots / push_per_second
        self.answer_patience = answer_patience  # seconds an answer keeps trying through 429s
        self.channel = channel  # the metrics' label
        self.given_up = 0  # answers dropped after ``answer_patience``: counted and logged
        # chat → [tokens, updated, paused_until, answered]: ``answered`` is when the platform
        # last answered a message to that chat (a push keeps its distance from it).
        self._buckets: dict[str, list[float]] = {}
        self._push_busy = 0  # pushes holding a slot: sent, no answer yet
        self._push_done: deque[float] = deque()  # answer times of pushes, within the window
        self._push_turn = asyncio.Lock()  # waiters take slots in arrival order
        self._push_freed = asyncio.Event()  # a busy slot got its answer
        self._push_paused_until = 0.0
        # Starts are also paced, evenly at ``push_per_second`` (a hiccup may catch up by a
        # few): a burst of a window's worth at once would queue at the platform and in our
        # own loop, and every slot's wait for its answer would grow by that queue.
        self._pace_tokens = float(PUSH_PACE_BURST)
        self._pace_at = time.monotonic()

    async def call(self, chat: str | None, push: bool, send: Callable[[], Awaitable[T]]) -> T:
        """Run ``send`` within the limits of ``chat`` (None: not per chat) and of pushes."""
        deadline = time.monotonic() + self.answer_patience
        while True:
            if chat is not None:
                await self._take_chat(chat, push)
            if push:
                await self._take_push()
            started = False
            try:
                if push:
                    step = _push_start.get()
                    if step is not None:
                        await step()
                started = True
                return await send()
            except RateLimited as exc:
                metrics.RATE_LIMITED.labels(self.channel).inc()
                delay = exc.retry_after
                log.warning("platform asked to wait", extra={"seconds": delay, "push": push})
                until = time.monotonic() + delay
                if chat is not None:
                    self._bucket(chat)[2] = until
                if push or chat is None:
                    self._push_paused_until = max(self._push_paused_until, until)
                if push:
                    raise
                if until > deadline:
                    self.given_up += 1
                    metrics.ANSWERS_DROPPED.labels(self.channel).inc()
                    log.error("answer dropped after waiting out rate limits", extra={"s": delay})
                    raise
                if chat is None:
                    await asyncio.sleep(delay)
            finally:
                if started and chat is not None:
                    self._bucket(chat)[3] = time.monotonic()
                if push:
                    self._give_push(started)

    def _bucket(self, key: str) -> list[float]:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > MAX_BUCKETS:
                self._prune()
            bucket = self._buckets[key] = [self.chat_burst, time.monotonic(), 0.0, -1e9]
        return bucket

    def _prune(self) -> None:
        """Forget full, unpaused buckets: they behave exactly like new ones."""
        now = time.monotonic()
        full = now - self.chat_burst / self.chat_rate
        for key in [
            k for k, b in self._buckets.items() if b[1] < full and b[2] < now and b[3] < full
        ]:
            del self._buckets[key]

    async def _take_chat(self, key: str, push: bool) -> None:
        while True:
            bucket = self._bucket(key)
            now = time.monotonic()
            if bucket[2] > now:
                await asyncio.sleep(bucket[2] - now)
                continue
            if push and bucket[3] + 1.0 / self.chat_rate > now:
                await asyncio.sleep(bucket[3] + 1.0 / self.chat_rate - now)
                continue
            tokens = min(self.chat_burst, bucket[0] + (now - bucket[1]) * self.chat_rate)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return
            bucket[0] = tokens
            await asyncio.sleep((1.0 - tokens) / self.chat_rate)

    async def _take_push(self) -> None:
        """A push slot: free when fewer than ``push_slots`` pushes are unanswered or were
        answered within the last ``push_window`` seconds."""
        async with self._push_turn:
            while True:
                now = time.monotonic()
                if self._push_paused_until > now:
                    await asyncio.sleep(self._push_paused_until - now)
                    continue
                done = self._push_done
                while done and done[0] <= now - self.push_window:
                    done.popleft()
                if self._push_busy + len(done) < self.push_slots:
                    tokens = min(
                        PUSH_PACE_BURST,
                        self._pace_tokens + (now - self._pace_at) * self.push_per_second,
                    )
                    self._pace_tokens, self._pace_at = tokens, now
                    if tokens < 1.0:
                        await asyncio.sleep((1.0 - tokens) / self.push_per_second)
                        continue
                    self._pace_tokens -= 1.0
                    self._push_busy += 1
                    return
                if done:
                    await asyncio.sleep(done[0] + self.push_window - now)
                else:  # every slot is waiting for an answer
                    self._push_freed.clear()
                    await self._push_freed.wait()

    def _give_push(self, sent: bool) -> None:
        """The push's answer came (or it failed): its slot frees a window later if the message
        may have reached the platform, at once if it never left."""
        self._push_busy -= 1
        if sent:
            self._push_done.append(time.monotonic())
        self._push_freed.set()
