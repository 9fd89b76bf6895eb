"""The aiohttp server: health, operator API, dashboard, webhooks; background work via cleanup_ctx.

Each feature contributes a module with ``setup(web_app: web.Application, app: App)`` that adds
routes and, through ``web_app.cleanup_ctx``, starts and stops its background tasks, so that the
server, tests and benchmarks all start the same things the same way.
"""

from __future__ import annotations

import importlib
import logging

from aiohttp import web
from sqlalchemy import text

from bot.app import App

log = logging.getLogger(__name__)

APP_KEY = web.AppKey("bot", App)
FEATURE_MODULES = (
    "bot.http.metrics",
    "bot.http.events",
    "bot.http.postal",
    "bot.http.pushes",
    "bot.http.dashboard",
    "bot.http.operator",
    "bot.outbox",
    "bot.retention",
    "bot.channels.telegram",
    "bot.channels.zalo_oa",
    "bot.channels.zalo_bot",
)


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP_KEY]
    try:
        async with app.services.db.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unavailable")
        return web.json_response({"status": "error", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "procedures": len(app.services.catalogue.index)})


def create_web_app(app: App, *, features: tuple[str, ...] = FEATURE_MODULES) -> web.Application:
    web_app = web.Application(client_max_size=1024 * 1024)
    web_app[APP_KEY] = app
    web_app.router.add_get("/healthz", healthz)
    for name in features:
        # A misspelled feature must fail loudly, never be skipped.
        importlib.import_module(name).setup(web_app, app)
    return web_app
