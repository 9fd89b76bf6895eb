"""Procedure questions in the chat: card, "did you mean", sections, feedback, not found."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Feedback
from bot.services import Services
from handlers.procedures import MAX_DOC_ON_CARD
from tests.conftest import Chat


async def test_everyday_words_without_diacritics_get_a_card(chat: Chat) -> None:
    await chat.send("lam giay khai sinh cho con")
    assert "Thủ tục đăng ký khai sinh (1.001193)" in chat.text
    assert "Trực tuyến" in chat.text and "miễn phí" in chat.text
    assert "Giấy tờ cần nộp" in chat.text
    assert "👍" in chat.buttons and "👎" in chat.buttons
    assert len(chat.buttons) <= 5  # Zalo shows at most five buttons per message


async def test_fee_and_time_per_channel(chat: Chat) -> None:
    await chat.send("đổi bằng lái")
    assert "Đổi giấy phép lái xe (3.000347)" in chat.text
    assert "135.000 đồng" in chat.text
    assert "5 ngày làm việc" in chat.text


async def test_close_call_offers_top_three_as_buttons(chat: Chat) -> None:
    await chat.send("lái xe")
    assert "Có phải" in chat.text
    assert 2 <= len(chat.buttons) <= 4
    assert chat.buttons[-1] == "Không phải các thủ tục trên"
    await chat.press("giấy phép lái xe")
    assert "giấy phép lái xe" in chat.text.lower()
    await chat.send("lái xe")
    await chat.press("Không phải")
    assert "chưa tìm thấy" in chat.text


async def test_sections_and_back(chat: Chat) -> None:
    await chat.send("đăng ký kết hôn")
    await chat.press("Các bước")
    assert chat.text.splitlines()[1].startswith("1. ")
    await chat.press("Quay lại")
    assert "(1.000894)" in chat.text
    await chat.press("Căn cứ pháp lý")
    assert "Căn cứ pháp lý" in chat.text and "QH13" in chat.text


async def test_feedback_is_stored_with_the_query(chat: Chat, services: Services) -> None:
    await chat.send("lam giay khai sinh cho con")
    await chat.press("👎")
    assert "Cảm ơn" in chat.text
    async with services.db.read() as s:
        row = (await s.execute(select(Feedback))).scalar_one()
    assert (row.query, row.procedure_code, row.helpful) == (
        "lam giay khai sinh cho con",
        "1.001193",
        False,
    )


async def test_unknown_procedure_gets_honest_not_found_with_tips(chat: Chat) -> None:
    await chat.send("xin cấp phép nuôi rồng")
    assert "chưa tìm thấy" in chat.text
    assert "sổ đỏ" in chat.text  # a tip with everyday words


async def test_english(chat: Chat) -> None:
    await chat.send("/lang en")
    await chat.send("birth certificate")
    assert "(1.001193)" in chat.text
    assert "Documents to submit" in chat.text


async def test_stale_procedure_button(chat: Chat) -> None:
    await chat.payload("p:9.999999")
    assert "không còn trong danh mục" in chat.text
    await chat.payload("zz:whatever")
    assert "hết hạn" in chat.text


async def test_english_question_phrasing(chat: Chat) -> None:
    await chat.send("/lang en")
    await chat.send("how to get a passport")
    assert "1.001456" in chat.text or "hộ chiếu" in " ".join(chat.buttons)


async def test_card_summarises_and_the_full_list_is_whole(chat: Chat) -> None:
    await chat.send("lam giay khai sinh cho con")
    doc_lines = [line for line in chat.text.splitlines() if line.startswith("• ")]
    assert all(len(line) <= MAX_DOC_ON_CARD + 2 for line in doc_lines)
    await chat.press("Giấy tờ đầy đủ")
    full = [line for line in chat.text.splitlines() if line.startswith("• ")]
    assert any(len(line) > MAX_DOC_ON_CARD for line in full)
    assert not any(line.split(" (")[0].endswith("…") for line in full)
