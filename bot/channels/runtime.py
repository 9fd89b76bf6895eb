"""The channel runtime: the machinery every messenger needs, written once.

A :class:`ChannelRuntime` drives one :class:`~bot.channels.base.Platform`:

* **intake**: webhooks and long polling feed one bounded queue; when it is full the webhook
  answers 503 with ``Retry-After`` (the messenger retries later) and polling simply waits, so a
  burst never becomes an unbounded heap of tasks;
* **workers**: a fixed pool reads the queue; each update is adapted to a neutral message,
  handled by the dialogue and answered;
* **order per user**: a worker holds the user's lock in the dialogue's
  :class:`~bot.ordering.KeyedLock` across handling *and* sending, and pushes take the same lock,
  so one chat sees answers and pushes in the order they were made, on any channel;
* **typing**: "typing…" is shown only when an answer takes longer than the platform's
  ``typing_after`` seconds;
* **pushes**: the runtime is the outbox's :class:`~bot.channels.base.Sender` for its channel.

Outgoing rate limits are :class:`~bot.channels.ratelimit.OutgoingLimiter`, which a platform
wraps around each API call; splitting and numbered choices are in ``bot.channels.render``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from bot import metrics
from bot.app import App
from bot.channels.base import Adapted, DeliveryError, Platform, RateLimited
from bot.dialogue import user_key
from bot.i18n import normalize_language, t
from bot.messages import Reply

log = logging.getLogger(__name__)

RETRY_CONNECT_MAX = 60.0


class ChannelRuntime:
    """Intake queue, workers, per-user order, typing and pushes for one platform."""

    def __init__(
        self, app: App, platform: Platform, *, concurrency: int = 8, backlog: int = 512
    ) -> None:
        self.app = app
        self.platform = platform
        self.name = platform.name
        self.idempotent = platform.idempotent
        self.concurrency = concurrency
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=backlog)
        self.ready = False
        self.completed = 0  # updates fully handled (tests and benchmarks wait on it)
        self._workers: list[asyncio.Task[None]] = []
        self._starter: asyncio.Task[None] | None = None
        metrics.QUEUE_DEPTH.labels(self.name).set_function(self.queue.qsize)

    # Lifecycle -----------------------------------------------------------------------------
    async def start(self, *, webhook_url: str | None = None, polling: bool = False) -> None:
        """Start the workers, then connect the platform (``webhook_url``: where it should
        deliver, for platforms that register webhooks; ``polling``: updates are fetched
        instead). In webhook mode an unreachable platform must not keep the rest of the server
        down: connecting is retried in the background (the webhook answers 503 meanwhile).
        Polling has nothing to serve without the platform, so it fails at once."""
        self.platform.configure(webhook_url=webhook_url, polling=polling)
        retry_in_background = not polling
        self._workers = [
            asyncio.create_task(self._worker(), name=f"{self.name}-worker-{i}")
            for i in range(self.concurrency)
        ]
        try:
            await self._connect()
        except Exception as exc:
            if not retry_in_background:
                await self.stop()
                raise
            log.error(
                "channel start-up failed, retrying",
                extra={"channel": self.name, "error": type(exc).__name__},
            )
            self._starter = asyncio.create_task(self._connect_retrying())

    async def _connect(self) -> None:
        await self.platform.start()
        self.ready = True
        log.info("channel ready", extra={"channel": self.name})

    async def _connect_retrying(self) -> None:
        delay = 1.0
        while not self.ready:
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_CONNECT_MAX)
            try:
                await self._connect()
            except Exception as exc:
                log.error(
                    "channel start-up failed again",
                    extra={"channel": self.name, "error": type(exc).__name__},
                )

    async def stop(self, *, drain_seconds: float = 5.0) -> None:
        """Finish what is queued (bounded), stop the workers, close the platform."""
        if self._starter is not None:
            self._starter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starter
            self._starter = None
        if self.ready:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue.join(), drain_seconds)
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        self.ready = False
        await self.platform.stop()

    # Intake --------------------------------------------------------------------------------
    def submit_nowait(self, update: Any) -> bool:
        """Queue an update; False when the backlog is full."""
        try:
            self.queue.put_nowait(update)
        except asyncio.QueueFull:
            return False
        return True

    def accept(self, update: Any) -> web.Response:
        """The webhook's answer for an update that passed the platform's checks: 200 once
        queued, 503 while starting or when the backlog is full (the messenger retries)."""
        if not self.ready:
            return web.Response(status=503, headers={"Retry-After": "5"}, text="starting")
        if not self.submit_nowait(update):
            log.warning("channel backlog full", extra={"channel": self.name})
            return web.Response(status=503, headers={"Retry-After": "1"}, text="busy")
        return web.Response(status=200)

    async def _worker(self) -> None:
        while True:
            update = await self.queue.get()
            try:
                await self.handle_update(update)
            except Exception:
                metrics.UPDATE_FAILURES.labels(self.name).inc()
                log.exception("update failed", extra={"channel": self.name})
            finally:
                metrics.UPDATES.labels(self.name).inc()
                self.completed += 1
                self.queue.task_done()

    async def handle_update(self, update: Any) -> None:
        """Answer one update: adapt, dialogue, replies — in order per user."""
        adapted = self.platform.adapt(update)
        if adapted is None:
            return
        if adapted.user_id is None:
            if adapted.ack:
                await self._acknowledge(adapted.ack)
            return
        async with self.app.dialogue.locks.hold(user_key(self.name, adapted.user_id)):
            ack = asyncio.create_task(self._acknowledge(adapted.ack)) if adapted.ack else None
            replies = await self._answer(adapted, adapted.user_id)
            if replies:
                lang = (
                    normalize_language(adapted.language_hint)
                    or self.app.services.settings.default_language
                )
                try:
                    await self.platform.deliver(adapted.user_id, replies, lang=lang, push=False)
                except (DeliveryError, RateLimited) as exc:
                    metrics.ANSWERS_UNDELIVERED.labels(self.name).inc()
                    log.warning(
                        "answer not delivered", extra={"channel": self.name, "error": str(exc)}
                    )
                else:
                    metrics.REPLIES.labels(self.name).inc(len(replies))
            if ack is not None:
                await ack

    async def _answer(self, adapted: Adapted, user_id: str) -> list[Reply]:
        typing = _Typing(self.platform, user_id) if self.platform.capabilities.typing else None
        try:
            if adapted.incoming is None:  # a sticker, a photo, …
                lang = await self.app.dialogue.language_of(
                    self.name, user_id, adapted.language_hint
                )
                return [Reply(t(lang, "error-not-text"))]
            return await self.app.dialogue.handle(adapted.incoming)  # re-enters the user lock
        finally:
            if typing is not None:
                await typing.done()

    async def _acknowledge(self, ack: str) -> None:
        try:
            await self.platform.acknowledge(ack)
        except Exception as exc:  # an expired acknowledgement is no error worth more
            log.info("acknowledge failed", extra={"channel": self.name, "error": str(exc)})

    # Pushes (the outbox's Sender) ----------------------------------------------------------
    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None:
        """Deliver a push in order with the user's answers; failures become DeliveryError."""
        if not self.ready:
            raise DeliveryError(f"{self.name} not connected", retry_after=5.0)
        async with self.app.dialogue.locks.hold(user_key(self.name, user_id)):
            try:
                await self.platform.deliver(
                    user_id, replies, lang=self.app.services.settings.default_language, push=True
                )
            except RateLimited as exc:
                raise DeliveryError("rate limited", retry_after=exc.retry_after) from exc


Webhook = Callable[[web.Request], Awaitable[web.StreamResponse]]


def mount(
    web_app: web.Application,
    channel: ChannelRuntime,
    key: web.AppKey[Any],
    path: str,
    webhook: Webhook,
) -> None:
    """Serve ``channel`` from ``web_app``: its webhook route at ``path``, its place among the
    outbox's senders, and start and stop with the server (the webhook registered at
    ``MOTCUA_PUBLIC_URL`` + ``path`` where the platform registers one)."""
    app = channel.app
    app.senders[channel.name] = channel
    web_app[key] = channel
    web_app.router.add_post(path, webhook)

    async def lifespan(_: web.Application) -> AsyncIterator[None]:
        public = app.services.settings.public_url
        await channel.start(webhook_url=f"{public.rstrip('/')}{path}" if public else None)
        yield
        await channel.stop()
        if app.senders.get(channel.name) is channel:
            del app.senders[channel.name]

    web_app.cleanup_ctx.append(lifespan)


class _Typing:
    """Sends "typing…" only if the answer takes longer than the platform's ``typing_after``;
    a chat action already on its way is awaited rather than cancelled mid-request. A timer, not
    a task: most answers come first, and cancelling a timer costs next to nothing."""

    def __init__(self, platform: Platform, user_id: str) -> None:
        self.task: asyncio.Task[None] | None = None
        self._timer = asyncio.get_running_loop().call_later(
            platform.typing_after, self._start, platform, user_id
        )

    def _start(self, platform: Platform, user_id: str) -> None:
        self.task = asyncio.create_task(_typing_quietly(platform, user_id))

    async def done(self) -> None:
        self._timer.cancel()
        if self.task is not None:
            await self.task


async def _typing_quietly(platform: Platform, user_id: str) -> None:
    try:
        await platform.typing(user_id)
    except Exception as exc:  # "typing…" is a courtesy: never let it fail an answer
        log.info("typing action failed", extra={"channel": platform.name, "error": str(exc)})
