"""The Zalo Official Account channel end to end: signed webhooks in, OA API calls out.

Webhook payloads are built from the shapes in Zalo's documentation (docs/zalo.md) and signed as
Zalo signs them; the replies checked are the ones the fake OA API accepted (so they also passed
its limits: 2,000 characters, 5 buttons, 100-character titles).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import itertools
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select, update

import bot.channels.zalo_oa as zo
from bot.app import App, build_dialogue
from bot.channels.base import DeliveryError
from bot.channels.zalo_oa import (
    CHANNEL,
    CHANNEL_KEY,
    PAYLOAD_MARKER,
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    OutsideWindow,
    ZaloOAChannel,
    ZaloOAPlatform,
    render,
    signature,
)
from bot.db.engine import Database
from bot.db.models import Outbox, Subscription, ZaloOAToken, ZaloOAUser
from bot.messages import Ask, Button, Reply
from bot.outbox import Dispatcher, enqueue
from bot.server import create_web_app
from bot.services import Services
from tests.conftest import FIXED_NOW
from tests.fake_zalo_oa import (
    ACCESS_TOKEN,
    APP_ID,
    APP_SECRET,
    OA_ID,
    REFRESH_TOKEN,
    FakeZaloOA,
    Sent,
)
from tests.postal_fixtures import OPEN, PHONE, add_postal_data
from tests.scripts import SCRIPTS

OA_SECRET = "test-oa-secret-key"
Client = TestClient[web.Request, web.Application]
_users = itertools.count(5_000_000_000_000_000_001)
_msg_ids = itertools.count(1)


class Clock:
    """A clock the test moves; webhook timestamps and the messaging window both read it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock(FIXED_NOW)


def zalo_app(services: Services, fake: FakeZaloOA, clock: Clock, db: Database | None = None) -> App:
    settings = services.settings.model_copy(
        update={
            "zalo_oa_app_id": APP_ID,
            "zalo_oa_secret_key": SecretStr(OA_SECRET),
            "zalo_oa_app_secret": SecretStr(APP_SECRET),
            "zalo_oa_access_token": SecretStr(ACCESS_TOKEN),
            "zalo_oa_refresh_token": SecretStr(REFRESH_TOKEN),
            "zalo_oa_api_url": fake.base_url,
            "zalo_oa_oauth_url": fake.base_url,
            "zalo_oa_window_hours": 48.0,
        }
    )
    svc = dataclasses.replace(services, settings=settings, clock=clock, db=db or services.db)
    return App(services=svc, dialogue=build_dialogue(svc))


@pytest.fixture
def zapp(services: Services, fake: FakeZaloOA, clock: Clock) -> App:
    return zalo_app(services, fake, clock)


@pytest.fixture
async def client(zapp: App) -> AsyncIterator[Client]:
    web_app = create_web_app(zapp, features=("bot.channels.zalo_oa",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


def channel_of(client: Client) -> ZaloOAChannel:
    return client.app[CHANNEL_KEY]


# Events as Zalo sends them -----------------------------------------------------------------


def now_ms(clock: Clock) -> str:
    return str(int(clock().timestamp() * 1000))


def event(
    clock: Clock, name: str, user: str, *, message: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "app_id": APP_ID,
        "user_id_by_app": "9990000000000000001",
        "event_name": name,
        "timestamp": now_ms(clock),
        **extra,
    }
    if name in ("follow", "unfollow"):
        data |= {"oa_id": OA_ID, "follower": {"id": user}, "source": "testing_webhook"}
    else:
        data |= {"sender": {"id": user}, "recipient": {"id": OA_ID}}
    if message is not None:
        data["message"] = message
    return data


def text_event(clock: Clock, user: str, text: str) -> dict[str, Any]:
    msg = {"msg_id": f"a1b2c3{next(_msg_ids):06d}", "text": text}
    return event(clock, "user_send_text", user, message=msg)


def signed(
    data: dict[str, Any], *, secret: str = OA_SECRET, prefix: str = "mac="
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(data, ensure_ascii=False).encode()
    mac = signature(str(data["app_id"]), body, str(data["timestamp"]), secret)
    return body, {SIGNATURE_HEADER: prefix + mac, "Content-Type": "application/json"}


async def post(client: Client, data: dict[str, Any], **kw: Any) -> int:
    body, headers = signed(data, **kw)
    resp = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    return resp.status


async def turn(client: Client, fake: FakeZaloOA, user: str, data: dict[str, Any]) -> list[Sent]:
    """One event through the webhook; the messages the fake accepted for it."""
    channel = channel_of(client)
    before = len(fake.messages(user))
    done = channel.completed
    body, headers = signed(data)
    resp = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    assert resp.status == 200, await resp.text()
    await fake.wait_for(lambda: channel.completed > done)
    return fake.messages(user)[before:]


def seen(sent: list[Sent]) -> str:
    return "\n\n".join("\n".join([s.text, *(title for title, _ in s.buttons)]) for s in sent)


async def run_script(name: str, client: Client, fake: FakeZaloOA, clock: Clock) -> None:
    user = str(next(_users))
    last: list[Sent] = []
    for i, (said, expected) in enumerate(SCRIPTS[name]):
        text = said
        if said.startswith("press:"):
            n = int(said.split(":")[1])
            taps = [payload for s in last for _, payload in s.buttons]
            numbered = any(f"[{n}]" in s.text for s in last)
            # Tap the button as the user would (Zalo sends its payload back as their text);
            # choices shown as numbered lines are answered by typing the number.
            text = str(n) if numbered or len(taps) < n else taps[n - 1]
            assert text.startswith(PAYLOAD_MARKER) or text == str(n)
        last = await turn(client, fake, user, text_event(clock, user, text))
        shown = seen(last)
        for piece in expected:
            assert piece in shown, f"step {i} {said!r}: {piece!r} not in {shown!r}"


# The conversation scripts ----------------------------------------------------------------


@pytest.mark.usefixtures("unpaced")
@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_script_via_webhook(
    name: str, fake: FakeZaloOA, client: Client, clock: Clock
) -> None:
    await run_script(name, client, fake, clock)
    assert fake.sends and not [c for c in fake.calls if c.error], "the fake refused a call"
    for call in fake.sends:
        assert call.headers["access_token"] == ACCESS_TOKEN
        assert "Authorization" not in call.headers


# Webhook checks ----------------------------------------------------------------------------


async def test_signature_with_and_without_prefix(
    fake: FakeZaloOA, client: Client, clock: Clock
) -> None:
    user = str(next(_users))
    assert await post(client, text_event(clock, user, "/start")) == 200
    assert await post(client, text_event(clock, user, "/help"), prefix="") == 200
    await fake.wait_for(lambda: len(fake.messages(user)) >= 2)


async def test_forged_stale_and_malformed_events_are_refused(
    fake: FakeZaloOA, client: Client, clock: Clock
) -> None:
    user = str(next(_users))
    good = text_event(clock, user, "/start")
    assert await post(client, good, secret="wrong") == 401
    body, headers = signed(good)
    tampered = body.replace(b"/start", b"/help!")
    assert (await client.post(WEBHOOK_PATH, data=tampered, headers=headers)).status == 401
    assert (await client.post(WEBHOOK_PATH, data=body)).status == 401  # no signature
    for minutes in (-6, 6):  # older or newer than zalo_oa_max_skew_seconds (300 s)
        moved = Clock(clock() + timedelta(minutes=minutes))
        assert await post(client, text_event(moved, user, "/start")) == 401
    other_app = text_event(clock, user, "/start") | {"app_id": "1111"}
    assert await post(client, other_app) == 403
    for raw in (b"{not json", b"[1, 2]", b'{"app_id": "1"}', b"\xff\xfe"):
        assert (await client.post(WEBHOOK_PATH, data=raw, headers=headers)).status == 400
    no_time = {k: v for k, v in good.items() if k != "timestamp"} | {"timestamp": "soon"}
    resp = await client.post(WEBHOOK_PATH, data=json.dumps(no_time).encode(), headers=headers)
    assert resp.status == 400
    assert channel_of(client).queue.qsize() == 0
    assert fake.sends == []


async def test_numeric_ids_and_timestamp_are_accepted(
    fake: FakeZaloOA, client: Client, clock: Clock
) -> None:
    user = next(_users)
    data = text_event(clock, str(user), "/start")
    data["sender"]["id"] = user  # a JSON number: kept exactly, as its digits
    data["timestamp"] = int(data["timestamp"])
    sent = await turn(client, fake, str(user), data)
    assert sent and "Xin chào" in sent[0].text


async def test_replayed_event_is_answered_once(
    fake: FakeZaloOA, client: Client, clock: Clock
) -> None:
    user = str(next(_users))
    data = text_event(clock, user, "/start")
    first = await turn(client, fake, user, data)
    again = await turn(client, fake, user, data)  # same msg_id: a retry or a replay
    assert first and "Xin chào" in first[0].text
    assert again == []
    follow = event(clock, "follow", user)
    assert await turn(client, fake, user, follow)
    assert await turn(client, fake, user, follow) == []  # no msg_id: the signed body counts


async def test_follow_greets_with_the_menu(fake: FakeZaloOA, client: Client, clock: Clock) -> None:
    user = str(next(_users))
    sent = await turn(client, fake, user, event(clock, "follow", user))
    assert "Xin chào" in sent[0].text and sent[0].buttons
    assert all(p.startswith(PAYLOAD_MARKER) for _, p in sent[0].buttons)


async def test_not_text_and_ignored_events(fake: FakeZaloOA, client: Client, clock: Clock) -> None:
    user = str(next(_users))
    image = event(
        clock,
        "user_send_image",
        user,
        message={
            "msg_id": "img1",
            "text": "",
            "attachments": [{"type": "image", "payload": {"url": "https://x/y.jpg"}}],
        },
    )
    sent = await turn(client, fake, user, image)
    assert "chỉ đọc được tin nhắn chữ" in sent[0].text
    for name in ("user_seen_message", "oa_send_text", "shop_has_order", "user_reacted_message"):
        assert await turn(client, fake, user, event(clock, name, user)) == []


async def test_unfollow_stops_pushes(
    fake: FakeZaloOA, client: Client, clock: Clock, zapp: App
) -> None:
    user, other = str(next(_users)), str(next(_users))
    async with zapp.services.db.transaction() as session:
        for who, code in ((user, "A-1"), (user, "A-2"), (other, "A-1")):
            session.add(Subscription(dossier_code=code, channel=CHANNEL, user_id=who))
        session.add(Subscription(dossier_code="A-1", channel="telegram", user_id=user))
    assert await turn(client, fake, user, event(clock, "unfollow", user)) == []
    async with zapp.services.db.read() as session:
        left = (await session.execute(select(Subscription.channel, Subscription.user_id))).all()
    assert sorted(left) == sorted([(CHANNEL, other), ("telegram", user)])


# Rendering ---------------------------------------------------------------------------------


def test_buttons_title_and_long_text() -> None:
    five = tuple(Button(f"Lựa chọn {i} " + "dài " * 40, f"p:{i}") for i in range(5))
    (msg,) = render([Reply("Chọn một", five, title="Tiêu đề")])
    payload = msg.message["attachment"]["payload"]
    assert payload["template_type"] == "button"
    assert payload["text"] == "Tiêu đề\nChọn một"
    assert [b["payload"] for b in payload["buttons"]] == [f"#mc:p:{i}" for i in range(5)]
    assert all(len(b["title"]) <= 100 and b["type"] == "oa.query.hide" for b in payload["buttons"])
    body = "\n".join(f"Dòng {i}:" + " thủ tục" * 20 for i in range(40))
    parts = render([Reply(body, (Button("OK", "menu"),))])
    assert len(parts) > 1 and all("attachment" not in p.message for p in parts[:-1])
    texts = [p.message.get("text") or p.message["attachment"]["payload"]["text"] for p in parts]
    assert all(len(t) <= 2000 for t in texts)
    assert "\n".join(texts) == body


def test_more_than_five_buttons_become_numbers_across_the_turn() -> None:
    two = (Button("Một", "a"), Button("Hai", "b"))
    seven = tuple(Button(f"Mục {i}", f"x:{i}") for i in range(7))
    first, second = render([Reply("Đầu", two), Reply("Sau", seven)])
    assert len(first.message["attachment"]["payload"]["buttons"]) == 2
    assert "attachment" not in second.message
    assert "[3] Mục 0" in second.message["text"] and "[9] Mục 6" in second.message["text"]


def test_contact_request_follows_the_question() -> None:
    question = Reply("📮 Bước 1/6.\nHọ và tên người nhận là gì?", (Button("Hủy", "pdq"),))
    parts = render([dataclasses.replace(question, ask=Ask.CONTACT)])
    assert len(parts) == 2
    payload = parts[1].message["attachment"]["payload"]
    assert payload["template_type"] == "request_user_info"
    (element,) = payload["elements"]
    assert element["title"] == "📮 Bước 1/6." and "Họ và tên" in element["subtitle"]


# The postal flow with "share my info" ------------------------------------------------------


async def test_postal_flow_takes_the_submitted_info(
    fake: FakeZaloOA, client: Client, clock: Clock, zapp: App
) -> None:
    await add_postal_data(zapp.services.db)
    user = str(next(_users))
    sent = await turn(client, fake, user, text_event(clock, user, f"{PAYLOAD_MARKER}pd:{OPEN}"))
    if "1/6" not in seen(sent):
        sent = await turn(client, fake, user, text_event(clock, user, PHONE[-4:]))
    assert "1/6" in seen(sent), seen(sent)
    assert sent[-1].kind == "request_user_info"
    info = {
        "name": "Lê Thị Hoa",
        "phone": "84987654321",
        "address": "Số 5 Lê Lợi",
        "ward": "Phường Lê Chân",
        "district": "",
        "city": "Hải Phòng",
    }
    submitted = event(clock, "user_submit_info", user, info=info)
    sent = await turn(client, fake, user, submitted)
    assert "Đã nhận thông tin" in seen(sent) and "5/6" in seen(sent), seen(sent)


# Tokens ------------------------------------------------------------------------------------


async def stored_pair(db: Database) -> tuple[str, str]:
    async with db.read() as session:
        row = await session.get(ZaloOAToken, APP_ID)
        assert row is not None
        return row.access_token, row.refresh_token


async def test_expired_token_is_refreshed_once(
    fake: FakeZaloOA, client: Client, clock: Clock, zapp: App
) -> None:
    user = str(next(_users))
    assert await turn(client, fake, user, text_event(clock, user, "/start"))
    fake.expire_access_tokens()
    sent = await turn(client, fake, user, text_event(clock, user, "/help"))
    assert sent and not any(c.error for c in fake.refreshes)
    (refresh,) = fake.refreshes
    assert refresh.headers["secret_key"] == APP_SECRET
    assert refresh.body == {
        "app_id": APP_ID,
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
    }
    assert [c.error for c in fake.sends[-2:]] == [-216, 0]
    access, rotated = await stored_pair(zapp.services.db)
    assert access in fake.access_tokens and rotated == fake.refresh_token != REFRESH_TOKEN
    # The used refresh token is burnt: Zalo refuses it, which is why one refresh must win.
    with pytest.raises(DeliveryError, match="-14020"):
        await channel_of(client).zalo.tokens._call_oauth(REFRESH_TOKEN)


async def test_token_is_refreshed_before_it_expires(
    fake: FakeZaloOA, client: Client, clock: Clock, zapp: App
) -> None:
    channel = channel_of(client)
    tokens = channel.zalo.tokens
    assert await tokens.access_token() == ACCESS_TOKEN
    clock.now += timedelta(hours=30)  # seeded tokens have no known expiry: still trusted
    assert await tokens.access_token() == ACCESS_TOKEN and not fake.refreshes
    async with zapp.services.db.transaction() as session:
        await session.execute(
            update(ZaloOAToken).values(expires_at=clock() + timedelta(minutes=10))
        )
    tokens._current = None  # as in a worker that starts now
    fresh = await tokens.access_token()
    assert fresh != ACCESS_TOKEN and len(fake.refreshes) == 1
    assert await tokens.access_token() == fresh and len(fake.refreshes) == 1


async def _two_workers_race(services: Services, fake: FakeZaloOA, clock: Clock, url: str) -> None:
    second_db = Database(url)
    first = ZaloOAPlatform(zalo_app(services, fake, clock))
    second = ZaloOAPlatform(zalo_app(services, fake, clock, db=second_db))
    user = str(next(_users))
    async with services.db.transaction() as session:
        session.add(ZaloOAUser(user_id=user, last_inbound_at=clock()))
    try:
        await first.start()
        await second.start()
        fake.expire_access_tokens()
        fake.refresh_delay = 0.3  # the first refresh is still in flight when the second fails
        await asyncio.gather(
            first.deliver(user, [Reply("một")], lang="vi", push=True),
            second.deliver(user, [Reply("hai")], lang="vi", push=True),
        )
    finally:
        await first.stop()
        await second.stop()
        await second_db.dispose()
    assert len(fake.refreshes) == 1 and not fake.refreshes[0].error
    assert sorted(s.text for s in fake.messages(user)) == ["hai", "một"]
    assert [c.error for c in fake.sends].count(-216) == 2
    assert first.db is not second.db


async def test_two_workers_on_postgresql_refresh_once(
    services: Services, fake: FakeZaloOA, clock: Clock, database_url: str
) -> None:
    if services.db.is_sqlite:
        pytest.skip(
            "needs TEST_DATABASE_URL=postgresql+asyncpg://…: the race is between two connection "
            "pools and SELECT … FOR UPDATE; SQLite has one writer per file by design"
        )
    await _two_workers_race(services, fake, clock, database_url)


async def test_two_platforms_in_one_process_refresh_once(
    services: Services, fake: FakeZaloOA, clock: Clock, database_url: str
) -> None:
    """The same race on whichever database the suite runs (SQLite: the write lock orders it)."""
    await _two_workers_race(services, fake, clock, database_url)


# The messaging window ----------------------------------------------------------------------


async def test_push_outside_the_window_waits_for_the_citizen(
    fake: FakeZaloOA, client: Client, clock: Clock, zapp: App
) -> None:
    channel = channel_of(client)
    user = str(next(_users))
    with pytest.raises(OutsideWindow) as err:  # never wrote: no window at all
        await channel.send(user, [Reply("Hồ sơ đã có kết quả")])
    assert err.value.retry_after and err.value.retry_after >= 24 * 3600
    assert not err.value.permanent and fake.sends == []
    assert await turn(client, fake, user, text_event(clock, user, "/start"))
    await channel.send(user, [Reply("Hồ sơ đã có kết quả")])
    assert fake.messages(user)[-1].text == "Hồ sơ đã có kết quả"
    clock.now += timedelta(hours=48, minutes=1)
    with pytest.raises(OutsideWindow):
        await channel.send(user, [Reply("muộn")])
    fake.fail(-230)  # Zalo's own view of the window wins too
    clock.now -= timedelta(hours=1)
    with pytest.raises(OutsideWindow):
        await channel.send(user, [Reply("muộn")])


async def test_waiting_push_is_made_due_when_the_citizen_writes(
    fake: FakeZaloOA, client: Client, clock: Clock, zapp: App
) -> None:
    user = str(next(_users))
    async with zapp.services.db.transaction() as session:
        await enqueue(
            session,
            channel=CHANNEL,
            user_id=user,
            kind="status",
            payload={"key": "error-not-text"},
            dedup_key="zo-window-1",
        )
    await Dispatcher(zapp).run_once()
    async with zapp.services.db.read() as session:
        row = (await session.scalars(select(Outbox))).one()
    assert row.status == "pending" and "window" in row.last_error
    assert row.next_attempt_at >= clock() + timedelta(days=1)
    zapp.services.outbox_wakeup.clear()
    clock.now += timedelta(minutes=5)
    await turn(client, fake, user, text_event(clock, user, "xin chào"))
    assert zapp.services.outbox_wakeup.is_set()
    async with zapp.services.db.read() as session:
        row = (await session.scalars(select(Outbox))).one()
    assert row.next_attempt_at == clock()
    await Dispatcher(zapp).run_once()  # a dispatcher that did not see the refusal
    async with zapp.services.db.read() as session:
        assert (await session.scalars(select(Outbox.status))).one() == "sent"
    assert "chỉ đọc được tin nhắn chữ" in fake.messages(user)[-1].text


async def test_window_refusal_does_not_pause_other_citizens(
    fake: FakeZaloOA, client: Client, clock: Clock, zapp: App
) -> None:
    silent, active = str(next(_users)), str(next(_users))
    await turn(client, fake, active, text_event(clock, active, "/start"))
    dispatcher = Dispatcher(zapp)
    for n, who in enumerate((silent, active)):
        async with zapp.services.db.transaction() as session:
            await enqueue(
                session,
                channel=CHANNEL,
                user_id=who,
                kind="status",
                payload={"key": "error-not-text"},
                dedup_key=f"zo-pause-{n}",
            )
        await dispatcher.run_once()
    async with zapp.services.db.read() as session:
        statuses = dict((await session.execute(select(Outbox.user_id, Outbox.status))).all())
    assert statuses == {silent: "pending", active: "sent"}


# Wiring ------------------------------------------------------------------------------------


def test_full_server_mounts_the_webhook_when_configured(zapp: App) -> None:
    web_app = create_web_app(zapp, features=("bot.outbox", "bot.channels.zalo_oa"))
    paths = {r.resource.canonical for r in web_app.router.routes() if r.resource is not None}
    assert WEBHOOK_PATH in paths
    assert isinstance(zapp.senders.get(CHANNEL), ZaloOAChannel)


def test_not_configured_no_zalo_oa(app: App) -> None:
    web_app = web.Application()
    zo.setup(web_app, app)
    assert CHANNEL not in app.senders and not list(web_app.router.routes())


def test_signature_is_plain_sha256() -> None:
    body = b'{"a":1}'
    expected = hashlib.sha256(b"app" + body + b"123" + b"key").hexdigest()
    assert signature("app", body, "123", "key") == expected


async def test_sender_maps_zalo_errors(fake: FakeZaloOA, client: Client, clock: Clock) -> None:
    channel = channel_of(client)
    user = str(next(_users))
    await turn(client, fake, user, text_event(clock, user, "/start"))
    fake.fail(-213)  # not a follower any more
    with pytest.raises(DeliveryError) as err:
        await channel.send(user, [Reply("x")])
    assert err.value.permanent
    fake.fail(-32)  # rate limit
    with pytest.raises(DeliveryError) as err:
        await channel.send(user, [Reply("x")])
    assert err.value.retry_after and not err.value.permanent
    with pytest.raises(DeliveryError) as err:
        await channel.send("not-a-zalo-id", [Reply("x")])
    assert err.value.permanent
