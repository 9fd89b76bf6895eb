"""The Telegram channel end to end: the real python-telegram-bot client against a fake Bot API.

Every conversation script runs through the webhook route of our aiohttp server and through long
polling; the replies checked are the ones the fake Bot API accepted (so they also passed its
limits: 4096 characters, 64-byte callback_data, parseable HTML).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import importlib.util
import itertools
import socket
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from telegram.error import NetworkError

import bot.channels.telegram as tg
from bot.app import App, build_dialogue
from bot.channels.base import DeliveryError
from bot.channels.telegram import (
    CHANNEL_KEY,
    SECRET_HEADER,
    WEBHOOK_PATH,
    TelegramChannel,
    render,
    split_text,
    utf16_len,
)
from bot.commands import qr
from bot.commands.telegram import run_polling
from bot.messages import Button, Incoming, Reply
from bot.server import create_web_app
from bot.services import Services
from lookup.deeplink import decode_start_payload, encode_start_payload
from tests.fake_telegram import (
    TOKEN,
    FakeTelegram,
    Sent,
    callback_update,
    message_update,
    parse_html,
)
from tests.scripts import DEMO_CODE, SCRIPTS

SECRET = "test-webhook-secret_1"
PUBLIC_URL = "https://bot.example.org"
Client = TestClient[web.Request, web.Application]
_update_ids = itertools.count(10_000)
_users = itertools.count(700_000_001)

# Scripts that exercise a feature another module provides: skipped (not xfailed) until it exists.
SCRIPT_NEEDS = {"dossier_status": "handlers.dossiers"}


def skip_if_feature_missing(name: str) -> None:
    module = SCRIPT_NEEDS.get(name) or ("handlers.postal" if "postal" in name else None)
    if module and importlib.util.find_spec(module) is None:
        pytest.skip(f"script {name!r} needs {module}, which is not in this build yet")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(poll_cap=0.5) as server:
        yield server


@pytest.fixture
def tg_app(services: Services, fake: FakeTelegram) -> App:
    settings = services.settings.model_copy(
        update={
            "telegram_token": SecretStr(TOKEN),
            "telegram_base_url": fake.base_url,
            "telegram_webhook_secret": SecretStr(SECRET),
            "telegram_bot_username": "motcua_test_bot",
            "public_url": PUBLIC_URL,
        }
    )
    svc = dataclasses.replace(services, settings=settings)
    return App(services=svc, dialogue=build_dialogue(svc))


@pytest.fixture
async def client(tg_app: App) -> AsyncIterator[Client]:
    web_app = create_web_app(tg_app, features=("bot.channels.telegram",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


def channel_of(client: Client) -> TelegramChannel:
    return client.app[CHANNEL_KEY]


class Driver:
    """Sends one update at a time and returns the messages the fake accepted for that turn."""

    def __init__(
        self,
        fake: FakeTelegram,
        channel: Callable[[], TelegramChannel],
        deliver: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        self.fake = fake
        self.channel = channel
        self.deliver = deliver

    async def turn(self, user: int, update: dict[str, Any]) -> list[Sent]:
        before = len(self.fake.messages(user))
        done = self.channel().completed
        await self.deliver(update)
        await self.fake.wait_for(lambda: self.channel().completed > done)
        return self.fake.messages(user)[before:]


def webhook_driver(fake: FakeTelegram, client: Client) -> Driver:
    async def deliver(update: dict[str, Any]) -> None:
        resp = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert resp.status == 200, await resp.text()

    return Driver(fake, lambda: channel_of(client), deliver)


async def run_script(name: str, driver: Driver, user: int) -> None:
    last: list[Sent] = []
    for i, (said, expected) in enumerate(SCRIPTS[name]):
        if said.startswith("press:"):
            n = int(said.split(":")[1])
            data = [d for sent in last for _, d in sent.buttons]
            assert len(data) >= n, f"step {i}: no button {n} in {data}"
            update = callback_update(next(_update_ids), user, data[n - 1])
        else:
            update = message_update(next(_update_ids), user, said)
        last = await driver.turn(user, update)
        # What the user sees: the messages and their button labels (as the console prints).
        text = "\n\n".join("\n".join([s.text, *(label for label, _ in s.buttons)]) for s in last)
        for piece in expected:
            assert piece in text, f"step {i} {said!r}: {piece!r} not in {text!r}"


# The conversation scripts ----------------------------------------------------------------


@pytest.mark.usefixtures("unpaced")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_script_via_webhook(name: str, fake: FakeTelegram, client: Client) -> None:
    skip_if_feature_missing(name)
    await run_script(name, webhook_driver(fake, client), next(_users))
    assert not [c for c in fake.calls if c.status != 200], "the fake refused a call"


@pytest.fixture
async def polling(tg_app: App, fake: FakeTelegram) -> AsyncIterator[TelegramChannel]:
    fake.webhook = {"url": "https://old.example.org/hook"}  # must be deleted before polling
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(tg_app, stop, poll_timeout=1.0))
    await fake.wait_for(lambda: task.done() or len(fake.calls_of("getUpdates")) > 0)
    if task.done():
        await task  # start-up failed: show why
    channel = tg_app.senders["telegram"]
    assert isinstance(channel, TelegramChannel)
    yield channel
    stop.set()
    await asyncio.wait_for(task, 30)
    assert "telegram" not in tg_app.senders


@pytest.mark.usefixtures("unpaced")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_script_via_polling(name: str, fake: FakeTelegram, polling: TelegramChannel) -> None:
    skip_if_feature_missing(name)

    async def deliver(update: dict[str, Any]) -> None:
        fake.push_update(update)

    await run_script(name, Driver(fake, lambda: polling, deliver), next(_users))
    assert fake.webhook is None
    assert not [c for c in fake.calls if c.status not in (200, 409)], "the fake refused a call"


# Webhook behaviour -------------------------------------------------------------------------


def _unreachable(tg_app: App) -> App:
    """The same bot with the Bot API on a port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = tg_app.services.settings.model_copy(
        update={"telegram_base_url": f"http://127.0.0.1:{port}/bot"}
    )
    svc = dataclasses.replace(tg_app.services, settings=settings)
    return App(services=svc, dialogue=build_dialogue(svc))


async def _transport_closed(channel: TelegramChannel) -> bool:
    """A closed transport refuses at once; an open one tries to connect (and fails here)."""
    try:
        await channel.bot.request.do_request("http://127.0.0.1:9/", "POST")
    except RuntimeError:
        return True
    except NetworkError:
        return False
    return False


async def test_unreachable_api_at_start_up_webhook(tg_app: App) -> None:
    """The server still comes up (the webhook says "starting"), and stops without leaks."""
    web_app = create_web_app(_unreachable(tg_app), features=("bot.channels.telegram",))
    async with TestClient(TestServer(web_app)) as c:
        update = message_update(next(_update_ids), next(_users), "/start")
        resp = await c.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert resp.status == 503 and resp.headers["Retry-After"]
        channel = channel_of(c)
    assert await _transport_closed(channel)


async def test_unreachable_api_at_start_up_polling(tg_app: App) -> None:
    app = _unreachable(tg_app)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(NetworkError):
            await run_polling(app, asyncio.Event(), poll_timeout=1.0)
        gc.collect()
    assert "telegram" not in app.senders
    assert not [w for w in caught if "Unclosed" in str(w.message)], "HTTP sessions left open"


async def test_webhook_secret_is_checked(fake: FakeTelegram, client: Client) -> None:
    update = message_update(next(_update_ids), next(_users), "/start")
    for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}):
        resp = await client.post(WEBHOOK_PATH, json=update, headers=headers)
        assert resp.status == 401
    assert channel_of(client).queue.qsize() == 0
    assert fake.calls_of("sendMessage") == []


async def test_webhook_and_command_menu_registered(
    fake: FakeTelegram, client: Client, tg_app: App
) -> None:
    assert fake.webhook is not None
    assert fake.webhook["url"] == f"{PUBLIC_URL}/telegram/webhook"
    assert fake.webhook["secret_token"] == SECRET
    assert set(fake.webhook["allowed_updates"]) == {"message", "callback_query"}
    known = set(tg_app.dialogue.router.commands)
    assert {"vi", "en", ""} <= set(fake.commands)
    for lang, commands in fake.commands.items():
        names = [c["command"] for c in commands]
        assert "start" in names and set(names) <= known, lang
    vi = {c["command"]: c["description"] for c in fake.commands["vi"]}
    assert vi["huy"] == "Hủy việc đang làm dở"
    assert fake.commands[""] == fake.commands["vi"]
    assert tg_app.senders["telegram"] is channel_of(client)


async def test_duplicate_update_is_answered_once(fake: FakeTelegram, client: Client) -> None:
    user = next(_users)
    update = message_update(next(_update_ids), user, "/start")
    driver = webhook_driver(fake, client)
    first = await driver.turn(user, update)
    again = await driver.turn(user, update)
    assert first and "Xin chào" in first[0].text
    assert again == []


async def test_backlog_full_answers_503(tg_app: App) -> None:
    """Backpressure: past the bounded backlog the webhook refuses, so Telegram retries."""
    channel = TelegramChannel(tg_app, concurrency=1, backlog=2)
    channel.ready = True  # no workers: nothing drains the queue
    web_app = web.Application()
    web_app[CHANNEL_KEY] = channel
    web_app.router.add_post(WEBHOOK_PATH, tg.webhook)
    statuses = []
    async with TestClient(TestServer(web_app)) as c:
        for _ in range(4):
            update = message_update(next(_update_ids), next(_users), "hi")
            resp = await c.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
            statuses.append(resp.status)
    assert statuses == [200, 200, 503, 503]
    assert channel.queue.qsize() == 2


async def test_not_text_and_garbage(fake: FakeTelegram, client: Client) -> None:
    user = next(_users)
    driver = webhook_driver(fake, client)
    sticker = {
        "sticker": {
            "file_id": "x",
            "file_unique_id": "y",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    }
    sent = await driver.turn(user, message_update(next(_update_ids), user, None, extra=sticker))
    assert "chỉ đọc được tin nhắn chữ" in sent[0].text
    resp = await client.post(WEBHOOK_PATH, data=b"{not json", headers={SECRET_HEADER: SECRET})
    assert resp.status == 400


async def test_user_text_is_escaped(fake: FakeTelegram, client: Client) -> None:
    user = next(_users)
    sent = await webhook_driver(fake, client).turn(
        user, message_update(next(_update_ids), user, "/<b>&amp;<x")
    )
    assert sent  # the fake parsed the HTML, or it would have refused with a 400
    assert all(c.status == 200 for c in fake.calls_of("sendMessage"))


async def test_retry_after_is_honoured(fake: FakeTelegram, client: Client) -> None:
    fake.fail("sendMessage", 429, retry_after=1)
    user = next(_users)
    sent = await webhook_driver(fake, client).turn(
        user, message_update(next(_update_ids), user, "/start")
    )
    assert sent and "Xin chào" in sent[0].text
    statuses = [c.status for c in fake.calls_of("sendMessage")]
    assert statuses[:2] == [429, 200]


async def test_server_error_is_retried(fake: FakeTelegram, client: Client) -> None:
    fake.fail("sendMessage", 502)
    user = next(_users)
    sent = await webhook_driver(fake, client).turn(
        user, message_update(next(_update_ids), user, "/start")
    )
    assert sent and "Xin chào" in sent[0].text
    assert [c.status for c in fake.calls_of("sendMessage")][:2] == [502, 200]


async def test_expired_button_is_answered(fake: FakeTelegram, client: Client) -> None:
    user = next(_users)
    driver = webhook_driver(fake, client)
    press = callback_update(next(_update_ids), user, "zz-gone:42")
    sent = await driver.turn(user, press)
    assert "hết hạn" in sent[0].text
    answered = [c.params["callback_query_id"] for c in fake.calls_of("answerCallbackQuery")]
    assert press["callback_query"]["id"] in answered
    # A query Telegram no longer accepts is still answered (and the failure is harmless).
    late = callback_update(next(_update_ids), user, "menu")
    fake.expired_queries.add(late["callback_query"]["id"])
    sent = await driver.turn(user, late)
    assert sent and sent[0].buttons


async def test_deep_link_reaches_the_dialogue(
    fake: FakeTelegram, client: Client, tg_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Incoming] = []
    original = tg_app.dialogue.handle

    async def spy(incoming: Incoming) -> list[Reply]:
        seen.append(incoming)
        return await original(incoming)

    monkeypatch.setattr(tg_app.dialogue, "handle", spy)
    user = next(_users)
    payload = encode_start_payload(DEMO_CODE)
    await webhook_driver(fake, client).turn(
        user, message_update(next(_update_ids), user, f"/start {payload}", language_code="en")
    )
    (incoming,) = seen
    assert incoming.channel == "telegram" and incoming.user_id == str(user)
    assert incoming.text == f"/start {payload}"
    assert incoming.language_hint == "en"
    assert incoming.delivery_id and incoming.delivery_id.startswith("tg:")
    assert decode_start_payload(incoming.text.split(" ", 1)[1]) == DEMO_CODE


async def test_typing_for_slow_answers(
    fake: FakeTelegram, client: Client, tg_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tg, "TYPING_AFTER", 0.01)
    gate = asyncio.Event()

    async def slow(incoming: Incoming) -> list[Reply]:
        await fake.wait_for(lambda: bool(fake.calls_of("sendChatAction")))
        gate.set()
        return [Reply("xong")]

    monkeypatch.setattr(tg_app.dialogue, "handle", slow)
    user = next(_users)
    sent = await webhook_driver(fake, client).turn(
        user, message_update(next(_update_ids), user, "chậm")
    )
    assert gate.is_set() and sent[0].text == "xong"
    (action,) = fake.calls_of("sendChatAction")
    assert action.params["action"] == "typing"


# Rendering ---------------------------------------------------------------------------------


def test_render_escapes_and_bolds_the_title() -> None:
    (part,) = render(Reply("1 < 2 & 3 > 2 <i>x</i>", title="A&B <c>"))
    assert part.html == "<b>A&amp;B &lt;c&gt;</b>\n1 &lt; 2 &amp; 3 &gt; 2 &lt;i&gt;x&lt;/i&gt;"
    assert parse_html(part.html) == "A&B <c>\n1 < 2 & 3 > 2 <i>x</i>"


def test_long_text_split_at_lines_never_mid_word() -> None:
    lines = [f"Dòng {i}: " + " ".join(["thủ-tục"] * 40) for i in range(60)]
    text = "\n".join(lines)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines
    one_line = " ".join(["hồsơ"] * 3000)
    parts = split_text(one_line)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert " ".join(parts).split(" ") == one_line.split(" ")
    emoji = "😀" * 3000  # 6000 UTF-16 units, one "word"
    assert all(utf16_len(p) <= 4096 for p in split_text(emoji))
    assert "".join(split_text(emoji)) == emoji


def test_callback_data_over_64_bytes_is_dropped() -> None:
    ok = Button("Được", "p:" + "1" * 62)
    too_long = Button("Quá dài", "p:" + "1" * 63)
    multibyte = Button("Tiếng Việt", "q:" + "đ" * 32)  # 66 bytes, 34 characters
    (part,) = render(Reply("chọn", (ok, too_long, multibyte, Button("  nhãn   dài  ", "x"))))
    assert part.markup is not None
    rows = part.markup.to_dict()["inline_keyboard"]
    assert [r[0]["callback_data"] for r in rows] == [ok.payload, "x"]
    assert rows[1][0]["text"] == "nhãn dài"


async def test_long_escaped_message_accepted_by_fake(fake: FakeTelegram, client: Client) -> None:
    user = next(_users)
    channel = channel_of(client)
    body = "\n".join(f"<{i}> & " + "chữ " * 50 for i in range(40))
    await channel.send(str(user), [Reply(body, (Button("OK", "menu"),), title="Tiêu đề <1>")])
    sent = fake.messages(user)
    assert len(sent) >= 3
    assert sent[0].text.startswith("Tiêu đề <1>\n<0> & ")
    assert [s.buttons for s in sent] == [[]] * (len(sent) - 1) + [[("OK", "menu")]]
    assert "\n".join(s.text for s in sent[1:]).count("chữ") + sent[0].text.count("chữ") == 2000


# Pushes (outbox sender) --------------------------------------------------------------------


async def test_sender_maps_telegram_errors(fake: FakeTelegram, client: Client) -> None:
    channel = channel_of(client)
    blocked, missing, busy = next(_users), next(_users), next(_users)
    fake.blocked.add(blocked)
    fake.missing.add(missing)
    with pytest.raises(DeliveryError) as err:
        await channel.send(str(blocked), [Reply("x")])
    assert err.value.permanent
    with pytest.raises(DeliveryError) as err:
        await channel.send(str(missing), [Reply("x")])
    assert err.value.permanent
    fake.fail("sendMessage", 429, retry_after=1)
    with pytest.raises(DeliveryError) as err:
        await channel.send(str(busy), [Reply("x")])
    assert err.value.retry_after == 1 and not err.value.permanent
    with pytest.raises(DeliveryError) as err:
        await channel.send("not-a-chat", [Reply("x")])
    assert err.value.permanent
    fake.fail("sendMessage", 500)
    with pytest.raises(DeliveryError) as err:
        await channel.send(str(busy), [Reply("x")])
    assert not err.value.permanent


# Deep links and QR codes -------------------------------------------------------------------


def test_deep_link_payload_round_trip() -> None:
    payload = encode_start_payload(DEMO_CODE)
    assert payload == "d_000_00_00_H31-250714-0001"
    assert decode_start_payload(payload) == DEMO_CODE
    assert encode_start_payload(" 000.00.00.h31-250714-0001 ") == payload
    assert decode_start_payload("hello") is None
    assert decode_start_payload("d_bad.char") is None
    for bad in ("000.00.00.H31 250714", "a_b", "1" * 63):
        with pytest.raises(ValueError):
            encode_start_payload(bad)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
async def test_qr_command_saves_the_deep_link(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"slip{suffix}"
    args = argparse.Namespace(
        code=DEMO_CODE, out=str(out), scale=4, bot="@motcua_test_bot", target="telegram", oa=None
    )
    assert await qr.run(args) == 0
    head = out.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in head or b"<?xml" in head
    link = "https://t.me/motcua_test_bot?start=d_000_00_00_H31-250714-0001"
    assert link in capsys.readouterr().out


async def test_qr_command_prints_to_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(
        code=DEMO_CODE, out=None, scale=4, bot="motcua_test_bot", target="telegram", oa=None
    )
    assert await qr.run(args) == 0
    out = capsys.readouterr().out
    assert "█" in out or "▀" in out
    assert out.rstrip().endswith("?start=d_000_00_00_H31-250714-0001")


async def test_qr_for_zalo_opens_the_oa_and_prints_the_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = argparse.Namespace(
        code=" 000.00.00.h31-250714-0001", out=None, scale=4, bot=None, target="zalo", oa="motcua"
    )
    assert await qr.run(args) == 0
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert lines[-2:] == [DEMO_CODE, "https://zalo.me/motcua"]


def test_full_server_mounts_the_webhook(tg_app: App) -> None:
    web_app = create_web_app(tg_app)
    paths = {r.resource.canonical for r in web_app.router.routes() if r.resource is not None}
    assert WEBHOOK_PATH in paths
    assert isinstance(tg_app.senders.get("telegram"), TelegramChannel)


def test_no_token_no_telegram(app: App) -> None:
    web_app = web.Application()
    tg.setup(web_app, app)
    assert "telegram" not in app.senders and not list(web_app.router.routes())
