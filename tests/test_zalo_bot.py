"""The Zalo Bot Platform channel end to end: our aiohttp client against a fake Bot API.

Every conversation script runs through the webhook route of our aiohttp server and through long
polling; the replies checked are the ones the fake accepted (so they also passed its limits:
JSON bodies, chat_id present, 1-2,000 characters). Zalo has no buttons: where a script presses
button N, the user types N, and the number must be on the screen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import importlib.util
import itertools
import re
import socket
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

import bot.channels.zalo_bot as zb
from bot.app import App, build_dialogue
from bot.channels.base import DeliveryError
from bot.channels.ratelimit import OutgoingLimiter
from bot.channels.zalo_bot import (
    CHANNEL,
    CHANNEL_KEY,
    SECRET_HEADER,
    WEBHOOK_PATH,
    ZaloBotChannel,
    ZaloBotError,
    adapt,
    render,
    webhook_secret,
)
from bot.cli import build_parser
from bot.commands import zalo_bot as zb_command
from bot.commands.zalo_bot import run_polling
from bot.config import Settings
from bot.i18n import t
from bot.messages import Button, Incoming, Reply
from bot.outbox import enqueue
from bot.server import create_web_app
from bot.services import Services
from tests.fake_zalo_bot import TOKEN, FakeZaloBot, Sent, message_update, wrapped
from tests.scripts import SCRIPTS

SECRET = "test-zalo-bot-secret_1"
PUBLIC_URL = "https://bot.example.org"
FEATURE = "bot.channels.zalo_bot"
Client = TestClient[web.Request, web.Application]
_message_ids = itertools.count(0x5000)
_users = itertools.count(0xE4EA2CD5189DF1C3A000)
TEXT_ONLY = t("vi", "error-not-text")

# Scripts that exercise a feature another module provides: skipped (not xfailed) until it exists.
SCRIPT_NEEDS = {"dossier_status": "handlers.dossiers"}


def skip_if_feature_missing(name: str) -> None:
    module = SCRIPT_NEEDS.get(name) or ("handlers.postal" if "postal" in name else None)
    if module and importlib.util.find_spec(module) is None:
        pytest.skip(f"script {name!r} needs {module}, which is not in this build yet")


def new_user() -> str:
    return f"{next(_users):020x}"


def new_message_id() -> str:
    return f"{next(_message_ids):020x}"


def text_update(user: str, text: str, **kwargs: Any) -> dict[str, Any]:
    return message_update(new_message_id(), user, text, **kwargs)


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot(poll_cap=0.5) as server:
        yield server


def app_with(services: Services, **settings: Any) -> App:
    svc = dataclasses.replace(services, settings=services.settings.model_copy(update=settings))
    return App(services=svc, dialogue=build_dialogue(svc))


@pytest.fixture
def zb_app(services: Services, fake: FakeZaloBot) -> App:
    return app_with(
        services,
        zalo_bot_token=SecretStr(TOKEN),
        zalo_bot_api_url=fake.base_url,
        zalo_bot_webhook_secret=SecretStr(SECRET),
        public_url=PUBLIC_URL,
    )


@pytest.fixture
async def client(zb_app: App) -> AsyncIterator[Client]:
    web_app = create_web_app(zb_app, features=(FEATURE,))
    async with TestClient(TestServer(web_app)) as c:
        yield c


def channel_of(client: Client) -> ZaloBotChannel:
    return client.app[CHANNEL_KEY]


class Driver:
    """Sends one update at a time and returns the messages the fake accepted for that turn."""

    def __init__(
        self,
        fake: FakeZaloBot,
        channel: Callable[[], ZaloBotChannel],
        deliver: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        self.fake = fake
        self.channel = channel
        self.deliver = deliver

    async def turn(self, user: str, update: dict[str, Any]) -> list[Sent]:
        before = len(self.fake.messages(user))
        done = self.channel().completed
        await self.deliver(update)
        await self.fake.wait_for(lambda: self.channel().completed > done)
        return self.fake.messages(user)[before:]


def polled(fake: FakeZaloBot) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """Delivery by long polling: the update waits in the fake for the next getUpdates."""

    async def deliver(update: dict[str, Any]) -> None:
        fake.push_update(update)

    return deliver


def webhook_driver(fake: FakeZaloBot, client: Client) -> Driver:
    shapes = itertools.cycle((lambda u: u, wrapped))  # Zalo's two webhook body shapes

    async def deliver(update: dict[str, Any]) -> None:
        body = next(shapes)(update)
        resp = await client.post(WEBHOOK_PATH, json=body, headers={SECRET_HEADER: SECRET})
        assert resp.status == 200, await resp.text()

    return Driver(fake, lambda: channel_of(client), deliver)


async def run_script(name: str, driver: Driver, user: str) -> None:
    last = ""
    for i, (said, expected) in enumerate(SCRIPTS[name]):
        if said.startswith("press:"):
            n = said.split(":")[1]
            # No buttons on Zalo: the choice must be on screen as "[n]", and the user types n.
            assert re.search(rf"^  \[{n}\] ", last, re.M), f"step {i}: no choice {n} in {last!r}"
            said = n
        sent = await driver.turn(user, text_update(user, said))
        last = "\n\n".join(s.text for s in sent)
        for piece in expected:
            assert piece in last, f"step {i} {said!r}: {piece!r} not in {last!r}"


# The conversation scripts ----------------------------------------------------------------


@pytest.mark.usefixtures("unpaced")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_script_via_webhook(name: str, fake: FakeZaloBot, client: Client) -> None:
    skip_if_feature_missing(name)
    await run_script(name, webhook_driver(fake, client), new_user())
    assert not [c for c in fake.calls if c.error_code], "the fake refused a call"


@pytest.fixture
async def polling(zb_app: App, fake: FakeZaloBot) -> AsyncIterator[ZaloBotChannel]:
    fake.webhook = {"url": "https://old.example.org/hook", "secret_token": "old-secret"}
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(zb_app, stop, poll_seconds=1.0))
    await fake.wait_for(lambda: task.done() or len(fake.calls_of("getUpdates")) > 0)
    if task.done():
        await task  # start-up failed: show why
    channel = zb_app.senders[CHANNEL]
    assert isinstance(channel, ZaloBotChannel)
    yield channel
    stop.set()
    await asyncio.wait_for(task, 30)
    assert CHANNEL not in zb_app.senders


@pytest.mark.usefixtures("unpaced")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_script_via_polling(name: str, fake: FakeZaloBot, polling: ZaloBotChannel) -> None:
    skip_if_feature_missing(name)
    await run_script(name, Driver(fake, lambda: polling, polled(fake)), new_user())
    assert fake.webhook is None  # deleted before the first getUpdates
    refused = [c for c in fake.calls if c.error_code not in (0, 408)]
    assert not refused, "the fake refused a call"


async def test_polling_rides_out_empty_polls_and_errors(
    fake: FakeZaloBot, polling: ZaloBotChannel
) -> None:
    """408 ("no update") is the normal empty answer; a failed poll is retried, not fatal."""
    await fake.wait_for(lambda: any(c.error_code == 408 for c in fake.calls_of("getUpdates")))
    fake.fail("getUpdates", 500, description="Internal Server Error")
    fake.fail("getUpdates", 429, http_status=429, retry_after=0.2)
    user = new_user()
    sent = await Driver(fake, lambda: polling, polled(fake)).turn(user, text_update(user, "/start"))
    assert sent and "Xin chào" in sent[0].text
    codes = [c.error_code for c in fake.calls_of("getUpdates")]
    assert 500 in codes and 429 in codes


# Webhook behaviour -------------------------------------------------------------------------


async def test_webhook_registered_with_the_secret(
    fake: FakeZaloBot, client: Client, zb_app: App
) -> None:
    assert fake.webhook == {"url": f"{PUBLIC_URL}/zalo-bot/webhook", "secret_token": SECRET}
    assert [c.method for c in fake.calls[:2]] == ["getMe", "setWebhook"]
    assert zb_app.senders[CHANNEL] is channel_of(client)


async def test_webhook_secret_is_checked(fake: FakeZaloBot, client: Client) -> None:
    update = text_update(new_user(), "/start")
    for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}, {"X": SECRET}):
        resp = await client.post(WEBHOOK_PATH, json=update, headers=headers)
        assert resp.status == 401
    assert channel_of(client).queue.qsize() == 0
    assert fake.calls_of("sendMessage") == []


async def test_secret_derived_from_the_token_when_not_configured(
    services: Services, fake: FakeZaloBot
) -> None:
    app = app_with(
        services,
        zalo_bot_token=SecretStr(TOKEN),
        zalo_bot_api_url=fake.base_url,
        public_url=PUBLIC_URL,
    )
    derived = webhook_secret("", TOKEN)
    assert 8 <= len(derived) <= 256 and derived != webhook_secret("", TOKEN + "x")
    web_app = create_web_app(app, features=(FEATURE,))
    async with TestClient(TestServer(web_app)) as c:
        assert fake.webhook is not None and fake.webhook["secret_token"] == derived
        user = new_user()
        done = c.app[CHANNEL_KEY].completed
        resp = await c.post(
            WEBHOOK_PATH, json=text_update(user, "/start"), headers={SECRET_HEADER: derived}
        )
        assert resp.status == 200
        await fake.wait_for(lambda: c.app[CHANNEL_KEY].completed > done)
        assert "Xin chào" in fake.messages(user)[0].text


async def test_a_bad_configured_secret_fails_loudly(services: Services, fake: FakeZaloBot) -> None:
    app = app_with(
        services,
        zalo_bot_token=SecretStr(TOKEN),
        zalo_bot_api_url=fake.base_url,
        zalo_bot_webhook_secret=SecretStr("short"),
    )
    with pytest.raises(ValueError, match="8-256"):
        create_web_app(app, features=(FEATURE,))


async def test_no_public_url_no_set_webhook(services: Services, fake: FakeZaloBot) -> None:
    app = app_with(services, zalo_bot_token=SecretStr(TOKEN), zalo_bot_api_url=fake.base_url)
    async with TestClient(TestServer(create_web_app(app, features=(FEATURE,)))) as c:
        assert c.app[CHANNEL_KEY].ready
    assert [c.method for c in fake.calls] == ["getMe"]


async def test_duplicate_message_is_answered_once(fake: FakeZaloBot, client: Client) -> None:
    user = new_user()
    update = text_update(user, "/start")
    driver = webhook_driver(fake, client)
    first = await driver.turn(user, update)
    again = await driver.turn(user, update)  # Zalo retried the same message (other shape)
    assert first and "Xin chào" in first[0].text
    assert again == []


@pytest.mark.parametrize(
    "event", ["message.sticker.received", "message.image.received", "message.unsupported.received"]
)
async def test_not_text_gets_a_text_only_answer(
    event: str, fake: FakeZaloBot, client: Client
) -> None:
    user = new_user()
    extra = {"sticker": "0e078a2fb66a5f34067b", "url": "https://example.org/s.png"}
    sent = await webhook_driver(fake, client).turn(
        user, message_update(new_message_id(), user, None, event=event, extra=extra)
    )
    assert [s.text for s in sent] == [TEXT_ONLY]


def _forged(user: str) -> list[Any]:
    """Updates no one should be answered for: forged, broken, from groups or unknown."""
    good = text_update(user, "/start")
    out: list[Any] = []
    for path, value in (
        (("message", "chat", "id"), 12345),  # ids are strings
        (("message", "chat", "id"), ""),
        (("message", "chat", "id"), "a" * 65),
        (("message", "chat", "id"), "abc def"),
        (("message", "chat", "id"), None),
        (("message", "message_id"), 42),
        (("message", "message_id"), ""),
        (("message", "message_id"), "m" * 121),
        (("message", "chat", "chat_type"), "GROUP"),
        (("message", "chat", "chat_type"), 1),
        (("message", "chat"), "private"),
        (("message", "text"), {"t": "/start"}),
        (("message",), None),
        (("message",), ["/start"]),
        (("event_name",), "message.reaction.received"),
        (("event_name",), "bot.added"),
    ):
        update = _copy(good)
        target = update
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        out.append(update)
    out.append({"ok": True, "result": "not an update"})
    return out


def _copy(update: dict[str, Any]) -> dict[str, Any]:
    return {k: (_copy(v) if isinstance(v, dict) else v) for k, v in update.items()}


def test_adapt_reads_text_and_rejects_forged_updates() -> None:
    user = new_user()
    update = text_update(user, "xin chào")
    for shape in (update, wrapped(update)):
        adapted = adapt(shape)
        assert adapted is not None and adapted.incoming is not None
        assert adapted.user_id == user and adapted.incoming.user_id == user
        assert adapted.incoming.channel == CHANNEL and adapted.incoming.text == "xin chào"
        assert adapted.incoming.delivery_id == "zb:" + update["message"]["message_id"]
    for forged in _forged(user):
        assert adapt(forged) is None, forged
    odd_bodies: list[Any] = [None, [], "x", 1, {}, {"ok": True}, {"event_name": 5}]
    for odd in odd_bodies:
        assert adapt(odd) is None


async def test_forged_and_unknown_updates_are_ignored(fake: FakeZaloBot, client: Client) -> None:
    channel = channel_of(client)
    user = new_user()
    updates = _forged(user)
    done = channel.completed
    queued = 0
    for update in updates:
        resp = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert resp.status == 200
        queued += 1 if zb.unwrap(update) is not None else 0
    # Bodies that are JSON but no update at all: accepted (200) and dropped, never queued.
    for body in (b"[1, 2]", b'"text"', b"3", b"null", b'{"ok": true}', b'{"event_name": ["x"]}'):
        resp = await client.post(WEBHOOK_PATH, data=body, headers={SECRET_HEADER: SECRET})
        assert resp.status == 200
    await fake.wait_for(lambda: channel.completed >= done + queued)
    assert channel.completed == done + queued
    assert fake.calls_of("sendMessage") == [] and fake.calls_of("sendChatAction") == []


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"{not json", {}),
        (b"\xff\xfe\x00garbage", {}),
        (b"[" * 100_000 + b"]" * 100_000, {}),  # deeper than the parser allows
        (b'{"event_name": "message.text.received"}', {"Content-Type": "text/plain; charset=xx"}),
    ],
)
async def test_malformed_bodies_never_answer_500(
    body: bytes, headers: dict[str, str], fake: FakeZaloBot, client: Client
) -> None:
    resp = await client.post(WEBHOOK_PATH, data=body, headers={SECRET_HEADER: SECRET, **headers})
    assert resp.status in (200, 400)
    assert resp.status == (200 if body.startswith(b'{"event_name"') else 400)


async def test_backlog_full_answers_503(zb_app: App) -> None:
    """Backpressure: past the bounded backlog the webhook refuses, so Zalo retries."""
    channel = ZaloBotChannel(zb_app, concurrency=1, backlog=2)
    channel.ready = True  # no workers: nothing drains the queue
    web_app = web.Application()
    web_app[CHANNEL_KEY] = channel
    web_app.router.add_post(WEBHOOK_PATH, zb.webhook)
    statuses = []
    async with TestClient(TestServer(web_app)) as c:
        for _ in range(4):
            update = text_update(new_user(), "hi")
            resp = await c.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
            statuses.append(resp.status)
    assert statuses == [200, 200, 503, 503]
    assert channel.queue.qsize() == 2


async def test_typing_for_slow_answers(
    fake: FakeZaloBot, client: Client, zb_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zb, "TYPING_AFTER", 0.01)
    gate = asyncio.Event()

    async def slow(incoming: Incoming) -> list[Reply]:
        await fake.wait_for(lambda: bool(fake.calls_of("sendChatAction")))
        gate.set()
        return [Reply("xong")]

    monkeypatch.setattr(zb_app.dialogue, "handle", slow)
    user = new_user()
    sent = await webhook_driver(fake, client).turn(user, text_update(user, "chậm"))
    assert gate.is_set() and [s.text for s in sent] == ["xong"]
    (action,) = fake.calls_of("sendChatAction")
    assert action.params == {"chat_id": user, "action": "typing"}


# Sending -----------------------------------------------------------------------------------


async def test_retry_after_is_honoured(fake: FakeZaloBot, client: Client) -> None:
    fake.fail("sendMessage", 429, http_status=429, retry_after=0.3)
    user = new_user()
    sent = await webhook_driver(fake, client).turn(user, text_update(user, "/start"))
    assert sent and "Xin chào" in sent[0].text
    calls = fake.calls_of("sendMessage")
    assert [c.error_code for c in calls[:2]] == [429, 0]
    assert calls[1].at - calls[0].at >= 0.25


async def test_429_without_retry_after_waits_a_default_second(
    fake: FakeZaloBot, client: Client
) -> None:
    fake.fail("sendMessage", 429, times=2)  # ok: false in an HTTP 200, no parameters
    user = new_user()
    sent = await webhook_driver(fake, client).turn(user, text_update(user, "/start"))
    assert sent and "Xin chào" in sent[0].text
    calls = fake.calls_of("sendMessage")
    assert [c.error_code for c in calls[:3]] == [429, 429, 0]
    assert calls[2].at - calls[0].at >= 1.9


async def test_an_answer_waits_out_a_429_storm(fake: FakeZaloBot, client: Client) -> None:
    fake.fail("sendMessage", 429, http_status=429, retry_after=0.05, times=4)
    user = new_user()
    sent = await webhook_driver(fake, client).turn(user, text_update(user, "/start"))
    assert sent and "Xin chào" in sent[0].text
    assert [c.error_code for c in fake.calls_of("sendMessage")][:5] == [429] * 4 + [0]


async def test_an_endless_429_storm_drops_the_answer_without_crashing(
    fake: FakeZaloBot, zb_app: App
) -> None:
    channel = ZaloBotChannel(zb_app, limiter=OutgoingLimiter(answer_patience=0.5))
    await channel.start()
    try:
        fake.fail("sendMessage", 429, http_status=429, retry_after=0.2, times=1000)
        user = new_user()
        assert channel.submit_nowait(text_update(user, "/start"))
        await fake.wait_for(lambda: channel.completed == 1)
        assert fake.messages(user) == [] and channel.zalo.limiter.given_up == 1
        fake.clear_failures()
        assert channel.submit_nowait(text_update(user, "/help"))  # the storm is over
        await fake.wait_for(lambda: channel.completed == 2)
        assert fake.messages(user)
    finally:
        await channel.stop()


async def test_server_errors_are_retried_for_answers(fake: FakeZaloBot, client: Client) -> None:
    fake.fail("sendMessage", 502, http_status=502, body=b"<html>Bad Gateway</html>")
    fake.fail("sendMessage", 500)
    user = new_user()
    sent = await webhook_driver(fake, client).turn(user, text_update(user, "/start"))
    assert sent and "Xin chào" in sent[0].text
    assert [c.error_code for c in fake.calls_of("sendMessage")][:3] == [502, 500, 0]


async def test_long_text_is_split_at_lines(fake: FakeZaloBot, client: Client) -> None:
    user = new_user()
    lines = [f"Dòng {i}: " + ", ".join(["thủ tục hành chính"] * 8) for i in range(60)]
    reply = Reply("\n".join(lines), (Button("OK", "menu"),), title="Tiêu đề <b>")
    await channel_of(client).send(user, [reply])
    sent = fake.messages(user)
    assert len(sent) >= 3 and all(len(s.text) <= 2000 for s in sent)
    text = "\n".join(s.text for s in sent)
    assert text.startswith("Tiêu đề <b>\nDòng 0: ")  # a plain first line, no HTML
    assert text.split("\n") == ["Tiêu đề <b>", *lines, "  [1] OK"]


def test_render_numbers_choices_across_the_turn() -> None:
    replies = [
        Reply("Chọn một", (Button("Một", "a"), Button("Hai", "b")), title="Menu"),
        Reply("Hoặc", (Button("Ba", "c"),)),
        Reply("   "),  # nothing to show: no empty message
    ]
    assert render(replies) == [
        "Menu\nChọn một\n  [1] Một\n  [2] Hai",
        "Hoặc\n  [3] Ba",
    ]
    emoji = "😀" * 1500  # 3,000 UTF-16 units: split by the stricter count
    assert all(len(p.encode("utf-16-le")) // 2 <= 2000 for p in render([Reply(emoji)]))
    assert "".join(render([Reply(emoji)])) == emoji


# Pushes (outbox sender) --------------------------------------------------------------------


async def test_sender_maps_zalo_errors(fake: FakeZaloBot, client: Client) -> None:
    channel = channel_of(client)
    blocked, missing, busy = new_user(), new_user(), new_user()
    fake.blocked.add(blocked)
    fake.missing.add(missing)
    for user in (blocked, missing):  # ok: false in an HTTP 200
        with pytest.raises(DeliveryError) as err:
            await channel.send(user, [Reply("x")])
        assert err.value.permanent
    # Pushes pause for retry_after (all of them: the budget is shared), so keep it short here.
    fake.fail("sendMessage", 429, http_status=429, retry_after=0.5)
    with pytest.raises(DeliveryError) as err:
        await channel.send(busy, [Reply("x")])
    assert err.value.retry_after == 0.5 and not err.value.permanent
    for bad in ("not a chat", "", "x" * 65):
        with pytest.raises(DeliveryError) as err:
            await channel.send(bad, [Reply("x")])
        assert err.value.permanent
    fake.fail("sendMessage", 500)
    with pytest.raises(DeliveryError) as err:  # a push is not retried here: the outbox does
        await channel.send(busy, [Reply("x")])
    assert not err.value.permanent
    fake.fail("sendMessage", 502, http_status=502, body=b"Bad Gateway")
    with pytest.raises(DeliveryError) as err:
        await channel.send(busy, [Reply("x")])
    assert not err.value.permanent
    assert TOKEN not in str(err.value) and TOKEN.split(":")[1] not in str(err.value)
    await channel.send(busy, [Reply("đến nơi")])
    assert [s.text for s in fake.messages(busy)] == ["đến nơi"]


async def test_a_split_push_is_finished_not_repeated(fake: FakeZaloBot, client: Client) -> None:
    """A 429 on a push's first message goes back to the outbox (nothing was delivered); after
    the first part went out, a 429 is waited out here, since the outbox would resend it all."""
    channel = channel_of(client)
    user = new_user()
    body = "\n".join("chữ " * 60 for _ in range(20))
    parts = len(render([Reply(body)]))
    assert parts >= 2
    fake.fail("sendMessage", 429, http_status=429, retry_after=0.2)
    with pytest.raises(DeliveryError) as err:
        await channel.send(user, [Reply(body)])
    assert err.value.retry_after == 0.2 and fake.messages(user) == []

    def limit_the_next(sent: Sent) -> None:
        fake.on_message = None
        fake.fail("sendMessage", 429, http_status=429, retry_after=0.2)

    fake.on_message = limit_the_next
    await channel.send(user, [Reply(body)])
    assert len(fake.messages(user)) == parts
    assert [c.error_code for c in fake.calls_of("sendMessage")][:4] == [429, 0, 429, 0]


async def test_push_through_the_outbox_dispatcher(
    fake: FakeZaloBot, polling: ZaloBotChannel, zb_app: App
) -> None:
    """``motcua zalo-bot`` runs the dispatcher: a queued push reaches the chat."""
    user = new_user()
    async with zb_app.services.db.transaction() as session:
        await enqueue(
            session,
            channel=CHANNEL,
            user_id=user,
            kind="test",
            dedup_key=f"test:{user}",
            payload={"key": "error-not-text"},
        )
    zb_app.services.outbox_wakeup.set()
    await fake.wait_for(lambda: bool(fake.messages(user)))
    assert [s.text for s in fake.messages(user)] == [TEXT_ONLY]


# Start-up, shutdown and wiring -------------------------------------------------------------


def _unreachable(app: App) -> App:
    """The same bot with the API on a port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return app_with(app.services, zalo_bot_api_url=f"http://127.0.0.1:{port}")


async def test_unreachable_api_at_start_up_webhook(zb_app: App) -> None:
    """The server still comes up (the webhook says "starting"), and stops without leaks."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        web_app = create_web_app(_unreachable(zb_app), features=(FEATURE,))
        async with TestClient(TestServer(web_app)) as c:
            update = text_update(new_user(), "/start")
            resp = await c.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
            assert resp.status == 503 and resp.headers["Retry-After"]
        gc.collect()
    assert not [w for w in caught if "Unclosed" in str(w.message)], "HTTP sessions left open"


async def test_unreachable_api_at_start_up_polling(zb_app: App) -> None:
    app = _unreachable(zb_app)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(ZaloBotError):
            await run_polling(app, asyncio.Event(), poll_seconds=1.0)
        gc.collect()
    assert CHANNEL not in app.senders
    assert not [w for w in caught if "Unclosed" in str(w.message)], "HTTP sessions left open"


async def test_wrong_token_fails_polling_at_once(services: Services, fake: FakeZaloBot) -> None:
    app = app_with(services, zalo_bot_token=SecretStr("1:wrong"), zalo_bot_api_url=fake.base_url)
    with pytest.raises(ZaloBotError) as err:
        await run_polling(app, asyncio.Event(), poll_seconds=1.0)
    assert err.value.code == 401 and "wrong" not in str(err.value)


def test_full_server_mounts_the_webhook(zb_app: App) -> None:
    web_app = create_web_app(zb_app, features=("bot.outbox", FEATURE))
    paths = {r.resource.canonical for r in web_app.router.routes() if r.resource is not None}
    assert WEBHOOK_PATH in paths
    assert isinstance(zb_app.senders.get(CHANNEL), ZaloBotChannel)


def test_no_token_no_zalo_bot(app: App) -> None:
    web_app = web.Application()
    zb.setup(web_app, app)
    assert CHANNEL not in app.senders and not list(web_app.router.routes())


def test_the_command_is_registered() -> None:
    args = build_parser().parse_args(["zalo-bot", "--db", "sqlite+aiosqlite:///x.db"])
    assert args.func is zb_command.run


async def test_the_command_needs_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        zb_command,
        "settings_for",
        lambda args: Settings(_env_file=None, zalo_bot_token=SecretStr("")),
    )
    args = build_parser().parse_args(["zalo-bot"])
    assert await zb_command.run(args) == 2
    assert "MOTCUA_ZALO_BOT_TOKEN" in capsys.readouterr().out
