"""The postal-delivery conversation, as a citizen sees it, on the test and console channels."""

from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import func, select

from bot.app import App, build_dialogue
from bot.catalogue import Catalogue
from bot.channels.console import run_console
from bot.db.engine import Database
from bot.db.models import Conversation, Dossier, PostalRequest, Subscription
from bot.messages import Ask, Incoming
from bot.services import Services
from tests.conftest import Chat
from tests.postal_fixtures import (
    FREE,
    OPEN,
    PHONE,
    REJECTED,
    RETURNED,
    STOPPED,
    WITHDRAWN,
    add_postal_data,
    open_flow,
)


@pytest.fixture
async def papp(app: App) -> App:
    await add_postal_data(app.services.db)
    return app


@pytest.fixture
def pchat(papp: App) -> Chat:
    return Chat(papp, user="citizen")


async def requests_of(app: App) -> list[PostalRequest]:
    async with app.services.db.read() as session:
        return list(await session.scalars(select(PostalRequest).order_by(PostalRequest.id)))


async def fill_to_summary(chat: Chat, ward: str = "phường Lê Chân, Hải Phòng") -> None:
    await chat.press("Dùng tên người nộp")
    assert "2/6" in chat.text
    await chat.send("0912 345 678")
    assert "3/6" in chat.text
    await chat.send("Số 5 Lê Lợi")
    assert "4/6" in chat.text
    await chat.send(ward)
    assert "5/6" in chat.text, chat.text
    await chat.press("Bỏ qua")
    assert "50.000 đ" in chat.text  # the procedure's fee: collect on delivery?
    await chat.press("Có")
    assert "6/6" in chat.text


async def test_whole_flow_creates_one_request(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    assert any("Nguyễn V. A." in b for b in pchat.buttons)  # the applicant's name, masked
    assert "Nguyễn Văn An" not in pchat.text
    await fill_to_summary(pchat)
    summary = pchat.text
    assert "33.000 đ" in summary and "trong tỉnh" in summary
    assert "biểu cước của tỉnh" in summary
    # The verified owner checks what they typed, in full, before confirming.
    assert "Người nhận: Nguyễn Văn An" in summary and "0912 345 678" in summary
    assert "Số 5 Lê Lợi, Phường Lê Chân" in summary
    assert "Thu hộ" in summary and "có" in summary
    await pchat.press("Xác nhận")
    assert "Mã yêu cầu: BD-250720-" in pchat.text
    [req] = await requests_of(papp)
    assert req.phone == "+84912345678"
    assert req.recipient_name == "Nguyễn Văn An"
    assert req.street == "Số 5 Lê Lợi"
    assert req.ward_name == "Phường Lê Chân"
    assert req.collect_fee is True
    assert req.collect_amount and f"{req.collect_amount:,}".replace(",", ".") in summary
    assert req.postal_fee == 33000
    assert req.status == "requested"
    card = pchat.text
    await pchat.press("Xem yêu cầu")  # every later view masks them again
    assert "0912 345 678" not in pchat.text and "Lê Lợi" not in pchat.text, card
    async with papp.services.db.read() as session:
        dossier = await session.get(Dossier, OPEN)
        assert dossier is not None and dossier.result_delivery == "postal"
        subs = await session.scalar(
            select(func.count()).select_from(Subscription).where(Subscription.dossier_code == OPEN)
        )
        assert subs == 1


async def test_double_confirm_creates_one_request(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await fill_to_summary(pchat)
    confirm = next(b.payload for r in pchat.last for b in r.buttons if b.payload.startswith("pdc"))
    await pchat.payload(confirm)
    first = pchat.text
    await pchat.payload(confirm)
    assert "đã được ghi nhận" in pchat.text
    reqs = await requests_of(papp)
    assert len(reqs) == 1
    assert reqs[0].reference in first and reqs[0].reference in pchat.text


async def test_duplicate_delivery_of_confirm_is_ignored(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await fill_to_summary(pchat)
    confirm = next(b.payload for r in pchat.last for b in r.buttons if b.payload.startswith("pdc"))
    for _ in range(2):
        await papp.dialogue.handle(
            Incoming("test", "citizen", payload=confirm, delivery_id="tg-update-77")
        )
    assert len(await requests_of(papp)) == 1


async def test_bad_phone_is_corrected(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    for bad in ("12345", "0123 456", "số của tôi"):
        await pchat.send(bad)
        assert "Số điện thoại chưa đúng" in pchat.text, bad
    await pchat.send("+1 202 555 0123")
    assert "không phải số điện thoại Việt Nam" in pchat.text
    await pchat.send("1900 1234")
    assert "3/6" not in pchat.text
    await pchat.send("024 3823 4567")  # a Hà Nội landline is fine
    assert "3/6" in pchat.text


async def test_bad_name_is_corrected(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.send("123")
    assert "Họ tên chỉ gồm chữ cái" in pchat.text
    await pchat.send("Trần Thị Bình")
    assert "2/6" in pchat.text


async def test_unknown_ward_is_corrected(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Số 5 Lê Lợi")
    await pchat.send("phường Không Có Thật, Hải Phòng")
    assert "không tìm thấy xã/phường" in pchat.text
    assert "4/6" not in pchat.text or "5/6" not in pchat.text
    await pchat.send("phường Lê Chân, Hải Phòng")
    assert "5/6" in pchat.text


async def test_ambiguous_ward_offers_buttons(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Thôn 3")
    await pchat.send("xa ba to, quang ngai")
    assert "trùng tên" in pchat.text
    places = [b for b in pchat.buttons if "Quảng Ngãi" in b]
    assert len(places) >= 2
    await pchat.press(places[0])
    assert "5/6" in pchat.text


async def test_merged_province_says_the_new_name(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Số 1 Trần Hưng Đạo")
    await pchat.send("phường Hải Dương, tỉnh Hải Dương")
    assert "nay là" in pchat.text and "Hải Phòng" in pchat.text
    assert "5/6" in pchat.text
    await pchat.press("Bỏ qua")
    await pchat.press("Không")
    assert "33.000 đ" in pchat.text  # Hải Dương is now Hải Phòng: same province as the unit


async def test_old_district_address_is_converted(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Số 12 Nguyễn Du")
    await pchat.send("phường Trần Phú, thành phố Hà Tĩnh, tỉnh Hà Tĩnh")
    assert "nay thuộc Phường Thành Sen, Tỉnh Hà Tĩnh" in pchat.text
    assert "5/6" in pchat.text
    await pchat.press("Bỏ qua")
    await pchat.press("Không")
    assert "60.500 đ" in pchat.text and "liên tỉnh" in pchat.text


async def test_split_old_ward_offers_the_new_ones(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Thôn Đông")
    await pchat.send("xã Lạc Đạo, huyện Văn Lâm, tỉnh Hưng Yên")
    assert "đã được chia" in pchat.text
    choices = [b for b in pchat.buttons if "Hưng Yên" in b]
    assert len(choices) >= 2
    await pchat.press(choices[1])
    assert "5/6" in pchat.text


async def test_whole_address_in_one_line(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Số 5 Lê Lợi, phường Lê Chân, Hải Phòng")
    assert "5/6" in pchat.text  # ward and province taken from the same line


async def test_other_province_fee(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Số 10 Điện Biên Phủ")
    await pchat.send("phường Ba Đình, Hà Nội")
    await pchat.press("Bỏ qua")
    await pchat.press("Không")
    assert "60.500 đ" in pchat.text and "liên tỉnh" in pchat.text


async def test_procedure_without_fee_skips_the_collect_question(papp: App, pchat: Chat) -> None:
    await open_flow(pchat, FREE)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    await pchat.send("Số 5 Lê Lợi")
    await pchat.send("phường Lê Chân, Hải Phòng")
    await pchat.send("gọi trước khi giao")
    assert "6/6" in pchat.text
    assert "Thu hộ" not in pchat.text
    assert "gọi trước khi giao" in pchat.text


async def test_back_fixes_the_previous_answer(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send("0912345678")
    await pchat.send("Số 5 Lê Lợi")
    assert "4/6" in pchat.text
    await pchat.press("Quay lại")
    assert "3/6" in pchat.text
    await pchat.send("Số 7 Lê Lợi")
    await pchat.send("quay lại")
    assert "3/6" in pchat.text
    await pchat.send("quay lai")
    assert "2/6" in pchat.text
    await pchat.send("0987654321")
    await pchat.send("Số 9 Lê Lợi")
    await pchat.send("phường Lê Chân, Hải Phòng")
    await pchat.press("Bỏ qua")
    await pchat.press("Không")
    await pchat.press("Xác nhận")
    [req] = await requests_of(papp)
    assert req.phone == "+84987654321" and req.street == "Số 9 Lê Lợi"


async def test_cancel_mid_way(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send("/huy")
    assert "Đã hủy" in pchat.text
    await pchat.send(PHONE)
    assert "3/6" not in pchat.text
    await open_flow(pchat)
    await pchat.press("Hủy")
    assert "Đã hủy" in pchat.text
    assert await requests_of(papp) == []


async def test_restart_mid_way_resumes(papp: App, pchat: Chat, database_url: str) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.send(PHONE)
    assert "3/6" in pchat.text
    # A new process: new engine, services and dialogue on the same database.
    db2 = Database(database_url)
    try:
        catalogue = Catalogue()
        await catalogue.reload(db2)
        old = papp.services
        services2 = Services(settings=old.settings, db=db2, catalogue=catalogue, clock=old.clock)
        chat2 = Chat(App(services2, build_dialogue(services2)), user="citizen")
        await chat2.send("Số 5 Lê Lợi")
        assert "4/6" in chat2.text
        await chat2.send("phường Lê Chân, Hải Phòng")
        await chat2.press("Bỏ qua")
        await chat2.press("Có")
        await chat2.press("Xác nhận")
        assert "BD-" in chat2.text
    finally:
        await db2.dispose()
    [req] = await requests_of(papp)
    assert req.phone == "+84912345678"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (RETURNED, "đã được trả kết quả"),
        (REJECTED, "không được tiếp nhận"),
        (WITHDRAWN, "đã được rút"),
        (STOPPED, "đã dừng xử lý"),
    ],
)
async def test_closed_dossier_is_refused_with_reason(
    papp: App, pchat: Chat, code: str, reason: str
) -> None:
    await pchat.payload(f"pd:{code}")
    assert reason in pchat.text
    async with papp.services.db.read() as session:
        conv = await session.scalar(select(Conversation).where(Conversation.user_id == "citizen"))
        assert conv is not None and conv.flow is None


async def test_active_request_is_shown_and_can_be_cancelled(papp: App, pchat: Chat) -> None:
    await open_flow(pchat)
    await fill_to_summary(pchat)
    await pchat.press("Xác nhận")
    await pchat.payload(f"pd:{OPEN}")
    assert "đang thực hiện" in pchat.text
    assert "chờ bưu điện nhận" in pchat.text
    assert PHONE not in pchat.text
    await pchat.press("Hủy yêu cầu")
    assert "chắc chắn" in pchat.text
    await pchat.press("Đúng, hủy")
    assert "Đã hủy yêu cầu" in pchat.text
    [req] = await requests_of(papp)
    assert req.status == "cancelled"
    async with papp.services.db.read() as session:
        dossier = await session.get(Dossier, OPEN)
        assert dossier is not None and dossier.result_delivery == "desk"
    await open_flow(pchat)  # a new request is possible again


async def test_free_text_and_command_entries(papp: App, pchat: Chat) -> None:
    await pchat.send("tôi muốn nhận kết quả qua bưu điện")
    assert "hồ sơ nào" in pchat.text
    await pchat.send("/buudien")
    assert "hồ sơ nào" in pchat.text
    await pchat.send("gui ket qua ve nha giup toi")
    assert "hồ sơ nào" in pchat.text
    await pchat.send("mã của tôi là abc")
    assert "chưa thấy mã hồ sơ" in pchat.text
    await pchat.send(OPEN)
    if "1/6" not in pchat.text:
        await pchat.send(PHONE[-4:])
    assert "1/6" in pchat.text


async def test_unknown_and_malformed_codes(papp: App, pchat: Chat) -> None:
    await pchat.send("/buudien")
    await pchat.send("000.00.01.H31-250715-9999")
    assert "Không tìm thấy hồ sơ" in pchat.text
    await pchat.send("000.00.01.H31-251345-0042")  # no 45th of the 13th month
    assert "chưa đúng" in pchat.text and "phần ngày" in pchat.text
    await pchat.send(f"/buudien {OPEN}")
    if "1/6" not in pchat.text:
        await pchat.send(PHONE[-4:])
    assert "1/6" in pchat.text


async def test_main_menu_entry(papp: App, pchat: Chat) -> None:
    await pchat.send("/start")
    await pchat.press("bưu điện")
    assert "hồ sơ nào" in pchat.text


async def test_name_step_offers_contact_sharing_and_takes_it(papp: App) -> None:
    zalo = Chat(papp, user="zalo-user", channel="zalo")
    await open_flow(zalo)
    name_reply = next(r for r in zalo.last if "1/6" in r.text)
    assert name_reply.ask is Ask.CONTACT
    zalo.last = await papp.dialogue.handle(
        Incoming(
            "zalo",
            "zalo-user",
            contact={
                "name": "Lê Thị Hoa",
                "phone": "0987 654 321",
                "address": "Số 5 Lê Lợi, phường Lê Chân, Hải Phòng",
            },
        )
    )
    assert "Đã nhận thông tin" in zalo.text
    assert "5/6" in zalo.text
    await zalo.press("Bỏ qua")
    await zalo.press("Không")
    await zalo.press("Xác nhận")
    [req] = await requests_of(papp)
    assert (req.recipient_name, req.phone, req.channel) == ("Lê Thị Hoa", "+84987654321", "zalo")


async def test_english(papp: App) -> None:
    chat = Chat(papp, user="en-user")
    await chat.send("/lang en")
    await chat.payload(f"pd:{RETURNED}")
    assert "already been handed over" in chat.text


async def test_whole_flow_on_console(papp: App) -> None:
    """The console renders buttons as numbers; typing a number presses the button."""

    async def turn(line: str) -> str:
        out = io.StringIO()
        await run_console(
            papp.dialogue, user_id="console-postal", stdin=io.StringIO(line + "\n"), stdout=out
        )
        return out.getvalue()

    def number_of(output: str, label: str) -> str:
        for row in output.splitlines():
            if label in row and row.strip().startswith("["):
                return row.strip()[1:].split("]")[0]
        raise AssertionError(f"no button {label!r} in {output!r}")

    out = await turn("/start")
    out = await turn(number_of(out, "bưu điện"))
    assert "hồ sơ nào" in out
    out = await turn(OPEN)
    if "1/6" not in out:
        out = await turn(PHONE[-4:])
    assert "1/6" in out
    out = await turn(number_of(out, "Dùng tên người nộp"))
    assert "2/6" in out
    out = await turn("0912 34 56")
    assert "Số điện thoại chưa đúng" in out
    out = await turn("0912 345 678")
    out = await turn("Số 5 Lê Lợi")
    out = await turn("phường Lê Chân, Hải Phòng")
    assert "5/6" in out
    out = await turn(number_of(out, "Bỏ qua"))
    out = await turn(number_of(out, "Có"))
    assert "6/6" in out and "33.000 đ" in out and PHONE not in out
    out = await turn(number_of(out, "Xác nhận"))
    assert "Mã yêu cầu: BD-" in out
    [req] = await requests_of(papp)
    assert req.channel == "console" and req.collect_fee is True


async def test_nothing_personal_is_logged(
    papp: App, pchat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await open_flow(pchat)
    await pchat.send("Trần Thị Bình")
    await pchat.send("0987 654 321")
    await pchat.send("Số 77 Hàng Bạc")
    await pchat.send("phường Lê Chân, Hải Phòng")
    await pchat.press("Bỏ qua")
    await pchat.press("Không")
    await pchat.press("Xác nhận")
    assert "BD-" in pchat.text
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for secret in ("Trần Thị Bình", "987654321", "987 654 321", "Hàng Bạc", "Nguyễn Văn An"):
        assert secret not in logged
