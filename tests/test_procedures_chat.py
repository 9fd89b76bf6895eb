"""Procedure questions in the chat: the aspect asked answered first, a card that fits a phone,
"did you mean", sections, feedback, not found."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from bot.db.models import Feedback
from bot.services import Services
from tests.conftest import Chat

CATALOGUE = Path(__file__).resolve().parents[1] / "bot" / "data" / "catalogue.jsonl"


async def test_everyday_words_without_diacritics_get_a_card(chat: Chat) -> None:
    await chat.send("lam giay khai sinh cho con")
    assert "Thủ tục đăng ký khai sinh (1.001193)" in chat.text
    assert "Trực tuyến" in chat.text and "miễn phí" in chat.text
    assert "Giấy tờ cần nộp: 5 loại" in chat.text
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
    await chat.press("Phí, thời hạn")  # the legal basis is one page further
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
    assert not [line for line in chat.text.splitlines() if line.startswith("• Tờ khai")]
    await chat.press("Giấy tờ đầy đủ")
    full = [line for line in chat.text.splitlines() if line.startswith("• ")]
    assert len(full) == 5
    assert not any(line.split(" (")[0].endswith("…") for line in full)


# The aspect asked is answered first, in its own short message, then the card ----------------
async def ask(chat: Chat, text: str, code: str) -> str:
    """The first reply (the aspect's answer), checking that the card for ``code`` follows."""
    replies = await chat.send(text)
    assert len(replies) == 2, chat.text
    assert f"({code})" in (replies[1].title or "")
    assert replies[0].title is None and not replies[0].buttons
    assert 1 <= len(replies[0].text.splitlines()) <= 3
    return replies[0].text


async def test_fee_same_on_every_channel(chat: Chat) -> None:
    first = await ask(chat, "đổi bằng lái hết bao nhiêu tiền", "3.000347")
    assert first == "Lệ phí: 135.000 đồng (như nhau với mọi cách nộp)."


async def test_fee_differs_per_channel(chat: Chat) -> None:
    first = await ask(chat, "làm hộ chiếu phí bao nhiêu", "1.001456")
    assert first.splitlines() == [
        "Lệ phí khi nộp trực tuyến hoặc gửi qua bưu chính: 160.000 đồng",
        "Lệ phí khi nộp trực tiếp: 200.000 đồng",
    ]


async def test_fee_for_the_channel_asked_survives_did_you_mean(chat: Chat) -> None:
    first = await pick(chat, "làm hộ chiếu nộp trực tiếp phí bao nhiêu", "Cấp hộ chiếu phổ thông")
    assert first == "Lệ phí khi nộp trực tiếp: 200.000 đồng"


async def test_fee_not_stated_is_said_plainly(chat: Chat) -> None:
    first = await ask(chat, "xóa đăng ký tạm trú lệ phí bao nhiêu", "1.010028")
    assert first.startswith("Danh mục chưa công bố lệ phí của thủ tục này")
    assert "đồng" not in first


async def test_time(chat: Chat) -> None:
    first = await ask(chat, "đăng ký kết hôn mất bao lâu", "1.000894")
    assert first == "Thời hạn giải quyết: 1 ngày làm việc (như nhau với mọi cách nộp)."


async def test_documents(chat: Chat) -> None:
    first = await ask(chat, "đăng ký kết hôn cần giấy tờ gì", "1.000894")
    lines = first.splitlines()
    assert lines[0] == "Hồ sơ gồm 4 loại giấy tờ, trước hết là:"
    assert len(lines) == 3 and all(line.startswith("• ") for line in lines[1:])


async def test_where(chat: Chat) -> None:
    first = await ask(chat, "đăng ký khai sinh nộp ở đâu", "1.001193")
    assert first.splitlines() == [
        "Nơi nộp hồ sơ: Ủy ban nhân dân xã, phường, đặc khu nơi cư trú (bộ phận một cửa).",
        "Bạn cũng có thể nộp trực tuyến hoặc gửi qua bưu chính.",
    ]


async def test_aspect_answered_in_english(chat: Chat) -> None:
    await chat.send("/lang en")
    first = await ask(chat, "how much is the fee to renew driving licence", "3.000347")
    assert first == "Fee: VND 135,000 (the same however you file)." or "135,000" in first


# Aspects whose wording leads to "did you mean": the pick answers the aspect asked.
async def pick(chat: Chat, text: str, label: str) -> str:
    await chat.send(text)
    assert "Có phải" in chat.text
    replies = await chat.press(label)
    assert len(replies) == 2, chat.text
    return replies[0].text


async def test_online_after_did_you_mean(chat: Chat) -> None:
    first = await pick(chat, "khai sinh làm online được không", "Thủ tục đăng ký khai sinh")
    assert first.splitlines()[0] == (
        "Thủ tục này có thể nộp trực tuyến, nộp trực tiếp hoặc gửi qua bưu chính."
    )
    assert "trực tuyến" in first.splitlines()[1]


async def test_result_after_did_you_mean(chat: Chat) -> None:
    first = await pick(chat, "làm căn cước nhận được gì", "Cấp đổi thẻ căn cước")
    assert first.startswith("Kết quả bạn nhận được: ")


async def test_eligibility_after_did_you_mean(chat: Chat) -> None:
    first = await pick(chat, "nhận con nuôi có đủ điều kiện không", "nuôi con nuôi")
    assert first.startswith("Đối tượng thực hiện: ")
    assert "Điều kiện: " in first


async def test_steps_after_did_you_mean(chat: Chat) -> None:
    first = await pick(chat, "các bước đăng ký kết hôn", "Thủ tục đăng ký kết hôn")
    lines = first.splitlines()
    assert lines[0] == "Thủ tục gồm 4 bước, bắt đầu:"
    assert lines[1].startswith("1. ") and lines[2].startswith("2. ")


async def test_the_pick_answers_once_and_only_the_offered_codes(chat: Chat) -> None:
    await pick(chat, "các bước đăng ký kết hôn", "Thủ tục đăng ký kết hôn")
    replies = await chat.payload("p:1.000894")
    assert len(replies) == 1  # the plain card: the question was answered already
    await chat.send("lái xe bao nhiêu tiền")
    replies = await chat.payload("p:1.001193")  # not one of the procedures offered
    assert len(replies) == 1


async def test_question_starting_with_thanks_gets_the_procedure(chat: Chat) -> None:
    first = await pick(
        chat, "cảm ơn, cho hỏi làm khai sinh cần giấy tờ gì", "Thủ tục đăng ký khai sinh"
    )
    assert first.startswith("Hồ sơ gồm 5 loại giấy tờ")


async def test_no_aspect_no_extra_message(chat: Chat) -> None:
    replies = await chat.send("đổi bằng lái")
    assert len(replies) == 1


# The card fits a phone ------------------------------------------------------------------------
async def test_card_is_at_most_twelve_lines_on_every_bundled_procedure(chat: Chat) -> None:
    lines = CATALOGUE.read_text(encoding="utf-8").splitlines()
    codes = [json.loads(line)["code"] for line in lines if line.strip()]
    assert len(codes) > 50
    for code in codes:
        replies = await chat.payload(f"p:{code}")
        card = replies[-1]
        assert len(card.plain().splitlines()) <= 12, card.plain()
        assert f"({code})" in (card.title or "")
        assert len(card.buttons) <= 5


async def test_every_channel_figure_is_behind_a_button(chat: Chat) -> None:
    await chat.send("đăng ký thường trú")
    await chat.press("Phí, thời hạn")
    assert "Cách nộp, thời hạn và phí" in chat.text
    assert "Trường hợp công dân nộp hồ sơ" in chat.text  # the catalogue's full fee wording
    assert "Căn cứ pháp lý" in " ".join(chat.buttons)
