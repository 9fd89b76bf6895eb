"""Outgoing rate limits for any messenger: per chat, overall for pushes, and ``retry_after``.

Messengers limit how fast a bot may write: Telegram about 1 message/s per chat (with a small
burst) and 30/s overall for bulk notifications; Zalo has its own quotas. A platform wraps each
API call in :meth:`OutgoingLimiter.call`; the call raises
:class:`~bot.channels.base.RateLimited` when the platform answers "too many requests", and the
limiter then pauses that chat (and, for pushes, every push) for ``retry_after`` and retries an
answer, for as long as ``answer_patience`` allows: a storm of 429s delays an answer, it does
not drop it (the chat's lock keeps its later messages behind it, in order). A push gets the
error back at once, so the outbox can reschedule it without holding a worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot import metrics
from bot.channels.base import RateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BUCKETS = 50_000


class OutgoingLimiter:
    """Token bucket per chat, a paced overall budget for pushes, pauses from ``retry_after``."""

    def __init__(
        self,
        *,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        push_per_second: float = 30.0,
        answer_patience: float = 600.0,
    ) -> None:
        self.chat_rate = chat_per_second
        self.chat_burst = float(chat_burst)
        self.push_interval = 1.0 / push_per_second
        self.answer_patience = answer_patience  # seconds an answer keeps trying through 429s
        self.given_up = 0  # answers dropped after ``answer_patience``: counted and logged
        self._buckets: dict[str, list[float]] = {}  # chat → [tokens, updated, paused_until]
        self._push_next = 0.0
        self._push_paused_until = 0.0

    async def call(self, chat: str | None, push: bool, send: Callable[[], Awaitable[T]]) -> T:
        """Run ``send`` within the limits of ``chat`` (None: not per chat) and of pushes."""
        deadline = time.monotonic() + self.answer_patience
        while True:
            if chat is not None:
                await self._take_chat(chat)
            if push:
                await self._take_push()
            try:
                return await send()
            except RateLimited as exc:
                metrics.RATE_LIMITED.inc()
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
                    metrics.ANSWERS_DROPPED.inc()
                    log.error("answer dropped after waiting out rate limits", extra={"s": delay})
                    raise
                if chat is None:
                    await asyncio.sleep(delay)

    def _bucket(self, key: str) -> list[float]:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > MAX_BUCKETS:
                self._prune()
            bucket = self._buckets[key] = [self.chat_burst, time.monotonic(), 0.0]
        return bucket

    def _prune(self) -> None:
        """Forget full, unpaused buckets: they behave exactly like new ones."""
        now = time.monotonic()
        full = now - self.chat_burst / self.chat_rate
        for key in [k for k, b in self._buckets.items() if b[1] < full and b[2] < now]:
            del self._buckets[key]

    async def _take_chat(self, key: str) -> None:
        while True:
            bucket = self._bucket(key)
            now = time.monotonic()
            if bucket[2] > now:
                await asyncio.sleep(bucket[2] - now)
                continue
            tokens = min(self.chat_burst, bucket[0] + (now - bucket[1]) * self.chat_rate)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return
            bucket[0] = tokens
            await asyncio.sleep((1.0 - tokens) / self.chat_rate)

    async def _take_push(self) -> None:
        now = time.monotonic()
        start = max(now, self._push_next, self._push_paused_until)
        self._push_next = start + self.push_interval
        if start > now:
            await asyncio.sleep(start - now)
