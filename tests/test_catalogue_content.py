"""The bundled catalogue is content a citizen can trust: hand-checked entries with English texts,
their source and the day they were checked; no flattened-table residue; one money format and
plural-correct units per language on every card; citizen procedures answer first."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bot.catalogue_io import read_records, record_of, upsert_records
from bot.db.engine import Database
from bot.db.models import Procedure
from bot.services import Services
from lookup.fold import fold
from lookup.procedure import ProcedureRecord
from lookup.teencode import is_syllable
from tests.conftest import Chat

CATALOGUE = Path(__file__).resolve().parents[1] / "bot" / "data" / "catalogue.jsonl"
CHECKED_ON = "2026-12-04"
PORTAL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/"


def bundled() -> list[ProcedureRecord]:
    entries = [r for _, r in read_records(CATALOGUE)]
    records = [r for r in entries if isinstance(r, ProcedureRecord)]
    assert len(records) == len(entries), [r for r in entries if not isinstance(r, ProcedureRecord)]
    return records


RECORDS = bundled()
CODES = [r.code for r in RECORDS]


# Words that are neither Vietnamese syllables nor numbers, allowed on purpose ----------------------
FOREIGN = {"VNeID", "USD", "ADN"}
# A legal document's number: 53/2025/TT-BCA, 66.7/2025/NQ-CP, 68/2020/QH14, 105/2016/TTLT-BQP-BCA.
LEGAL_NUMBER = re.compile(
    r"^\d+(?:\.\d+)?/\d{4}/(?:(?:TTLT|TT|NĐ|NQ|QĐ)-[A-ZĐ]+(?:-[A-ZĐ]+)*|QH1[0-5]|QĐ-TTg)$"
)
# A form's code: CT01, DC02, TK1-TS, ĐKX10/79, 14-HSB, 01B-HSB, 02/KK-TNCN, 01/2025/LLTP, 04/ĐK.
FORM_CODE = re.compile(
    r"^(?:[A-ZĐ]{2,4}\d{1,3}(?:/\d{2})?(?:-[A-ZĐ]{2,4})?"
    r"|\d{2}[A-Z]?(?:[-/][A-ZĐ]{2,5})+|\d{2}/\d{4}/[A-Z]{3,5}|\d{2}[a-z]|\d{2}-[A-ZĐ]{2,4}-[A-ZĐ]{3})$"
)
NUMBER = re.compile(r"^\d+(?:[.,]\d+)*(?:x\d+|%)?$")  # 1, 200.000, 4x6, 50%
ROMAN = re.compile(r"^[IVX]+$")  # "công trình cấp III", "Phụ lục XII"
VI_MARKS = re.compile(r"[à-ỹÀ-Ỹđ]")
_EDGE = "()[]{}.,;:!?\"'“”‘’…–—"


def words(text: str) -> list[str]:
    """The words of a displayed text: split on spaces and on commas/semicolons between words,
    surrounding punctuation dropped; "a/b" between words is two words."""
    out: list[str] = []
    for raw in text.split():
        token = raw.strip(_EDGE)
        if not token:
            continue
        if LEGAL_NUMBER.match(token) or FORM_CODE.match(token) or NUMBER.match(token):
            out.append(token)
            continue
        out.extend(p.strip(_EDGE) for p in re.split(r"[/,;]", token) if p.strip(_EDGE))
    return out


def word_ok(word: str) -> bool:
    if word in FOREIGN or ROMAN.match(word):
        return True
    if LEGAL_NUMBER.match(word) or FORM_CODE.match(word) or NUMBER.match(word):
        return True
    parts = fold(word).split()
    # "Cơ sở" → "co so": every folded part a well-formed syllable ("MuCT01banhnh" is not).
    return bool(parts) and all(is_syllable(p) for p in parts) and not re.search(r"\d", word)


def vietnamese_fields(r: ProcedureRecord) -> list[tuple[str, str]]:
    """(field, text) of everything a card, its pages and the aspect answers show in Vietnamese."""
    fields = [
        ("name", r.name),
        ("agency", r.agency),
        ("implementing_agency", r.implementing_agency),
        ("subjects", r.subjects),
        ("conditions", r.conditions),
        ("result", r.result),
    ]
    fields += [(f"step {i}", s) for i, s in enumerate(r.steps, 1)]
    fields += [(f"document {d.name[:30]}", d.name) for d in r.documents]
    fields += [(f"form {d.form}", d.form) for d in r.documents if d.form]
    for m in r.methods:
        fields += [
            (f"{m.channel} fee", m.fee_text),
            (f"{m.channel} time", m.time_text),
            (f"{m.channel} note", m.description),
        ]
    fields += [(f"legal {b.number}", f"{b.name} {b.number}") for b in r.legal_basis]
    return [(f, t) for f, t in fields if t]


def english_fields(r: ProcedureRecord) -> list[tuple[str, str]]:
    fields = [("name_en", r.name_en), ("agency_en", r.agency_en), ("summary_en", r.summary_en)]
    fields += [(f"document {d.name_en[:30]}", d.name_en) for d in r.documents]
    return fields


# The content itself ---------------------------------------------------------------------------
def test_at_least_a_hundred_curated_entries_with_source_and_date() -> None:
    assert len(RECORDS) >= 100
    assert len(set(CODES)) == len(CODES)
    # The demo dossiers and the other tests name these procedures.
    assert {"1.001193", "3.000347", "1.001612", "3.000333", "1.004194", "2.000639"} <= set(CODES)
    for r in RECORDS:
        assert r.checked_on == CHECKED_ON, r.code
        assert r.source_url.startswith(PORTAL), r.code
        for label, text in english_fields(r):
            assert text, (r.code, label)
        assert r.documents and all(d.original + d.copy >= 1 for d in r.documents), r.code
        names = [d.name for d in r.documents]
        assert len(set(names)) == len(names), r.code


def test_every_displayed_word_is_vietnamese_a_number_a_legal_number_or_a_form_code() -> None:
    bad = [
        (r.code, field, w)
        for r in RECORDS
        for field, text in vietnamese_fields(r)
        for w in words(text)
        if not word_ok(w)
    ]
    assert not bad, bad[:20]


def test_the_residue_check_catches_flattened_table_text() -> None:
    residue = "Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA).1.MuCT01banhnhkmtheo"
    assert not all(word_ok(w) for w in words(residue))
    assert not all(word_ok(w) for w in words("Thực hiện theo mẫuMau01-DS(BHYT).doc"))
    clean = "Tờ khai thay đổi thông tin cư trú (mẫu CT01), Thông tư số 53/2025/TT-BCA"
    assert all(word_ok(w) for w in words(clean))


def vietnamese_words(text: str) -> list[str]:
    """Words with Vietnamese letters in an English text, other than form codes (ĐKX10/79) and a
    term in brackets after its English ("ID card (căn cước)")."""
    unbracketed = re.sub(r"\([^)]*\)", "", text)
    return [w for w in words(unbracketed) if VI_MARKS.search(w) and not FORM_CODE.match(w)]


def test_english_texts_carry_no_vietnamese_words() -> None:
    for r in RECORDS:
        for field, text in english_fields(r):
            assert not vietnamese_words(text), (r.code, field, vietnamese_words(text))
            assert r.name not in text, (r.code, field)


def test_citizen_facing_agencies_in_post_2025_terms() -> None:
    gone = re.compile(r"\b(?:huyện|quận|thị trấn|thị xã|cấp huyện)\b", re.IGNORECASE)
    for r in RECORDS:
        for field, text in vietnamese_fields(r):
            assert not gone.search(text), (r.code, field, text)
        assert r.agency, r.code
        # The place a citizen goes to, not a ministry's department.
        assert not r.agency.startswith(("Bộ ", "Cục ")), (r.code, r.agency)


def test_all_text_is_nfc() -> None:
    raw = CATALOGUE.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)


async def test_new_fields_round_trip_through_the_database(db: Database) -> None:
    records = {r.code: r for r in RECORDS}
    async with db.transaction() as s:
        await upsert_records(s, list(records.values()))
    async with db.read() as s:
        rows = [await s.get(Procedure, code) for code in ("1.001193", "3.000333")]
    for p in rows:
        assert p is not None
        assert p.checked_on == date(2026, 12, 4)
        back = record_of(p)
        assert back == records[p.code]
        assert back.name_en and back.summary_en and back.source_url and back.agency_en
        assert [d.name_en for d in back.documents] == [d.name_en for d in records[p.code].documents]


def test_a_portal_style_record_without_english_still_loads() -> None:
    r = ProcedureRecord.from_dict({"code": "1.999999", "name": "Thủ tục thử"})
    assert (r.name_en, r.summary_en, r.source_url, r.checked_on) == ("", "", "", "")
    with pytest.raises(ValueError):
        ProcedureRecord.from_dict({"code": "1.999999", "name": "Thủ tục thử", "checked_on": "4/12"})


# Every card, in both languages ------------------------------------------------------------------
VI_MONEY = re.compile(r"\d{1,3}(?:\.\d{3})+ đồng")
EN_MONEY = re.compile(r"VND \d{1,3}(?:,\d{3})+")


def check_vi(text: str, code: str) -> None:
    assert unicodedata.is_normalized("NFC", text), code
    assert "VND" not in text and "VNĐ" not in text, code
    assert not re.search(r"\d{1,3},\d{3} ", text), (code, text)
    for amount in re.findall(r"\d[\d.,]* ?(?:đồng|đ)\b", text):
        assert VI_MONEY.fullmatch(amount) or re.fullmatch(r"\d{1,3} đồng", amount), (code, amount)
    assert "mức độ trực tuyến chưa công bố" not in text, code


def check_en(text: str, code: str) -> None:
    assert unicodedata.is_normalized("NFC", text), code
    assert "đồng" not in text and "VNĐ" not in text, (code, text)
    assert not re.search(r"\d{1,3}(?:\.\d{3})+", text), (code, text)  # 135.000 is Vietnamese
    assert not re.search(r"\b1 (?:working )?(?:days|hours|months|years)\b", text), (code, text)
    assert not re.search(r"\b(?:[02-9]|\d{2,}) (?:working )?(?:day|hour|month|year)\b", text), (
        code,
        text,
    )
    for amount in re.findall(r"VND [\d.,]+", text):
        assert EN_MONEY.fullmatch(amount.rstrip(".,")), (code, amount)
    assert "online level not published" not in text, code


async def test_every_bundled_card_in_vietnamese(chat: Chat) -> None:
    for r in RECORDS:
        replies = await chat.payload(f"p:{r.code}")
        card = replies[-1]
        assert card.title == f"{r.name} ({r.code})", card.title
        check_vi(card.text, r.code)
        assert card.text.splitlines()[-1] == "Thông tin cập nhật ngày 04/12/2026", r.code
        await chat.payload(f"pm:{r.code}:d")
        check_vi(chat.text, r.code)
        await chat.payload(f"pm:{r.code}:m")
        check_vi(chat.text, r.code)


async def test_every_bundled_card_in_english(chat: Chat) -> None:
    await chat.send("/lang en")
    for r in RECORDS:
        replies = await chat.payload(f"p:{r.code}")
        card = replies[-1]
        assert card.title == f"{r.name_en} ({r.code})", card.title
        assert r.name not in card.text and r.agency not in card.text, r.code
        assert r.summary_en in card.text, r.code
        check_en(card.text, r.code)
        assert card.text.splitlines()[-1] == "Information checked on 4 December 2026", r.code
        # Only the portal address and the legal numbers may carry Vietnamese letters.
        assert not vietnamese_words(card.text), (r.code, card.text)
        await chat.payload(f"pm:{r.code}:d")
        check_en(chat.text, r.code)
        for d in r.documents:
            assert d.name_en in chat.text and d.name not in chat.text, (r.code, d.name)
        await chat.payload(f"pm:{r.code}:m")
        check_en(chat.text, r.code)
        assert not vietnamese_words(chat.text.split("\n", 1)[1]), (r.code, chat.text)


async def test_plural_units_and_money_in_english(chat: Chat) -> None:
    await chat.send("/lang en")
    await chat.payload("p:1.001193")
    assert "1 working day · free of charge" in chat.text
    await chat.payload("p:3.000347")
    assert "5 working days · VND 135,000" in chat.text


# Citizen-facing answers to the messages citizens send ---------------------------------------------
async def test_bhyt_leads_to_the_citizens_health_insurance_card(chat: Chat) -> None:
    for text in ("BHYT", "thẻ bảo hiểm y tế", "làm thẻ bhyt"):
        await chat.send(text)
        assert "(1.001939)" in chat.text, (text, chat.text)
        assert "Công an nhân dân" not in chat.text.split("\n")[0], text
        assert "Bảo hiểm xã hội" in chat.text, text
    await chat.send("/lang en")
    await chat.send("BHYT")
    assert "Health insurance card for people insured by household" in chat.text
    assert "social insurance office" in chat.text and "Police" not in chat.text


async def test_renewing_a_driving_licence_names_the_provincial_or_commune_desk(chat: Chat) -> None:
    await chat.send("đổi bằng lái")
    assert "Đổi giấy phép lái xe (3.000347)" in chat.text
    assert "Phòng Cảnh sát giao thông Công an tỉnh" in chat.text
    assert "Công an xã, phường" in chat.text
    assert "Cục Cảnh sát giao thông" not in chat.text and "cấp bộ" not in chat.text
    first = await chat.send("đổi bằng lái nộp ở đâu")
    assert first[0].text.startswith("Nơi nộp hồ sơ: Phòng Cảnh sát giao thông Công an tỉnh")
    await chat.send("/lang en")
    await chat.send("đổi bằng lái")
    assert "Driving licence renewal or exchange (3.000347)" in chat.text
    assert "traffic police division of the provincial police" in chat.text.lower()
    assert "ministry level" not in chat.text


async def test_judicial_record_fee_is_an_amount(chat: Chat) -> None:
    await chat.send("lý lịch tư pháp")
    assert "(3.000333)" in chat.text
    assert "200.000 đồng" in chat.text
    assert "Thực hiện theo" not in chat.text
    first = await chat.send("lý lịch tư pháp mất bao nhiêu tiền")
    assert first[0].text == "Lệ phí: 200.000 đồng (như nhau với mọi cách nộp)."
    await chat.payload("pm:3.000333:l")
    assert "244/2016/TT-BTC" in chat.text  # the fee's legal basis, one button away
    await chat.send("/lang en")
    first = await chat.send("lý lịch tư pháp mất bao nhiêu tiền")
    assert first[0].text == "Fee: VND 200,000 (the same however you file)."
    assert "Criminal record certificate" in (first[1].title or "")


async def test_temporary_residence_has_no_residue_and_the_form_once(chat: Chat) -> None:
    await chat.send("đăng ký tạm trú")
    assert "(1.004194)" in chat.text
    await chat.press("Giấy tờ đầy đủ")
    assert chat.text.count("CT01") == 1, chat.text
    assert "MuCT01" not in chat.text and ".doc" not in chat.text
    lines = [line for line in chat.text.splitlines() if line.startswith("• ")]
    assert all(word_ok(w) for line in lines for w in words(line.split(" (")[0][2:]))
    await chat.send("/lang en")
    await chat.payload("pm:1.004194:d")
    assert chat.text.count("CT01") == 1, chat.text
    assert "Residence information change form (form CT01)" in chat.text


async def test_english_reader_gets_english_names_in_did_you_mean_and_answers(chat: Chat) -> None:
    await chat.send("/lang en")
    await chat.send("lái xe")
    assert "Is it one of these?" in chat.text
    labels = chat.buttons[:-1]
    assert labels and not any(VI_MARKS.search(label) for label in labels), labels
    await chat.press("Driving licence")
    assert "(3.000" in (chat.last[-1].title or "")
    first = await chat.send("đăng ký tạm trú được cấp gì")
    record = next(r for r in RECORDS if r.code == "1.004194")
    assert first[0].text == record.summary_en
    await chat.payload("pm:1.004194:s")
    assert chat.text.splitlines()[1] == (
        "The steps are given in Vietnamese, as the catalogue publishes them."
    )


async def test_a_national_row_without_english_falls_back_to_vietnamese(
    chat: Chat, services: Services
) -> None:
    plain = ProcedureRecord.from_dict(
        {
            "code": "1.999001",
            "name": "Thủ tục thử không có bản tiếng Anh",
            "levels": ["xa"],
            "agency": "Ủy ban nhân dân xã, phường, đặc khu",
            "methods": [{"channel": "truc_tiep", "time_value": 3, "time_unit": "ngay_lam_viec"}],
            "documents": [{"name": "Tờ khai", "original": 1}],
        }
    )
    async with services.db.transaction() as s:
        await upsert_records(s, [plain])
    await services.catalogue.reload(services.db)
    await chat.send("/lang en")
    card = (await chat.payload("p:1.999001"))[-1]
    assert card.title == "Thủ tục thử không có bản tiếng Anh (1.999001)"
    assert "3 working days · fee not published" in card.text
    assert "Ủy ban nhân dân xã, phường, đặc khu" in card.text  # untranslated, not invented
    assert "checked on" not in card.text  # never checked by hand: no date is claimed
    await chat.payload("pm:1.999001:d")
    assert "• Tờ khai (1 original, 0 copies)" in chat.text
    await chat.send("/lang vi")
    card = (await chat.payload("p:1.999001"))[-1]
    assert "cập nhật ngày" not in card.text
