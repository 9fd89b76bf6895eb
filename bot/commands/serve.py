"""``motcua serve``: HTTP server (webhooks, operator API, dashboard) and push dispatcher."""

from __future__ import annotations

import argparse
import asyncio

from bot.commands import add_db_option, settings_for


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the HTTP server, webhooks and push notifications")
    add_db_option(p)
    p.add_argument("--host", help="listen address (default: MOTCUA_HTTP_HOST)")
    p.add_argument("--port", type=int, help="listen port (default: MOTCUA_HTTP_PORT)")
    p.add_argument("--log-level", default=None, help="logging level")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import open_app
    from bot.server import create_web_app

    settings = settings_for(args)
    host = args.host or settings.http_host
    port = args.port or settings.http_port
    async with open_app(settings) as app:
        runner = web.AppRunner(create_web_app(app), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        print(f"listening on http://{host}:{port}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
    return 0
