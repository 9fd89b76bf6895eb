"""What a new user tripped over in the chat, each case with the exact message they typed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.render import distinct_labels
from bot.db.models import PostalRequest
from bot.dossier_io import DossierRecord
from bot.i18n import t
from tests.conftest import Chat
from tests.postal_fixtures import add_postal_data, open_flow


@pytest.fixture
async def pchat(app: App) -> Chat:
    await add_postal_data(app.services.db)
    return Chat(app, user="newcomer")


@pytest.mark.parametrize("word", ["thôi", "thôi khỏi", "không cần nữa", "dừng", "stop"])
async def test_everyday_ways_to_stop_end_the_postal_flow_at_the_name_step(
    pchat: Chat, word: str
) -> None:
    await open_flow(pchat)
    await pchat.send(word)
    assert t("vi", "cancel-done").split("\n")[0] in pchat.text
    assert "Người nhận: T." not in pchat.text
    await pchat.send("Nguyễn Văn An")  # no longer read as the recipient's name
    assert "2/6" not in pchat.text


async def test_stopping_works_at_a_later_step_too(pchat: Chat) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    assert "2/6" in pchat.text
    await pchat.send("Thôi khỏi")
    assert t("vi", "cancel-done").split("\n")[0] in pchat.text


async def test_a_street_of_just_a_number_says_what_is_missing(pchat: Chat, app: App) -> None:
    await open_flow(pchat)
    await pchat.press("Dùng tên người nộp")
    await pchat.press("Dùng số đã đăng ký")
    assert "3/6" in pchat.text
    await pchat.send("12")
    assert pchat.text == t("vi", "postal-bad-street-no-name")
    await pchat.send("Lê Lợi")
    assert pchat.text == t("vi", "postal-bad-street-no-number")
    await pchat.send("thôn Đông")  # a rural address names the hamlet instead
    assert "4/6" in pchat.text
    async with app.services.db.read() as session:
        assert (await session.scalars(select(PostalRequest))).all() == []


async def test_a_number_after_a_reply_without_buttons_presses_the_last_menu(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Tra cứu thủ tục")
    assert not chat.buttons or all("Tra cứu" not in b for b in chat.buttons)
    await chat.send("2")  # the menu shown before the prompt: "Xem tình trạng hồ sơ"
    assert t("vi", "ds-prompt").split("\n")[0] in chat.text


def test_did_you_mean_labels_for_long_similar_names_stay_distinguishable() -> None:
    shared = "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác"
    names = [
        f"{shared} gắn liền với đất lần đầu (cấp tỉnh)",
        f"{shared} gắn liền với đất lần đầu (cấp xã)",
        f"{shared} gắn liền với đất cho người nhận chuyển nhượng",
    ]
    labels = distinct_labels(names, 60)
    assert len(set(labels)) == 3 and all(len(label) <= 60 for label in labels)
    assert "(cấp tỉnh)" in labels[0] and "(cấp xã)" in labels[1]
    assert "chuyển nhượng" in labels[2] and all(lab.startswith("Đăng ký") for lab in labels)
    assert distinct_labels(["Đăng ký khai sinh", "Đăng ký khai tử"], 60) == [
        "Đăng ký khai sinh",
        "Đăng ký khai tử",
    ]


def test_steps_with_the_same_time_keep_their_order() -> None:
    at = "2025-07-14T08:00:00+07:00"
    rec = DossierRecord.from_dict(
        {
            "code": "000.00.00.H31-250714-0009",
            "procedure_name": "Đăng ký hộ kinh doanh",
            "status": 4,
            "received_at": at,
            "history": [
                {"status": 1, "at": at},
                {"status": 2, "at": at},
                {"status": 4, "at": "2025-07-14T09:00:00+07:00"},
            ],
        }
    )
    assert [e.status for e in rec.latest_events()] == [1, 2, 4]  # oldest first, ties as sent


async def test_the_card_offers_the_full_history_in_order(chat: Chat) -> None:
    code = "000.21.31.H31-250707-0012"  # four steps; the card shows the latest three
    await chat.send(code)
    card = chat.text
    assert t("vi", "ds-status-2") not in card.split(t("vi", "ds-card-history"))[1]
    await chat.press("toàn bộ diễn biến (4)")
    history = chat.text
    assert history.startswith(t("vi", "ds-history-title", code=code))
    steps = [t("vi", f"ds-status-{n}") for n in (2, 4, 9, 10)]
    positions = [history.index(step) for step in steps]
    assert positions == sorted(positions)


async def test_cash_on_delivery_collects_the_fee_the_dossier_states(app: App) -> None:
    """Household business registration: the catalogue says 150.000, this dossier 100.000."""
    chat = Chat(app, user="giang")
    code = "000.24.31.H31-250716-0015"
    await chat.payload(f"pd:{code}")
    await chat.send("0006")  # the registered phone's last digits
    assert "1/6" in chat.text
    await chat.press("Dùng tên người nộp")
    await chat.press("Dùng số đã đăng ký")
    await chat.send("Số 7 Lê Lợi")
    await chat.send("phường Lê Chân, Hải Phòng")
    await chat.press("Bỏ qua")
    assert "100.000 đồng" in chat.text and "150.000" not in chat.text
    await chat.press("Có")
    assert t("vi", "postal-summary-cod-yes", fee="100.000 đồng") in chat.text
