"""Catalogue import: the portal's flattened tables, validation, idempotent upsert, round trip."""

from __future__ import annotations

import gzip
import json
import os
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.catalogue_io import DOC_RESIDUE, FieldReport, export_records, import_file, read_records
from bot.db.engine import Database
from bot.db.models import Procedure, ProcedureMethod
from bot.demo import data_path
from lookup.portal import (
    from_portal,
    online_level,
    parse_documents,
    parse_legal_basis,
    parse_levels,
    parse_methods,
    parse_result,
)
from lookup.procedure import FEE_STATUSES, TIME_STATUSES, ProcedureRecord, RecordError, is_junk

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NATIONAL = SHARED / "data" / "national-catalogue.jsonl.gz"
HEAD = "Hình thức nộpThời gianPhí, lệ phíMô tả"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh SQLite file, or TEST_DATABASE_URL (PostgreSQL) with the procedure tables emptied."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path}/t.db"
    database = Database(url)
    await database.upgrade()
    if not database.is_sqlite:
        async with database.engine.begin() as conn:
            await conn.execute(text("TRUNCATE procedure_methods, procedures CASCADE"))
    yield database
    await database.dispose()


def portal(code: str = "1.000001", **over: Any) -> dict[str, Any]:
    d = {
        "ma_thu_tuc": code,
        "ten_thu_tuc": "Thủ tục thử",
        "linh_vuc": "Hộ tịch",
        "cap_thuc_hien": "Cấp bộ, Cấp tỉnh, Cơ quan khác",
        "cach_thuc_thuc_hien": HEAD + "Trực tiếp5 Ngày làm việcMiễn phí",
        "thanh_phan_ho_so": "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai1 bản chính",
        "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Hộ tịch60/2014/QH13",
        "ket_qua_xu_ly": "Giấy khai sinhMã: KQ.G01.000001Từ khóaKhông có thông tin",
        "detail_url": "https://dichvucong.gov.vn/x",
    }
    d.update(over)
    return d


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        "".join(
            (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows
        ),
        encoding="utf-8",
    )
    return path


# --- parsing the flattened portal tables -----------------------------------------------------
def test_methods_with_different_time_and_fee_forms() -> None:
    text_ = (
        HEAD
        + "Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng"
        + "(Nộp qua cổng dịch vụ công thu 10.000 đồng/lần.)"
        + "Trực tiếp8 Giờ20,000 VNĐ(/trang)Tại Ủy ban nhân dân cấp xã."
        + "Dịch vụ bưu chính15 NgàyMiễn phí(Lệ phí : 8.000 Đồng)Gửi hồ sơ qua bưu điện."
    )
    online, direct, post = parse_methods(text_)
    assert (online.channel, online.time_value, online.time_unit) == (
        "truc_tuyen",
        7,
        "ngay_lam_viec",
    )
    assert online.fee_amount == 10000 and "10.000 đồng/lần" in online.fee_text
    assert (direct.channel, direct.time_unit, direct.fee_amount) == ("truc_tiep", "gio", 20000)
    assert direct.fee_text == "20.000 đồng/trang"
    assert direct.description == "Tại Ủy ban nhân dân cấp xã."
    # the portal's "Miễn phí" label beside a note that states the real fee
    assert (post.channel, post.time_unit, post.fee_amount) == ("buu_chinh", "ngay", 8000)
    assert post.description == "Gửi hồ sơ qua bưu điện."


def test_methods_free_unknown_bare_and_foreign_currency() -> None:
    free, unknown, usd = parse_methods(
        HEAD
        + "Trực tuyến1Miễn phí(Miễn lệ phí.)"
        + "Trực tiếpKhông có thông tinKhông có thông tinTrực tiếp tại Công an xã."
        + "Dịch vụ bưu chính6 Tháng100 USD(100 USD/thẻ.)"
    )
    assert free.fee_amount == 0 and free.time_value is None and free.time_unit is None
    assert free.time_text == "" and free.time_status == "not_published"  # a bare "1" is not a day
    assert unknown.time_value is None and unknown.fee_amount is None
    assert unknown.description == "Trực tiếp tại Công an xã."  # not a new row: followed by a space
    assert usd.time_unit == "thang" and usd.fee_amount is None and "USD" in usd.fee_text


def test_methods_time_taken_from_an_unambiguous_description() -> None:
    (m,) = parse_methods(
        HEAD + "Trực tiếpKhông có thông tinMiễn phíThời hạn giải quyết: không quá 07 ngày làm việc."
    )
    assert (m.time_value, m.time_unit) == (7, "ngay_lam_viec")


def test_documents_counts_and_forms() -> None:
    docs = parse_documents(
        "--Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Tờ khai đăng ký khai sinh theo mẫu;Mẫu số 01.docx1 bản chính"
        "Giấy chứng nhận đăng ký doanh nghiệp0 bản chính,5 bản sao"
        "Ảnh chụp hiện trạng1 bản sao"
        "Đơn theo Mẫu số 121 bản chính"
    )
    assert [(d.name, d.original, d.copy, d.form) for d in docs] == [
        ("Tờ khai đăng ký khai sinh theo mẫu", 1, 0, "Mẫu số 01.docx"),
        ("Giấy chứng nhận đăng ký doanh nghiệp", 0, 5, ""),
        ("Ảnh chụp hiện trạng", 0, 1, ""),
        ("Đơn theo Mẫu số 12", 1, 0, ""),
    ]


def test_legal_basis_rows_and_numbers() -> None:
    rows = parse_legal_basis(
        "Tên văn bản pháp lýMã văn bản"
        "Hướng dẫn xử lý khiếu nại trong công an nhân dân68/2013/TT-BCA"
        "Luật Khiếu nại  năm 201102/2011/QH13"
        "Thông tư số 11/2015/TT-BCA ngày 02/3/2015 của Bộ Công an11/2015/TT-BCA"
        "Nghị định 05/2012/NĐ-CP05/2012/NĐ-CP"
        "Quyết định 1234/QĐ-TTg"
    )
    assert [r.number for r in rows] == [
        "68/2013/TT-BCA",
        "02/2011/QH13",
        "11/2015/TT-BCA",
        "05/2012/NĐ-CP",
        "1234/QĐ-TTg",
    ]
    assert rows[0].name == "Hướng dẫn xử lý khiếu nại trong công an nhân dân"
    assert rows[1].name == "Luật Khiếu nại năm 2011"


def test_result_levels_online_level_and_nfc() -> None:
    assert (
        parse_result(
            "Giấy phépMã: KQ.G01.000262Thông báo từ chốiMã: KQ.G01.000263Từ khóaKhông có thông tin"
            "Mô tảKhông có thông tinChọn cơ quan thực hiện…Nộp hồ sơ"
        )
        == "Giấy phép; Thông báo từ chối"
    )
    assert parse_levels("Cấp bộ, Cấp tỉnh, Cơ quan khác") == ("bo", "tinh")
    assert online_level("Đăng ký xe lần đầu trực tuyến toàn trình") == "toan_trinh"
    assert online_level("bằng dịch vụ công trực tuyến một phần") == "mot_phan"
    assert online_level("Đăng ký khai sinh") is None
    nfd = unicodedata.normalize("NFD", "Thủ tục đăng ký khai sinh")
    rec = from_portal(portal(ten_thu_tuc=nfd))
    assert rec.name == "Thủ tục đăng ký khai sinh" and unicodedata.is_normalized("NFC", rec.name)
    assert rec.levels == ("bo", "tinh") and rec.result == "Giấy khai sinh"


# --- validation of the project format --------------------------------------------------------
@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"code": "12345", "name": "x"}, "bad procedure code"),
        ({"code": "1.000001", "name": " "}, "missing name"),
        ({"code": "1.000001", "name": "x", "levels": ["huyen"]}, "unknown level"),
        ({"code": "1.000001", "name": "x", "levels": "tinh"}, "must be a list"),
        ({"code": "1.000001", "name": "x", "online_level": "full"}, "online_level"),
        ({"code": "1.000001", "name": "x", "methods": [{"channel": "fax"}]}, "channel"),
        (
            {
                "code": "1.000001",
                "name": "x",
                "methods": [{"channel": "truc_tiep", "fee_amount": -5}],
            },
            "fee_amount",
        ),
        (
            {
                "code": "1.000001",
                "name": "x",
                "methods": [{"channel": "truc_tiep", "time_unit": "tuan"}],
            },
            "time_unit",
        ),
        ({"code": "1.000001", "name": "x", "documents": [{"original": 1}]}, "missing"),
        ({"code": "1.000001", "name": "x", "popular": "yes"}, "popular"),
    ],
)
def test_project_format_rejects(record: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        ProcedureRecord.from_dict(record)


# --- import into the database ----------------------------------------------------------------
async def count(db: Database) -> tuple[int, int]:
    async with db.read() as s:
        procs = await s.scalar(select(func.count()).select_from(Procedure))
        methods = await s.scalar(select(func.count()).select_from(ProcedureMethod))
    return int(procs or 0), int(methods or 0)


async def stamps(db: Database) -> dict[str, Any]:
    async with db.read() as s:
        rows = await s.execute(select(Procedure.code, Procedure.updated_at))
        return {code: at for code, at in rows}


async def test_import_twice_writes_nothing_and_never_duplicates(
    db: Database, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [portal("1.000001"), portal("1.000002")])
    async with db.transaction() as s:
        first = await import_file(s, path)
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (2, 0, 0, [])
    before, written = await count(db), await stamps(db)
    async with db.transaction() as s:
        second = await import_file(s, path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert second.accepted == 2
    assert await count(db) == before == (2, 2)
    assert await stamps(db) == written  # nothing rewritten: the stored index stays current


async def test_a_changed_record_is_updated_with_its_methods(db: Database, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [portal("1.000001"), portal("1.000002")])
    async with db.transaction() as s:
        await import_file(s, path)
    written = await stamps(db)
    changed = portal(
        "1.000002",
        ten_thu_tuc="Thủ tục đổi tên",
        cach_thuc_thuc_hien=HEAD + "Trực tuyến3 Ngày làm việcMiễn phíTrực tiếp4 Giờ20,000 VNĐ",
    )
    path = write_jsonl(tmp_path / "d.jsonl", [portal("1.000001"), changed, portal("1.000003")])
    async with db.transaction() as s:
        report = await import_file(s, path)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 1)
    assert await count(db) == (3, 4)
    async with db.read() as s:
        p = await s.get(Procedure, "1.000002")
        assert p is not None and p.name == "Thủ tục đổi tên"
        assert [(m.channel, m.time_value) for m in p.methods] == [
            ("truc_tuyen", 3),
            ("truc_tiep", 4),
        ]
    now = await stamps(db)
    assert now["1.000001"] == written["1.000001"] and now["1.000002"] > written["1.000002"]


async def test_a_code_twice_in_one_file_counts_once_inserted_then_updated(
    db: Database, tmp_path: Path
) -> None:
    twice = [portal("1.000001"), portal("1.000001", ten_thu_tuc="Thủ tục sau")]
    async with db.transaction() as s:
        report = await import_file(s, write_jsonl(tmp_path / "c.jsonl", twice))
    assert (report.inserted, report.updated) == (1, 1)
    async with db.read() as s:
        p = await s.get(Procedure, "1.000001")
        assert p is not None and p.name == "Thủ tục sau" and len(p.methods) == 1


async def test_a_rejected_line_does_not_stop_the_import(db: Database, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            portal("1.000001"),
            "{not json",
            {"code": "bad", "name": "x"},
            {"foo": 1},
            {"code": "2.000002", "name": "Thủ tục dự án", "popular": True},
        ],
    )
    async with db.transaction() as s:
        report = await import_file(s, path)
    assert report.inserted == 2
    assert [n for n, _ in report.rejected] == [2, 3, 4]
    assert "invalid JSON" in report.rejected[0][1]
    assert "bad procedure code" in report.rejected[1][1]
    assert "ma_thu_tuc" in report.rejected[2][1]
    assert dict(report.formats) == {"portal": 1, "project": 1}


async def test_export_then_import_round_trip(db: Database, tmp_path: Path) -> None:
    src = tmp_path / "src.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:  # gzip is recognised by content
        fh.write(json.dumps(portal("1.000001")) + "\n")
    async with db.transaction() as s:
        await import_file(s, src)
    out = tmp_path / "out.jsonl"
    async with db.read() as s:
        with out.open("w", encoding="utf-8") as fh:
            assert await export_records(s, fh) == 1
    exported = [r for _, r in read_records(out)]
    assert exported == [from_portal(portal("1.000001"))]
    async with db.transaction() as s:
        again = await import_file(s, out)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 1, [])
    async with db.read() as s:
        buffer = tmp_path / "again.jsonl"
        with buffer.open("w", encoding="utf-8") as fh:
            await export_records(s, fh)
    assert buffer.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


async def test_bundled_catalogue_loads_clean_and_nfc(db: Database) -> None:
    path = data_path("catalogue.jsonl")
    raw = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    async with db.transaction() as s:
        report = await import_file(s, path)
    assert report.rejected == []
    assert report.inserted >= 50
    entries = [r for _, r in read_records(path)]
    records = [r for r in entries if isinstance(r, ProcedureRecord)]
    assert len(records) == len(entries)
    for r in records:
        # Procedures for a special group (the police force's own cards) are not promoted.
        assert r.popular or "Công an nhân dân" in r.subjects, r.code
        assert 2 <= len(r.aliases) <= 6 and 3 <= len(r.steps) <= 6, r.code
        assert r.url.startswith("https://dichvucong.gov.vn/"), r.code
    codes = {r.code for r in records}
    assert {"1.001193", "3.000347", "1.001612", "3.000333"} <= codes


async def test_national_catalogue_imports(db: Database) -> None:
    if not NATIONAL.exists():
        pytest.skip(f"national catalogue not available at {NATIONAL} (needs ../shared)")
    async with db.transaction() as s:
        report = await import_file(s, NATIONAL)
    rejected = len(report.rejected)
    print(f"national: {report.inserted} imported, {rejected} rejected {report.rejected[:5]}")
    for line in report.methods.lines():
        print(line)
    assert report.inserted + len(report.rejected) == 2642
    assert len(report.rejected) <= 10
    rows = sum(report.methods.rows.values())
    assert rows > 6000
    assert sum(report.methods.timed.values()) / rows > 0.75
    assert sum(report.methods.priced.values()) / rows > 0.6


# --- trustworthy fee, time and documents ----------------------------------------------------
@pytest.mark.parametrize(
    "note", ["Không", "Không có", "Không quy định", "Không có.", "Chưa quy định.", "Miễn lệ phí"]
)
def test_free_wordings_read_as_free(note: str) -> None:
    (m,) = parse_methods(HEAD + f"Trực tiếp5 Ngày làm việcKhông có thông tin({note})")
    assert (m.fee_amount, m.fee_status) == (0, "free")


def test_conditional_exemption_is_not_free() -> None:
    (m,) = parse_methods(
        HEAD + "Trực tiếp5 Ngày làm việcKhông có thông tin(Miễn lệ phí cho người thuộc hộ nghèo)"
    )
    assert m.fee_amount is None and m.fee_status == "text"


def test_junk_fee_is_flagged_and_never_shown() -> None:
    junk, numbering = parse_methods(
        HEAD
        + "Trực tuyến5 Ngày làm việc10 VNĐ"
        + "Trực tiếp5 Ngày làm việcKhông có thông tin(1) Trường hợp cấp mới: nộp tại xã."
    )
    assert (junk.fee_amount, junk.fee_text, junk.fee_status) == (None, "", "flagged")
    # "(1)" numbers the description: it is not a fee, and it stays with the description
    assert numbering.fee_text == "" and numbering.fee_status == "not_published"
    assert numbering.description.startswith("(1) Trường hợp")


def test_small_amount_checked_against_the_note() -> None:
    note, glued, sibling = parse_methods(
        HEAD
        + "Trực tuyến1 Ngày135 VNĐ(Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.)"
        + "Dịch vụ bưu chính1100 VNĐ(Phí công bố: 100.000 đồng/lần)"
        + "Trực tiếp1100 VNĐ"
    )
    assert (note.fee_amount, note.fee_status) == (135000, "parsed")
    # the unit-less time "1" glued to the fee "100 VNĐ", the amount confirmed by the note
    assert glued.fee_amount == 100000
    assert sibling.fee_amount == 100000 and sibling.fee_text == "100.000 đồng"


def test_unit_less_time_from_context_or_not_published() -> None:
    rows = parse_methods(HEAD + "Trực tuyến5Miễn phíTrực tiếp3Miễn phí", "trong 05 ngày làm việc")
    assert (rows[0].time_value, rows[0].time_unit) == (5, "ngay_lam_viec")
    assert rows[1].time_value is None and rows[1].time_status == "not_published"


def test_documents_residue_stripped_and_duplicates_merged() -> None:
    docs = parse_documents(
        "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA).1.MuCT01banhnhkmtheo"
        "1 bản chính"
        "Danh sách hành khách theo mẫu;MauDanhsachhanhkhach.docxMauDanhsachthuyenvien.docxMau"
        "1 bản chính"
        "Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)2 bản sao"
    )
    assert [(d.name, d.original, d.copy) for d in docs] == [
        ("Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)", 1, 2),
        ("Danh sách hành khách theo mẫu", 1, 0),
    ]


def test_status_round_trip_and_old_exports() -> None:
    # an older export with a junk fee text still loads; the junk is dropped, status derived
    rec = ProcedureRecord.from_dict(
        {
            "code": "1.000001",
            "name": "x",
            "methods": [{"channel": "truc_tiep", "fee_text": "a", "time_value": 1}],
        }
    )
    (m,) = rec.methods
    assert (m.fee_text, m.fee_status, m.time_status) == ("", "not_published", "not_published")
    with pytest.raises(RecordError, match="fee_status"):
        ProcedureRecord.from_dict(
            {
                "code": "1.000001",
                "name": "x",
                "methods": [{"channel": "truc_tiep", "fee_amount": 5000, "fee_status": "free"}],
            }
        )


def test_national_catalogue_invariants() -> None:
    if not NATIONAL.exists():
        pytest.skip(f"national catalogue not available at {NATIONAL} (needs ../shared)")
    report = FieldReport()
    for _, rec in read_records(NATIONAL):
        assert isinstance(rec, ProcedureRecord), rec
        report.add(rec)
        for m in rec.methods:
            assert m.fee_status in FEE_STATUSES and m.time_status in TIME_STATUSES
            assert m.fee_amount is None or m.fee_amount >= 0
            assert (m.fee_amount == 0) == (m.fee_status == "free"), (rec.code, m)
            if m.fee_status in ("not_published", "flagged"):
                assert m.fee_amount is None and m.fee_text == "", (rec.code, m)
            if m.fee_status == "parsed":
                assert m.fee_amount is not None and m.fee_amount >= 1000, (rec.code, m)
            if m.time_status in ("not_published", "flagged"):
                assert m.time_value is None and m.time_text == "", (rec.code, m)
            assert not is_junk(m.fee_text) and not is_junk(m.time_text), (rec.code, m)
        names = [d.name for d in rec.documents]
        assert len(names) == len(set(names)), rec.code
        assert not any(DOC_RESIDUE.search(n) for n in names), rec.code
    n = report.rows
    assert n > 7000
    for counts in (report.fee, report.time):
        assert (n - counts["flagged"]) / n >= 0.98, counts
    assert report.shown_junk == 0 and report.under_1000 == 0
