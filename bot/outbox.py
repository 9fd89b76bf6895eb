"""Push notifications through a transactional outbox.

Writing: whatever causes a push (a dossier status event, a postal event) inserts outbox rows in
*its own* transaction with :func:`enqueue` / :func:`notify_subscribers`, so a change and the
messages it causes are committed together or not at all. ``dedup_key`` is unique: the same
cause enqueued twice (a retried event) yields one row.

Payload: a Fluent message key and its arguments, rendered at send time in the subscriber's
current language (``Conversation.language``)::

    {"key": "ds-push-status",            # required
     "args": {"code": "…"},              # arguments for every key below
     "tr": {"status": "ds-status-4"},    # arguments that are themselves message keys
     "lines": ["ds-push-note"],          # more lines, each a key rendered with the same args
     "buttons": [{"key": "ds-btn-show", "payload": "dc:…"}]}

Sending: a :class:`Dispatcher` (one per worker; several workers share the table) repeatedly

1. *claims* due rows: ``pending`` → ``claimed`` with a lease (``claimed_until``), in one
   ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`` on PostgreSQL, so
   workers never take the same row; on SQLite the single statement runs under the process
   write lock and SQLite's own database lock;
2. for each row, commits ``claimed`` → ``sending`` (a fresh lease) *immediately before* the
   platform call, sends, and commits ``sent``;
3. on :class:`~bot.channels.base.DeliveryError`, puts the row back to ``pending`` with
   exponential backoff (or the platform's ``retry_after`` if longer, also pausing that channel),
   and gives up (``failed``) when permanent or after ``settings.outbox_max_attempts``.

Restarts and crashes: a row whose lease expired tells what the dead worker was doing.
``claimed`` means it never reached the platform: it goes back to ``pending`` and is sent.
``sending`` means the crash came between the platform call and the ``sent`` commit, and the
user may or may not have the message. Transports are at-least-once, so exactly-once to the
user is only possible where the channel can de-duplicate: a sender whose ``idempotent`` is true
receives ``idempotency_key=<dedup_key>`` and the row is simply sent again with the same key.
For channels without such a key (Telegram, Zalo) the row becomes ``uncertain`` and is **not**
re-sent: the issue asks that a push is never sent twice, and the window is only the few
milliseconds between the ``sending`` commit and the platform's answer. Such rows keep status
``uncertain`` with the reason in ``last_error``, and the citizen can always look the dossier up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import metrics
from bot.channels.base import DeliveryError
from bot.db.engine import insert_ignore, rowcount
from bot.db.models import Outbox, Subscription, utcnow
from bot.i18n import t
from bot.messages import Button, Reply

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
BATCH = 50
BACKOFF_BASE_SECONDS = 5.0
BACKOFF_CAP_SECONDS = 3600.0
MAX_KEY = 200
RESENT_AFTER_CRASH = "worker stopped during the send; sent once more"
UNCERTAIN_TWICE = "worker stopped during the send twice; not sent again"


# Writing ----------------------------------------------------------------------------------
def _key(dedup_key: str) -> str:
    if len(dedup_key) <= MAX_KEY:
        return dedup_key
    return "h:" + hashlib.sha256(dedup_key.encode()).hexdigest()


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    user_id: str,
    kind: str,
    payload: dict[str, Any],
    dedup_key: str,
    now: datetime | None = None,
) -> bool:
    """Queue one push in the caller's transaction; False when ``dedup_key`` was already queued.

    A new row is due at once (``attempts = 0``), whatever the clocks of writer and dispatcher.
    """
    if "key" not in payload:
        raise ValueError("outbox payload needs a Fluent message key")
    at = now or utcnow()
    result = await session.execute(
        insert_ignore(session, Outbox).values(
            dedup_key=_key(dedup_key),
            channel=channel,
            user_id=user_id,
            kind=kind[:32],
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=at,
            created_at=at,
            last_error="",
        )
    )
    return bool(rowcount(result))


async def notify_subscribers(
    session: AsyncSession,
    dossier_code: str,
    kind: str,
    payload: dict[str, Any],
    dedup_base: str,
    *,
    now: datetime | None = None,
) -> int:
    """One outbox row per chat following ``dossier_code``; returns how many were queued."""
    subs = (
        await session.execute(
            select(Subscription.channel, Subscription.user_id).where(
                Subscription.dossier_code == dossier_code
            )
        )
    ).all()
    queued = 0
    for channel, user_id in subs:
        queued += await enqueue(
            session,
            channel=channel,
            user_id=user_id,
            kind=kind,
            payload=payload,
            dedup_key=f"{dedup_base}:{channel}:{user_id}",
            now=now,
        )
    return queued


def render(lang: str, payload: dict[str, Any]) -> Reply:
    """The reply for one outbox payload in ``lang``."""
    args: dict[str, Any] = dict(payload.get("args") or {})
    for name, key in (payload.get("tr") or {}).items():
        args[name] = t(lang, str(key))
    lines = [t(lang, str(payload["key"]), **args)]
    lines.extend(t(lang, str(key), **args) for key in payload.get("lines") or ())
    buttons = tuple(
        Button(t(lang, str(b["key"]), **args), str(b["payload"]))
        for b in payload.get("buttons") or ()
    )
    return Reply("\n".join(lines), buttons)


# Sending ----------------------------------------------------------------------------------
def backoff(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: 5, 10, 20, … capped at an hour."""
    return float(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


class Dispatcher:
    """Claims due outbox rows and sends them; safe to run in several workers at once."""

    def __init__(self, app: App, *, batch: int = BATCH, lease: timedelta = LEASE) -> None:
        self.app = app
        self.services = app.services
        self.batch = batch
        self.lease = lease
        self._paused: dict[str, float] = {}  # channel → monotonic time it may send again
        self.resent_after_crash = 0  # pushes sent again because a crash cut their first send

    def now(self) -> datetime:
        return self.services.clock()

    def _channels(self) -> list[str]:
        mono = time.monotonic()
        return [c for c in self.app.senders if self._paused.get(c, 0.0) <= mono]

    async def run_once(self) -> int:
        """Recover expired leases, claim a batch and send it; returns rows handled."""
        await self.recover()
        rows = await self.claim()
        for row in rows:
            await self.deliver(row)
        return len(rows)

    async def recover(self) -> None:
        """Expired leases: ``claimed`` → pending; ``sending`` → pending or uncertain."""
        now = self.now()
        db = self.services.db
        async with db.transaction() as session:
            expired = (
                await session.execute(
                    select(Outbox.id, Outbox.channel, Outbox.status, Outbox.last_error).where(
                        Outbox.status.in_(("claimed", "sending")), Outbox.claimed_until < now
                    )
                )
            ).all()
            for row_id, channel, status, last_error in expired:
                sender = self.app.senders.get(channel)
                values: dict[str, Any] = {"status": "pending", "next_attempt_at": now}
                if status == "sending" and not (sender is not None and sender.idempotent):
                    if last_error == RESENT_AFTER_CRASH:  # cut by a crash twice: stop there
                        values = {"status": "uncertain", "last_error": UNCERTAIN_TWICE}
                        metrics.PUSHES.labels(channel, "uncertain").inc()
                        log.warning("outbox row uncertain", extra={"outbox_id": row_id})
                    else:
                        # At least once: a repeated "your result is ready" is harmless, a
                        # missing one is not. Sent once more, and marked so it is only once.
                        values["last_error"] = RESENT_AFTER_CRASH
                        self.resent_after_crash += 1
                        metrics.PUSHES.labels(channel, "resent_after_crash").inc()
                        log.warning("outbox row re-sent after a crash", extra={"outbox_id": row_id})
                await session.execute(
                    update(Outbox)
                    .where(Outbox.id == row_id, Outbox.status == status)
                    .values(claimed_until=None, **values)
                )

    async def claim(self) -> list[Outbox]:
        channels = self._channels()
        if not channels:
            return []
        now = self.now()
        db = self.services.db
        earlier = aliased(Outbox)
        due = select(Outbox.id).where(
            Outbox.status == "pending",
            Outbox.channel.in_(channels),
            or_(Outbox.attempts == 0, Outbox.next_attempt_at <= now),
            # One chat's pushes in order: a row waiting for a retry holds back newer ones.
            ~exists().where(
                earlier.channel == Outbox.channel,
                earlier.user_id == Outbox.user_id,
                earlier.id < Outbox.id,
                earlier.status.in_(("pending", "claimed", "sending")),
            ),
        )
        due = due.order_by(Outbox.id).limit(self.batch)
        if not db.is_sqlite:
            due = due.with_for_update(skip_locked=True)
        until = now + self.lease
        async with db.transaction() as session:
            rows = (
                (
                    await session.execute(
                        update(Outbox)
                        .where(Outbox.id.in_(due.scalar_subquery()))
                        .values(status="claimed", claimed_until=until)
                        .returning(Outbox)
                        .execution_options(synchronize_session=False)
                    )
                )
                .scalars()
                .all()
            )
        return sorted(rows, key=lambda r: r.id)

    async def deliver(self, row: Outbox) -> None:
        sender = self.app.senders.get(row.channel)
        db = self.services.db
        if sender is None or self._paused.get(row.channel, 0.0) > time.monotonic():
            await self._release(row)
            return
        reply = render(
            await self.app.dialogue.language_of(row.channel, row.user_id, strict=True),
            row.payload,
        )
        now = self.now()
        async with db.transaction() as session:
            started = await session.execute(
                update(Outbox)
                .where(
                    Outbox.id == row.id,
                    Outbox.status == "claimed",
                    Outbox.claimed_until == row.claimed_until,
                )
                .values(
                    status="sending", claimed_until=now + self.lease, attempts=Outbox.attempts + 1
                )
            )
        if rowcount(started) != 1:  # our lease expired and another worker took the row
            return
        attempts = row.attempts + 1
        try:
            key = row.dedup_key if sender.idempotent else None
            await sender.send(row.user_id, [reply], idempotency_key=key)
        except DeliveryError as exc:
            await self._failed(row, attempts, exc)
            return
        except Exception as exc:  # a bug in a sender: keep the row, retry later
            log.exception("outbox sender crashed", extra={"outbox_id": row.id})
            await self._failed(row, attempts, DeliveryError(type(exc).__name__))
            return
        await self.mark_sent(row)

    async def mark_sent(self, row: Outbox) -> None:
        async with self.services.db.transaction() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id == row.id, Outbox.status == "sending")
                .values(status="sent", sent_at=self.now(), claimed_until=None, last_error="")
            )
        metrics.PUSHES.labels(row.channel, "sent").inc()
        log.info("push sent", extra={"outbox_id": row.id, "kind": row.kind})

    async def _release(self, row: Outbox) -> None:
        async with self.services.db.transaction() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id == row.id, Outbox.status == "claimed")
                .values(status="pending", claimed_until=None)
            )

    async def _failed(self, row: Outbox, attempts: int, exc: DeliveryError) -> None:
        now = self.now()
        max_attempts = self.services.settings.outbox_max_attempts
        values: dict[str, Any] = {"claimed_until": None, "last_error": str(exc)[:500]}
        if exc.permanent or attempts >= max_attempts:
            metrics.PUSHES.labels(row.channel, "failed").inc()
            values["status"] = "failed"
            log.warning("push failed for good", extra={"outbox_id": row.id, "attempts": attempts})
        else:
            delay = max(backoff(attempts), exc.retry_after or 0.0)
            metrics.PUSHES.labels(row.channel, "retry").inc()
            values["status"] = "pending"
            values["next_attempt_at"] = now + timedelta(seconds=delay)
            if exc.retry_after and not exc.per_user:  # the platform's limit, for everyone
                self._paused[row.channel] = time.monotonic() + exc.retry_after
            log.info("push will be retried", extra={"outbox_id": row.id, "delay_s": delay})
        async with self.services.db.transaction() as session:
            await session.execute(
                update(Outbox)
                .where(and_(Outbox.id == row.id, Outbox.status == "sending"))
                .values(**values)
            )


async def run_dispatcher(app: App, stop: asyncio.Event) -> None:
    """Send pushes until ``stop`` is set; wakes early on ``services.outbox_wakeup``."""
    dispatcher = Dispatcher(app)
    wakeup = app.services.outbox_wakeup
    poll = app.services.settings.outbox_poll_seconds
    while not stop.is_set():
        wakeup.clear()
        try:
            handled = await dispatcher.run_once()
        except Exception:
            log.exception("outbox dispatcher pass failed")
            handled = 0
        if handled:
            continue
        waiters = [asyncio.ensure_future(wakeup.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()


def setup(web_app: web.Application, app: App) -> None:
    """Run the dispatcher for as long as the web application runs."""

    async def dispatcher_ctx(_web_app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(run_dispatcher(app, stop), name="outbox-dispatcher")
        yield
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)

    web_app.cleanup_ctx.append(dispatcher_ctx)
