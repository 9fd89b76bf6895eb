"""The durable inbox: every messenger update is in the database before the webhook says 200.

A messenger never re-delivers an update it got a 200 for, so an update queued only in memory
is lost when the process dies. The inbox closes that gap:

1. **put** — the webhook inserts the raw update keyed by ``(channel, delivery_id)``
   (insert-or-ignore: a re-delivery is recognised here) and only then answers 200. The row is
   leased to this process, which handles it at once from its in-memory queue.
2. **handle** — the dialogue stores its replies *in the row*, in the same transaction as the
   conversation state (:meth:`Inbox.save_replies`), then the runtime sends them and marks the row
   done. If the process dies between the two, the update is not handled twice: the replies are
   read back and sent (the only duplicates a crash can cause are replies whose send it cut).
3. **recover** — every process sweeps for rows whose lease expired (its owner died) and takes
   them, oldest first, never overtaking an earlier pending update of the same user that another
   live process holds. On PostgreSQL one sweeper per channel runs at a time (an advisory lock)
   and the claim uses ``FOR UPDATE SKIP LOCKED``; a live process renews its leases while it
   works, so a long wait for a rate-limited messenger is not mistaken for a crash.

An update that keeps killing its handler would come back forever. After :data:`MAX_ATTEMPTS`
started handlings it is taken again less and less often (:func:`postponement`), so the
channel serves everyone else between tries; once it is :data:`SET_ASIDE_AFTER` old it is set
aside as done, logged and counted. Age matters as well as the count because a handling is
counted when the process dies *during* it, and a process also dies from outside (a deploy, a
host restart, an operator's kill): on a loaded machine a quick series of such kills caught
the same innocent update in five handlings in a row, and a count alone set it aside.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from bot import metrics
from bot.db.batching import GroupCommit
from bot.db.engine import Database
from bot.db.models import InboxUpdate
from bot.messages import Ask, Button, Reply
from bot.owners import is_gone, process_owner

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 5
SET_ASIDE_AFTER = timedelta(minutes=10)
POSTPONE_MAX = timedelta(seconds=60)
SWEEP_BATCH = 200

_table = cast(Table, InboxUpdate.__table__)


def postponement(attempts: int) -> timedelta:
    """How long an update started ``attempts`` times waits before it is started again: nothing
    below :data:`MAX_ATTEMPTS`, then 2 s, 4 s, 8 s… up to :data:`POSTPONE_MAX`."""
    if attempts < MAX_ATTEMPTS:
        return timedelta(0)
    return min(POSTPONE_MAX, timedelta(seconds=2 ** min(attempts - MAX_ATTEMPTS + 1, 16)))


class Start(Enum):
    """What :meth:`Inbox.begin` decided for a row taken over after a stop."""

    HANDLE = "handle"  # go on: answer it
    SET_ASIDE = "set-aside"  # it keeps killing its handler: marked done, never answered
    LATER = "later"  # not now (postponed, behind an earlier update, or no longer ours): the
    # row stays pending and a sweep hands it out again; the caller must not mark it done


@dataclass(frozen=True, slots=True)
class Item:
    """One inbox row taken for handling."""

    id: int
    delivery_id: str
    user_id: str
    body: dict[str, Any]
    recovered: bool = False  # taken by the sweep, not straight from the webhook
    waited: bool = False  # it was postponed, and its time has come


def replies_to_json(replies: Iterable[Reply]) -> list[dict[str, Any]]:
    return [
        {
            "text": r.text,
            "title": r.title,
            "ask": r.ask.value if r.ask else None,
            "buttons": [[b.label, b.payload] for b in r.buttons],
        }
        for r in replies
    ]


def replies_from_json(rows: list[Any]) -> list[Reply]:
    return [
        Reply(
            text=str(r["text"]),
            title=r.get("title"),
            ask=Ask(r["ask"]) if r.get("ask") else None,
            buttons=tuple(Button(str(label), str(payload)) for label, payload in r["buttons"]),
        )
        for r in rows
    ]


class Inbox:
    """The inbox table, seen by one process (``owner``)."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        owner: str | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.clock = clock
        self.owner = owner or process_owner()
        self.lease = lease
        self._puts = GroupCommit(self._write_puts)
        c = _table.c
        self._insert = (
            db.insert_ignore(InboxUpdate)
            .values(
                channel=bindparam("channel"),
                delivery_id=bindparam("delivery_id"),
                user_id=bindparam("user_id"),
                body=bindparam("body", type_=c.body.type),
                received_at=bindparam("now", type_=c.received_at.type),
                owner=bindparam("owner"),
                lease_until=bindparam("lease_until", type_=c.lease_until.type),
                attempts=1,
            )
            .returning(c.id)
        )
        # "Is an earlier update of this user pending that this process does not hold?" Then
        # the new one must wait its turn in the sweep rather than overtake it.
        self._behind = select(
            exists().where(
                c.channel == bindparam("channel"),
                c.user_id == bindparam("user_id"),
                c.done_at.is_(None),
                c.id < bindparam("id"),
                or_(
                    c.owner.is_(None),
                    c.owner != bindparam("owner"),
                    c.lease_until < bindparam("now", type_=c.lease_until.type),
                ),
            )
        )

    # Intake -------------------------------------------------------------------------------
    async def put(
        self, channel: str, delivery_id: str, user_id: str, body: dict[str, Any]
    ) -> tuple[int | None, bool]:
        """Store an update; returns ``(id, handle_now)``. ``id`` is None for a re-delivery
        (already stored). ``handle_now`` is False when an earlier update of the same user is
        pending elsewhere: the sweep will hand this one out after it, in order. Updates
        arriving together are stored in one transaction (the webhook answers sooner)."""
        return await self._puts((channel, delivery_id[:128], user_id[:64], body))

    async def _write_puts(
        self, batch: list[tuple[str, str, str, dict[str, Any]]]
    ) -> list[tuple[int | None, bool]]:
        now = self.clock()
        results: list[tuple[int | None, bool]] = []
        async with self.db.begin() as conn:
            for channel, delivery_id, user_id, body in batch:
                new_id = (
                    await conn.execute(
                        self._insert,
                        {
                            "channel": channel,
                            "delivery_id": delivery_id,
                            "user_id": user_id,
                            "body": body,
                            "now": now,
                            "owner": self.owner,
                            "lease_until": now + self.lease,
                        },
                    )
                ).scalar()
                if new_id is None:
                    results.append((None, False))
                    continue
                args = {
                    "channel": channel,
                    "user_id": user_id,
                    "id": new_id,
                    "owner": self.owner,
                    "now": now,
                }
                behind = bool(await conn.scalar(self._behind, args))
                if behind:
                    await conn.execute(
                        update(_table)
                        .where(_table.c.id == new_id)
                        .values(owner=None, lease_until=None)
                    )
                results.append((int(new_id), not behind))
        return results

    # Recovery -----------------------------------------------------------------------------
    async def claim(self, channel: str, limit: int = SWEEP_BATCH) -> list[Item]:
        """Take pending rows nobody holds (their owner died, or they wait their turn), oldest
        first, never one whose user has an earlier pending row held by another live process."""
        now = self.clock()
        c = _table.c
        async with self.db.begin() as conn:
            holders = await conn.scalars(
                select(c.owner)
                .distinct()
                .where(c.channel == channel, c.done_at.is_(None), c.owner.is_not(None))
            )
            dead = [o for o in holders if o != self.owner and is_gone(o)]
            earlier = aliased(InboxUpdate)
            held_elsewhere = exists().where(
                earlier.channel == c.channel,
                earlier.user_id == c.user_id,
                earlier.done_at.is_(None),
                earlier.id < c.id,
                earlier.lease_until >= now,
                or_(
                    earlier.owner.is_(None),  # postponed: nobody holds it, and it goes first
                    (earlier.owner != self.owner) & earlier.owner.not_in(dead),
                ),
            )
            free = (
                # A postponed row is the only kind nobody holds that still has a lease time.
                select(c.id, (c.owner.is_(None) & c.lease_until.is_not(None)).label("waited"))
                .where(
                    c.channel == channel,
                    c.done_at.is_(None),
                    or_(c.lease_until.is_(None), c.lease_until < now, c.owner.in_(dead)),
                    ~held_elsewhere,
                )
                .order_by(c.id)
                .limit(limit)
            )
            if not self.db.is_sqlite:
                # One sweeper per channel at a time: two sweepers skipping each other's locked
                # rows could hand one user's updates to two processes out of order.
                got = await conn.scalar(
                    select(func.pg_try_advisory_xact_lock(zlib.crc32(f"inbox:{channel}".encode())))
                )
                if not got:
                    return []
                free = free.with_for_update(skip_locked=True)
            found = (await conn.execute(free)).all()
            if not found:
                return []
            ids = [r.id for r in found]
            waited = {r.id for r in found if r.waited}
            rows = (
                await conn.execute(
                    update(_table)
                    .where(c.id.in_(ids))
                    .values(owner=self.owner, lease_until=now + self.lease)
                    .returning(c.id, c.delivery_id, c.user_id, c.body)
                )
            ).all()
            rows = sorted(rows, key=lambda r: r.id)  # RETURNING promises no order
        return [
            Item(r.id, r.delivery_id, r.user_id, r.body, recovered=True, waited=r.id in waited)
            for r in rows
        ]

    async def begin(self, channel: str, item: Item) -> Start:
        """Decide whether a row taken over after a stop is started now, and count the start.

        * An earlier pending update of the same user that this process does not hold (one
          postponed, or waiting its turn) goes first: the row is given back (``LATER``).
        * A row started :data:`MAX_ATTEMPTS` times already waits :func:`postponement` before
          each further start (``LATER``), unless it has just waited; once it is also
          :data:`SET_ASIDE_AFTER` old it is set aside (``SET_ASIDE``).

        Counted when handling starts, not when the sweep claims: a process killed right after
        its start-up sweep never touched the rows it had claimed. Committed on its own, so the
        crash the handling may cause does not roll the count back.
        """
        c = _table.c
        now = self.clock()
        mine = (c.id == item.id, c.owner == self.owner, c.done_at.is_(None))
        async with self.db.begin() as conn:
            args = {
                "channel": channel,
                "user_id": item.user_id,
                "id": item.id,
                "owner": self.owner,
                "now": now,
            }
            if await conn.scalar(self._behind, args):
                await conn.execute(update(_table).where(*mine).values(owner=None, lease_until=None))
                return Start.LATER
            row = (await conn.execute(select(c.attempts, c.received_at).where(*mine))).first()
            if row is None:  # answered, or taken by another process after a lapsed lease
                return Start.LATER
            attempts, received = int(row.attempts), row.received_at
            if attempts >= MAX_ATTEMPTS and not item.waited:
                if received is not None and received.tzinfo is None:
                    received = received.replace(tzinfo=now.tzinfo)
                if received is None or now - received >= SET_ASIDE_AFTER:
                    await self._give_up(conn, item.id, now)
                    return Start.SET_ASIDE
                # The count is not yet proof (see the module's notes): start it again later,
                # while everyone else is served.
                await conn.execute(
                    update(_table)
                    .where(*mine)
                    .values(owner=None, lease_until=now + postponement(attempts))
                )
                metrics.INBOX_POSTPONED.inc()
                log.warning(
                    "inbox update postponed after repeated crashes",
                    extra={"inbox_id": item.id, "attempts": attempts},
                )
                return Start.LATER
            await conn.execute(update(_table).where(*mine).values(attempts=c.attempts + 1))
        return Start.HANDLE

    async def _give_up(self, conn: AsyncConnection, row_id: int, now: datetime) -> None:
        await conn.execute(
            update(_table).where(_table.c.id == row_id).values(done_at=now, owner=None)
        )
        metrics.INBOX_GIVEN_UP.inc()
        log.error("inbox update set aside after repeated crashes", extra={"inbox_id": row_id})

    async def renew(self, ids: Iterable[int]) -> None:
        """Extend the leases of rows this process is still working on."""
        await self._set(ids, mine=True, lease_until=self.clock() + self.lease)

    async def release(self, ids: Iterable[int]) -> None:
        """Give rows back unanswered (a clean stop, a full queue): the next sweep takes them."""
        await self._set(ids, mine=True, owner=None, lease_until=None)

    async def done(self, ids: Iterable[int]) -> None:
        """The updates were answered (or can never be): they leave the pending set."""
        await self._set(ids, mine=False, done_at=self.clock(), owner=None, lease_until=None)

    async def _set(self, ids: Iterable[int], *, mine: bool, **values: Any) -> None:
        """One UPDATE of rows ``ids`` (only those this process holds, if ``mine``)."""
        ids = list(ids)
        if not ids:
            return
        where: list[ColumnElement[bool]] = [_table.c.id.in_(ids)]
        if mine:
            where.append(_table.c.owner == self.owner)
        async with self.db.begin() as conn:
            await conn.execute(update(_table).where(*where).values(**values))

    async def backlog(self) -> dict[str, tuple[int, float]]:
        """Per channel: pending rows and the age in seconds of the oldest."""
        c = _table.c
        async with self.db.read() as session:
            rows = (
                await session.execute(
                    select(c.channel, func.count(), func.min(c.received_at))
                    .where(c.done_at.is_(None))
                    .group_by(c.channel)
                )
            ).all()
        now = self.clock()
        out: dict[str, tuple[int, float]] = {}
        for channel, count, oldest in rows:
            if oldest is not None and oldest.tzinfo is None:  # func.min bypasses the type
                oldest = oldest.replace(tzinfo=now.tzinfo)
            age = (now - oldest).total_seconds() if oldest is not None else 0.0
            out[channel] = (int(count), max(0.0, age))
        return out


# Used by the dialogue inside its own transaction ------------------------------------------
_load_replies = select(_table.c.replies).where(_table.c.id == bindparam("id"))
_save_replies = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"))
    .values(replies=bindparam("replies", type_=_table.c.replies.type))
)


async def stored_replies(conn: AsyncConnection, row_id: int) -> list[Reply] | None:
    """The replies saved for an update already handled (None if it was not)."""
    rows = await conn.scalar(_load_replies, {"id": row_id})
    return replies_from_json(rows) if rows is not None else None


async def save_replies(conn: AsyncConnection, row_id: int, replies: list[Reply]) -> None:
    await conn.execute(_save_replies, {"b_id": row_id, "replies": replies_to_json(replies)})


__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "POSTPONE_MAX",
    "SET_ASIDE_AFTER",
    "Inbox",
    "Item",
    "Start",
    "postponement",
    "replies_from_json",
    "replies_to_json",
    "save_replies",
    "stored_replies",
]
