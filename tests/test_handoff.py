"""Talk to a person: the intent and the menu button open a ticket (within and outside office
hours), texts go to the ticket instead of search, commands still work, the citizen closes it,
idle tickets close; officers list, read and answer tickets on the operators' pages, and the
answer reaches the citizen through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.app import App
from bot.channels.collecting import CollectingSender
from bot.db.models import Conversation, HandoffMessage, HandoffTicket, Outbox
from bot.handoff import mask_numbers, parse_office_hours
from bot.outbox import Dispatcher
from bot.server import create_web_app
from bot.vntime import VN
from handlers.handoff import wants_person
from tests.conftest import Chat
from tests.test_operator_web import CSRF, Clock, add_operator, csrf_of, sign_in

FRIDAY_9 = datetime(2026, 3, 20, 9, 0, tzinfo=VN)  # a working day, within office hours
FRIDAY_20 = datetime(2026, 3, 20, 20, 0, tzinfo=VN)
SATURDAY = datetime(2026, 3, 21, 10, 0, tzinfo=VN)
MONDAY_OPENING = "07:30 thứ Hai, ngày 23/03/2026"
PHONE = "0912 345 678"
ID_NUMBER = "001090000099"


@pytest.fixture
def clock(app: App) -> Clock:
    c = Clock(FRIDAY_9.astimezone(UTC))
    app.services.clock = c
    return c


def configure(app: App, **changes: object) -> None:
    app.services.settings = app.services.settings.model_copy(update=changes)


async def tickets(app: App) -> list[HandoffTicket]:
    async with app.services.db.read() as session:
        return list((await session.scalars(select(HandoffTicket).order_by(HandoffTicket.id))).all())


async def lines(app: App, ticket_id: int) -> list[tuple[str, str]]:
    async with app.services.db.read() as session:
        rows = await session.execute(
            select(HandoffMessage.author, HandoffMessage.text)
            .where(HandoffMessage.ticket_id == ticket_id)
            .order_by(HandoffMessage.id)
        )
        return [(a, t) for a, t in rows.all()]


async def flow_of(app: App, user: str = "u1") -> str | None:
    async with app.services.db.read() as session:
        return await session.scalar(select(Conversation.flow).where(Conversation.user_id == user))


# The intent ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "cho tôi gặp người thật",
        "nói chuyện với cán bộ",
        "noi chuyen voi can bo",
        "Tôi muốn gặp cán bộ một cửa",
        "gap nhan vien",
        "cho mk gap cb",
        "ns chuyện vs nv đc ko",
        "cán bộ ơi",
        "talk to a human",
        "I want to speak with a real person",
        "connect me to an agent please",
        "human",
    ],
)
def test_asking_for_a_person_is_recognised(text: str) -> None:
    assert wants_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "đăng ký khai sinh",
        "thủ tục cấp giấy phép lao động cho nhân viên nước ngoài",
        "cấp lại căn cước",
        "human resources certificate",
        "chế độ cho cán bộ nghỉ hưu theo quy định mới nhất của nhà nước năm nay",
    ],
)
def test_questions_about_procedures_are_not_a_request_for_a_person(text: str) -> None:
    assert not wants_person(text)


def test_personal_numbers_are_masked() -> None:
    masked = mask_numbers(f"số tôi {PHONE}, căn cước {ID_NUMBER}, hồ sơ 000.00.12.H01-260320-0001")
    assert "091*****78" in masked
    assert "**********99" in masked
    assert "345" not in masked and ID_NUMBER not in masked
    assert "000.00.12.H01-260320-0001" in masked  # dossier codes are not personal


def test_office_hours() -> None:
    hours = parse_office_hours("07:30-11:30,13:30-17:00", "2026-03-19")
    assert hours.is_open(FRIDAY_9)
    assert not hours.is_open(datetime(2026, 3, 20, 12, 0, tzinfo=VN))  # lunch
    assert not hours.is_open(FRIDAY_20)
    assert not hours.is_open(SATURDAY)
    assert not hours.is_open(datetime(2026, 3, 19, 9, 0, tzinfo=VN))  # holiday
    assert hours.next_opening(datetime(2026, 3, 20, 12, 0, tzinfo=VN)) == datetime(
        2026, 3, 20, 13, 30, tzinfo=VN
    )
    assert hours.next_opening(FRIDAY_20) == datetime(2026, 3, 23, 7, 30, tzinfo=VN)


# Opening a ticket ---------------------------------------------------------------------------
async def test_intent_within_office_hours_opens_a_ticket_with_the_excerpt(
    app: App, chat: Chat, clock: Clock
) -> None:
    await chat.send("đăng ký khai sinh")
    await chat.send(f"số điện thoại của tôi là {PHONE}, căn cước {ID_NUMBER}")
    await chat.send("cho tôi gặp người thật")
    assert "trước 11:30 hôm nay" in chat.text
    assert any("Kết thúc" in b for b in chat.buttons)
    [ticket] = await tickets(app)
    assert (ticket.channel, ticket.user_id, ticket.status) == ("test", "u1", "open")
    assert ticket.in_office_hours
    excerpt = await lines(app, ticket.id)
    assert [a for a, _ in excerpt] == ["history"] * 3
    texts = "\n".join(t for _, t in excerpt)
    assert "đăng ký khai sinh" in texts and "091*****78" in texts and "**********99" in texts
    assert "345 678" not in texts and ID_NUMBER not in texts
    assert await flow_of(app) == "handoff"


async def test_texts_go_to_the_ticket_not_to_search(app: App, chat: Chat, clock: Clock) -> None:
    await chat.send("gặp cán bộ")
    await chat.send("đăng ký khai sinh")  # a search outside the ticket
    assert "Đã chuyển cho cán bộ" in chat.text
    assert "khai sinh" not in chat.text.lower()
    await chat.send("hồ sơ của tôi bị trễ hẹn")
    assert chat.text == "✓ Đã chuyển cho cán bộ."
    [ticket] = await tickets(app)
    assert await lines(app, ticket.id) == [
        ("history", "gặp cán bộ"),
        ("citizen", "đăng ký khai sinh"),
        ("citizen", "hồ sơ của tôi bị trễ hẹn"),
    ]


@pytest.mark.parametrize(
    ("now", "holiday"),
    [(SATURDAY, ""), (FRIDAY_20, ""), (FRIDAY_9, "2026-03-20")],
    ids=["saturday", "evening", "holiday"],
)
async def test_menu_button_outside_office_hours_asks_to_leave_a_message(
    app: App, chat: Chat, clock: Clock, now: datetime, holiday: str
) -> None:
    clock.now = now.astimezone(UTC)
    configure(app, office_holidays=holiday, office_hotline="1900 1234")
    await chat.send("/start")
    await chat.press("Gặp cán bộ")
    assert "ngoài giờ làm việc" in chat.text
    assert MONDAY_OPENING in chat.text
    # The province profile's number wins over MOTCUA_OFFICE_HOTLINE (only a fallback); the
    # setting's holiday still counts, added to the profile's.
    assert "gọi đường dây nóng 1800 1096 (Tổng đài hỗ trợ Cổng Dịch vụ công quốc gia)" in chat.text
    assert "1900 1234" not in chat.text
    await chat.send("tôi muốn hỏi về hồ sơ khai sinh của con")
    assert "số điện thoại" in chat.text  # asked, optionally, for a call-back number
    await chat.send(f"số của tôi {PHONE}")
    assert "091*****78" in chat.text
    [ticket] = await tickets(app)
    assert not ticket.in_office_hours
    assert ticket.phone == "+84912345678"
    assert [t for _, t in await lines(app, ticket.id)] == [
        "tôi muốn hỏi về hồ sơ khai sinh của con",
        "số của tôi 091*****78",
    ]


async def test_english(app: App, clock: Clock) -> None:
    chat = Chat(app, lang="en")
    await chat.send("talk to a human")
    assert "officer" in chat.text and "before 11:30 today" in chat.text


async def test_commands_still_work_and_the_open_ticket_is_resumed(
    app: App, chat: Chat, clock: Clock
) -> None:
    await chat.send("gặp cán bộ")
    await chat.send("/start")
    assert await flow_of(app) is None
    assert "Gặp cán bộ" in " ".join(chat.buttons)
    await chat.send("đăng ký khai sinh")
    assert "Đã chuyển" not in chat.text  # search again
    await chat.payload("hf")
    assert "Bạn đang trò chuyện với cán bộ" in chat.text
    await chat.send("hủy")
    assert await flow_of(app) is None
    await chat.send("nói chuyện với cán bộ")
    [ticket] = await tickets(app)  # still one open ticket per chat
    assert ticket.status == "open"


async def test_close_by_button(app: App, chat: Chat, clock: Clock) -> None:
    await chat.send("gặp cán bộ")
    await chat.press("Kết thúc")
    assert "Đã kết thúc trò chuyện" in chat.text
    [ticket] = await tickets(app)
    assert (ticket.status, ticket.closed_reason, ticket.open_key) == ("closed", "citizen", None)
    await chat.send("hồ sơ bị trễ")
    assert await lines(app, ticket.id) == [("history", "gặp cán bộ")]
    await chat.payload("hfx")
    assert "không có cuộc trò chuyện" in chat.text
    await chat.send("gặp cán bộ")  # a new ticket after the closed one
    assert [t.status for t in await tickets(app)] == ["closed", "open"]


async def test_idle_ticket_closes_when_the_citizen_writes(
    app: App, chat: Chat, clock: Clock
) -> None:
    await chat.send("gặp cán bộ")
    clock.now += timedelta(hours=73)
    await chat.send("đăng ký khai sinh")
    assert "tự kết thúc" in chat.text
    assert "Đã chuyển" not in chat.text
    [ticket] = await tickets(app)
    assert (ticket.status, ticket.closed_reason) == ("closed", "timeout")
    assert await flow_of(app) is None


# The officers' pages ------------------------------------------------------------------------
@pytest.fixture
async def client(app: App, clock: Clock) -> AsyncIterator[TestClient]:
    web_app = create_web_app(app, features=("bot.http.operator",))
    async with TestClient(TestServer(web_app)) as c:
        yield c


async def test_officer_answers_and_the_citizen_receives_it(
    app: App, client: TestClient, clock: Clock
) -> None:
    citizen = Chat(app, user="123456789")
    await citizen.send(f"số tôi là {PHONE}")
    await citizen.send("cho tôi gặp cán bộ")
    await citizen.send("hồ sơ khai sinh của con tôi nộp 2 tuần chưa có kết quả")
    [ticket] = await tickets(app)
    page = f"/operator/tickets/{ticket.id}"

    # An inspector sees figures, not conversations.
    await add_operator(app, "thanhtra", "inspector")
    await add_operator(app, "canbo", "officer")
    assert await sign_in(client, "thanhtra") == 303
    token = await csrf_of(client)
    assert (await client.get("/operator/tickets")).status == 403
    assert (await client.get(page)).status == 403
    resp = await client.post(f"{page}/reply", data={"csrf": token, "text": "x"})
    assert resp.status == 403
    dashboard = await (await client.get("/operator/")).text()
    assert "/operator/tickets" not in dashboard
    await client.post("/operator/logout", data={"csrf": token})

    assert await sign_in(client, "canbo") == 303
    listing = await (await client.get("/operator/tickets")).text()
    assert f"{page}?" in listing
    assert "12*****89" in listing and "123456789" not in listing
    assert "chưa có kết quả" in listing
    view = await (await client.get(page)).text()
    assert "091*****78" in view and "0912 345 678" not in view
    assert "hồ sơ khai sinh của con tôi" in view
    found = CSRF.search(view)
    assert found is not None
    token = found.group(1)

    # CSRF: missing or wrong token, nothing stored or sent.
    for data in ({"text": "Chào anh"}, {"text": "Chào anh", "csrf": "made-up"}):
        assert (await client.post(f"{page}/reply", data=data)).status == 403
    async with app.services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 0
    assert (await client.post(f"{page}/reply", data={"csrf": token, "text": "  "})).status == 422

    app.services.outbox_wakeup.clear()
    answer = "Chào anh, hồ sơ đang chờ ký, dự kiến có kết quả thứ Hai."
    resp = await client.post(
        f"{page}/reply", data={"csrf": token, "text": answer}, allow_redirects=False
    )
    assert resp.status == 303
    assert app.services.outbox_wakeup.is_set()
    [*_, last] = await lines(app, ticket.id)
    assert last == ("officer", answer)
    async with app.services.db.read() as session:
        reply = await session.scalar(
            select(HandoffMessage).where(HandoffMessage.author == "officer")
        )
        assert reply is not None and reply.operator_name == "canbo"
        assert reply.at == clock.now

    sender = CollectingSender("test")
    app.senders["test"] = sender
    assert await Dispatcher(app).run_once() == 1
    [pushed] = sender.sent["123456789"]
    assert pushed.text == f"👩‍💼 Cán bộ trả lời: {answer}"
    assert any(b.payload == "hf" for b in pushed.buttons)

    # The citizen writes back; the officer closes; the citizen is told, and search is back.
    await citizen.send("Cảm ơn chị")
    assert "Đã chuyển" in citizen.text
    resp = await client.post(f"{page}/close", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303
    [ticket] = await tickets(app)
    assert (ticket.status, ticket.closed_reason, ticket.closed_by) == ("closed", "officer", "canbo")
    assert await Dispatcher(app).run_once() == 1
    assert "Cán bộ đã kết thúc" in sender.sent["123456789"][-1].text
    resp = await client.post(f"{page}/reply", data={"csrf": token, "text": "còn nữa"})
    assert resp.status == 409
    await citizen.send("đăng ký khai sinh")
    assert "Đã chuyển" not in citizen.text
    assert await flow_of(app, "123456789") is None


async def test_listing_closes_idle_tickets_and_shows_open_first(
    app: App, client: TestClient, clock: Clock
) -> None:
    await Chat(app, user="old").send("gặp cán bộ")
    clock.now += timedelta(hours=80)
    await Chat(app, user="new").send("gặp cán bộ")
    await add_operator(app, "quantri", "admin")
    assert await sign_in(client, "quantri") == 303
    listing = await (await client.get("/operator/tickets?lang=en")).text()
    old, new = await tickets(app)
    assert (old.status, old.closed_reason) == ("closed", "timeout")
    assert new.status == "open"
    assert listing.index(f"/operator/tickets/{new.id}?") < listing.index(
        f"/operator/tickets/{old.id}?"
    )
