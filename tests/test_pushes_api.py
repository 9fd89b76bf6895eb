"""Operators list waiting, failed and uncertain pushes and send one again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.app import App
from bot.channels.collecting import CollectingSender
from bot.db.models import Outbox
from bot.outbox import Dispatcher, enqueue
from bot.server import create_web_app

Client = TestClient[web.Request, web.Application]
AUTH = {"Authorization": "Bearer test-operator-token"}


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_web_app(app, features=("bot.http.pushes",)))) as c:
        yield c


async def push(app: App, key: str, user: str = "123456789") -> int:
    async with app.services.db.transaction() as session:
        await enqueue(
            session,
            channel="test",
            user_id=user,
            kind="dossier_status",
            payload={
                "key": "ds-push-status",
                "args": {"code": "X"},
                "tr": {"status": "ds-status-9"},
            },
            dedup_key=key,
        )
        return int(await session.scalar(select(Outbox.id).where(Outbox.dedup_key == key)) or 0)


async def test_list_and_resend_a_failed_push(client: Client, app: App) -> None:
    waiting, failed = await push(app, "a"), await push(app, "b", user="987654321")
    async with app.services.db.transaction() as session:
        await session.execute(
            update(Outbox).where(Outbox.id == failed).values(status="failed", attempts=8)
        )
    assert (await client.get("/api/v1/pushes")).status == 401
    body = await (await client.get("/api/v1/pushes?status=failed", headers=AUTH)).json()
    (row,) = body["pushes"]
    assert row["id"] == failed and row["user"] == "98*****21" and "payload" not in row
    everything = await (await client.get("/api/v1/pushes", headers=AUTH)).json()
    assert [r["id"] for r in everything["pushes"]] == [failed, waiting]
    refused = await client.post(f"/api/v1/pushes/{waiting}/resend", headers=AUTH)
    assert refused.status == 409 and (await refused.json())["error"] == "conflict"
    resp = await client.post(f"/api/v1/pushes/{failed}/resend", headers=AUTH)
    assert resp.status == 200
    sender = CollectingSender("test")
    app.senders["test"] = sender
    await Dispatcher(app).run_once()
    assert sender.sent["987654321"] and sender.sent["123456789"]
    async with app.services.db.read() as session:
        assert (await session.get(Outbox, failed)).status == "sent"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/pushes?status=nope", 422),
        ("/api/v1/pushes?limit=0", 422),
        ("/api/v1/pushes?limit=99999999999999999999", 422),
    ],
)
async def test_bad_queries_get_422(client: Client, path: str, status: int) -> None:
    assert (await client.get(path, headers=AUTH)).status == status


@pytest.mark.parametrize("push_id", ["0", "99999999999999999999", "2147483648", "abc", "-1"])
async def test_resend_of_no_such_push_is_404(client: Client, push_id: str) -> None:
    resp = await client.post(f"/api/v1/pushes/{push_id}/resend", headers=AUTH)
    assert resp.status == 404 and (await resp.json())["error"] == "not_found"


async def test_wrong_tokens_lock_the_address_out_and_are_logged_without_the_secret(
    client: Client, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = {"Authorization": "Bearer not-the-token-s3cret"}
    for _ in range(5):
        assert (await client.get("/api/v1/pushes", headers=wrong)).status == 401
    locked = await client.get("/api/v1/pushes", headers=AUTH)  # even the right token, for now
    assert locked.status == 429 and (await locked.json())["error"] == "locked"
    assert (
        "not-the-token-s3cret" not in caplog.text and "operator credentials refused" in caplog.text
    )
    later = app.services.clock() + timedelta(minutes=16)
    app.services.clock = lambda: later
    assert (await client.get("/api/v1/pushes", headers=AUTH)).status == 200
