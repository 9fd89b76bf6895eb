"""The operators' web application (``/operator/``): accounts and sessions, the inspection
dashboard, CSV downloads, the officers' answers to citizens (``tickets``), the bot's usage
figures (``analytics``), and the aliases and lexicon admins edit (``aliases``, ``lexicon``),
which every worker picks up (``vocabulary``). ``setup`` is the server's feature hook
(``bot.server``)."""

from __future__ import annotations

from aiohttp.web import AppKey, Application

from bot.app import App
from bot.http.operator import aliases, analytics, lexicon, tickets, vocabulary
from bot.http.operator.web import setup as pages_setup

#: This server's watcher of the database words (tests read it to check a worker's revision).
VOCABULARY_KEY = AppKey("operator_vocabulary", vocabulary.Vocabulary)


def setup(web_app: Application, app: App) -> None:
    views = pages_setup(web_app, app)
    words = vocabulary.Vocabulary(app.services)
    web_app[VOCABULARY_KEY] = words
    vocabulary.setup(web_app, words)
    tickets.setup(web_app, views)
    analytics.setup(web_app, views)
    aliases.setup(web_app, views, words)
    lexicon.setup(web_app, views, words)


__all__ = ["VOCABULARY_KEY", "setup"]
