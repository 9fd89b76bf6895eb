"""The channel runtime: the machinery every messenger needs, written once.

A :class:`ChannelRuntime` drives one :class:`~bot.channels.base.Platform`:

* **intake**: a webhook stores the update in the durable inbox (``bot.inbox``) *before* it
  answers 200, so a crash loses nothing that was acknowledged; re-deliveries are recognised
  there. Webhooks and long polling feed one bounded queue; when it is full the webhook answers
  503 with ``Retry-After`` (the messenger retries later) and polling simply waits, so a burst
  never becomes an unbounded heap of tasks. When the database cannot take the update the
  webhook answers 503 too: the messenger keeps it and tries again;
* **recovery**: a sweep takes over stored updates whose process died (at start-up, then every
  few seconds), in order per user; leases of updates in work are renewed;
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
import dataclasses
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from bot import metrics
from bot.app import App
from bot.channels.base import Adapted, DeliveryError, Platform, RateLimited
from bot.dialogue import user_key
from bot.i18n import normalize_language, t
from bot.inbox import Inbox, Item, Start
from bot.messages import Reply

log = logging.getLogger(__name__)

RETRY_CONNECT_MAX = 60.0
SWEEP_SECONDS = 2.0
MARK_DONE_AFTER = 0.005
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
        self.inbox = Inbox(app.services.db, app.services.clock)
        self.sweep_seconds = SWEEP_SECONDS
        self._inflight: set[int] = set()  # inbox rows queued or in work here: leases renewed
        # Answered rows, marked done together a few milliseconds later: one write for many
        # answers. A crash in that window sends those answers once more (from stored replies).
        self._answered: list[int] = []
        self._answered_flag = asyncio.Event()
        self._marker: asyncio.Task[None] | None = None
        self._busy_logged = float("-inf")
        self._workers: list[asyncio.Task[None]] = []
        self._starter: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
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
        self._keeper = asyncio.create_task(self._keep_inbox(), name=f"{self.name}-inbox")
        self._marker = asyncio.create_task(self._mark_answered(), name=f"{self.name}-done")
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
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        if self.ready:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue.join(), drain_seconds)
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        self.ready = False
        if self._marker is not None:
            self._marker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._marker
            self._marker = None
        # What is still stored but unanswered goes to the next process at once, not after the
        # lease: a clean stop is not a crash.
        unfinished, self._inflight = list(self._inflight), set()
        answered, self._answered = self._answered, []
        try:
            await self.inbox.done(answered)
            await self.inbox.release(unfinished)
        except Exception as exc:
            log.warning("inbox release failed", extra={"channel": self.name, "error": str(exc)})
        await self.platform.stop()

    # Intake --------------------------------------------------------------------------------
    def submit_nowait(self, update: Any) -> bool:
        """Queue an update; False when the backlog is full."""
        try:
            self.queue.put_nowait(update)
        except asyncio.QueueFull:
            return False
        return True

    async def accept(self, update: dict[str, Any]) -> web.Response:
        """The webhook's answer for an update that passed the platform's checks: 200 once
        stored in the inbox and queued; 503 while starting, when the backlog is full or when
        the database cannot store it (the messenger keeps the update and retries)."""
        if not self.ready:
            return self.refuse("starting", retry_after=5)
        if self.queue.full():
            now = asyncio.get_running_loop().time()
            if now - self._busy_logged >= 1.0:  # a burst logs once a second, not per update
                self._busy_logged = now
                log.warning("channel backlog full", extra={"channel": self.name})
            return self.refuse("busy", retry_after=1)
        adapted = self.platform.adapt(update)
        key = adapted.key if adapted is not None else None
        if adapted is None or adapted.user_id is None or key is None:
            # Nothing to answer (a receipt, a group chat, a button's spinner to stop): nothing
            # worth storing; the platform may still note it (Zalo OA's unfollow).
            self.submit_nowait(update)
            return web.Response(status=200)
        key, body = _clean(key), _body(update)
        try:
            row_id, now = await self.inbox.put(self.name, key, adapted.user_id, body)
        except Exception as exc:
            log.error(
                "inbox write failed", extra={"channel": self.name, "error": type(exc).__name__}
            )
            return self.refuse("database", retry_after=5)
        if row_id is None:  # a re-delivery: stored (and answered) once already
            metrics.DUPLICATES.labels(self.name).inc()
            self.completed += 1
        elif now:
            self._queue_item(Item(row_id, key, adapted.user_id, body))
        return web.Response(status=200)

    def refuse(self, reason: str, *, retry_after: int) -> web.Response:
        metrics.INTAKE_REFUSED.labels(self.name, reason).inc()
        return web.Response(status=503, headers={"Retry-After": str(retry_after)}, text=reason)

    def _queue_item(self, item: Item) -> None:
        self._inflight.add(item.id)
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # filled while the row was written: the sweep hands it out
            self._inflight.discard(item.id)
            asyncio.get_running_loop().create_task(self.inbox.release([item.id]))

    async def _keep_inbox(self) -> None:
        """Take over what a stopped process left (at once, then every few seconds) and renew
        the leases of what this one is working on."""
        renew_every = self.inbox.lease.total_seconds() / 3
        last_renewal = asyncio.get_running_loop().time()
        while True:
            try:
                if not self.queue.full():
                    for item in await self.inbox.claim(self.name, self.queue.maxsize // 2 or 1):
                        metrics.INBOX_RECOVERED.labels(self.name).inc()
                        self._inflight.add(item.id)
                        await self.queue.put(item)
                now = asyncio.get_running_loop().time()
                if now - last_renewal >= renew_every:
                    # Answered rows not yet marked are still ours: a lapsed lease would have
                    # them answered again.
                    await self.inbox.renew(self._inflight | set(self._answered))
                    last_renewal = now
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: try again at the next round
                log.warning("inbox sweep failed", extra={"channel": self.name, "error": str(exc)})
            await asyncio.sleep(self.sweep_seconds)

    async def _worker(self) -> None:
        while True:
            entry = await self.queue.get()
            start = Start.HANDLE
            try:
                if isinstance(entry, Item) and entry.recovered:
                    start = await self._recovered(entry)
                elif isinstance(entry, Item):
                    await self.handle_update(entry.body, entry)
                else:
                    await self.handle_update(entry)
            except Exception:
                metrics.UPDATE_FAILURES.labels(self.name).inc()
                log.exception("update failed", extra={"channel": self.name})
            finally:
                if isinstance(entry, Item):
                    self._finish(entry, answered=start is not Start.LATER)
                metrics.UPDATES.labels(self.name).inc()
                self.completed += 1
                self.queue.task_done()

    async def _recovered(self, item: Item) -> Start:
        """Handle a row taken over after a stop, if :meth:`Inbox.begin` says so. The user's lock
        is taken first, in queue order, so a later update of the same user waits while an
        earlier one is started (or postponed, and then the later one is given back too)."""
        async with self.app.dialogue.locks.hold(user_key(self.name, item.user_id)):
            start = await self.inbox.begin(self.name, item)
            if start is Start.HANDLE:
                await self.handle_update(item.body, item)
        return start

    def _finish(self, item: Item, *, answered: bool) -> None:
        """The row leaves this process's work: answered (marked done shortly), or left
        pending for a later sweep."""
        self._inflight.discard(item.id)
        if answered:
            self._answered.append(item.id)
            self._answered_flag.set()

    async def _mark_answered(self) -> None:
        while True:
            await self._answered_flag.wait()
            await asyncio.sleep(MARK_DONE_AFTER)  # let a burst's answers join one write
            self._answered_flag.clear()
            batch, self._answered = self._answered, []
            try:
                await self.inbox.done(batch)
            except asyncio.CancelledError:
                self._answered.extend(batch)
                raise
            except Exception as exc:  # the database is away: keep them for the next write
                log.warning("inbox done failed", extra={"channel": self.name, "error": str(exc)})
                self._answered.extend(batch)
                await asyncio.sleep(1.0)
                self._answered_flag.set()

    async def handle_update(self, update: Any, item: Item | None = None) -> None:
        """Answer one update: adapt, dialogue, replies — in order per user. ``item`` is the
        update's inbox row, when it came through the inbox."""
        adapted = self.platform.adapt(update)
        if adapted is None:
            return
        if adapted.user_id is None:
            if adapted.ack:
                await self._acknowledge(adapted.ack)
            return
        user_id = adapted.user_id
        if item is not None and adapted.incoming is not None:
            # The row's delivery id, not one recomputed from the stored copy (Zalo OA keys some
            # events by their signed body, which is not stored).
            adapted = dataclasses.replace(
                adapted,
                incoming=dataclasses.replace(
                    adapted.incoming,
                    delivery_id=item.delivery_id,
                    inbox_id=item.id,
                    recovered=item.recovered,
                ),
            )
        async with self.app.dialogue.locks.hold(user_key(self.name, user_id)):
            ack = asyncio.create_task(self._acknowledge(adapted.ack)) if adapted.ack else None
            replies = await self._answer(adapted, user_id)
            if replies:
                lang = (
                    normalize_language(adapted.language_hint)
                    or self.app.services.settings.default_language
                )
                try:
                    await self.platform.deliver(user_id, replies, lang=lang, push=False)
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


def _clean(delivery_id: str) -> str:
    """Delivery ids come from outside: no control characters (PostgreSQL refuses NUL)."""
    return _CONTROL.sub("", delivery_id)[:128]


def _body(update: dict[str, Any]) -> dict[str, Any]:
    """The update as stored: JSON only (Zalo OA's signed raw body is not kept)."""
    return {k: v for k, v in update.items() if k != "_raw"}


Webhook = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def secret_json(
    request: web.Request, channel: ChannelRuntime, header: str, secret: str
) -> tuple[Any, web.Response | None]:
    """The front of a webhook that authenticates by a secret token: the token in ``header``
    (compared in constant time), the channel ready, the body JSON. Returns ``(body, None)``,
    or ``(None, response)`` to answer at once (401, 503 + Retry-After, 400)."""
    given = request.headers.get(header, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return None, web.Response(status=401, text="bad secret token")
    if not channel.ready:
        return None, channel.refuse("starting", retry_after=5)
    try:
        # Bytes, not request.json(): an odd charset in Content-Type must not become a 500;
        # RecursionError: deep nesting such as "[" × 100,000.
        return json.loads(await request.read()), None
    except (ValueError, RecursionError):
        return None, web.Response(status=400, text="not JSON")


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
