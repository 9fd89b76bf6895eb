"""Bot analytics (``/operator/analytics``) on a hand-counted set, the question log written by
the procedure handler, and aliases added by admins (``/operator/aliases``): roles, CSRF, the
audit, and a chat message that finds the procedure by the new phrasing at once."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete, func, select

from bot.app import App
from bot.catalogue import Catalogue
from bot.db.models import (
    Feedback,
    Outbox,
    ProcedureAlias,
    ProcedureAliasAudit,
    QuestionLog,
)
from bot.http.operator.analytics import compute
from bot.server import create_web_app
from bot.vntime import VN
from tests.conftest import Chat
from tests.test_operator_web import NOW, Clock, add_operator, csrf_of, sign_in

BIRTH = "1.001193"  # "Đăng ký khai sinh" in the demo catalogue
PHRASE = "xin giấy hồng lam cho cháu"


@pytest.fixture
def clock(app: App) -> Clock:
    c = Clock(NOW.astimezone(UTC))
    app.services.clock = c
    return c


@pytest.fixture
async def client(app: App, clock: Clock) -> AsyncIterator[TestClient]:
    web_app = create_web_app(app, features=("bot.http.operator",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


def vn(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


# (channel, Vietnam time, verdict, code, query). March 2026 is the default period (NOW: 20 Mar).
QUESTIONS = [
    ("zalo", vn(1, 0, 10), "card", BIRTH, ""),  # 28 Feb 17:10 UTC: still 1 March in Vietnam
    ("zalo", vn(1, 9), "did-you-mean", "2.000528", ""),
    ("telegram", vn(1, 10), "not-found", "", "cấp lại sổ gì đó"),
    ("telegram", vn(2, 8), "card", BIRTH, ""),
    ("telegram", vn(2, 9), "card", "1.004884", ""),
    ("zalo", vn(2, 23, 50), "not-found", "", "cấp lại sổ gì đó"),
    ("zalo", vn(2, 23, 55), "not-found", "", "số 09*****12 là gì"),
    ("zalo", vn(28, 23, 30, month=2), "card", BIRTH, ""),  # February: outside the period
    ("zalo", vn(1, 0, 0, month=4), "not-found", "", "tháng tư"),  # April: outside
]
# (code, helpful, Vietnam time)
VOTES = [
    (BIRTH, True, vn(1, 9)),
    (BIRTH, True, vn(2, 9)),
    (BIRTH, False, vn(2, 10)),
    ("1.004884", False, vn(3, 10)),
    (BIRTH, False, vn(28, 10, month=2)),  # outside
]


async def seed(app: App) -> None:
    async with app.services.db.transaction() as session:
        await session.execute(delete(Outbox))
        for channel, at, verdict, code, query in QUESTIONS:
            session.add(
                QuestionLog(
                    channel=channel, at=at, verdict=verdict, procedure_code=code, query=query
                )
            )
        for code, helpful, at in VOTES:
            session.add(
                Feedback(channel="zalo", procedure_code=code, helpful=helpful, created_at=at)
            )
        for n, status in enumerate(["sent", "sent", "pending", "sending", "failed", "uncertain"]):
            session.add(
                Outbox(
                    dedup_key=f"t:{n}",
                    channel="zalo",
                    user_id="u",
                    kind="test",
                    payload={},
                    status=status,
                    created_at=vn(5, 9),
                )
            )
        session.add(
            Outbox(
                dedup_key="t:old",
                channel="zalo",
                user_id="u",
                kind="test",
                payload={},
                status="failed",
                created_at=vn(5, 9, month=2),
            )
        )


async def test_figures_on_a_hand_counted_set(app: App, clock: Clock) -> None:
    await seed(app)
    async with app.services.db.read() as session:
        a = await compute(
            session, NOW.date().replace(day=1), NOW.date().replace(day=31), lambda c: f"name {c}"
        )
    assert a.questions == 7
    assert a.verdicts == {"card": 3, "did-you-mean": 1, "not-found": 3}
    assert a.share("card") == pytest.approx(3 / 7)
    assert a.share("not-found") == pytest.approx(3 / 7)
    assert a.channels == ["telegram", "zalo"]
    assert [(d.day.day, d.by_channel) for d in a.days] == [
        (1, {"zalo": 2, "telegram": 1}),
        (2, {"telegram": 2, "zalo": 2}),
    ]
    assert a.channel_total("zalo") == 4
    votes = {v.code: (v.up, v.down, v.up_rate, v.name) for v in a.votes}
    assert votes == {
        BIRTH: (2, 1, pytest.approx(2 / 3), f"name {BIRTH}"),
        "1.004884": (0, 1, 0.0, "name 1.004884"),
    }
    assert a.not_found == [("cấp lại sổ gì đó", 2), ("số 09*****12 là gì", 1)]
    assert a.pushes == {"sent": 2, "waiting": 2, "failed": 1, "uncertain": 1}
    assert sum(a.postal.values()) == 0  # the demo's requests are from 2025


async def test_page_and_csv(app: App, client: TestClient) -> None:
    await seed(app)
    await add_operator(app, "thanh", "inspector")
    assert await sign_in(client, "thanh") == 303
    resp = await client.get("/operator/analytics")
    assert resp.status == 200
    page = await resp.text()
    assert "Số liệu sử dụng bot" in page
    assert "cấp lại sổ gì đó" in page
    assert "42,9" in page  # 3 of 7 answered with a card (Vietnamese decimal comma)
    assert "/operator/aliases" not in page  # an inspector is not offered alias links
    en = await (await client.get("/operator/analytics?lang=en")).text()
    assert "Bot usage" in en and "42.9" in en
    resp = await client.get("/operator/analytics/not-found.csv?from=2026-03-01&to=2026-03-31")
    assert resp.status == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    body = (await resp.read()).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows == [["Tin nhắn", "Số lần"], ["cấp lại sổ gì đó", "2"], ["số 09*****12 là gì", "1"]]
    # A bad period falls back to this month, said on the page.
    bad = await (await client.get("/operator/analytics?from=2026-03-10&to=2026-03-01")).text()
    assert "Khoảng thời gian không hợp lệ" in bad and "cấp lại sổ gì đó" in bad


async def test_the_handler_logs_each_question(app: App, clock: Clock) -> None:
    chat = Chat(app, user="u-log", channel="zalo")
    await chat.send("đăng ký khai sinh")
    await chat.send("con mèo bay lên trời")
    async with app.services.db.read() as session:
        rows = (await session.scalars(select(QuestionLog).order_by(QuestionLog.id))).all()
    assert [(r.channel, r.verdict, r.procedure_code, r.query) for r in rows] == [
        ("zalo", "card", BIRTH, ""),
        ("zalo", "not-found", "", "con mèo bay lên trời"),
    ]
    assert rows[0].at == NOW.astimezone(UTC)


async def test_inspector_and_officer_cannot_manage_aliases(app: App, client: TestClient) -> None:
    await add_operator(app, "thanh", "inspector")
    assert await sign_in(client, "thanh") == 303
    assert (await client.get("/operator/aliases")).status == 403
    token = await csrf_of(client)
    resp = await client.post(
        "/operator/aliases", data={"csrf": token, "code": BIRTH, "text": PHRASE}
    )
    assert resp.status == 403
    assert (await client.get("/operator/analytics")).status == 200


async def test_officer_cannot_manage_aliases(app: App, client: TestClient) -> None:
    await add_operator(app, "hoa", "officer")
    assert await sign_in(client, "hoa") == 303
    assert (await client.get("/operator/aliases")).status == 403


async def _count(app: App) -> int:
    async with app.services.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcedureAlias)) or 0)


async def test_alias_post_needs_csrf(app: App, client: TestClient) -> None:
    await add_operator(app, "lan", "admin")
    assert await sign_in(client, "lan") == 303
    for data in ({"code": BIRTH, "text": PHRASE}, {"code": BIRTH, "text": PHRASE, "csrf": "x"}):
        resp = await client.post("/operator/aliases", data=data, allow_redirects=False)
        assert resp.status == 403
    assert await _count(app) == 0


async def test_alias_added_on_the_web_is_found_at_once(app: App, client: TestClient) -> None:
    chat = Chat(app, user="u-alias")
    await chat.send(PHRASE)
    assert f"({BIRTH})" not in chat.text

    await add_operator(app, "lan", "admin")
    assert await sign_in(client, "lan") == 303
    token = await csrf_of(client, "/operator/aliases")
    # Validation: unknown code, too short, then the real one.
    resp = await client.post(
        "/operator/aliases", data={"csrf": token, "code": "9.999999", "text": PHRASE}
    )
    assert resp.status == 422
    assert "Không có thủ tục nào với mã này" in await resp.text()
    resp = await client.post("/operator/aliases", data={"csrf": token, "code": BIRTH, "text": "x"})
    assert resp.status == 422
    resp = await client.post(
        "/operator/aliases",
        data={"csrf": token, "code": BIRTH, "text": "  xin giấy   hồng lam cho cháu "},
        allow_redirects=False,
    )
    assert resp.status == 303
    dup = await client.post(
        "/operator/aliases", data={"csrf": token, "code": BIRTH, "text": PHRASE}
    )
    assert dup.status == 409
    assert await _count(app) == 1

    await chat.send(PHRASE)
    assert f"({BIRTH})" in chat.text and "👍" in chat.buttons

    page = await (await client.get("/operator/aliases")).text()
    assert PHRASE in page and "lan" in page
    async with app.services.db.read() as session:
        alias = (await session.scalars(select(ProcedureAlias))).one()
        audit = (await session.scalars(select(ProcedureAliasAudit))).all()
    assert (alias.code, alias.text, alias.created_by) == (BIRTH, PHRASE, "lan")
    assert [(a.action, a.code, a.text, a.operator_name) for a in audit] == [
        ("add", BIRTH, PHRASE, "lan")
    ]
    assert audit[0].at == NOW.astimezone(UTC)

    # Deleting it: recorded, and the phrasing no longer finds the procedure.
    resp = await client.post(
        f"/operator/aliases/{alias.id}/delete", data={"csrf": token}, allow_redirects=False
    )
    assert resp.status == 303
    assert await _count(app) == 0
    async with app.services.db.read() as session:
        actions = (
            await session.scalars(
                select(ProcedureAliasAudit.action).order_by(ProcedureAliasAudit.id)
            )
        ).all()
    assert actions == ["add", "delete"]
    await chat.send(PHRASE)
    assert f"({BIRTH})" not in chat.text


async def test_a_new_catalogue_reads_the_aliases(app: App) -> None:
    """Another worker (a fresh snapshot) picks the database aliases up at its reload."""
    async with app.services.db.transaction() as session:
        session.add(ProcedureAlias(code=BIRTH, text=PHRASE, created_by="lan"))
    fresh = Catalogue()
    await fresh.reload(app.services.db)
    assert fresh.search(PHRASE)[0].code == BIRTH
