"""``GET /metrics``: Prometheus text an operator can scrape, with figures that move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.inbox import Inbox
from bot.messages import Incoming
from bot.outbox import enqueue
from bot.server import create_web_app
from tests.conftest import FIXED_NOW

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    web_app = create_web_app(app, features=("bot.http.metrics",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


def value(text: str, sample: str) -> float:
    """The value of one sample line (``name{labels}``) in Prometheus text, 0 when absent."""
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_show_the_outbox_requests_and_handler_errors(
    client: Client, app: App
) -> None:
    async with app.services.db.transaction() as session:
        await enqueue(
            session,
            channel="test",
            user_id="u1",
            kind="t",
            payload={"key": "ds-push-status"},
            dedup_key="m1",
        )
    before = await (await client.get("/metrics")).text()
    errors_before = value(before, 'motcua_handler_errors_total{channel="broken"}')

    async def crash(ctx: object) -> None:
        raise RuntimeError("boom")

    app.dialogue.router.fallback = crash  # an unknown command reaches the fallback
    replies = await app.dialogue.handle(Incoming("broken", "u9", text="/khongcolenhnay"))
    assert replies  # the apology
    resp = await client.get("/metrics")
    assert resp.status == 200 and resp.content_type.startswith("text/plain")
    text = await resp.text()
    assert value(text, 'motcua_outbox_rows{status="pending"}') == 1.0
    assert value(text, 'motcua_handler_errors_total{channel="broken"}') == errors_before + 1
    assert 'motcua_http_request_seconds_count{method="GET",route="/metrics",status="200"}' in text
    assert "u9" not in text and "u1" not in text  # no user ids in any label


async def test_metrics_show_updates_stored_but_not_yet_answered(client: Client, app: App) -> None:
    inbox = Inbox(app.services.db, lambda: FIXED_NOW - timedelta(seconds=90), owner="gone:1:x")
    await inbox.put("telegram", "tg:1", "42", {"update_id": 1})
    await inbox.put("telegram", "tg:2", "43", {"update_id": 2})
    text = await (await client.get("/metrics")).text()
    assert value(text, 'motcua_inbox_pending{channel="telegram"}') == 2.0
    assert value(text, 'motcua_inbox_oldest_pending_seconds{channel="telegram"}') == 90.0
