"""Dossier status in the chat: import, the card in vi and en, late/on time, malformed codes,
privacy and the second factor, lock-out, rate limits, following, deep links."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Conversation, Dossier, DossierEvent, Subscription
from bot.demo import data_path
from bot.domain import DossierStatus
from bot.dossier_io import DossierError, DossierRecord, import_dossier_file
from bot.i18n import t
from bot.services import Services
from bot.upstream import clear_cache
from bot.vntime import VN, vn_date
from tests.conftest import FIXED_NOW, Chat

DEMO = "000.00.00.H31-250714-0001"  # status 4, on schedule; phone …0001, ID …0007
LATE = "000.25.31.H31-250711-0004"  # the one late dossier at FIXED_NOW (due 16/07)
DUE_TODAY = "000.26.31.H31-250717-0031"
NEEDS_DOCS = "000.23.31.H31-250710-0008"  # status 5
NEEDS_FEES = "000.24.31.H31-250716-0015"  # status 6
DEMO_NAME = "Nguyễn Văn An"


def demo_records() -> list[dict]:
    lines = data_path("dossiers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def code_with_status(status: int) -> str:
    return str(next(r["code"] for r in demo_records() if r["status"] == status))


# Import ---------------------------------------------------------------------------------------
async def test_demo_data_covers_every_status_and_exactly_one_is_late() -> None:
    recs = [DossierRecord.from_dict(r) for r in demo_records()]
    assert {r.status for r in recs} == set(range(1, 11))
    late = [r.code for r in recs if r.late_days(FIXED_NOW) and not r.finished]
    assert late == [LATE]
    assert DEMO in {r.code for r in recs}


async def test_import_is_idempotent_and_keeps_good_rows(services: Services, tmp_path: Path) -> None:
    good = demo_records()[0] | {"code": "000.00.00.H31-250601-0099", "status": 2}
    bad_status = good | {"code": "000.00.00.H31-250601-0100", "status": 11}
    bad_code = good | {"code": "000.00.00.H31-251301-0001"}
    naive_time = good | {"code": "000.00.00.H31-250601-0101", "received_at": "2025-06-01T08:00"}
    lines = [json.dumps(good), "{not json", json.dumps(bad_status), json.dumps(bad_code)]
    lines.append(json.dumps(naive_time))
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with services.db.transaction() as session:
        first = await import_dossier_file(session, path)
    assert (first.imported, first.updated) == (1, 0)
    reasons = dict(first.rejected)
    assert sorted(reasons) == [2, 3, 4, 5]
    assert "JSON" in reasons[2] and "status" in reasons[3] and "code" in reasons[4]
    assert "offset" in reasons[5]
    async with services.db.transaction() as session:
        again = await import_dossier_file(session, path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)
    async with services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Dossier)) == 21
        events = await session.scalar(
            select(func.count())
            .select_from(DossierEvent)
            .where(DossierEvent.dossier_code == "000.00.00.H31-250601-0099")
        )
    assert events == len(good["history"])


async def test_import_updates_a_changed_dossier(services: Services, tmp_path: Path) -> None:
    rec = demo_records()[0] | {"status": 9, "finished_at": "2025-07-19T15:00:00+07:00"}
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    async with services.db.transaction() as session:
        report = await import_dossier_file(session, path)
    assert (report.imported, report.updated) == (0, 1)
    async with services.db.read() as session:
        dossier = await session.get(Dossier, DEMO)
    assert dossier is not None and dossier.status == 9


def test_import_command(tmp_path: Path) -> None:
    env = dict(os.environ, MOTCUA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    env.pop("TEST_DATABASE_URL", None)
    path = tmp_path / "d.jsonl"
    path.write_text(
        data_path("dossiers.jsonl").read_text(encoding="utf-8") + "{broken\n", encoding="utf-8"
    )
    cmd = [sys.executable, "-m", "bot", "dossiers", "import", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "imported 20" in done.stdout and "rejected 1" in done.stdout
    assert "line 21: invalid JSON" in done.stdout


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0900 000 001", "+84900000001"),
        ("84900000001", "+84900000001"),
        ("+84 90 000 0001", "+84900000001"),
        (900000001, "+84900000001"),  # a number in the file is read as its digits
        ("(024) 3825 1234", "+842438251234"),  # landline: the chat accepts it, so does import
        ("0225 3842 888", "+842253842888"),
        ("", ""),
        (None, ""),
    ],
)
def test_import_phone_forms(typed: object, stored: str) -> None:
    rec = DossierRecord.from_dict(demo_records()[0] | {"applicant_phone": typed})
    assert rec.applicant_phone == stored


@pytest.mark.parametrize("typed", ["1900 1234", "0912 345", "+1 202 555 0143", "không có"])
def test_import_refuses_unusable_phones(typed: str) -> None:
    with pytest.raises(DossierError, match="applicant_phone: not a Vietnamese phone number"):
        DossierRecord.from_dict(demo_records()[0] | {"applicant_phone": typed})


def test_import_reports_every_problem_of_a_record() -> None:
    bad = demo_records()[0] | {"status": "x", "channel": 9, "received_at": "2025-07-14"}
    with pytest.raises(DossierError) as caught:
        DossierRecord.from_dict(bad)
    assert str(caught.value) == (
        "status: missing or not a number; channel: 9 is not 1 (direct), 2 (online) or 3 "
        "(postal); received_at: no UTC offset (write e.g. 2025-07-14T08:30:00+07:00)"
    )
    with pytest.raises(DossierError, match="must be a JSON object"):
        DossierRecord.from_dict(["not", "an", "object"])


async def test_import_reports_hostile_lines(services: Services, tmp_path: Path) -> None:
    """Lines that used to crash the import (or PostgreSQL) are reported; good lines are kept."""
    good = demo_records()[0] | {"code": "000.00.00.H31-250601-0099", "status": 2}

    def line(**change: object) -> bytes:
        return json.dumps(good | change).encode()

    history = [{"status": 2, "at": "2025-06-01T08:00:00+07:00", "note": "a\x00b"}]
    lines = [
        line(),
        b"[" * 100_000,
        line(due_at="9999-12-31T23:59:59-12:00"),
        line(history=history),
        line(applicant_name="\ud800"),
        b'{"code": "\xff"}',
        b'{"status": ' + b"9" * 5000 + b"}",
        line(status="4", channel="2"),  # digits as strings are still accepted
    ]
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    async with services.db.transaction() as session:
        report = await import_dossier_file(session, path)
    reasons = dict(report.rejected)
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert reasons[2] == "invalid JSON: nested too deeply"
    assert reasons[3] == "due_at: out of range (years 1900 to 2999)"
    assert reasons[4] == "history[0].note: contains a NUL character"
    assert reasons[5].startswith("applicant_name: contains an unpaired surrogate")
    assert reasons[6] == "not UTF-8"
    assert reasons[7].startswith("invalid JSON")
    assert report.imported == 1  # lines 1 and 8 are the same dossier: the later one wins
    async with services.db.read() as session:
        dossier = await session.get(Dossier, "000.00.00.H31-250601-0099")
    assert dossier is not None and dossier.status == 4


# The card -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("status", range(1, 11))
async def test_every_status_is_rendered(app: App, status: int, lang: str) -> None:
    chat = Chat(app, f"s{status}{lang}", lang=lang)
    await chat.send(code_with_status(status))
    assert t(lang, f"ds-status-{status}") in chat.text
    assert t(lang, f"ds-status-{status}-hint") in chat.text
    assert code_with_status(status) in chat.text


async def test_card_shows_facts_but_no_personal_data(chat: Chat) -> None:
    await chat.send(DEMO)
    text = chat.text
    assert "Cấp Phiếu lý lịch tư pháp" in text and "3.000333" in text
    assert "Trung tâm Phục vụ hành chính công thành phố Hải Phòng" in text
    assert "Ngày tiếp nhận: 14/07/2025" in text
    assert "Ngày hẹn trả kết quả: 28/07/2025" in text
    assert "Tình trạng: Đang xử lý" in text
    assert "còn 8 ngày" in text
    assert "Diễn biến gần đây" in text and "15/07/2025 09:20" in text
    for secret in (DEMO_NAME, "Nguyễn", "0900000001", "900000001", "031090000007"):
        assert secret not in text
    assert "Xác minh chủ hồ sơ" in chat.buttons[0]
    assert any("Báo tôi" in b for b in chat.buttons)
    assert any("bưu điện" in b for b in chat.buttons)
    assert len(chat.buttons) <= 5
    payloads = [b.payload for r in chat.last for b in r.buttons]
    assert all(len(p.encode()) <= 64 for p in payloads)


async def test_code_in_a_sentence_lower_case_with_spaces(chat: Chat) -> None:
    await chat.send("cho mình hỏi hồ sơ 000.00.00.h31 - 250714 - 0001 sao rồi")
    assert "Hồ sơ 000.00.00.H31-250714-0001" in chat.text


async def test_late_and_due_today(app: App) -> None:
    chat = Chat(app, "late")
    await chat.send(LATE)
    assert "Đã quá hạn 4 ngày" in chat.text
    await chat.send(DUE_TODAY)
    assert "Hôm nay là ngày hẹn trả kết quả" in chat.text
    assert "quá hạn" not in chat.text
    en = Chat(app, "late-en", lang="en")
    await en.send(LATE)
    assert "4 days past the due date" in en.text


def _rec(status: int, due: datetime, finished: datetime | None = None) -> DossierRecord:
    return DossierRecord(
        code="000.00.00.H31-250701-0001",
        procedure_code="1.001193",
        procedure_name="x",
        agency_code="000.00.00.H31",
        agency_name="x",
        received_at=due - timedelta(days=3),
        due_at=due,
        finished_at=finished,
        status=DossierStatus(status),
    )


def test_late_boundary_uses_vietnam_dates() -> None:
    def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=VN)

    # Due today at 08:00 (Vietnam), now 23:59 the same day: not late (the due date is a day).
    assert _rec(4, vn(2025, 7, 20, 8, 0)).late_days(vn(2025, 7, 20, 23, 59)) == 0
    # Due yesterday at 23:59, now 00:01: one day late — though only 2 minutes and the UTC
    # date (17:01 UTC the day before) has not changed.
    assert _rec(4, vn(2025, 7, 19, 23, 59)).late_days(vn(2025, 7, 20, 0, 1)) == 1
    assert vn_date(vn(2025, 7, 20, 0, 1)) != vn(2025, 7, 20, 0, 1).astimezone(UTC).date()
    # Finished cases are never late now; with a result they are judged on the finishing day.
    due = vn(2025, 7, 10, 16, 30)
    assert _rec(9, due, vn(2025, 7, 10, 17, 0)).late_days(vn(2025, 8, 1)) == 0
    assert _rec(10, due, vn(2025, 7, 12, 9, 0)).late_days(vn(2025, 8, 1)) == 2
    for stopped in (3, 7, 8):
        assert _rec(stopped, due).late_days(vn(2025, 8, 1)) == 0


async def test_status_5_and_6_say_what_is_missing_and_what_to_do(app: App) -> None:
    chat = Chat(app, "missing")
    await chat.send(NEEDS_DOCS)
    assert "Giấy tờ cần bổ sung" in chat.text
    assert "Văn bản đồng ý cho đăng ký thường trú của chủ hộ" in chat.text
    assert "Cách làm: mang hoặc gửi bưu điện" in chat.text
    await chat.send(NEEDS_FEES)
    assert "Khoản cần nộp" in chat.text and "100.000 đồng" in chat.text
    assert "thanh toán trực tuyến" in chat.text
    en = Chat(app, "missing-en", lang="en")
    await en.send(NEEDS_FEES)
    assert "Amount to pay" in en.text and "What to do" in en.text


# Malformed codes ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("000.00.00.H31-251399-0001", "phần ngày phải là 6 chữ số"),
        ("000.00.00.H31-250714", "thiếu số thứ tự ở cuối"),
        ("000.00.00.H31-250714-01", "số thứ tự ở cuối phải là chữ số"),
        ("H31-250714-0001", "mã cơ quan viết tắt"),
        ("1.2.3.H31-250714-0001", "phần mã cơ quan (trước ngày) không đúng dạng"),
        ("000.00.00.H31-270714-0001", "ngày trong tương lai"),
    ],
)
async def test_malformed_codes_are_explained(chat: Chat, typed: str, expected: str) -> None:
    await chat.send(typed)
    assert "chưa đúng" in chat.text
    assert expected in chat.text
    assert "000.00.00.H31-250714-0001" in chat.text  # the example of a correct code


async def test_unknown_code(chat: Chat) -> None:
    await chat.send("000.00.00.H31-250714-0999")
    assert "Không tìm thấy hồ sơ 000.00.00.H31-250714-0999" in chat.text


async def test_menu_button_reads_the_next_text_as_a_code(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Xem tình trạng hồ sơ")
    assert "mã hồ sơ" in chat.text
    await chat.send("làm giấy khai sinh")
    assert "chưa phải mã hồ sơ" in chat.text  # a correction, not a procedure search
    await chat.send("000.00.00.h31 250714 0001")
    assert "Hồ sơ 000.00.00.H31-250714-0001" in chat.text
    await chat.send("làm giấy khai sinh")  # the flow has ended: back to procedure search
    assert "chưa phải mã hồ sơ" not in chat.text


async def test_cancel_leaves_the_code_prompt(chat: Chat) -> None:
    await chat.payload("ds")
    await chat.send("hủy")
    assert "Đã hủy" in chat.text
    await chat.payload("ds")
    await chat.press("hỏi việc khác")
    assert "Bạn cần gì tiếp theo" in chat.text


async def test_deep_link(chat: Chat) -> None:
    await chat.send("/start d_000_00_00_H31-250714-0001")
    assert "Hồ sơ 000.00.00.H31-250714-0001" in chat.text
    await chat.send("/start")
    assert "Xin chào" in chat.text


# Second factor --------------------------------------------------------------------------------
async def test_verify_with_phone_shows_masked_name(chat: Chat) -> None:
    await chat.send(DEMO)
    await chat.press("Xác minh")
    assert "4 số cuối" in chat.text
    await chat.send("abc")
    assert "đúng 4 chữ số" in chat.text
    await chat.send("0001")
    assert "Đã xác minh" in chat.text
    assert "Người nộp: Nguyễn V. A." in chat.text
    assert DEMO_NAME not in chat.text
    assert "090*****01" in chat.text
    assert not any("Xác minh" in b for b in chat.buttons)


async def test_verify_with_id_number(chat: Chat) -> None:
    await chat.payload(f"dv:{DEMO}")
    await chat.send("0007")
    assert "Nguyễn V. A." in chat.text


async def test_five_wrong_answers_lock_until_midnight(app: App, services: Services) -> None:
    chat = Chat(app, "guesser")
    await chat.payload(f"dv:{DEMO}")
    await chat.send("1111")
    assert "còn 4 lần" in chat.text
    for _ in range(3):
        await chat.send("1111")
    await chat.send("1111")
    assert "tạm khóa đến 00:00 ngày 21/07/2025" in chat.text
    await chat.payload(f"dv:{DEMO}")
    assert "tạm khóa" in chat.text
    await chat.send("0001")  # the right answer no longer helps today: it is not even asked
    assert "Nguyễn V. A." not in chat.text
    # Other dossiers and other users are not affected.
    other = Chat(app, "owner")
    await other.payload(f"dv:{DEMO}")
    await other.send("0001")
    assert "Nguyễn V. A." in other.text
    # The next day in Vietnam the guesser may try again.
    services.clock = lambda: datetime(2025, 7, 20, 17, 0, 1, tzinfo=UTC)  # 00:00:01 on 21/07
    await chat.payload(f"dv:{DEMO}")
    await chat.send("0001")
    assert "Nguyễn V. A." in chat.text


async def test_new_chats_do_not_buy_new_guesses_at_one_dossier(app: App) -> None:
    """Five wrong answers per chat, ten per dossier per day across every chat and channel."""
    for n, channel in enumerate(("test", "test", "telegram")):
        prober = Chat(app, f"prober-{n}", channel=channel)
        await prober.payload(f"dv:{DEMO}")
        for _ in range(5):
            if "tạm khóa" in prober.text:
                break
            await prober.send("1111")
        assert "tạm khóa đến 00:00 ngày 21/07/2025" in prober.text, (n, prober.text)
    late = Chat(app, "prober-3")  # the dossier's daily total is spent: not even asked
    await late.payload(f"dv:{DEMO}")
    assert "tạm khóa" in late.text
    await late.send("0001")
    assert "Nguyễn V. A." not in late.text


async def test_require_verification_continues_with_the_callers_payload(chat: Chat) -> None:
    """The postal feature asks for the second factor, then carries on where it was."""
    await chat.payload(f"pd:{DEMO}")
    assert "4 số cuối" in chat.text
    await chat.send("0001")
    assert "Đã xác minh" in chat.text
    conv_flow = await _flow(chat)
    assert conv_flow == "postal"


async def _flow(chat: Chat) -> str | None:
    async with chat.app.services.db.read() as session:
        return await session.scalar(
            select(Conversation.flow).where(
                Conversation.channel == chat.channel, Conversation.user_id == chat.user
            )
        )


# Limits ---------------------------------------------------------------------------------------
async def test_lookup_rate_limit(app: App, services: Services) -> None:
    services.settings = services.settings.model_copy(update={"lookup_rate_limit": 3})
    chat = Chat(app, "busy")
    for _ in range(3):
        await chat.send(DEMO)
        assert "Hồ sơ 000.00.00.H31-250714-0001" in chat.text
    await chat.send(DEMO)
    assert "thử lại sau 10:10" in chat.text
    assert "Hồ sơ 000.00.00.H31" not in chat.text
    await Chat(app, "someone-else").send(DEMO)  # per user
    services.clock = lambda: FIXED_NOW + timedelta(minutes=10)
    await chat.send(DEMO)
    assert "Hồ sơ 000.00.00.H31-250714-0001" in chat.text


async def test_unknown_codes_are_limited_to_stop_enumeration(app: App) -> None:
    chat = Chat(app, "enumerator")
    for n in range(5):  # default limit 20 lookups → 5 unknown codes per window
        await chat.send(f"000.00.00.H31-250714-{n + 100:04d}")
        assert "Không tìm thấy" in chat.text
    await chat.send(f"000.00.00.H31-250714-{200:04d}")
    assert "nhiều mã không tồn tại" in chat.text
    await chat.send(DEMO)  # found or not, the answer no longer tells
    assert "nhiều mã không tồn tại" in chat.text


async def test_every_path_that_takes_a_code_shares_the_unknown_code_allowance(app: App) -> None:
    """Buttons can be forged: once typed codes used up the allowance, verify, notify and
    postal payloads carrying a real code answer "too many unknown codes" and subscribe no one."""
    chat = Chat(app, "prober")
    for n in range(5):
        await chat.payload(f"dn:000.00.00.H31-250714-{n + 100:04d}")  # unknown codes by button
        assert "Không tìm thấy" in chat.text
    for payload in (f"dv:{DEMO}", f"dn:{DEMO}", f"pd:{DEMO}", f"dc:{DEMO}"):
        await chat.payload(payload)
        assert "nhiều mã không tồn tại" in chat.text, payload
    await chat.send("/hoso")
    assert DEMO not in chat.text


@pytest.mark.parametrize("payload", ["pdr:\x00", "pd:\x00", "pdx:\x00", "pdxy:\x00", "dv:\x00"])
async def test_control_characters_in_a_forged_payload_get_a_polite_answer(
    chat: Chat, payload: str
) -> None:
    await chat.payload(payload)
    assert chat.last and t("vi", "error-internal") not in chat.text


# Following ------------------------------------------------------------------------------------
async def test_notify_list_and_unfollow(chat: Chat, services: Services) -> None:
    await chat.send("/hoso")
    assert "chưa theo dõi hồ sơ nào" in chat.text
    await chat.send(DEMO)
    await chat.press("Báo tôi")
    assert "Đã bật thông báo" in chat.text
    await chat.payload(f"dn:{DEMO}")
    assert "bật thông báo cho hồ sơ" in chat.text and "rồi" in chat.text
    await chat.send(LATE)
    await chat.press("Báo tôi")
    await chat.send("/hoso")
    assert "Bạn đang theo dõi 2 hồ sơ" in chat.text
    assert f"{DEMO}: Đang xử lý" in chat.text
    await chat.press("250714-0001")
    assert "Đã tắt thông báo" in chat.text
    async with services.db.read() as session:
        codes = (await session.scalars(select(Subscription.dossier_code))).all()
    assert codes == [LATE]
    await chat.send(LATE)
    assert any("Tắt thông báo" in b for b in chat.buttons)


async def test_no_postal_button_once_returned(chat: Chat) -> None:
    await chat.send(code_with_status(10))
    assert not any("bưu điện" in b for b in chat.buttons)
    assert not any("Báo tôi" in b for b in chat.buttons)


# Upstream mode --------------------------------------------------------------------------------
class FakeUpstream:
    """A one-stop system's lookup API on 127.0.0.1: one known dossier, switchable failures."""

    def __init__(self) -> None:
        self.hits = 0
        self.fail = False
        self.auth: list[str] = []
        self.record = next(r for r in demo_records() if r["code"] == DEMO) | {
            "status": 6,
            "missing": ["Lệ phí cấp Phiếu lý lịch tư pháp: 200.000 đồng"],
        }

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        self.auth.append(request.headers.get("Authorization", ""))
        if self.fail:
            return web.Response(status=502, text="bad gateway")
        if request.match_info["code"] != DEMO:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(self.record)


@pytest.fixture
async def upstream(services: Services) -> AsyncIterator[FakeUpstream]:
    fake = FakeUpstream()
    web_app = web.Application()
    web_app.router.add_get("/hoso/{code}", fake.handle)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    services.settings = services.settings.model_copy(
        update={
            "upstream_url_template": f"http://127.0.0.1:{server.port}/hoso/{{code}}",
            "upstream_token": SecretStr("upstream-token"),
        }
    )
    clear_cache()
    yield fake
    clear_cache()
    await server.close()


async def test_upstream_mode_reads_the_one_stop_system(app: App, upstream: FakeUpstream) -> None:
    chat = Chat(app, "up")
    await chat.send(DEMO)
    assert "Tình trạng: Cần nộp phí, lệ phí hoặc thuế" in chat.text  # upstream, not local (4)
    assert "200.000 đồng" in chat.text
    assert upstream.auth == ["Bearer upstream-token"]
    assert not any("Báo tôi" in b or "bưu điện" in b for b in chat.buttons)
    await chat.press("Xác minh")
    await chat.send("0001")
    assert "Nguyễn V. A." in chat.text
    assert upstream.hits == 1  # the short cache answered the rest
    await chat.send("000.00.00.H31-250714-0999")
    assert "Không tìm thấy" in chat.text


async def test_upstream_down_is_said_plainly(app: App, upstream: FakeUpstream) -> None:
    upstream.fail = True
    chat = Chat(app, "up-down")
    await chat.send(DEMO)
    assert "không trả lời" in chat.text
    assert "Không tìm thấy" not in chat.text
    upstream.fail = False
    await chat.send(DEMO)  # failures are not cached
    assert "Tình trạng: Cần nộp phí" in chat.text
    port = int(app.services.settings.upstream_url_template.split(":")[2].split("/")[0])
    app.services.settings = app.services.settings.model_copy(
        update={"upstream_url_template": f"http://127.0.0.1:{port + 1}/none/{{code}}"}
    )
    await chat.send(DEMO)  # connection refused
    assert "không trả lời" in chat.text
