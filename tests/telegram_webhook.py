"""The real server's Telegram webhook in front of the fake Bot API, one turn at a time (shared
by the reliability tests that go through the whole channel: hostile input, log privacy)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import App, build_dialogue
from bot.channels import telegram as tg
from bot.server import create_web_app
from tests.conftest import unpace
from tests.fake_telegram import TOKEN, FakeTelegram, Sent

SECRET = "reliability-webhook-secret"


class TelegramWebhook:
    """Posts updates to ``/telegram/webhook`` and returns what the fake Bot API accepted."""

    def __init__(self, client: TestClient[web.Request, web.Application], fake: FakeTelegram):
        self.client = client
        self.fake = fake
        self.channel = client.app[tg.CHANNEL_KEY]

    async def turn(self, user: int, update: dict[str, Any]) -> list[Sent]:
        """One update, acknowledged with 200; the messages sent to ``user`` for it."""
        before = len(self.fake.messages(user))
        done = self.channel.completed
        resp = await self.client.post(
            tg.WEBHOOK_PATH, json=update, headers={tg.SECRET_HEADER: SECRET}
        )
        assert resp.status == 200, await resp.text()

        def handled() -> bool:
            return bool(self.channel.completed > done)

        await self.fake.wait_for(handled)
        return self.fake.messages(user)[before:]

    def refused(self) -> list[Any]:
        """Calls the fake refused (too long, bad HTML, bad callback_data…)."""
        return [c for c in self.fake.calls if c.status != 200]


@asynccontextmanager
async def telegram_webhook(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TelegramWebhook]:
    """The server with the Telegram channel only, on ``app``'s database and clock."""
    unpace(monkeypatch)  # Telegram's pacing is not what these tests check
    async with FakeTelegram() as fake:
        settings = app.services.settings.model_copy(
            update={
                "telegram_token": SecretStr(TOKEN),
                "telegram_base_url": fake.base_url,
                "telegram_webhook_secret": SecretStr(SECRET),
                "public_url": "https://bot.example.org",
            }
        )
        svc = dataclasses.replace(app.services, settings=settings)
        tg_app = App(services=svc, dialogue=build_dialogue(svc))
        web_app = create_web_app(tg_app, features=("bot.channels.telegram",))
        async with TestClient(TestServer(web_app)) as client:
            yield TelegramWebhook(client, fake)
