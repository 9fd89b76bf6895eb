"""The operators' web application (``/operator/``): accounts and sessions, the inspection
dashboard, CSV downloads, the officers' answers to citizens (``tickets``). ``setup`` is the
server's feature hook (``bot.server``)."""

from __future__ import annotations

from aiohttp.web import Application

from bot.app import App
from bot.http.operator import tickets
from bot.http.operator.web import setup as pages_setup


def setup(web_app: Application, app: App) -> None:
    tickets.setup(web_app, pages_setup(web_app, app))


__all__ = ["setup"]
