"""Bot analytics (``/operator/analytics``) on a hand-counted set, the question log written by
the procedure handler, aliases (``/operator/aliases``) and lexicon entries (``/operator/lexicon``)
added by admins: roles, CSRF, the audit, a chat message that finds the procedure by the new
phrasing at once, and another worker (a second app on the database, and a second process)
that picks the change up without a restart."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete, func, select

from bot import lexicon
from bot.app import App, build_dialogue
from bot.catalogue import Catalogue
from bot.db.engine import Database
from bot.db.models import (
    Feedback,
    LexiconAudit,
    LexiconEntry,
    Outbox,
    ProcedureAlias,
    ProcedureAliasAudit,
    QuestionLog,
)
from bot.http.operator import VOCABULARY_KEY, vocabulary
from bot.http.operator.analytics import compute
from bot.server import create_web_app
from bot.services import Services
from bot.vntime import VN
from lookup.search import apply_lexicon, set_extra_lexicon
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


# The lexicon by admins (/operator/lexicon), and every worker picking changes up ---------------
LEX_PHRASE = "giấy hồng lam"
LEX_QUERY = "xin giấy hồng lam cho cháu"
MARRIAGE = "1.000894"  # "Đăng ký kết hôn" in the demo catalogue
MARRIAGE_QUERY = "làm giấy hồng lam với chồng"


def first_procedure(chat: Chat) -> str | None:
    """The procedure the bot put first: the card's code, else the first "did you mean" choice."""
    for code in (BIRTH, MARRIAGE):
        if f"({code})" in chat.text:
            return code
    picks = [b.payload[2:] for r in chat.last for b in r.buttons if b.payload.startswith("p:")]
    return picks[0] if picks else None


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def shipped_lexicon_after() -> Iterator[None]:
    """The lexicon is the process's: leave it as shipped for the tests that follow."""
    yield
    set_extra_lexicon([])


def lexicon_form(token: str, **fields: str) -> dict[str, str]:
    base = {"csrf": token, "phrase": LEX_PHRASE, "mode": "replace"}
    base["expansion"] = "đăng ký khai sinh"
    return {**base, **fields}


async def _revision(app: App) -> int:
    return await vocabulary.current(app.services.db)


async def test_lexicon_is_for_admins_with_csrf(app: App, client: TestClient) -> None:
    for name, role in (("thanh", "inspector"), ("hoa", "officer")):
        await add_operator(app, name, role)
        assert await sign_in(client, name) == 303
        assert (await client.get("/operator/lexicon")).status == 403
        token = await csrf_of(client)
        resp = await client.post("/operator/lexicon", data=lexicon_form(token))
        assert resp.status == 403
        assert (await client.post("/operator/lexicon/1/delete", data={"csrf": token})).status == 403
        await client.post("/operator/logout", data={"csrf": token})
    await add_operator(app, "lan", "admin")
    assert await sign_in(client, "lan") == 303
    page = await (await client.get("/operator/lexicon")).text()
    assert "Từ điển cách nói thường ngày" in page and "sổ đỏ" in page  # the shipped entries
    without = {k: v for k, v in lexicon_form("").items() if k != "csrf"}
    for data in (without, lexicon_form("x")):
        resp = await client.post("/operator/lexicon", data=data, allow_redirects=False)
        assert resp.status == 403
    async with app.services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(LexiconEntry)) == 0
    assert await _revision(app) == 0


async def test_lexicon_entry_added_changed_deleted_and_used_at_once(
    app: App, client: TestClient
) -> None:
    chat = Chat(app, user="u-lexicon")
    await chat.send(LEX_QUERY)
    assert f"({BIRTH})" not in chat.text

    await add_operator(app, "lan", "admin")
    assert await sign_in(client, "lan") == 303
    token = await csrf_of(client, "/operator/lexicon")
    refused = [
        (lexicon_form(token, mode="teleport"), "Hãy chọn cách dùng"),
        (lexicon_form(token, phrase="  "), "Cụm từ phải có chữ"),
        (lexicon_form(token, expansion=""), "Cách gọi chính thức là bắt buộc"),
        (lexicon_form(token, when="a;unless=b"), "không được chứa dấu"),
        (lexicon_form(token, phrase="!!!"), "Bot không đọc được mục này"),
    ]
    for data, message in refused:
        resp = await client.post("/operator/lexicon", data=data)
        assert resp.status == 422, data
        assert message in await resp.text()
    assert await _revision(app) == 0

    resp = await client.post(
        "/operator/lexicon",
        data=lexicon_form(token, phrase="  giấy   hồng lam "),
        allow_redirects=False,
    )
    assert resp.status == 303
    assert (await client.post("/operator/lexicon", data=lexicon_form(token))).status == 409
    assert await _revision(app) == 1
    await chat.send(LEX_QUERY)
    assert f"({BIRTH})" in chat.text  # this worker uses it at once

    page = await (await client.get("/operator/lexicon?done=added")).text()
    assert "Đã thêm vào từ điển" in page and "đăng ký khai sinh" in page
    async with app.services.db.read() as session:
        entry = (await session.scalars(select(LexiconEntry))).one()
    assert (entry.phrase, entry.expansion, entry.mode, entry.condition, entry.created_by) == (
        LEX_PHRASE,
        "đăng ký khai sinh",
        "replace",
        "",
        "lan",
    )
    edit_page = await (await client.get(f"/operator/lexicon?edit={entry.id}")).text()
    assert f'action="/operator/lexicon/{entry.id}?lang=vi"' in edit_page

    # A change, with a condition: the entry applies only next to "vợ" or "chồng".
    resp = await client.post(
        f"/operator/lexicon/{entry.id}",
        data=lexicon_form(token, expansion="đăng ký kết hôn", when="vợ | chồng"),
        allow_redirects=False,
    )
    assert resp.status == 303
    await chat.send(MARRIAGE_QUERY)
    # The rule applied: marriage comes first, as the card or as the first "did you mean".
    assert first_procedure(chat) == MARRIAGE
    await chat.send(LEX_QUERY)  # no "vợ": the condition does not hold
    assert f"({BIRTH})" not in chat.text and f"({MARRIAGE})" not in chat.text
    edit_page = await (await client.get(f"/operator/lexicon?edit={entry.id}")).text()
    assert 'value="vợ | chồng"' in edit_page

    resp = await client.post(
        f"/operator/lexicon/{entry.id}/delete", data={"csrf": token}, allow_redirects=False
    )
    assert resp.status == 303
    assert (await client.post("/operator/lexicon/999/delete", data={"csrf": token})).status == 404
    await chat.send(MARRIAGE_QUERY)
    assert f"({MARRIAGE})" not in chat.text
    assert await _revision(app) == 3

    async with app.services.db.read() as session:
        audit = (await session.scalars(select(LexiconAudit).order_by(LexiconAudit.id))).all()
        assert await session.scalar(select(func.count()).select_from(LexiconEntry)) == 0
    assert [(a.action, a.expansion, a.condition, a.operator_name) for a in audit] == [
        ("add", "đăng ký khai sinh", "", "lan"),
        ("edit", "đăng ký kết hôn", "if=vợ|chồng", "lan"),
        ("delete", "đăng ký kết hôn", "if=vợ|chồng", "lan"),
    ]
    assert audit[1].previous == f"{LEX_PHRASE}\tđăng ký khai sinh\treplace"
    assert all(a.at == NOW.astimezone(UTC) and a.entry_id == entry.id for a in audit)
    page = await (await client.get("/operator/lexicon?lang=en")).text()
    assert "Lexicon of everyday words" in page and "Changed" in page


async def test_alias_and_lexicon_changes_bump_the_revision(app: App, client: TestClient) -> None:
    await add_operator(app, "lan", "admin")
    assert await sign_in(client, "lan") == 303
    token = await csrf_of(client, "/operator/aliases")
    await client.post("/operator/aliases", data={"csrf": token, "code": BIRTH, "text": PHRASE})
    assert await _revision(app) == 1
    async with app.services.db.read() as session:
        alias_id = await session.scalar(select(ProcedureAlias.id))
    await client.post(f"/operator/aliases/{alias_id}/delete", data={"csrf": token})
    assert await _revision(app) == 2


async def second_worker(app: App) -> App:
    """Another ``motcua serve`` on the same database: its own services and catalogue."""
    services = Services(
        settings=app.services.settings,
        db=Database(app.services.settings.database_url),
        catalogue=Catalogue(),
        clock=app.services.clock,
    )
    await services.catalogue.reload(services.db)
    return App(services=services, dialogue=build_dialogue(services))


async def wait_until(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "not picked up in time"
        await asyncio.sleep(0.05)


async def test_another_worker_picks_up_changes_without_restart(
    app: App, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabulary, "POLL_SECONDS", 0.1)
    other = await second_worker(app)
    other_web = create_web_app(other, features=("bot.http.operator",))
    async with TestClient(TestServer(other_web)) as _other_client:
        watcher = other_web[VOCABULARY_KEY]
        assert watcher.poll_seconds == 0.1 and watcher.seen == 0
        assert other.services.catalogue.search(PHRASE)[0].code != BIRTH

        await add_operator(app, "lan", "admin")
        assert await sign_in(client, "lan") == 303
        token = await csrf_of(client, "/operator/aliases")
        resp = await client.post(
            "/operator/aliases",
            data={"csrf": token, "code": BIRTH, "text": PHRASE},
            allow_redirects=False,
        )
        assert resp.status == 303

        async def found() -> bool:
            return other.services.catalogue.search(PHRASE)[0].code == BIRTH

        await wait_until(found)
        assert watcher.seen == 1

        # A lexicon entry: the other worker reloads its words and rebuilds its index too.
        index_before = other.services.catalogue.index
        resp = await client.post(
            "/operator/lexicon", data=lexicon_form(token), allow_redirects=False
        )
        assert resp.status == 303

        async def reloaded() -> bool:
            return watcher.seen == 2 and other.services.catalogue.index is not index_before

        await wait_until(reloaded)
        chat = Chat(other, user="u-other")
        await chat.send(LEX_QUERY)
        assert f"({BIRTH})" in chat.text
    await other.services.db.dispose()


WORKER = """
import asyncio, sys
from aiohttp.test_utils import TestServer
from bot.app import App, build_dialogue
from bot.config import Settings
from bot.http.operator import vocabulary
from bot.server import create_web_app
from bot.services import Services

vocabulary.POLL_SECONDS = 0.1

async def main() -> None:
    settings = Settings(_env_file=None, database_url=sys.argv[1], load_demo_data=False)
    services = await Services.create(settings, migrate=False)
    app = App(services=services, dialogue=build_dialogue(services))
    server = TestServer(create_web_app(app, features=("bot.http.operator",)))
    await server.start_server()
    shown = None
    for _ in range(600):
        top = services.catalogue.search(sys.argv[2])
        code = top[0].code if top and top[0].score >= 0.6 else "-"
        if code != shown:
            print(code, flush=True)
            shown = code
        await asyncio.sleep(0.05)
    await server.close()
    await services.close()

asyncio.run(main())
"""


async def test_a_worker_process_picks_up_the_lexicon(app: App, client: TestClient) -> None:
    """The lexicon is a process's own: a second process on the database sees an entry added
    here within its poll, and sees it go when it is deleted."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WORKER,
        app.services.settings.database_url,
        LEX_QUERY,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    try:

        async def line() -> str:
            assert proc.stdout is not None
            return (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()

        assert await line() != BIRTH
        await add_operator(app, "lan", "admin")
        assert await sign_in(client, "lan") == 303
        token = await csrf_of(client, "/operator/lexicon")
        resp = await client.post(
            "/operator/lexicon", data=lexicon_form(token), allow_redirects=False
        )
        assert resp.status == 303
        assert await line() == BIRTH
        async with app.services.db.read() as session:
            entry_id = await session.scalar(select(LexiconEntry.id))
        await client.post(f"/operator/lexicon/{entry_id}/delete", data={"csrf": token})
        assert await line() != BIRTH
    finally:
        proc.kill()
        await proc.wait()


def test_a_bad_stored_entry_is_left_out_not_the_others() -> None:
    good = f"{LEX_PHRASE}\tđăng ký khai sinh\treplace"
    bad = "!!!\tx\treplace"
    assert lexicon.usable([good, bad]) == [good]
    assert lexicon.usable([good]) == [good]
    # The search module refuses the bad set whole and keeps what it had.
    shipped = apply_lexicon(["giay", "hong", "lam"])
    with pytest.raises(ValueError):
        set_extra_lexicon([good, bad])
    assert apply_lexicon(["giay", "hong", "lam"]) == shipped
    set_extra_lexicon([good])
    assert apply_lexicon(["giay", "hong", "lam"]) == ["dang", "ky", "khai", "sinh"]
