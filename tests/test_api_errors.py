"""Hostile input on the JSON API: every bad request gets a 4xx with the one error body
(``bot.http.errors``), never a 500, and writes nothing. Runs on SQLite and on PostgreSQL
(``TEST_DATABASE_URL``), where NUL characters, unpaired surrogates and ids beyond int4 used to
reach the database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import DossierEvent, PostalEvent
from bot.http.events import MAX_BATCH, PATH, sign
from bot.server import create_web_app
from tests.conftest import FIXED_NOW
from tests.postal_fixtures import add_postal_data
from tests.test_events_api import SECRET, event, post
from tests.test_postal_api import AUTH, make_request

DEEP = b"[" * 100_000  # json.loads raises RecursionError on this
OVERFLOW = "9999-12-31T23:59:59-12:00"  # in the year 10000 once converted to UTC


@pytest.fixture
async def client(app: App) -> AsyncIterator[TestClient]:
    await add_postal_data(app.services.db)
    features = ("bot.http.events", "bot.http.postal", "bot.http.dashboard")
    async with TestClient(TestServer(create_web_app(app, features=features))) as c:
        yield c


def assert_error(body: dict[str, Any], code: str) -> list[dict[str, str]]:
    """The one shape, with this code; returns the details."""
    assert set(body) == {"error", "message", "details"}, body
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    details: list[dict[str, str]] = body["details"]
    assert all(set(d) == {"field", "problem"} for d in details), body
    return details


async def written(app: App) -> tuple[int, int]:
    """(dossier events, postal events) in the database: a refused request changes neither."""
    async with app.services.db.read() as session:
        dossier = await session.scalar(select(func.count()).select_from(DossierEvent))
        postal = await session.scalar(select(func.count()).select_from(PostalEvent))
    return dossier or 0, postal or 0


async def raw_http(client: TestClient, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """One HTTP/1.1 request over a socket: header bytes no HTTP client library will send."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(head + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


# The dossier events endpoint ------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        DEEP,
        b'{"events": ' + DEEP,
        b"{nope",
        b"",
        b'{"event_id": NaN}',
        b'{"event_id": "\xff"}',  # not UTF-8
        b'{"status": ' + b"9" * 5000 + b"}",  # over Python's int digit limit
    ],
    ids=["deep", "deep-in-object", "broken", "empty", "nan", "not-utf8", "huge-int"],
)
async def test_events_body_not_json_is_400(app: App, client: TestClient, raw: bytes) -> None:
    before = await written(app)
    status, body = await post(client, None, raw=raw)
    assert status == 400
    assert assert_error(body, "bad_json") == []
    assert await written(app) == before


@pytest.mark.parametrize("body", [[event()], "event", 9, None, True])
async def test_events_body_not_an_object_is_422(app: App, client: TestClient, body: Any) -> None:
    before = await written(app)
    status, answer = await post(client, body)
    assert status == 422
    assert_error(answer, "not_an_object")
    assert await written(app) == before


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"at": OVERFLOW}, "at", "out of range"),
        ({"due_at": OVERFLOW}, "due_at", "out of range"),
        ({"at": "0001-01-01T00:00:00+07:00"}, "at", "out of range"),
        ({"due_at": "9999-12-31T23:00:00+00:00"}, "due_at", "out of range"),
        ({"event_id": "\ud800"}, "event_id", "surrogate"),
        ({"note": "ok \udfff"}, "note", "surrogate"),
        ({"missing": ["\ud800"]}, "missing[0]", "surrogate"),
        ({"event_id": "ev\x00-1"}, "event_id", "NUL"),
        ({"note": "a\x00b"}, "note", "NUL"),
        ({"missing": ["a\x00"]}, "missing[0]", "NUL"),
        ({"code": "\ud800"}, "code", "surrogate"),
        ({"event_id": 7}, "event_id", "must be a string"),
        ({"event_id": "x" * 129}, "event_id", "at most 128"),
        ({"code": 250714}, "code", "must be a string"),
        ({"code": "000.00.00.H31-250714-0001" + " " * 200}, "code", "too long"),
        ({"status": True}, "status", "1-10"),
        ({"status": 9.0}, "status", "1-10"),
        ({"status": None}, "status", "1-10"),
        ({"at": 1752980400}, "at", "ISO 8601"),
        ({"at": None}, "at", "missing"),
        ({"at": "yesterday"}, "at", "ISO 8601"),
        ({"note": 5}, "note", "must be a string"),
        ({"note": {"text": "x"}}, "note", "must be a string"),
        ({"due_at": []}, "due_at", "ISO 8601"),
        ({"missing": "Bản sao CCCD"}, "missing", "must be a list"),
        ({"missing": [1]}, "missing[0]", "must be a string"),
    ],
)
async def test_events_bad_fields_are_422(
    app: App, client: TestClient, bad: dict[str, Any], field: str, words: str
) -> None:
    before = await written(app)
    for body, path in ((event() | bad, field), ({"events": [event() | bad]}, f"events[0].{field}")):
        status, answer = await post(client, body)
        assert status == 422, answer
        [detail] = assert_error(answer, "invalid_event")
        assert detail["field"] == path
        assert words in detail["problem"]
    assert await written(app) == before


async def test_events_missing_fields_are_all_listed(app: App, client: TestClient) -> None:
    before = await written(app)
    status, body = await post(client, {"events": [event(), {}, 5]})
    assert status == 422
    details = assert_error(body, "invalid_event")
    assert {(d["field"], d["problem"]) for d in details} == {
        ("events[1].event_id", "missing"),
        ("events[1].code", "missing"),
        ("events[1].status", "missing"),
        ("events[1].at", "missing"),
        ("events[2]", "must be a JSON object"),
    }
    assert await written(app) == before


@pytest.mark.parametrize(
    ("batch", "field", "words"),
    [
        ("nope", "events", "must be a list"),
        ([], "events", "must not be empty"),
        (None, "events", "must be a list"),
    ],
)
async def test_events_bad_batch_is_422(
    client: TestClient, batch: Any, field: str, words: str
) -> None:
    status, body = await post(client, {"events": batch})
    assert status == 422
    [detail] = assert_error(body, "invalid_event")
    assert (detail["field"], detail["problem"]) == (field, words)


async def test_events_too_many_or_too_large_is_413(app: App, client: TestClient) -> None:
    before = await written(app)
    status, body = await post(client, {"events": [event(f"e{i}") for i in range(MAX_BATCH + 1)]})
    assert status == 413
    assert_error(body, "too_many_events")
    status, body = await post(client, None, raw=b" " * (1024 * 1024 + 1))
    assert status == 413
    assert_error(body, "body_too_large")
    assert await written(app) == before


async def test_events_single_unknown_dossier_names_the_field(client: TestClient) -> None:
    status, body = await post(client, event(code="000.00.00.H31-250714-0999"))
    assert status == 404
    [detail] = assert_error(body, "unknown_dossier")
    assert detail["field"] == "code"


@pytest.mark.parametrize(
    ("stamp", "code"),
    [
        (None, "missing_signature"),
        ("soon", "bad_timestamp"),
        ("١٧٥٢٩٨٠٤٠٠", "bad_timestamp"),  # Arabic-Indic digits: int() would take them
        ("9" * 5000, "bad_timestamp"),
        ("0", "stale_timestamp"),
    ],
)
async def test_events_bad_auth_headers_are_401(
    client: TestClient, stamp: str | None, code: str
) -> None:
    data = json.dumps(event()).encode()
    headers = {}
    if stamp is not None:
        headers = {"X-Motcua-Timestamp": stamp, "X-Motcua-Signature": sign(SECRET, "0", data)}
    resp = await client.post(PATH, data=data, headers=headers)
    assert resp.status == 401
    assert_error(await resp.json(), code)


async def test_events_signature_that_is_not_utf8_is_401(client: TestClient) -> None:
    stamp = str(int(FIXED_NOW.timestamp())).encode()
    head = (
        b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
        b"\r\nX-Motcua-Timestamp: " + stamp + b"\r\nX-Motcua-Signature: sha256=\xff\xfe"
    )
    status, body = await raw_http(client, head, json.dumps(event()).encode())
    assert status == 401
    assert_error(json.loads(body), "bad_signature")


# The post-office endpoint ---------------------------------------------------------------------
async def post_office(client: TestClient, path_id: str, data: bytes) -> tuple[int, dict]:
    resp = await client.post(f"/api/v1/postal-requests/{path_id}/events", data=data, headers=AUTH)
    return resp.status, await resp.json()


GOOD = json.dumps({"event_id": "e1", "status": "in_transit"}).encode()


@pytest.mark.parametrize(
    "path_id",
    ["99999999999999999999", "2147483648", "0", "-1", "+1", "1_0", "abc", "%D9%A1", "%201"],
)
async def test_postal_ids_out_of_range_are_404(app: App, client: TestClient, path_id: str) -> None:
    await make_request(app)
    before = await written(app)
    status, body = await post_office(client, path_id, GOOD)
    assert status == 404
    assert_error(body, "not_found")
    assert await written(app) == before


async def test_postal_largest_id_is_just_unknown(client: TestClient) -> None:
    status, body = await post_office(client, str(2**31 - 1), GOOD)
    assert status == 404
    assert_error(body, "not_found")


@pytest.mark.parametrize("raw", [DEEP, b"{nope", b"", b'{"event_id": Infinity}'])
async def test_postal_body_not_json_is_400(app: App, client: TestClient, raw: bytes) -> None:
    req = await make_request(app)
    status, body = await post_office(client, str(req.id), raw)
    assert status == 400
    assert_error(body, "bad_json")


@pytest.mark.parametrize("raw", [b"[]", b'"in_transit"', b"null", b"42"])
async def test_postal_body_not_an_object_is_422(app: App, client: TestClient, raw: bytes) -> None:
    req = await make_request(app)
    status, body = await post_office(client, str(req.id), raw)
    assert status == 422
    assert_error(body, "not_an_object")


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        ({"event_id": "\ud800"}, "bad_event_id", "event_id"),
        ({"event_id": "e\x001"}, "bad_event_id", "event_id"),
        ({"event_id": 1}, "bad_event_id", "event_id"),
        ({"event_id": None}, "bad_event_id", "event_id"),
        ({"event_id": "   "}, "bad_event_id", "event_id"),
        ({"status": 1}, "bad_status", "status"),
        ({"status": "requested"}, "bad_status", "status"),
        ({"status": ["in_transit"]}, "bad_status", "status"),
        ({"tracking_code": 123456785}, "bad_tracking", "tracking_code"),
        ({"tracking_code": "EA12345678\x005VN"}, "bad_tracking", "tracking_code"),
        ({"reason": "\ud800"}, "bad_note", "reason"),
        ({"reason": 1}, "bad_note", "reason"),
        ({"note": "a\x00"}, "bad_note", "note"),
        ({"note": ["x"]}, "bad_note", "note"),
    ],
)
async def test_postal_bad_fields_are_422(
    app: App, client: TestClient, bad: dict[str, Any], code: str, field: str
) -> None:
    req = await make_request(app)
    before = await written(app)
    data = json.dumps({"event_id": "e1", "status": "in_transit"} | bad).encode()
    status, body = await post_office(client, str(req.id), data)
    assert status == 422, body
    [detail] = assert_error(body, code)
    assert detail["field"] == field
    assert await written(app) == before


async def test_postal_domain_errors_use_the_one_body(app: App, client: TestClient) -> None:
    req = await make_request(app)
    accepted = {"event_id": "a1", "status": "accepted"}
    status, body = await post_office(client, str(req.id), json.dumps(accepted).encode())
    assert status == 422
    [detail] = assert_error(body, "tracking_required")
    assert detail["field"] == "tracking_code"
    status, body = await post_office(client, str(req.id), GOOD)
    assert status == 409
    assert "cannot go from requested to in_transit" in body["message"]
    assert assert_error(body, "conflict") == []
    status, body = await post_office(client, "999999", GOOD)
    assert status == 404
    assert_error(body, "not_found")


async def test_postal_listing_bad_status_uses_the_one_body(client: TestClient) -> None:
    resp = await client.get("/api/v1/postal-requests", params={"status": "lost\x00"}, headers=AUTH)
    assert resp.status == 422
    [detail] = assert_error(await resp.json(), "bad_status")
    assert detail["field"] == "status"


# Operator authentication ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/api/v1/postal-requests", "/api/v1/stats", "/api/v1/postal-requests/1/events"]
)
async def test_unauthorised_operator_calls_use_the_one_body(client: TestClient, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic é"}):
        method = client.post if path.endswith("/events") else client.get
        resp = await method(path, headers=headers)
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("Basic")
        assert_error(await resp.json(), "unauthorized")


@pytest.mark.parametrize("value", [b"Bearer \xff\xfe", b"Basic \xff", b"\xc3"])
async def test_operator_token_that_is_not_utf8_is_401(client: TestClient, value: bytes) -> None:
    head = b"GET /api/v1/postal-requests HTTP/1.1\r\nHost: x\r\nAuthorization: " + value
    status, body = await raw_http(client, head)
    assert status == 401
    assert_error(json.loads(body), "unauthorized")
