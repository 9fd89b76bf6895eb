"""The operators' web application: sign-in, roles, CSRF, lock-out, sign-out, the inspection
dashboard's figures on a hand-counted data set, CSV downloads, and ``motcua operator``."""

from __future__ import annotations

import argparse
import csv
import io
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete, func, select

from bot.app import App
from bot.commands.operator import run_add, run_list, run_passwd
from bot.db.models import Dossier, DossierEvent, Operator, OperatorSession
from bot.domain import DossierStatus, ResultDelivery, SubmissionChannel
from bot.http.operator import accounts
from bot.http.operator.figures import Filters, compute
from bot.i18n import LANGUAGES, message_ids
from bot.server import create_web_app
from bot.vntime import VN

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=VN)  # a Friday; the default period is March 2026
PASSWORD = "đúng-mật-khẩu-2026"
UNIT_A = "UBND phường Ba Đình, thành phố Hà Nội"
UNIT_B = "Công an phường Hoàn Kiếm, thành phố Hà Nội"
SECRET_NAME = "Nguyễn Thị Bí Mật"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TEMPLATES = Path(__file__).resolve().parents[1] / "bot" / "http" / "operator" / "templates"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: App) -> Clock:
    c = Clock(NOW.astimezone(UTC))
    app.services.clock = c
    return c


@pytest.fixture
async def client(app: App, clock: Clock) -> AsyncIterator[TestClient]:
    web_app = create_web_app(app, features=("bot.http.operator", "bot.http.dashboard"))
    async with TestClient(TestServer(web_app)) as c:
        yield c


async def add_operator(app: App, name: str, role: str, password: str = PASSWORD) -> int:
    async with app.services.db.transaction() as session:
        return (await accounts.create(session, name, role, password)).id


async def sign_in(
    client: TestClient,
    name: str,
    password: str = PASSWORD,
    *,
    headers: dict[str, str] | None = None,
) -> int:
    page = await (await client.get("/operator/login")).text()
    token = CSRF.search(page)
    assert token is not None
    resp = await client.post(
        "/operator/login",
        data={"name": name, "password": password, "csrf": token.group(1)},
        headers=headers or {},
        allow_redirects=False,
    )
    return resp.status


async def csrf_of(client: TestClient, path: str = "/operator/") -> str:
    found = CSRF.search(await (await client.get(path)).text())
    assert found is not None
    return found.group(1)


def vn(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


# The hand-counted data set ------------------------------------------------------------------
# Unit A has two receiving desks (agency codes) under one agency name; unit B one.
SEED: list[dict[str, object]] = [
    # A1: direct, finished 4 Mar (due 5 Mar): on time, 2.0 days, returned by post
    dict(code="001.01.01.H01-260302-0001", unit=UNIT_A, agency="001.01.01.H01",
         received=vn(2, 9), due=vn(5, 17), finished=vn(4, 9), status=DossierStatus.RETURNED,
         channel=SubmissionChannel.DIRECT, delivery=ResultDelivery.POSTAL),
    # A2: online, finished 21:00 on its due day: on time (Vietnam calendar day), 3.5 days
    dict(code="001.01.02.H01-260303-0001", unit=UNIT_A, agency="001.01.02.H01",
         received=vn(3, 9), due=vn(6, 17), finished=vn(6, 21), status=DossierStatus.RESULT_READY,
         channel=SubmissionChannel.ONLINE, delivery=ResultDelivery.DESK),
    # A3: online, finished the day after its due day: late, 3.0 days, returned at the desk
    dict(code="001.01.01.H01-260310-0002", unit=UNIT_A, agency="001.01.01.H01",
         received=vn(10, 9), due=vn(12, 17), finished=vn(13, 9), status=DossierStatus.RETURNED,
         channel=SubmissionChannel.ONLINE, delivery=ResultDelivery.DESK),
    # A4: filed by post, open, due 18 Mar: late now by 2 days
    dict(code="001.01.01.H01-260316-0003", unit=UNIT_A, agency="001.01.01.H01",
         received=vn(16, 9), due=vn(18, 17), finished=None, status=DossierStatus.PROCESSING,
         channel=SubmissionChannel.POSTAL, delivery=ResultDelivery.DESK),
    # A5: received in February, finished 2 Mar (on time, 5 days 1 hour), returned by post
    dict(code="001.01.01.H01-260225-0004", unit=UNIT_A, agency="001.01.01.H01",
         received=vn(25, 9, month=2), due=vn(2, 17), finished=vn(2, 10),
         status=DossierStatus.RETURNED, channel=SubmissionChannel.DIRECT,
         delivery=ResultDelivery.POSTAL),
    # B1: direct, finished 9 Mar (due 6 Mar): late, 4.0 days, returned at the desk
    dict(code="002.01.01.H01-260305-0001", unit=UNIT_B, agency="002.01.01.H01",
         received=vn(5, 9), due=vn(6, 17), finished=vn(9, 9), status=DossierStatus.RETURNED,
         channel=SubmissionChannel.DIRECT, delivery=ResultDelivery.DESK),
    # B2: online, waiting for papers, due 19 Mar: late now by 1 day
    dict(code="002.01.01.H01-260317-0002", unit=UNIT_B, agency="002.01.01.H01",
         received=vn(17, 9), due=vn(19, 17), finished=None,
         status=DossierStatus.SUPPLEMENT_REQUESTED, channel=SubmissionChannel.ONLINE,
         delivery=ResultDelivery.DESK),
    # B3: online, refused the same day: received, never late, no result
    dict(code="002.01.01.H01-260318-0003", unit=UNIT_B, agency="002.01.01.H01",
         received=vn(18, 9), due=vn(18, 10), finished=vn(18, 10), status=DossierStatus.REJECTED,
         channel=SubmissionChannel.ONLINE, delivery=ResultDelivery.DESK),
    # B4: direct, open, due today: not late
    dict(code="002.01.01.H01-260319-0004", unit=UNIT_B, agency="002.01.01.H01",
         received=vn(19, 9), due=vn(20, 17), finished=None, status=DossierStatus.RECEIVED,
         channel=SubmissionChannel.DIRECT, delivery=ResultDelivery.DESK),
]  # fmt: skip


@pytest.fixture
async def seeded(app: App) -> None:
    async with app.services.db.transaction() as session:
        await session.execute(delete(DossierEvent))
        await session.execute(delete(Dossier))
        for d in SEED:
            session.add(
                Dossier(
                    code=d["code"],
                    procedure_code="1.001193" if d["unit"] == UNIT_A else "1.000894",
                    procedure_name="Thủ tục đăng ký khai sinh",
                    agency_code=d["agency"],
                    agency_name=d["unit"],
                    received_at=d["received"],
                    due_at=d["due"],
                    finished_at=d["finished"],
                    status=int(d["status"]),  # type: ignore[call-overload]
                    channel=int(d["channel"]),  # type: ignore[call-overload]
                    result_delivery=str(d["delivery"]),
                    applicant_name=SECRET_NAME,
                    applicant_phone="+84900000099",
                    applicant_id_number="001090000099",
                )
            )


# Sign-in, roles, CSRF -----------------------------------------------------------------------
GET_PAGES = (
    "/operator/",
    "/operator/?lang=en",
    "/operator/export/units.csv",
    "/operator/export/weeks.csv",
    "/operator/export/late.csv",
    "/operator/accounts",
)
POST_PAGES = ("/operator/logout", "/operator/accounts", "/operator/accounts/1/active")


async def test_every_page_requires_sign_in(app: App, client: TestClient) -> None:
    for path in GET_PAGES:
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 303, path
        assert resp.headers["Location"].startswith("/operator/login?next="), path
    for path in POST_PAGES:
        resp = await client.post(
            path,
            data={"name": "intruder", "role": "admin", "password": "x" * 12, "active": "1"},
            allow_redirects=False,
        )
        assert resp.status == 303, path
        assert resp.headers["Location"].startswith("/operator/login"), path
    async with app.services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Operator)) == 0
    # A made-up cookie is no session either.
    client.session.cookie_jar.update_cookies({"motcua_operator": "made-up"})
    assert (await client.get("/operator/", allow_redirects=False)).status == 303
    # The old token-protected pages are untouched.
    assert (await client.get("/dashboard")).status == 401
    token = {"Authorization": "Bearer test-operator-token"}
    assert (await client.get("/api/v1/stats", headers=token)).status == 200


async def test_sign_in_goes_back_to_the_page_asked_for(app: App, client: TestClient) -> None:
    await add_operator(app, "lan", "inspector")
    resp = await client.get("/operator/export/late.csv?lang=en", allow_redirects=False)
    login = await client.get(resp.headers["Location"])
    page = await login.text()
    assert 'value="/operator/export/late.csv?lang=en"' in page
    token = CSRF.search(page)
    assert token is not None
    resp = await client.post(
        "/operator/login",
        data={
            "name": "LAN",  # names are case-insensitive
            "password": PASSWORD,
            "csrf": token.group(1),
            "next": "/operator/export/late.csv?lang=en",
        },
        allow_redirects=False,
    )
    assert resp.status == 303
    assert resp.headers["Location"] == "/operator/export/late.csv?lang=en"
    # Never to another site.
    page = await (await client.get("/operator/login?next=//evil.example/")).text()
    assert "evil" not in page


async def test_session_cookie_flags(app: App, client: TestClient) -> None:
    await add_operator(app, "lan", "inspector")
    for proto, secure in (("http", False), ("https", True)):
        client.session.cookie_jar.clear()
        token = CSRF.search(await (await client.get("/operator/login")).text())
        assert token is not None
        resp = await client.post(
            "/operator/login",
            data={"name": "lan", "password": PASSWORD, "csrf": token.group(1)},
            headers={"X-Forwarded-Proto": proto},
            allow_redirects=False,
        )
        assert resp.status == 303
        cookie = next(
            v for v in resp.headers.getall("Set-Cookie") if v.startswith("motcua_operator=")
        )
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/operator" in cookie
        assert ("Secure" in cookie) is secure, cookie
    async with app.services.db.read() as session:
        stored = list(await session.scalars(select(OperatorSession.token_hash)))
    value = resp.cookies["motcua_operator"].value
    assert value not in stored and len(stored[0]) == 64  # only a hash is kept


async def test_roles(app: App, client: TestClient) -> None:
    await add_operator(app, "thanh", "inspector")
    await add_operator(app, "cuong", "officer")
    await add_operator(app, "quan", "admin")
    for name in ("thanh", "cuong"):
        assert await sign_in(client, name) == 303
        csrf = await csrf_of(client)
        assert (await client.get("/operator/")).status == 200
        assert (await client.get("/operator/export/units.csv")).status == 200
        assert (await client.get("/operator/accounts")).status == 403
        resp = await client.post(
            "/operator/accounts",
            data={"csrf": csrf, "name": "moi", "role": "admin", "password": PASSWORD,
                  "password2": PASSWORD},
        )  # fmt: skip
        assert resp.status == 403
        resp = await client.post("/operator/accounts/3/active", data={"csrf": csrf, "active": "0"})
        assert resp.status == 403
        client.session.cookie_jar.clear()
    async with app.services.db.read() as session:
        assert await accounts.find(session, "moi") is None
        admin = await accounts.find(session, "quan")
        assert admin is not None and admin.active

    assert await sign_in(client, "quan") == 303
    csrf = await csrf_of(client, "/operator/accounts")
    resp = await client.post(
        "/operator/accounts",
        data={"csrf": csrf, "name": "Moi", "role": "inspector", "password": PASSWORD,
              "password2": PASSWORD},
        allow_redirects=False,
    )  # fmt: skip
    assert resp.status == 303
    page = await (await client.get(resp.headers["Location"])).text()
    assert "Đã thêm tài khoản" in page and "moi" in page
    bad = {"csrf": csrf, "name": "moi", "role": "inspector", "password": PASSWORD}
    for extra, key in (
        ({"password2": PASSWORD}, "Tên đăng nhập này đã có"),
        ({"name": "x y", "password2": PASSWORD}, "Tên đăng nhập chỉ gồm"),
        ({"name": "ngan", "password": "ngắn", "password2": "ngắn"}, "Mật khẩu quá ngắn"),
        ({"name": "khac", "password2": "khác"}, "không khớp"),
    ):
        resp = await client.post("/operator/accounts", data={**bad, **extra})
        assert resp.status == 422 and key in await resp.text()
    # Disabling an account ends its sessions and its sign-ins.
    async with app.services.db.read() as session:
        thanh = await accounts.find(session, "thanh")
    assert thanh is not None
    resp = await client.post(
        f"/operator/accounts/{thanh.id}/active", data={"csrf": csrf, "active": "0"}
    )
    assert resp.status == 200 and "Đã cập nhật" in await resp.text()
    client.session.cookie_jar.clear()
    assert await sign_in(client, "thanh") == 401


async def test_csrf_is_checked_on_every_post(app: App, client: TestClient) -> None:
    await add_operator(app, "quan", "admin")
    target = await add_operator(app, "thanh", "inspector")
    # The sign-in form: no token, a wrong one, or the field without its cookie.
    resp = await client.post(
        "/operator/login", data={"name": "quan", "password": PASSWORD}, allow_redirects=False
    )
    assert resp.status == 403
    page = await (await client.get("/operator/login")).text()
    good = CSRF.search(page)
    assert good is not None
    resp = await client.post(
        "/operator/login",
        data={"name": "quan", "password": PASSWORD, "csrf": good.group(1) + "x"},
        allow_redirects=False,
    )
    assert resp.status == 403
    client.session.cookie_jar.clear()
    resp = await client.post(
        "/operator/login",
        data={"name": "quan", "password": PASSWORD, "csrf": good.group(1)},
        allow_redirects=False,
    )
    assert resp.status == 403

    assert await sign_in(client, "quan") == 303
    csrf = await csrf_of(client)
    posts = {
        "/operator/accounts": {"name": "moi", "role": "admin", "password": PASSWORD,
                               "password2": PASSWORD},
        f"/operator/accounts/{target}/active": {"active": "0"},
        "/operator/logout": {},
    }  # fmt: skip
    for path, data in posts.items():
        for token in (None, "", csrf[:-1] + ("A" if csrf[-1] != "A" else "B")):
            body = data if token is None else {**data, "csrf": token}
            resp = await client.post(path, data=body, allow_redirects=False)
            assert resp.status == 403, (path, token)
            assert "Biểu mẫu đã hết hạn" in await resp.text()
    async with app.services.db.read() as session:
        assert await accounts.find(session, "moi") is None
        still = await session.get(Operator, target)
        assert still is not None and still.active
    assert (await client.get("/operator/")).status == 200  # the logout did not happen
    # Another session's token is no good either.
    other = TestClient(TestServer(client.app))
    async with other:
        assert await sign_in(other, "quan") == 303
        other_csrf = await csrf_of(other)
    assert other_csrf != csrf
    resp = await client.post("/operator/logout", data={"csrf": other_csrf}, allow_redirects=False)
    assert resp.status == 403


async def test_sign_out(app: App, client: TestClient) -> None:
    await add_operator(app, "lan", "inspector")
    assert await sign_in(client, "lan") == 303
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/operator/"))
    token = cookie["motcua_operator"].value
    csrf = await csrf_of(client)
    resp = await client.post("/operator/logout", data={"csrf": csrf}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/operator/login")
    assert (await client.get("/operator/", allow_redirects=False)).status == 303
    # The session is gone on the server: replaying the old cookie does not bring it back.
    client.session.cookie_jar.update_cookies({"motcua_operator": token})
    assert (await client.get("/operator/", allow_redirects=False)).status == 303
    async with app.services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(OperatorSession)) == 0


async def test_sessions_expire(app: App, client: TestClient, clock: Clock) -> None:
    await add_operator(app, "lan", "inspector")
    assert await sign_in(client, "lan") == 303
    assert (await client.get("/operator/", allow_redirects=False)).status == 200
    clock.now += timedelta(hours=8, seconds=1)
    assert (await client.get("/operator/", allow_redirects=False)).status == 303


async def test_lockout_per_account_and_its_end(
    app: App, client: TestClient, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    await add_operator(app, "lan", "inspector")
    caplog.set_level(logging.INFO, logger="bot.http.operator")
    for i in range(5):
        headers = {"X-Forwarded-For": f"203.0.113.{i}"}  # five addresses: the account counts
        assert await sign_in(client, "lan", f"sai-mat-khau-{i}", headers=headers) == 401
    resp_status = await sign_in(client, "lan", headers={"X-Forwarded-For": "198.51.100.7"})
    assert resp_status == 429  # the right password, but locked
    page = await (await client.get("/operator/login")).text()
    assert "Đăng nhập sai quá nhiều lần" not in page  # the notice is on the refusal only
    clock.now += timedelta(minutes=14)
    assert await sign_in(client, "lan") == 429
    clock.now += timedelta(minutes=1, seconds=1)
    assert await sign_in(client, "lan") == 303  # 15 minutes after the failures: open again
    failed = [r for r in caplog.records if r.getMessage() == "operator sign-in failed"]
    assert len(failed) == 5 and {getattr(r, "operator", None) for r in failed} == {"lan"}
    assert "sai-mat-khau" not in caplog.text and PASSWORD not in caplog.text


async def test_lockout_per_address(app: App, client: TestClient, clock: Clock) -> None:
    await add_operator(app, "lan", "inspector")
    here = {"X-Forwarded-For": "203.0.113.9"}
    for name in ("an", "binh", "chi", "dung", "giang"):  # five names, one address
        assert await sign_in(client, name, "sai-mat-khau", headers=here) == 401
    assert await sign_in(client, "lan", headers=here) == 429
    assert await sign_in(client, "lan", headers={"X-Forwarded-For": "203.0.113.10"}) == 303
    clock.now += timedelta(minutes=15, seconds=1)
    client.session.cookie_jar.clear()
    assert await sign_in(client, "lan", headers=here) == 303


# Figures -----------------------------------------------------------------------------------
async def test_figures_computed_by_hand(app: App, seeded: None) -> None:
    f = Filters(date(2026, 3, 1), date(2026, 3, 31))
    fig = await compute(app.services.db, f, NOW)
    units = {u.name: u for u in fig.units}
    assert [u.name for u in fig.units] == [UNIT_A, UNIT_B]  # two desks of A are one unit
    a, b, total = units[UNIT_A].tally, units[UNIT_B].tally, fig.total
    assert (units[UNIT_A].rank, units[UNIT_B].rank) == (1, 2)
    # received in March, by channel (A5 was received in February)
    assert (a.received, a.direct, a.online, a.postal) == (4, 1, 2, 1)
    assert (b.received, b.direct, b.online, b.postal) == (4, 2, 2, 0)
    assert (total.received, total.direct, total.online, total.postal) == (8, 3, 4, 1)
    assert a.online_share == b.online_share == total.online_share == 0.5
    # finished with a result in March: A1 A2 A3 A5 (A3 late), B1 (late); B3 was refused
    assert (a.finished, a.on_time, b.finished, b.on_time) == (4, 3, 1, 0)
    assert a.on_time_rate == 0.75 and b.on_time_rate == 0.0 and total.on_time_rate == 0.6
    # returned: A1 A3 A5 B1; by post: A1 A5
    assert (a.returned, a.returned_by_post, b.returned, b.returned_by_post) == (3, 2, 1, 0)
    assert total.post_share == 0.5
    # processing days: A 2 + 3.5 + 3 + 5 1/24; B 4
    assert a.average_days == pytest.approx((2 + 3.5 + 3 + 5 + 1 / 24) / 4, abs=1e-6)
    assert b.average_days == pytest.approx(4.0, abs=1e-6)
    assert total.average_days == pytest.approx((17.5 + 1 / 24) / 5, abs=1e-6)
    # late now: A4 (due 18 Mar), B2 (due 19 Mar); B4 is due today, B3 was refused
    assert (a.late_now, b.late_now, total.late_now) == (1, 1, 2)
    assert [(d.code, d.days_late) for d in fig.late] == [
        ("001.01.01.H01-260316-0003", 2),
        ("002.01.01.H01-260317-0002", 1),
    ]
    # weeks (Monday starts; 1 March 2026 is a Sunday)
    weeks = {start: (x.received, x.finished, x.on_time) for start, x in fig.weeks}
    assert weeks == {
        date(2026, 2, 23): (0, 0, 0),
        date(2026, 3, 2): (3, 3, 3),
        date(2026, 3, 9): (1, 2, 0),
        date(2026, 3, 16): (4, 0, 0),
        date(2026, 3, 23): (0, 0, 0),
        date(2026, 3, 30): (0, 0, 0),
    }


async def test_figures_narrowed(app: App, seeded: None) -> None:
    march = (date(2026, 3, 1), date(2026, 3, 31))
    fig = await compute(app.services.db, Filters(*march, unit=UNIT_B), NOW)
    assert (fig.selected.received, fig.selected.late_now) == (4, 1)
    assert [d.code for d in fig.late] == ["002.01.01.H01-260317-0002"]
    assert len(fig.units) == 2  # the ranking still compares every unit
    assert sum(x.received for _, x in fig.weeks) == 4
    online = await compute(app.services.db, Filters(*march, channel=SubmissionChannel.ONLINE), NOW)
    assert (online.total.received, online.total.finished, online.total.on_time) == (4, 2, 1)
    assert online.total.late_now == 1
    by_procedure = await compute(app.services.db, Filters(*march, procedure="1.000894"), NOW)
    assert [u.name for u in by_procedure.units] == [UNIT_B]
    one_week = await compute(app.services.db, Filters(date(2026, 3, 9), date(2026, 3, 15)), NOW)
    assert (one_week.total.received, one_week.total.finished) == (1, 2)


async def test_dashboard_page(app: App, client: TestClient, seeded: None) -> None:
    await add_operator(app, "lan", "inspector")
    assert await sign_in(client, "lan") == 303
    resp = await client.get("/operator/")
    assert resp.status == 200
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    page = await resp.text()
    assert "Từ 01/03/2026 đến 31/03/2026" in page  # this month in Vietnam time
    assert "20/03/2026 10:00" in page  # as of
    assert UNIT_A in page and UNIT_B in page
    assert "75,0%" in page and "60,0%" in page  # Vietnamese decimal comma
    assert page.count("<svg") == 2 and "@media print" in page
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert SECRET_NAME not in page and "+84900000099" not in page
    assert "001.01.01.H01-260316-0003" in page
    english = await (await client.get("/operator/?lang=en&unit=" + UNIT_A)).text()
    assert "Units ranked by on-time rate" in english and "75.0%" in english
    assert 'class="chosen"' in english
    # Bad input is reported and the defaults are used.
    page = await (await client.get("/operator/?from=2026-13-01&channel=9")).text()
    assert "Ngày không hợp lệ" in page and "Hình thức nộp không hợp lệ" in page


async def test_csv_downloads(app: App, client: TestClient, seeded: None) -> None:
    await add_operator(app, "lan", "inspector")
    assert await sign_in(client, "lan") == 303
    tables = {}
    for name in ("units", "weeks", "late"):
        resp = await client.get(f"/operator/export/{name}.csv")
        assert resp.status == 200
        assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
        assert resp.headers["Content-Type"].startswith("text/csv")
        body = await resp.read()
        assert body.startswith(b"\xef\xbb\xbf")
        tables[name] = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    units = tables["units"]
    assert units[0][:3] == ["Hạng", "Đơn vị", "Tiếp nhận"]
    assert units[1][:3] == ["1", UNIT_A, "4"] and units[2][:2] == ["2", UNIT_B]
    assert units[-1][1] == "Tổng cộng" and units[-1][2] == "8"
    rate = units[0].index("Tỷ lệ đúng hạn")
    assert (units[1][rate], units[2][rate], units[-1][rate]) == ("75.0", "0.0", "60.0")
    assert tables["weeks"][2][:2] == ["2026-03-02", "3"]
    late = tables["late"]
    assert [row[0] for row in late[1:]] == [
        "001.01.01.H01-260316-0003",
        "002.01.01.H01-260317-0002",
    ]
    assert late[1][-1] == "2" and late[1][3] == UNIT_A
    everything = "".join(",".join(r) for t in tables.values() for r in t)
    assert SECRET_NAME not in everything and "+84900000099" not in everything
    en = await (await client.get("/operator/export/late.csv?lang=en")).read()
    assert en.decode("utf-8-sig").startswith("Dossier code,")


# The command line ---------------------------------------------------------------------------
async def test_operator_commands(
    app: App, client: TestClient, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(name="Lan.Nguyen", role="admin", db=database_url)
    assert await run_add(args, io.StringIO(PASSWORD + "\n")) == 0
    assert "operator lan.nguyen added (admin)" in capsys.readouterr().out
    assert await run_add(args, io.StringIO(PASSWORD + "\n")) == 1  # taken
    assert "exists" in capsys.readouterr().err
    short = argparse.Namespace(name="khac", role="inspector", db=database_url)
    assert await run_add(short, io.StringIO("ngắn\n")) == 1
    assert await run_add(short, io.StringIO("")) == 2
    assert await run_list(argparse.Namespace(db=database_url)) == 0
    assert "lan.nguyen\tadmin\tactive" in capsys.readouterr().out
    async with app.services.db.read() as session:
        stored = await accounts.find(session, "lan.nguyen")
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash

    assert await sign_in(client, "lan.nguyen") == 303
    assert (await client.get("/operator/accounts")).status == 200
    new = "mật-khẩu-mới-2026"
    passwd = argparse.Namespace(name="lan.nguyen", db=database_url)
    assert await run_passwd(passwd, io.StringIO(new + "\n")) == 0
    # The password change closed the session; the old password no longer works.
    assert (await client.get("/operator/", allow_redirects=False)).status == 303
    assert await sign_in(client, "lan.nguyen") == 401
    assert await sign_in(client, "lan.nguyen", new) == 303
    assert await run_passwd(argparse.Namespace(name="ai", db=database_url), io.StringIO(new)) == 1


# Labels ------------------------------------------------------------------------------------
def test_template_labels_exist_in_both_languages() -> None:
    keys = {
        key
        for path in TEMPLATES.glob("*.html")
        for key in re.findall(r't\("([a-z0-9-]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(keys) > 50
    for lang in LANGUAGES:
        assert keys <= message_ids(lang), (lang, sorted(keys - message_ids(lang)))
