"""``/api/v1/pushes``: operators see the pushes that wait, failed or may not have arrived, and
send one again.

``GET /api/v1/pushes?status=pending|failed|uncertain|…&channel=…&limit=N`` lists outbox rows,
newest first, with the chat id masked and no message text (the payload may name a dossier);
``POST /api/v1/pushes/{id}/resend`` puts a ``failed`` or ``uncertain`` push back in the queue
with a fresh allowance of attempts and wakes the dispatcher. Both behind the operator token;
errors in the one body of ``bot.http.errors``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select, update

from bot.app import App
from bot.db.models import Outbox
from bot.handoff import mask_user
from bot.http.auth import require_operator
from bot.http.errors import ApiError, path_id, storable
from bot.http.metrics import OUTBOX_STATUSES

_APP = web.AppKey("pushes_app", App)
MAX_LIMIT = 1000
RESENDABLE = ("failed", "uncertain")
RESENT_BY_OPERATOR = "sent again by an operator"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _row(row: Outbox) -> dict[str, Any]:
    return {
        "id": row.id,
        "channel": row.channel,
        "user": mask_user(row.user_id),
        "kind": row.kind,
        "status": row.status,
        "attempts": row.attempts,
        "created_at": _iso(row.created_at),
        "next_attempt_at": _iso(row.next_attempt_at),
        "sent_at": _iso(row.sent_at),
        "last_error": row.last_error,
    }


async def list_pushes(request: web.Request) -> web.Response:
    app = request.app[_APP]
    await require_operator(request, app)
    status = request.query.get("status") or None
    if status is not None and status not in OUTBOX_STATUSES:
        raise ApiError(422, "bad_status", "status must be one of " + ", ".join(OUTBOX_STATUSES))
    raw_limit = request.query.get("limit", "100")
    # Short before int(): Python refuses to convert more than 4300 digits (a 500).
    digits = raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 6
    if not (digits and 1 <= int(raw_limit) <= MAX_LIMIT):
        raise ApiError(422, "bad_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    stmt = select(Outbox).order_by(Outbox.id.desc()).limit(int(raw_limit))
    if status is not None:
        stmt = stmt.where(Outbox.status == status)
    channel = request.query.get("channel")
    if channel and storable(channel) != channel:
        return web.json_response({"pushes": []})  # no channel's name holds a NUL
    if channel:
        stmt = stmt.where(Outbox.channel == channel[:32])
    async with app.services.db.read() as session:
        rows = (await session.scalars(stmt)).all()
    return web.json_response({"pushes": [_row(r) for r in rows]})


async def resend(request: web.Request) -> web.Response:
    app = request.app[_APP]
    await require_operator(request, app)
    push_id = path_id(request, what="push")
    now = app.services.clock()
    async with app.services.db.transaction() as session:
        row = await session.get(Outbox, push_id)
        if row is None:
            raise ApiError(404, "not_found", "no push with this id")
        if row.status not in RESENDABLE:
            raise ApiError(
                409, "conflict", f"only a failed or uncertain push is sent again, not {row.status}"
            )
        await session.execute(
            update(Outbox)
            .where(Outbox.id == push_id, Outbox.status.in_(RESENDABLE))
            .values(
                status="pending",
                attempts=0,
                next_attempt_at=now,
                claimed_until=None,
                last_error=RESENT_BY_OPERATOR,
            )
        )
    app.services.outbox_wakeup.set()
    return web.json_response({"id": push_id, "status": "pending"})


def setup(web_app: web.Application, app: App) -> None:
    web_app[_APP] = app
    web_app.router.add_get("/api/v1/pushes", list_pushes)
    web_app.router.add_post("/api/v1/pushes/{id}/resend", resend)
