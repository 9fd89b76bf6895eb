"""The operators' web application (``/operator/``): accounts and sessions, the inspection
dashboard, CSV downloads, the officers' answers to citizens (``tickets``), the bot's usage
figures (``analytics``) and the aliases admins add (``aliases``). ``setup`` is the
server's feature hook (``bot.server``)."""

from __future__ import annotations

from aiohttp.web import Application

from bot.app import App
from bot.http.operator import aliases, analytics, tickets
from bot.http.operator.web import setup as pages_setup


def setup(web_app: Application, app: App) -> None:
    views = pages_setup(web_app, app)
    tickets.setup(web_app, views)
    analytics.setup(web_app, views)
    aliases.setup(web_app, views)


__all__ = ["setup"]
