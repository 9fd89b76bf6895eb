"""``GET /metrics``: Prometheus text format, and a latency histogram for every HTTP route.

Served without authentication, like ``/healthz``: the figures hold no personal data, and the
path is meant for the internal network (keep it off the public reverse proxy).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from bot import metrics
from bot.app import App
from bot.db.models import Outbox
from bot.inbox import Inbox

_APP = web.AppKey("metrics_app", App)
OUTBOX_STATUSES = ("pending", "claimed", "sending", "sent", "failed", "uncertain")


async def read_outbox(app: App) -> None:
    """Outbox rows by status and the oldest pending push's age, from the database."""
    async with app.services.db.read() as session:
        counts = await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
        rows = {status: n for status, n in counts.all()}
        oldest = await session.scalar(
            select(func.min(Outbox.created_at)).where(Outbox.status == "pending")
        )
    for status in OUTBOX_STATUSES:
        metrics.OUTBOX_ROWS.labels(status).set(rows.get(status, 0))
    age = (app.services.clock() - oldest).total_seconds() if oldest is not None else 0.0
    metrics.OUTBOX_OLDEST_PENDING.set(max(0.0, age))


async def read_inbox(app: App) -> None:
    """Updates stored but not yet answered, and the oldest one's age, per channel."""
    backlog = await Inbox(app.services.db, app.services.clock, owner="metrics").backlog()
    for channel in set(backlog) | set(app.senders):
        count, age = backlog.get(channel, (0, 0.0))
        metrics.INBOX_PENDING.labels(channel).set(count)
        metrics.INBOX_OLDEST.labels(channel).set(age)


async def serve_metrics(request: web.Request) -> web.Response:
    app = request.app[_APP]
    try:
        await read_outbox(app)
        await read_inbox(app)
    except Exception:  # the database is down: the process's own counters are still worth having
        metrics.OUTBOX_ROWS.clear()
        metrics.INBOX_PENDING.clear()
        metrics.INBOX_OLDEST.clear()
    body = generate_latest()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Observe every request's latency by route (the route's pattern, never the raw path)."""
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        metrics.REQUEST_SECONDS.labels(route, request.method, str(status)).observe(
            time.perf_counter() - start
        )


def setup(web_app: web.Application, app: App) -> None:
    web_app[_APP] = app
    web_app.middlewares.append(timed)
    web_app.router.add_get("/metrics", serve_metrics)
