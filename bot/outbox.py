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
   write lock and SQLite's own database lock. At most one row per chat is out at a time (its
   oldest unsent), which keeps each chat's pushes in order;
2. for each row, commits ``claimed`` → ``sending`` (a fresh lease) *immediately before* the
   platform call, sends, and commits ``sent``;
3. on :class:`~bot.channels.base.DeliveryError`, puts the row back to ``pending`` with
   exponential backoff (or the platform's ``retry_after`` if longer, also pausing that channel),
   and gives up (``failed``) when permanent or after ``settings.outbox_max_attempts``.

Fan-out (one change followed by thousands of chats) runs at the messenger's own limit: each
channel has its own pump (:meth:`Dispatcher.pump`), so a slow channel never holds back another,
keeping up to ``PARALLEL`` pushes in flight and claiming more in handfuls as they finish. The
pace is the channel's :class:`~bot.channels.ratelimit.OutgoingLimiter`: a push waits there for
its slot while its row is still ``claimed``, and the limiter runs the outbox's start step
(:func:`~bot.channels.ratelimit.on_push_start`) when the message really leaves, which commits
``sending`` — so step 2's "immediately before" holds however long the wait. A sender not seen
to run that step (no limiter: a test double, the console) is sent to one row at a time, with
``sending`` committed before the call, as always. ``sending`` and ``sent`` are written by one
transaction for all the pushes ready at the same moment, and the subscribers' languages are
read with the claim.

Restarts and crashes: a row whose lease expired tells what the dead worker was doing. A claim
names its process (:mod:`bot.owners`), so a worker gone from this host loses its rows at once
rather than when the lease runs out: a restart after a crash pushes at start-up.
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
import functools
import hashlib
import logging
import math
import time
from asyncio import FIRST_COMPLETED
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from sqlalchemy import and_, case, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import metrics
from bot.channels import ratelimit
from bot.channels.base import DeliveryError
from bot.db.batching import GroupCommit
from bot.db.engine import insert_ignore, rowcount
from bot.db.models import Conversation, Outbox, Subscription, utcnow
from bot.i18n import t
from bot.messages import Button, Reply
from bot.owners import is_gone, process_owner

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
_T = TypeVar("_T")

LEASE = timedelta(seconds=60)
BATCH = 50
# Pushes of one channel in flight at once (each waits for its slot in the channel's limiter):
# at most PARALLEL, and about what the channel finishes in AHEAD seconds (measured over the
# last RATE_SPAN seconds) plus AHEAD_MIN, so its budget is always used and few wait.
PARALLEL = 48
AHEAD = 0.5
AHEAD_MIN = 4
RATE_SPAN = 2.0
SHORT_CLAIM_PAUSE = 0.25  # seconds between claims of a pump that found little due
STOP_GRACE_SECONDS = 5.0  # on shutdown, pushes already on their way may finish this long
INSERT_CHUNK = 500  # outbox rows per INSERT when one change notifies many chats
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
    """One outbox row per chat following ``dossier_code``; returns how many were queued.

    Written as multi-row INSERTs: a change followed by ten thousand chats takes a fraction of
    a second in the event's transaction, not ten thousand statements."""
    if "key" not in payload:
        raise ValueError("outbox payload needs a Fluent message key")
    subs = (
        await session.execute(
            select(Subscription.channel, Subscription.user_id)
            .where(Subscription.dossier_code == dossier_code)
            .order_by(Subscription.id)
        )
    ).all()
    at = now or utcnow()
    rows = [
        {
            "dedup_key": _key(f"{dedup_base}:{channel}:{user_id}"),
            "channel": channel,
            "user_id": user_id,
            "kind": kind[:32],
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": at,
            "created_at": at,
            "last_error": "",
        }
        for channel, user_id in subs
    ]
    if not rows:
        return 0
    # One statement, many parameter sets: SQLAlchemy sends them as multi-row INSERTs it
    # compiles once. RETURNING counts what was new on every backend (a retried event: none).
    result = await session.execute(
        insert_ignore(session, Outbox).returning(Outbox.id),
        rows,
        execution_options={"insertmanyvalues_page_size": INSERT_CHUNK},
    )
    return len(result.all())


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


class _Released(Exception):
    """A push handed back before it left: the dispatcher is stopping, or the lease was lost."""

    def __init__(self, *, lease_lost: bool = False) -> None:
        super().__init__("lease lost" if lease_lost else "dispatcher stopping")
        self.lease_lost = lease_lost


@dataclass(eq=False)
class _Attempt:
    """One delivery of one row: the status this worker holds it in."""

    row: Outbox
    status: str = "claimed"
    reached: bool = False  # the sender's limiter ran our start step


def _marking(
    write: Callable[[list[_T]], Awaitable[set[int]]], key: Callable[[_T], int]
) -> Callable[[list[_T]], Awaitable[list[bool]]]:
    """A batch write that returns the ids of the rows it wrote, as each item's own answer:
    was its row written?"""

    async def marked(batch: list[_T]) -> list[bool]:
        written = await write(batch)
        return [key(item) in written for item in batch]

    return marked


class Dispatcher:
    """Claims due outbox rows and sends them; safe to run in several workers at once."""

    def __init__(
        self,
        app: App,
        *,
        batch: int = BATCH,
        lease: timedelta = LEASE,
        parallel: int = PARALLEL,
        owner: str | None = None,
    ) -> None:
        self.app = app
        self.owner = owner or process_owner()
        self.services = app.services
        self.batch = batch
        self.lease = lease
        self.parallel = parallel
        self.stopping = False  # set on shutdown: rows not yet on their way go back to pending
        self._paused: dict[str, float] = {}  # channel → monotonic time it may send again
        # Channels whose sender paces pushes with an OutgoingLimiter (seen running our start
        # step): their rows go concurrently and commit "sending" only once their slot came.
        self._limited: set[str] = set()
        # Each subscriber's language, read with the claim (one query, not one per push).
        self._languages: dict[tuple[str, str], str] = {}
        # "sending" and "sent" are written for every push ready at the same moment at once.
        self._start_group = GroupCommit(_marking(self._write_sending, lambda a: a.row.id))
        self._sent_group = GroupCommit(_marking(self._write_sent, lambda r: r.id))
        self.resent_after_crash = 0  # pushes sent again because a crash cut their first send

    def now(self) -> datetime:
        return self.services.clock()

    def channels(self) -> list[str]:
        """Channels with a sender that are not paused by a ``retry_after``."""
        mono = time.monotonic()
        return [c for c in self.app.senders if self._paused.get(c, 0.0) <= mono]

    async def run_once(self) -> int:
        """Recover expired leases, claim a batch and send it; returns rows handled."""
        await self.recover()
        rows = await self.claim()
        await self.deliver_all(rows)
        return len(rows)

    async def deliver_all(self, rows: list[Outbox]) -> None:
        """Rows of limited channels concurrently (their limiter sets the pace), the others one
        after another, in order, as a channel without a limiter was always sent."""
        serial = [r for r in rows if r.channel not in self._limited]

        async def in_turn() -> None:
            for row in serial:
                await self.deliver(row)

        results = await asyncio.gather(
            in_turn(),
            *(self.deliver(r) for r in rows if r.channel in self._limited),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def pump(self, channel: str, poke: asyncio.Event) -> None:
        """Keep up to ``parallel`` pushes of ``channel`` in flight (one until its sender is seen
        to pace itself), claiming more as they finish, until nothing is due: a slow channel
        never holds back another, and the platform's budget is never left idle while rows wait.
        ``poke`` set while it runs means "new rows may be due: look again before stopping"."""
        inflight: set[asyncio.Task[None]] = set()
        finished: deque[float] = deque()  # when the pushes of the last RATE_SPAN s finished
        next_claim = 0.0
        try:
            while True:
                poke.clear()
                limit = self._in_flight_limit(channel, finished)
                room = limit - len(inflight)
                # Claim in handfuls, not one row per finished push: a claim is a query. After
                # a short handful (little is due, or chats wait behind their older rows) the
                # next claim waits a moment unless everything in flight is done.
                mono = time.monotonic()
                if (
                    not self.stopping
                    and room > 0
                    and (not inflight or (room * 2 >= limit and mono >= next_claim))
                ):
                    try:
                        rows = await self.claim([channel], limit=room)
                    except Exception:  # the database hiccuped: finish what is in flight
                        log.exception("outbox claim failed", extra={"channel": channel})
                        rows = []
                    if len(rows) < room:
                        next_claim = mono + SHORT_CLAIM_PAUSE
                    for row in rows:
                        inflight.add(asyncio.create_task(self.deliver(row)))
                if not inflight:
                    if poke.is_set() and not self.stopping:
                        continue
                    return
                done, inflight = await asyncio.wait(
                    inflight,
                    timeout=max(0.0, next_claim - time.monotonic()) or None,
                    return_when=FIRST_COMPLETED,
                )
                mono = time.monotonic()
                for task in done:
                    finished.append(mono)
                    if not task.cancelled() and task.exception() is not None:
                        log.error("outbox delivery failed", exc_info=task.exception())
        finally:
            for task in inflight:  # cancelled on shutdown: rows in flight recover by lease
                task.cancel()
            await asyncio.gather(*inflight, return_exceptions=True)

    def _in_flight_limit(self, channel: str, finished: deque[float]) -> int:
        """Pushes of ``channel`` to keep in flight: one until its sender is seen to pace
        itself; then what its pace finishes in ``AHEAD`` seconds, plus a few. Enough to keep
        the limiter busy, and no more: a push waiting for its slot holds its chat's lock, so
        that citizen's own answers would wait behind it."""
        if channel not in self._limited:
            return 1
        edge = time.monotonic() - RATE_SPAN
        while finished and finished[0] < edge:
            finished.popleft()
        return min(self.parallel, AHEAD_MIN + math.ceil(len(finished) / RATE_SPAN * AHEAD))

    async def recover(self) -> None:
        """Expired leases, and the claims of a process gone from this host (a restart after a
        crash pushes at once): ``claimed`` → pending; ``sending`` → pending or uncertain."""
        now = self.now()
        db = self.services.db
        async with db.transaction() as session:
            held = Outbox.status.in_(("claimed", "sending"))
            holders = await session.scalars(
                select(Outbox.owner).distinct().where(held, Outbox.owner.is_not(None))
            )
            dead = [o for o in holders if o is not None and o != self.owner and is_gone(o)]
            expired = (
                await session.execute(
                    select(Outbox.id, Outbox.channel, Outbox.status, Outbox.last_error).where(
                        held, or_(Outbox.claimed_until < now, Outbox.owner.in_(dead))
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
                    .values(claimed_until=None, owner=None, **values)
                )

    async def claim(
        self, channels: list[str] | None = None, *, limit: int | None = None
    ) -> list[Outbox]:
        """Take up to ``limit`` (default: the batch) due rows of ``channels`` (default: every
        unpaused channel with a sender): at most one per chat, the chat's oldest unsent."""
        mono = time.monotonic()
        wanted = self.channels() if channels is None else channels
        wanted = [c for c in wanted if self._paused.get(c, 0.0) <= mono]
        if not wanted:
            return []
        now = self.now()
        db = self.services.db
        earlier = aliased(Outbox)
        due = select(Outbox.id).where(
            Outbox.status == "pending",
            Outbox.channel.in_(wanted),
            or_(Outbox.attempts == 0, Outbox.next_attempt_at <= now),
            # One chat's pushes in order: a row waiting for a retry holds back newer ones.
            ~exists().where(
                earlier.channel == Outbox.channel,
                earlier.user_id == Outbox.user_id,
                earlier.id < Outbox.id,
                earlier.status.in_(("pending", "claimed", "sending")),
            ),
        )
        # Most overdue first, in the order of the (status, next_attempt_at) index, so the
        # scan stops after ``limit`` rows; ordering by id made it read and sort every pending
        # row (10,000 after a big change) on each claim. Rows of one event share their time,
        # and id breaks ties; one chat's order is kept by the condition above, not by this.
        due = due.order_by(Outbox.next_attempt_at, Outbox.id).limit(limit or self.batch)
        if not db.is_sqlite:
            due = due.with_for_update(skip_locked=True)
        until = now + self.lease
        async with db.transaction() as session:
            rows = (
                (
                    await session.execute(
                        update(Outbox)
                        .where(Outbox.id.in_(due.scalar_subquery()))
                        .values(status="claimed", claimed_until=until, owner=self.owner)
                        .returning(Outbox)
                        .execution_options(synchronize_session=False)
                    )
                )
                .scalars()
                .all()
            )
            if rows:  # in the claim's transaction: if it fails, nothing was claimed
                await self._read_languages(session, rows)
        return sorted(rows, key=lambda r: r.id)

    async def _read_languages(self, session: AsyncSession, rows: Sequence[Outbox]) -> None:
        """The language each subscriber chose (the default for those who never chose)."""
        default = self.services.settings.default_language
        for row in rows:
            self._languages[(row.channel, row.user_id)] = default
        for channel in {r.channel for r in rows}:
            users = [r.user_id for r in rows if r.channel == channel]
            chosen = await session.execute(
                select(Conversation.user_id, Conversation.language).where(
                    Conversation.channel == channel, Conversation.user_id.in_(users)
                )
            )
            for user_id, lang in chosen:
                if lang:
                    self._languages[(channel, user_id)] = lang

    async def deliver(self, row: Outbox) -> None:
        sender = self.app.senders.get(row.channel)
        lang = self._languages.pop((row.channel, row.user_id), None)
        if sender is None or self.stopping or self._paused.get(row.channel, 0.0) > time.monotonic():
            await self._release(row)
            return
        if lang is None:  # a row claimed by a caller of claim() that bypassed the read
            lang = await self.app.dialogue.language_of(row.channel, row.user_id, strict=True)
        reply = render(lang, row.payload)
        attempt = _Attempt(row)
        # Without a limiter seen to run our start step, "sending" is committed here, right
        # before the call; with one, at the moment the message leaves (after every wait), so
        # a crash while it waits for its slot does not count as "may have been sent".
        if row.channel not in self._limited and not await self._start_sending(attempt):
            return  # our lease expired and another worker took the row
        attempts = row.attempts + 1
        try:
            key = row.dedup_key if sender.idempotent else None
            with ratelimit.on_push_start(functools.partial(self._on_start, attempt)):
                await sender.send(row.user_id, [reply], idempotency_key=key)
        except _Released as exc:
            if not exc.lease_lost:
                await self._release(row)
            return
        except DeliveryError as exc:
            await self._failed(row, attempts, exc)
            return
        except Exception as exc:  # a bug in a sender: keep the row, retry later
            log.exception("outbox sender crashed", extra={"outbox_id": row.id})
            await self._failed(row, attempts, DeliveryError(type(exc).__name__))
            return
        finally:
            if attempt.reached:
                self._limited.add(row.channel)
        await self.mark_sent(row)

    async def _on_start(self, attempt: _Attempt) -> None:
        """The limiter's start step: the message leaves now; commit "sending" if not yet."""
        attempt.reached = True
        if attempt.status == "sending":  # committed before the call, or an earlier part's
            return
        if self.stopping:
            raise _Released()
        if not await self._start_sending(attempt):
            raise _Released(lease_lost=True)

    async def _start_sending(self, attempt: _Attempt) -> bool:
        """``claimed`` → ``sending`` with a fresh lease; False when the lease was lost."""
        if not await self._start_group(attempt):
            return False
        attempt.status = "sending"
        return True

    async def _write_sending(self, attempts: list[_Attempt]) -> set[int]:
        """One transaction for the pushes leaving now; the ids whose lease still held."""
        now = self.now()
        by_lease: dict[datetime | None, list[int]] = {}
        for attempt in attempts:
            by_lease.setdefault(attempt.row.claimed_until, []).append(attempt.row.id)
        started: set[int] = set()
        async with self.services.db.begin() as conn:
            for until, ids in by_lease.items():
                result = await conn.execute(
                    update(Outbox)
                    .where(
                        Outbox.id.in_(ids),
                        Outbox.status == "claimed",
                        Outbox.claimed_until == until,
                    )
                    .values(
                        status="sending",
                        claimed_until=now + self.lease,
                        attempts=Outbox.attempts + 1,
                    )
                    .returning(Outbox.id)
                )
                started.update(result.scalars())
        return started

    async def mark_sent(self, row: Outbox) -> None:
        await self._sent_group(row)
        metrics.PUSHES.labels(row.channel, "sent").inc()
        log.info("push sent", extra={"outbox_id": row.id, "kind": row.kind})

    async def _write_sent(self, rows: list[Outbox]) -> set[int]:
        # "claimed" too: a limited sender that sent without running the start step (its
        # attempt is counted here).
        async with self.services.db.begin() as conn:
            await conn.execute(
                update(Outbox)
                .where(
                    Outbox.id.in_([r.id for r in rows]),
                    Outbox.status.in_(("claimed", "sending")),
                )
                .values(
                    status="sent",
                    sent_at=self.now(),
                    claimed_until=None,
                    owner=None,
                    last_error="",
                    attempts=case(
                        (Outbox.status == "claimed", Outbox.attempts + 1), else_=Outbox.attempts
                    ),
                )
            )
        return {r.id for r in rows}

    async def _release(self, row: Outbox) -> None:
        async with self.services.db.transaction() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id == row.id, Outbox.status == "claimed")
                .values(status="pending", claimed_until=None, owner=None)
            )

    async def _failed(self, row: Outbox, attempts: int, exc: DeliveryError) -> None:
        now = self.now()
        max_attempts = self.services.settings.outbox_max_attempts
        values: dict[str, Any] = {
            "claimed_until": None,
            "last_error": str(exc)[:500],
            "attempts": attempts,  # also when it failed before "sending" (e.g. not connected)
        }
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
                .where(and_(Outbox.id == row.id, Outbox.status.in_(("claimed", "sending"))))
                .values(**values)
            )


async def run_dispatcher(app: App, stop: asyncio.Event) -> None:
    """Send pushes until ``stop`` is set; wakes early on ``services.outbox_wakeup``.

    Every tick (``outbox_poll_seconds``, or at once when woken) recovers expired leases and
    makes sure each channel with due rows has a :meth:`Dispatcher.pump` running."""
    dispatcher = Dispatcher(app)
    wakeup = app.services.outbox_wakeup
    poll = app.services.settings.outbox_poll_seconds
    pumps: dict[str, asyncio.Task[None]] = {}
    pokes: dict[str, asyncio.Event] = {}
    try:
        while not stop.is_set():
            wakeup.clear()
            try:
                await dispatcher.recover()
            except Exception:
                log.exception("outbox recovery failed")
            for channel in dispatcher.channels():
                poke = pokes.setdefault(channel, asyncio.Event())
                poke.set()
                task = pumps.get(channel)
                if task is None or task.done():
                    if task is not None and not task.cancelled() and task.exception():
                        log.error("outbox pump failed", exc_info=task.exception())
                    pumps[channel] = asyncio.create_task(
                        dispatcher.pump(channel, poke), name=f"outbox-{channel}"
                    )
            waiters = [asyncio.ensure_future(wakeup.wait()), asyncio.ensure_future(stop.wait())]
            try:
                await asyncio.wait(waiters, timeout=poll, return_when=FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()
    finally:
        # Pushes already on their way finish; the others go back to pending (or, past the
        # grace, keep their lease and are recovered by the next worker).
        dispatcher.stopping = True
        running = [t for t in pumps.values() if not t.done()]
        if running:
            _, late = await asyncio.wait(running, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)


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
