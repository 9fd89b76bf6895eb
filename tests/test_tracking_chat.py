"""A postal tracking code typed in the chat: status for anyone, personal data for the owner."""

from __future__ import annotations

from bot.db.models import PostalRequest
from bot.services import Services
from tests.conftest import FIXED_NOW, Chat

DOSSIER = "000.00.00.H31-250714-0001"


async def _request(services: Services, owner: str) -> None:
    async with services.db.transaction() as s:
        s.add(
            PostalRequest(
                reference="BD-250720-TEST",
                idempotency_key="k1",
                dossier_code=DOSSIER,
                channel="test",
                user_id=owner,
                recipient_name="Nguyễn Văn An",
                phone="+84901230001",
                street="Số 5 Lê Lợi",
                ward_code="11383",
                ward_name="Phường Lê Chân",
                province_code="31",
                province_name="Thành phố Hải Phòng",
                postal_fee=33000,
                status="in_transit",
                tracking_code="EA123456785VN",
                created_at=FIXED_NOW,
                updated_at=FIXED_NOW,
            )
        )


async def test_tracking_code_shows_status_without_personal_data(
    chat: Chat, services: Services
) -> None:
    await _request(services, owner="someone-else")
    await chat.send("ea 123 456 785 vn")
    assert "EA123456785VN" in chat.text
    assert "Đang vận chuyển" in chat.text or "vận chuyển" in chat.text.lower()
    assert "Nguyễn" not in chat.text and "Lê Lợi" not in chat.text


async def test_owner_sees_the_request_card(chat: Chat, services: Services) -> None:
    await _request(services, owner=chat.user)
    await chat.send("EA123456785VN")
    assert "BD-250720-TEST" in chat.text


async def test_bad_check_digit_and_unknown_code(chat: Chat) -> None:
    await chat.send("EA123456789VN")
    assert "không hợp lệ" in chat.text
    await chat.send("EA123456785VN")
    assert "không thuộc" in chat.text
