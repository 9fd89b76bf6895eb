"""PTB's transport on aiohttp: the real ``telegram.Bot`` against small servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.channels.telegram_http import AiohttpRequest
from tests.fake_telegram import TOKEN, FakeTelegram


def _bot(base_url: str, **kw: Any) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(**kw))


@asynccontextmanager
async def _connected(base_url: str, **kw: Any) -> AsyncIterator[Bot]:
    """A bot with its transport open but without ``getMe`` (the servers here may not answer it)."""
    bot = _bot(base_url, **kw)
    await bot.request.initialize()
    try:
        yield bot
    finally:
        await bot.request.shutdown()


def _api(
    method: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.Application:
    app = web.Application()
    app.router.add_post(f"/bot{{token}}/{method}", handler)
    return app


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_calls_go_as_json_and_results_are_parsed(fake: FakeTelegram) -> None:
    async with _bot(fake.base_url) as bot:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Tra cứu hồ sơ", callback_data="d")]]
        )
        message = await bot.send_message(
            42, "Xin chào <b>bạn</b>", parse_mode="HTML", reply_markup=keyboard
        )
    assert message.chat.id == 42 and message.text == "Xin chào bạn"
    (sent,) = fake.messages(42)
    assert sent.buttons == [("Tra cứu hồ sơ", "d")]


async def test_api_errors_keep_their_meaning(fake: FakeTelegram) -> None:
    async with _bot(fake.base_url) as bot:
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(42, "x" * 5000)


async def test_unreachable_api_is_a_network_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with _connected(f"http://127.0.0.1:{port}/bot") as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(42, "x")


async def test_slow_api_times_out() -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    async with TestServer(_api("sendChatAction", slow), host="127.0.0.1") as server:
        async with _connected(str(server.make_url("/bot")), read_timeout=0.2) as bot:
            with pytest.raises(TimedOut):
                await bot.send_chat_action(42, "typing")


async def test_files_go_as_multipart() -> None:
    received: dict[str, Any] = {}

    async def upload(request: web.Request) -> web.Response:
        form = await request.post()
        received["chat_id"] = form["chat_id"]
        document = form["document"]
        assert isinstance(document, web.FileField)
        received["file"] = (document.filename, document.file.read())
        return web.json_response(
            {
                "ok": True,
                "result": {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}},
            }
        )

    async with TestServer(_api("sendDocument", upload), host="127.0.0.1") as server:
        async with _connected(str(server.make_url("/bot"))) as bot:
            await bot.send_document(42, io.BytesIO(b"%PDF-1.7 phieu hen"), filename="phieu.pdf")
    assert received == {"chat_id": "42", "file": ("phieu.pdf", b"%PDF-1.7 phieu hen")}


async def test_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(f"{request.host}{request.path}")
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", proxy)
    async with TestServer(app, host="127.0.0.1") as server:
        for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", str(server.make_url("")))
        async with _connected("http://api.telegram.test/bot") as bot:
            assert await bot.send_chat_action(42, "typing") is True
    assert seen == [f"api.telegram.test/bot{TOKEN}/sendChatAction"]


async def test_not_initialised_is_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/", "POST")
