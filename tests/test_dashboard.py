"""Operator figures: per-unit counts, online and postal share, on-time rate, behind the token;
the inspection dashboard's queries on their indexes."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.dialects import sqlite

from bot.app import App
from bot.db.engine import Database
from bot.http.operator.figures import LATE_LIST_LIMIT, Filters, late_statement, tally_statement
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


async def test_dashboard_queries_read_their_indexes(db: Database) -> None:
    """Each scan of the inspection dashboard reads the index made for it, and the late list
    comes in that index's order (no sort of the backlog): a predicate rewritten with bound
    parameters, or an index dropped, would silently fall back to reading the table."""
    if not db.is_sqlite:
        pytest.skip("SQLite's plan; PostgreSQL chooses by the table's statistics")
    now = datetime(2025, 7, 20, 3, tzinfo=UTC)
    f = Filters(date(2025, 7, 1), date(2025, 7, 31))

    def plan(stmt: Any) -> str:
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        assert db.url.database is not None
        with closing(sqlite3.connect(db.url.database)) as con:
            return "\n".join(row[3] for row in con.execute("EXPLAIN QUERY PLAN " + sql))

    tally = plan(tally_statement(f, now))
    for index in (
        "COVERING INDEX ix_dossiers_received_cover",
        "COVERING INDEX ix_dossiers_finished_cover",
        "COVERING INDEX ix_dossiers_open_unit",
    ):
        assert index in tally, tally
    late = plan(late_statement(f, now, limit=LATE_LIST_LIMIT))
    assert "ix_dossiers_open_due" in late and "ORDER BY" not in late, late
