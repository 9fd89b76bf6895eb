"""Operator figures: per-unit counts, online and postal share, on-time rate, behind the token."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.server import create_web_app

TOKEN = {"Authorization": "Bearer test-operator-token"}


@pytest.fixture
async def client(app: App) -> AsyncIterator[TestClient]:
    web_app = create_web_app(app, features=("bot.http.dashboard",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


async def test_stats_need_the_operator_token(client: TestClient) -> None:
    assert (await client.get("/api/v1/stats")).status == 401
    bad = {"Authorization": "Bearer nope"}
    assert (await client.get("/api/v1/stats", headers=bad)).status == 401
    assert (await client.get("/dashboard")).status == 401


async def test_stats_per_unit(client: TestClient) -> None:
    resp = await client.get("/api/v1/stats", headers=TOKEN)
    assert resp.status == 200
    body = await resp.json()
    units = {u["agency_code"]: u for u in body["units"]}
    assert sum(u["dossiers"] for u in units.values()) == 20  # the demo dossiers
    for u in units.values():
        assert 0 <= u["online_share"] <= 1 and 0 <= u["postal_share"] <= 1
        assert u["on_time_rate"] is None or 0 <= u["on_time_rate"] <= 1
    assert any(u["late_open"] for u in units.values())  # the demo has a late dossier


async def test_dashboard_page_in_a_browser(client: TestClient) -> None:
    basic = base64.b64encode(b"operator:test-operator-token").decode()
    resp = await client.get("/dashboard?lang=en", headers={"Authorization": f"Basic {basic}"})
    assert resp.status == 200
    page = await resp.text()
    assert "Figures per receiving unit" in page and "<td>" in page


async def test_health(app: App) -> None:
    async with TestClient(TestServer(create_web_app(app, features=()))) as c:
        resp = await c.get("/healthz")
        assert resp.status == 200
        assert (await resp.json())["status"] == "ok"
