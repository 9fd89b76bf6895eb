"""``POST /api/v1/dossiers/events``: signatures, freshness, validation, idempotency, and the
outbox rows written with each change."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Dossier, DossierEvent, Outbox, Subscription
from bot.http.events import PATH, sign
from bot.server import create_web_app
from tests.conftest import FIXED_NOW

CODE = "000.00.00.H31-250714-0001"  # status 4 in the demo data
SECRET = "test-events-secret"


@pytest.fixture
async def client(app: App) -> AsyncIterator[TestClient]:
    web_app = create_web_app(app, features=("bot.http.events",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


def event(event_id: str = "ev-1", status: int = 9, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "code": CODE,
        "status": status,
        "at": "2025-07-20T09:30:00+07:00",
        "note": "Kết quả đã ký",
    } | extra


async def post(
    client: TestClient,
    body: Any,
    *,
    secret: str = SECRET,
    ts: int | None = None,
    raw: bytes | None = None,
    signature: str | None = None,
) -> tuple[int, dict[str, Any]]:
    data = raw if raw is not None else json.dumps(body).encode()
    stamp = str(ts if ts is not None else int(FIXED_NOW.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "X-Motcua-Timestamp": stamp,
        "X-Motcua-Signature": signature or sign(secret, stamp, data),
    }
    resp = await client.post(PATH, data=data, headers=headers)
    return resp.status, await resp.json()


async def subscribe(app: App, *users: str) -> None:
    async with app.services.db.transaction() as session:
        for user in users:
            session.add(Subscription(dossier_code=CODE, channel="test", user_id=user))


async def counts(app: App) -> tuple[int, int, int]:
    """(status of CODE, events of CODE, outbox rows)."""
    async with app.services.db.read() as session:
        dossier = await session.get(Dossier, CODE)
        assert dossier is not None
        events = await session.scalar(
            select(func.count()).select_from(DossierEvent).where(DossierEvent.dossier_code == CODE)
        )
        outbox = await session.scalar(select(func.count()).select_from(Outbox))
    return dossier.status, events or 0, outbox or 0


async def test_signed_event_updates_dossier_history_and_outbox(
    app: App, client: TestClient
) -> None:
    await subscribe(app, "alice", "bob")
    _, before, _ = await counts(app)
    status, body = await post(client, event())
    assert status == 200, body
    assert body == {"results": [{"event_id": "ev-1", "result": "applied"}]}
    assert await counts(app) == (9, before + 1, 2)
    async with app.services.db.read() as session:
        rows = (await session.scalars(select(Outbox).order_by(Outbox.user_id))).all()
        dossier = await session.get(Dossier, CODE)
    assert [r.user_id for r in rows] == ["alice", "bob"]
    assert rows[0].payload["key"] == "ds-push-status"
    assert rows[0].payload["tr"] == {"status": "ds-status-9"}
    assert dossier is not None and dossier.finished_at is not None
    assert app.services.outbox_wakeup.is_set()


async def test_batch_is_applied_in_order(app: App, client: TestClient) -> None:
    await subscribe(app, "alice")
    batch = {
        "events": [
            event("b-1", 5, at="2025-07-20T08:00:00+07:00", missing=["Bản sao CCCD"]),
            event("b-2", 4, at="2025-07-20T09:00:00+07:00"),
        ]
    }
    status, body = await post(client, batch)
    assert status == 200
    assert [r["result"] for r in body["results"]] == ["applied", "applied"]
    dossier_status, _, outbox = await counts(app)
    assert (dossier_status, outbox) == (4, 2)
    async with app.services.db.read() as session:
        dossier = await session.get(Dossier, CODE)
    assert dossier is not None and dossier.missing == []


async def test_forged_signature_is_refused(app: App, client: TestClient) -> None:
    before = await counts(app)
    status, body = await post(client, event(), secret="not-the-secret")
    assert (status, body["error"], body["message"]) == (401, "bad_signature", "bad signature")
    data = json.dumps(event()).encode()
    stamp = str(int(FIXED_NOW.timestamp()))
    # A valid signature of another body, and one without the timestamp bound in.
    status, _ = await post(client, None, raw=data, signature=sign(SECRET, stamp, data + b" "))
    assert status == 401
    bare = "sha256=" + hmac.new(SECRET.encode(), data, hashlib.sha256).hexdigest()
    status, _ = await post(client, None, raw=data, signature=bare)
    assert status == 401
    resp = await client.post(PATH, data=data)
    assert resp.status == 401
    assert await counts(app) == before


async def test_stale_or_future_timestamp_is_refused(app: App, client: TestClient) -> None:
    now = int(FIXED_NOW.timestamp())
    for ts in (now - 301, now + 301):
        status, body = await post(client, event(), ts=ts)
        assert (status, body["error"]) == (401, "stale_timestamp")
        assert body["message"] == "timestamp outside the accepted window"
    status, _ = await post(client, event(), ts=now - 299)
    assert status == 200


async def test_replayed_request_and_duplicate_event_change_nothing(
    app: App, client: TestClient
) -> None:
    await subscribe(app, "alice")
    data = json.dumps(event()).encode()
    stamp = str(int(FIXED_NOW.timestamp()))
    sig = sign(SECRET, stamp, data)
    first = await post(client, None, raw=data, signature=sig)
    after_first = await counts(app)
    replay = await post(client, None, raw=data, signature=sig)
    assert first[0] == replay[0] == 200
    assert replay[1]["results"][0]["result"] == "duplicate"
    # The same event id again in a new, freshly signed request: still a duplicate.
    again = await post(client, event(note="sent twice by the one-stop system"))
    assert again[1]["results"][0]["result"] == "duplicate"
    assert await counts(app) == after_first
    assert after_first[2] == 1


async def test_unknown_dossier_is_404_and_rolls_back_the_batch(
    app: App, client: TestClient
) -> None:
    before = await counts(app)
    unknown = "000.00.00.H31-250714-0999"
    status, body = await post(client, {"events": [event("u-1"), event("u-2", code=unknown)]})
    assert status == 404
    assert body == {
        "error": "unknown_dossier",
        "message": "unknown dossier: nothing was written",
        "details": [
            {"field": "events[1].code", "problem": f"no dossier {unknown} in the bot's database"}
        ],
    }
    assert await counts(app) == before


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"status": 11}, "status", "national status codes 1-10"),
        ({"status": "9"}, "status", "national status codes 1-10"),
        ({"code": "not a code"}, "code", "not a valid dossier code"),
        ({"at": "2025-07-20T09:30:00"}, "at", "offset"),
        ({"event_id": ""}, "event_id", "non-empty"),
    ],
)
async def test_invalid_event_is_422(
    app: App, client: TestClient, bad: dict[str, Any], field: str, words: str
) -> None:
    before = await counts(app)
    status, body = await post(client, {"events": [event("ok-1"), event("bad-1") | bad]})
    assert status == 422
    assert (body["error"], body["message"]) == ("invalid_event", "invalid event")
    [detail] = body["details"]
    assert detail["field"] == f"events[1].{field}"
    assert words in detail["problem"]
    assert await counts(app) == before


async def test_not_json_and_disabled_secret(app: App, client: TestClient) -> None:
    status, body = await post(client, None, raw=b"{nope")
    assert (status, body["error"]) == (400, "bad_json")
    no_secret = {"events_secret": SecretStr("")}
    app.services.settings = app.services.settings.model_copy(update=no_secret)
    status, body = await post(client, event())
    assert (status, body["error"]) == (503, "events_disabled")


async def test_older_event_is_kept_as_history_only(app: App, client: TestClient) -> None:
    await subscribe(app, "alice")
    _, body = await post(client, event("old-1", 2, at="2025-07-01T08:00:00+07:00"))
    assert body["results"][0]["result"] == "history"
    dossier_status, _, outbox = await counts(app)
    assert (dossier_status, outbox) == (4, 0)


async def test_new_due_date_is_pushed(app: App, client: TestClient) -> None:
    await subscribe(app, "alice")
    status, _ = await post(client, event("due-1", 4, due_at="2025-08-04T16:30:00+07:00"))
    assert status == 200
    async with app.services.db.read() as session:
        row = (await session.scalars(select(Outbox))).one()
    assert row.payload["args"]["date"] == "04/08/2025"
    assert "ds-push-due" in row.payload["lines"]


async def test_healthz(client: TestClient) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"
