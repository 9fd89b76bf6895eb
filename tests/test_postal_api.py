"""Operator / post-office API and export: listing, CSV, events with S10 codes, auth, pushes."""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select

from bot import postal
from bot.app import App
from bot.channels.collecting import CollectingSender
from bot.commands import postal as postal_command
from bot.db.models import Outbox, PostalRequest
from bot.outbox import Dispatcher
from bot.server import create_web_app
from bot.spreadsheet import csv_text
from bot.vntime import vn_date
from tests.conftest import FIXED_NOW, Chat
from tests.postal_fixtures import OPEN, add_postal_data

AUTH = {"Authorization": "Bearer test-operator-token"}


@pytest.fixture
async def client(app: App) -> AsyncIterator[TestClient]:
    await add_postal_data(app.services.db)
    web_app = create_web_app(app, features=("bot.http.postal",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


async def make_request(app: App, *, user: str = "citizen", fid: str = "f1") -> PostalRequest:
    db = app.services.db
    async with db.transaction() as session:
        req, created = await postal.create_request(
            session,
            db,
            dossier_code=OPEN,
            channel="test",
            user_id=user,
            flow_id=fid,
            recipient=postal.Recipient(
                name="Nguyễn Văn An",
                phone="+84912345678",
                street="Số 5 Lê Lợi",
                ward_code="11311",
                ward_name="Phường Lê Chân",
                province_code="31",
                province_name="Thành phố Hải Phòng",
                note="gọi trước",
                collect_fee=True,
                collect_amount=50000,
            ),
            fee=postal.Fee(33000, True),
            now=FIXED_NOW,
        )
        assert created
        return req


async def export(*argv: str) -> int:
    """Run ``motcua postal export`` in this event loop (the CLI would start its own)."""
    parser = argparse.ArgumentParser()
    postal_command.register(parser.add_subparsers())
    args = parser.parse_args(["postal", "export", *argv])
    return int(await args.func(args))


async def outbox_rows(app: App) -> list[Outbox]:
    async with app.services.db.read() as session:
        return list(await session.scalars(select(Outbox).where(Outbox.kind == "postal")))


async def test_unauthorised_is_refused(client: TestClient, app: App) -> None:
    req = await make_request(app)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer "}):
        resp = await client.get("/api/v1/postal-requests", headers=headers)
        assert resp.status == 401
        resp = await client.post(
            f"/api/v1/postal-requests/{req.id}/events",
            json={"event_id": "e1", "status": "in_transit"},
            headers=headers,
        )
        assert resp.status == 401


async def test_no_token_configured_refuses_everyone(app: App) -> None:
    await add_postal_data(app.services.db)
    settings = app.services.settings
    app.services.settings = settings.model_copy(update={"operator_token": SecretStr("")})
    web_app = create_web_app(app, features=("bot.http.postal",))
    async with TestClient(TestServer(web_app)) as c:
        for headers in ({}, {"Authorization": "Bearer "}, AUTH):
            resp = await c.get("/api/v1/postal-requests", headers=headers)
            assert resp.status == 401


async def test_listing_json_shows_full_details(client: TestClient, app: App) -> None:
    req = await make_request(app)
    resp = await client.get("/api/v1/postal-requests", headers=AUTH)
    assert resp.status == 200
    body = await resp.json()
    assert body["count"] == 1
    row = body["requests"][0]
    assert row["reference"] == req.reference
    assert row["phone"] == "+84912345678"
    assert row["street"] == "Số 5 Lê Lợi"
    assert row["procedure_fee"] == 50000 and row["collect_fee"] is True
    resp = await client.get("/api/v1/postal-requests?status=delivered", headers=AUTH)
    assert (await resp.json())["count"] == 0
    resp = await client.get("/api/v1/postal-requests?status=nonsense", headers=AUTH)
    assert resp.status == 422


async def test_listing_csv(client: TestClient, app: App) -> None:
    req = await make_request(app)
    for kwargs in (
        {"params": {"format": "csv"}, "headers": AUTH},
        {"headers": {**AUTH, "Accept": "text/csv"}},
    ):
        resp = await client.get("/api/v1/postal-requests", **kwargs)  # type: ignore[arg-type]
        assert resp.status == 200
        assert resp.content_type == "text/csv"
        rows = list(csv.DictReader(io.StringIO(await resp.text())))
        assert [r["reference"] for r in rows] == [req.reference]
        assert rows[0]["ward_name"] == "Phường Lê Chân"


async def post_event(client: TestClient, req_id: int, **body: object) -> tuple[int, dict]:
    resp = await client.post(f"/api/v1/postal-requests/{req_id}/events", json=body, headers=AUTH)
    return resp.status, await resp.json()


async def test_accept_needs_a_valid_s10_code(client: TestClient, app: App) -> None:
    req = await make_request(app)
    status, body = await post_event(client, req.id, event_id="e1", status="accepted")
    assert status == 422 and body["error"] == "tracking_required"
    status, body = await post_event(
        client, req.id, event_id="e2", status="accepted", tracking_code="EA123456789VN"
    )
    assert status == 422 and body["error"] == "bad_tracking"
    status, body = await post_event(
        client, req.id, event_id="e3", status="accepted", tracking_code="ea 123456785 vn"
    )
    assert status == 201, body
    assert body["tracking_code"] == "EA123456785VN" and body["status"] == "accepted"
    assert len(await outbox_rows(app)) == 1  # rejected events pushed nothing


async def test_events_are_idempotent_and_push_once(client: TestClient, app: App) -> None:
    req = await make_request(app)
    ok = {"status": "accepted", "tracking_code": "EA123456785VN"}
    assert (await post_event(client, req.id, event_id="acc-1", **ok))[0] == 201
    status, body = await post_event(client, req.id, event_id="acc-1", **ok)
    assert status == 200 and body["duplicate"] is True
    assert (await post_event(client, req.id, event_id="t-1", status="in_transit"))[0] == 201
    status, body = await post_event(client, req.id, event_id="f-1", status="failed")
    assert status == 422 and body["error"] == "reason_required"
    status, _ = await post_event(
        client, req.id, event_id="f-1", status="failed", reason="không có người nhận"
    )
    assert status == 201
    assert (await post_event(client, req.id, event_id="d-1", status="delivered"))[0] == 201
    status, body = await post_event(client, req.id, event_id="d-2", status="in_transit")
    assert status == 409
    pushes = await outbox_rows(app)
    assert len(pushes) == 4
    assert {p.user_id for p in pushes} == {"citizen"}
    keys = [p.payload.get("key") for p in pushes]
    assert "postal-push-failed" in keys and "postal-push-delivered" in keys


async def test_pushes_are_delivered_once_in_the_citizens_language(
    client: TestClient, app: App
) -> None:
    await Chat(app, user="citizen").send("/lang en")
    req = await make_request(app)
    sender = CollectingSender("test")
    app.senders["test"] = sender
    ok = {"status": "accepted", "tracking_code": "EA123456785VN"}
    await post_event(client, req.id, event_id="acc-1", **ok)
    await post_event(client, req.id, event_id="acc-1", **ok)  # the post office retries
    dispatcher = Dispatcher(app)
    for _ in range(3):
        await dispatcher.run_once()
    sent = sender.sent["citizen"]
    assert len(sent) == 1
    assert "accepted your result" in sent[0].text and "EA123456785VN" in sent[0].text
    assert [b.payload for b in sent[0].buttons] == [f"pdr:{req.reference}"]


async def test_event_for_unknown_request_or_bad_status(client: TestClient, app: App) -> None:
    req = await make_request(app)
    assert (await post_event(client, 999999, event_id="x", status="in_transit"))[0] == 404
    status, body = await post_event(client, req.id, event_id="y", status="lost")
    assert status == 422 and body["error"] == "bad_status"
    status, _ = await post_event(client, req.id, event_id="z", status="in_transit")
    assert status == 409  # not accepted yet


async def test_citizen_cannot_cancel_after_acceptance(client: TestClient, app: App) -> None:
    req = await make_request(app)
    await post_event(client, req.id, event_id="a", status="accepted", tracking_code="EA123456785VN")
    chat = Chat(app, user="citizen")
    await chat.payload(f"pdr:{req.reference}")
    assert "EA123456785VN" in chat.text and "Bưu điện đã nhận gửi" in chat.text
    assert not any("Hủy yêu cầu" in b for b in chat.buttons)
    await chat.payload(f"pdxy:{req.reference}")
    assert "không thể hủy" in chat.text
    stranger = Chat(app, user="stranger")
    await stranger.payload(f"pdr:{req.reference}")
    assert "Không tìm thấy yêu cầu" in stranger.text


async def test_export_lists_todays_accepted_requests(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    req = await make_request(app)
    await post_event(client, req.id, event_id="a", status="accepted", tracking_code="EA123456785VN")
    out = tmp_path / "dispatch.csv"
    url = str(app.services.db.url.render_as_string(hide_password=False))
    day = vn_date(FIXED_NOW)
    assert await export("--date", day.isoformat(), "--out", str(out), "--db", url) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["tracking_code"] for r in rows] == ["EA123456785VN"]
    assert rows[0]["phone"] == "+84912345678"
    next_day = date(2025, 7, 21).isoformat()
    assert await export("--date", next_day, "--out", str(out), "--db", url) == 0
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))) == 0


def test_csv_cells_cannot_carry_formulas() -> None:
    rows = [
        {
            "street": '=HYPERLINK("http://x.example","bấm")',
            "note": "@SUM(A1:A9)",
            "ward_name": "-1+1",
            "province_name": "\tTab",
            "phone": "+84912345678",
            "recipient_name": "Nguyễn Văn An",
        }
    ]
    text = csv_text(
        ["street", "note", "ward_name", "province_name", "phone", "recipient_name"], rows
    )
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["street"].startswith("'=") and row["note"] == "'@SUM(A1:A9)"
    assert row["ward_name"] == "'-1+1" and row["province_name"] == "'\tTab"
    assert row["phone"] == "+84912345678" and row["recipient_name"] == "Nguyễn Văn An"
    assert csv_text(["a"], [], bom=True).startswith("\ufeffa")
