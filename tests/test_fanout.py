"""Push fan-out at the messenger's limit: a batch of status changes of one dossier reaches every
subscriber once, in order per chat, through each channel's fake API with its send limits
enforced, and without one "too many requests" (raised limits keep it fast; no timing is
asserted). Also the limiter's promise on its own: however the network delays messages, no
window at the platform holds more than the push budget."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import func, insert, select

from bot.app import App, build_dialogue
from bot.channels.ratelimit import OutgoingLimiter
from bot.channels.runtime import ChannelRuntime
from bot.channels.telegram import TelegramChannel, TelegramRateLimiter
from bot.channels.zalo_bot import ZaloBotChannel
from bot.channels.zalo_oa import ZaloOAChannel
from bot.db.models import Dossier, Outbox, Subscription, ZaloOAUser
from bot.http.events import PATH, sign
from bot.messages import Reply
from bot.outbox import Dispatcher, enqueue
from bot.server import create_web_app
from bot.services import Services
from tests import fake_zalo_oa as oa
from tests.conftest import FIXED_NOW
from tests.fake_limits import SendLimits
from tests.fake_telegram import TOKEN as TG_TOKEN
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo_bot import TOKEN as ZB_TOKEN
from tests.fake_zalo_bot import FakeZaloBot
from tests.fake_zalo_oa import FakeZaloOA

CODE = "000.00.00.H31-250714-0001"
SUBSCRIBERS = 200
EVENTS = 3
OVERALL = 300  # messages/s: raised from 30 so the test is quick
PER_CHAT = 4  # messages/s per chat: raised from 1 for the same reason
NOTE = re.compile(r"fanout-note-(\d)")


@dataclasses.dataclass
class Platform:
    """One channel under test: its fake, its channel runtime, and its chat ids."""

    name: str
    limits: SendLimits
    texts: Callable[[], dict[str, list[str]]]
    channel: ChannelRuntime
    users: list[str]
    wait_for: Callable[[Callable[[], bool], float], Awaitable[None]]


def app_with(services: Services, **settings: Any) -> App:
    svc = dataclasses.replace(services, settings=services.settings.model_copy(update=settings))
    return App(services=svc, dialogue=build_dialogue(svc))


def limiter() -> OutgoingLimiter:
    """The client side of the raised limits."""
    return OutgoingLimiter(chat_per_second=PER_CHAT, push_per_second=OVERALL)


@asynccontextmanager
async def telegram(services: Services) -> AsyncIterator[Platform]:
    async with FakeTelegram(overall_per_second=OVERALL, chat_per_second=PER_CHAT) as fake:
        app = app_with(
            services, telegram_token=SecretStr(TG_TOKEN), telegram_base_url=fake.base_url
        )
        channel = TelegramChannel(app, rate_limiter=TelegramRateLimiter(limiter()))

        def texts() -> dict[str, list[str]]:
            return {str(chat): [m.text for m in sent] for chat, sent in fake.sent.items()}

        users = [str(610_000_000 + i) for i in range(SUBSCRIBERS)]
        yield Platform("telegram", fake.limits, texts, channel, users, fake.wait_for)


@asynccontextmanager
async def zalo_oa(services: Services) -> AsyncIterator[Platform]:
    async with FakeZaloOA(overall_per_second=OVERALL, chat_per_second=PER_CHAT) as fake:
        app = app_with(
            services,
            zalo_oa_app_id=oa.APP_ID,
            zalo_oa_secret_key=SecretStr("fanout-oa-secret"),
            zalo_oa_app_secret=SecretStr(oa.APP_SECRET),
            zalo_oa_access_token=SecretStr(oa.ACCESS_TOKEN),
            zalo_oa_refresh_token=SecretStr(oa.REFRESH_TOKEN),
            zalo_oa_api_url=fake.base_url,
            zalo_oa_oauth_url=fake.base_url,
        )
        channel = ZaloOAChannel(app, limiter=limiter())

        def texts() -> dict[str, list[str]]:
            return {user: [m.text for m in sent] for user, sent in fake.sent.items()}

        users = [str(8_200_000_000_000_000_000 + i) for i in range(SUBSCRIBERS)]
        async with services.db.begin() as conn:  # they wrote lately: the OA may answer
            await conn.execute(
                insert(ZaloOAUser), [{"user_id": u, "last_inbound_at": FIXED_NOW} for u in users]
            )
        yield Platform("zalo_oa", fake.limits, texts, channel, users, fake.wait_for)


@asynccontextmanager
async def zalo_bot(services: Services) -> AsyncIterator[Platform]:
    async with FakeZaloBot() as fake:
        fake.limit(overall_per_second=OVERALL, chat_per_second=PER_CHAT)
        app = app_with(services, zalo_bot_token=SecretStr(ZB_TOKEN), zalo_bot_api_url=fake.base_url)
        channel = ZaloBotChannel(app, limiter=limiter())

        def texts() -> dict[str, list[str]]:
            return {chat: [m.text for m in sent] for chat, sent in fake.sent.items()}

        users = [f"{0xC0000000 + i:020x}" for i in range(SUBSCRIBERS)]
        yield Platform("zalo_bot", fake.limits, texts, channel, users, fake.wait_for)


PLATFORMS: dict[str, Callable[[Services], AbstractAsyncContextManager[Platform]]] = {
    "telegram": telegram,
    "zalo_oa": zalo_oa,
    "zalo_bot": zalo_bot,
}


async def follow(services: Services, channel: str, users: list[str]) -> int:
    """``users`` follow the demo dossier; returns its current status."""
    async with services.db.begin() as conn:
        await conn.execute(
            insert(Subscription),
            [{"dossier_code": CODE, "channel": channel, "user_id": u} for u in users],
        )
        status: int = (
            await conn.execute(select(Dossier.status).where(Dossier.code == CODE))
        ).scalar_one()
    return status


def changes(current: int) -> bytes:
    """``EVENTS`` status changes of the dossier, each a real change, each with a numbered note."""
    statuses: list[int] = []
    for status in (5, 9, 10, 9, 5):
        if status != (statuses[-1] if statuses else current):
            statuses.append(status)
    events = [
        {
            "event_id": f"fanout-{k}",
            "code": CODE,
            "status": statuses[k],
            "at": (FIXED_NOW + timedelta(minutes=k + 1)).isoformat(),
            "note": f"fanout-note-{k}",
        }
        for k in range(EVENTS)
    ]
    return json.dumps({"events": events}).encode()


@pytest.mark.parametrize("name", sorted(PLATFORMS))
async def test_a_batch_of_changes_reaches_every_subscriber_once_in_order(
    name: str, services: Services
) -> None:
    async with PLATFORMS[name](services) as platform:
        app = platform.channel.app
        current = await follow(services, platform.name, platform.users)
        await platform.channel.start()
        app.senders[platform.name] = platform.channel
        body = changes(current)
        stamp = str(int(FIXED_NOW.timestamp()))
        secret = app.services.settings.events_secret.get_secret_value()
        headers = {"X-Motcua-Timestamp": stamp, "X-Motcua-Signature": sign(secret, stamp, body)}
        web_app = create_web_app(app, features=("bot.http.events", "bot.outbox"))
        expected = SUBSCRIBERS * EVENTS
        try:
            async with TestClient(TestServer(web_app)) as client:
                resp = await client.post(PATH, data=body, headers=headers)
                assert resp.status == 200, await resp.text()
                # A guard against a hang, not a timing.
                await platform.wait_for(lambda: len(platform.limits.accepted) >= expected, 60.0)
                await asyncio.sleep(0.3)  # room for a duplicate to show up
        finally:
            await platform.channel.stop()
        texts = platform.texts()
        for user in platform.users:
            notes = [int(m.group(1)) for t in texts.get(user, []) if (m := NOTE.search(t))]
            assert notes == list(range(EVENTS)), (user, notes)
        assert len(platform.limits.accepted) == expected
        assert platform.limits.refused == 0, "a 429 was provoked"
        async with services.db.read() as session:
            counted = await session.execute(
                select(Outbox.status, func.count()).group_by(Outbox.status)
            )
            statuses = {status: n for status, n in counted}
        assert statuses == {"sent": expected}


async def test_pushes_never_overrun_the_window_whatever_the_network_does() -> None:
    """Each message reaches the "platform" after a random delay and is answered after another:
    counted at the platform, no window of one second holds more than the budget."""
    budget = 40
    limiter = OutgoingLimiter(chat_per_second=1000, chat_burst=10, push_per_second=budget)
    rng = random.Random(17)
    arrivals: list[float] = []

    async def send() -> None:
        await asyncio.sleep(rng.uniform(0.0, 0.03))
        arrivals.append(time.monotonic())
        await asyncio.sleep(rng.uniform(0.0, 0.03))

    await asyncio.gather(*(limiter.call(f"c{i}", True, send) for i in range(3 * budget)))
    arrivals.sort()
    start = 0
    for end, at in enumerate(arrivals):
        while arrivals[start] <= at - 1.0:
            start += 1
        assert end - start + 1 <= budget


async def test_a_limited_sender_commits_sending_only_when_its_slot_comes(app: App) -> None:
    """Rows wait for their slot as "claimed" (a crash meanwhile resends nothing twice) and become
    "sending" right before the platform call; such a channel's rows go concurrently."""
    limiter = OutgoingLimiter(chat_per_second=1000, chat_burst=10, push_per_second=1000)
    seen: list[tuple[str, str]] = []  # (status before the limiter, status at the call)

    async def status_of(user: str) -> str:
        async with app.services.db.read() as session:
            value: str = (
                await session.execute(select(Outbox.status).where(Outbox.user_id == user))
            ).scalar_one()
        return value

    class Limited:
        name = "limited"
        idempotent = False

        async def send(
            self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
        ) -> None:
            before = await status_of(user_id)

            async def call() -> None:
                seen.append((before, await status_of(user_id)))

            await limiter.call(user_id, True, call)

    app.senders["limited"] = Limited()
    payload: dict[str, Any] = {
        "key": "ds-push-status",
        "args": {"code": CODE},
        "tr": {"status": "ds-status-9"},
    }
    for i in range(6):
        async with app.services.db.transaction() as session:
            await enqueue(
                session,
                channel="limited",
                user_id=f"u{i}",
                kind="t",
                payload=payload,
                dedup_key=f"k{i}",
            )
    dispatcher = Dispatcher(app, batch=1)
    assert await dispatcher.run_once() == 1  # the first row: "sending" committed up front
    assert seen == [("sending", "sending")]
    dispatcher.batch = 5
    assert await dispatcher.run_once() == 5  # now known to be limited: at the slot
    assert seen[1:] == [("claimed", "sending")] * 5
    async with app.services.db.read() as session:
        statuses = (await session.execute(select(Outbox.status))).scalars().all()
    assert statuses == ["sent"] * 6
