"""``motcua serve``: HTTP server (webhooks, operator API, dashboard) and push dispatcher."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from bot.commands import add_db_option, run_until_signal, settings_for

if TYPE_CHECKING:
    from bot.app import App


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the HTTP server, webhooks and push notifications")
    add_db_option(p)
    p.add_argument("--host", help="listen address (default: MOTCUA_HTTP_HOST)")
    p.add_argument("--port", type=int, help="listen port (default: MOTCUA_HTTP_PORT)")
    p.add_argument("--log-level", default=None, help="logging level")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.server import create_web_app

    settings = settings_for(args)
    host = args.host or settings.http_host
    port = args.port or settings.http_port

    async def serve(app: App, stop: asyncio.Event) -> None:
        # SIGTERM (a service manager's stop) ends here cleanly: the channels finish what is
        # queued and hand what is left to the next process through the inbox.
        runner = web.AppRunner(create_web_app(app), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        print(f"listening on http://{host}:{port}", flush=True)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    return await run_until_signal(settings, "", serve)
