"""Convert one record of the national portal's export into the project's ``ProcedureRecord``.

The portal flattens its HTML tables into one string per field, with no separator between
cells (``"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việcMiễn phí…"``). The
parsers below cut those strings back into rows by the few things that are reliable: the
table headers, the three channel names followed by a time cell, the "N bản chính, M bản
sao" counts and the legal-document numbers. Whatever cannot be read with confidence is kept
as text (``time_text``, ``fee_text``) and the number is left as ``None``: a wrong number on
a citizen's screen is worse than "see the details".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lookup.aliases import with_aliases
from lookup.fold import fold
from lookup.procedure import (
    Document,
    LegalBasis,
    Method,
    ProcedureRecord,
    RecordError,
    nfc,
)
from lookup.search import SearchDoc

PORTAL_KEY = "ma_thu_tuc"
NO_INFO = "Không có thông tin"

# --- methods (cách thức thực hiện) -----------------------------------------------------------
_METHODS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNEL_OF = {
    "Trực tuyến": "truc_tuyen",
    "Trực tiếp": "truc_tiep",
    "Dịch vụ bưu chính": "buu_chinh",
}
# A channel name starts a row when the time cell is glued to it ("Trực tiếp5 Ngày",
# "Trực tiếpKhông có thông tin"); inside descriptions the same words are followed by ":" or a space.
_ROW_START = re.compile(r"(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)(?=[^\s:,.;)(-])")
_UNITS = {
    "ngày làm việc": "ngay_lam_viec",
    "ngày": "ngay",
    "giờ": "gio",
    "giờ làm việc": "gio",
    "tháng": "thang",
    "năm": "nam",
}
_TIME_CELL = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)(?: ?(?P<unit>Ngày làm việc|Giờ làm việc|Ngày|Giờ|Tháng|Năm))?"
)
_TIME_NONE = re.compile(r"Không có thông tin|Không quy định|Không")
_MONEY = r"\d{1,3}(?:[.,]\d{3})+|\d+"
# The fee cell: "Miễn phí", "Không có thông tin", or an amount with a currency.
_FEE_CELL = re.compile(
    rf"Miễn phí|Không có thông tin|(?P<amount>{_MONEY}) ?(?P<cur>Việt Nam Đồng|VNĐ|Đồng|đồng|USD)"
)
# Amounts stated in a fee note: "Lệ phí : 8.000 Đồng", "135.000 đồng/lần", "320.000đ/hộ chiếu".
_NOTE_VND = re.compile(rf"(?<![\d/.,])({_MONEY}) ?(?:Việt Nam Đồng|VNĐ|đồng|Đồng|đ\b|đ/)")
_FREE = re.compile(r"miễn|không thu|không (?:phải )?(?:nộp|mất|có) (?:lệ )?phí", re.IGNORECASE)
_DESC_TIME = re.compile(
    r"(\d+(?:[.,]5)?)\s*(?:\([^)]{1,20}\)\s*)?(ngày làm việc|giờ làm việc|ngày|giờ|tháng)",
    re.IGNORECASE,
)


def _amount(text: str) -> int:
    """'2,000,000' / '135.000' / '8000' → int (both separators are thousands separators here)."""
    return int(re.sub(r"[.,]", "", text))


def _balanced_paren(s: str, start: int) -> int:
    """Index just after the ')' closing the '(' at ``start``; len(s) when it never closes."""
    depth = 0
    for i in range(start, len(s)):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(s)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t\n-–;:+")


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced_paren(text, 0) == len(text):
        text = text[1:-1].strip()
    return text


def parse_methods(text: str) -> tuple[Method, ...]:
    """The flattened "Cách thức thực hiện" table → one Method per row (channel, time, fee)."""
    s = nfc(text)
    if s.startswith(_METHODS_HEADER):
        s = s[len(_METHODS_HEADER) :]
    starts = list(_ROW_START.finditer(s))
    methods = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(s)
        methods.append(_parse_row(_CHANNEL_OF[m.group(1)], s[m.end() : end]))
    return tuple(methods)


def _parse_row(channel: str, row: str) -> Method:
    pos = 0
    time_value: float | None = None
    time_unit: str | None = None
    time_text = ""
    tm = _TIME_CELL.match(row)
    if tm:
        pos = tm.end()
        time_value = float(tm.group("num").replace(",", "."))
        if tm.group("unit"):
            time_unit = _UNITS[tm.group("unit").lower()]
            time_text = f"{tm.group('num')} {tm.group('unit').lower()}"
    else:
        nm = _TIME_NONE.match(row)
        if nm:
            pos = nm.end()
        else:
            # Free text in the time cell ("Hệ thống … phản hồi tự động"): it ends where the fee
            # cell begins.
            fee_at = _FEE_CELL.search(row)
            if fee_at:
                pos = fee_at.start()
                time_text = _clean(row[:pos])
    # Fee cell: "Miễn phí" | "Không có thông tin" | amount + currency; then an optional "(note)".
    fee_amount: int | None = None
    fee_label = ""
    fm = _FEE_CELL.match(row, pos)
    if fm:
        pos = fm.end()
        fee_label = fm.group(0)
    note = ""
    if pos < len(row) and row[pos] == "(":
        close = _balanced_paren(row, pos)
        note = _clean(_strip_parens(row[pos:close]))
        pos = close
    description = _clean(row[pos:])

    amount = fm.group("amount") if fm else None
    currency = fm.group("cur") if fm else None
    if amount and (currency == "USD" or ("USD" in note and _amount(amount) < 1000)):
        fee_text = _clean(f"{amount} USD {note}")  # foreign currency: no VND amount
    elif amount:
        fee_amount = _amount(amount)
        if note and not note.startswith("/"):
            fee_text = note
        else:
            fee_text = f"{fee_amount:,} đồng{note}".replace(",", ".")
    elif fee_label == "Miễn phí":
        # The portal's "free" label often sits beside a note stating the real fee.
        stated = _NOTE_VND.search(note)
        if stated and _amount(stated.group(1)) > 0:
            fee_amount = _amount(stated.group(1))
            fee_text = note
        elif not note or _FREE.search(note):
            fee_amount = 0
            fee_text = note or "Miễn phí"
        else:
            fee_text = note
    else:
        stated = _NOTE_VND.search(note)
        fee_amount = _amount(stated.group(1)) if stated else None
        fee_text = note

    if time_unit is None and not time_text:
        time_value, time_unit, time_text = _time_from(description, time_value)
    return Method(
        channel=channel,
        time_value=time_value,
        time_unit=time_unit,
        time_text=time_text,
        fee_amount=fee_amount,
        fee_text=fee_text,
        description=description,
    )


def _time_from(description: str, bare: float | None) -> tuple[float | None, str | None, str]:
    """A time stated only in the description, used when the time cell has no unit.

    Only an unambiguous statement counts: one (value, unit) pair in the whole description,
    agreeing with the bare number of the time cell when there is one."""
    found = {
        (float(v.replace(",", ".")), _UNITS[u.lower()]): f"{v} {u.lower()}"
        for v, u in _DESC_TIME.findall(description)
    }
    if bare is not None:
        found = {k: t for k, t in found.items() if k[0] == bare}
    if len(found) == 1:
        ((value, unit), text) = next(iter(found.items()))
        return value, unit, text
    if bare is not None:
        return bare, None, f"{bare:g} (cổng quốc gia không ghi đơn vị)"
    if (
        len(description) <= 160
        and re.search(r"ngày|giờ|tháng|năm", description, re.IGNORECASE)
        and not re.search(r"đồng|USD|VNĐ", description)
    ):
        return None, None, description
    return None, None, ""


# --- documents (thành phần hồ sơ) ------------------------------------------------------------
_DOCS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_COUNT = re.compile(r"(\d+) bản chính(?:,\s*(\d+) bản sao)?|(\d+) bản sao")
_FORM_EXT = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip|odt)$", re.IGNORECASE)


def _glued_boundaries(cell: str) -> list[int]:
    """Positions where a form file name may begin: right after ; . : ) or at a case change
    with no space ("…2021;Mus08.docx", "…bộMẫu 01.docx", "…NĐ-CPMẫu số 01.docx")."""
    out = []
    for i in range(1, len(cell)):
        prev, cur = cell[i - 1], cell[i]
        if cur.isspace():
            continue
        nxt = cell[i + 1] if i + 1 < len(cell) else ""
        if (
            prev in ';:)”"'
            or (prev == "." and cur.isupper())
            or ((prev.islower() or prev.isdigit()) and cur.isupper())
            or (prev.isupper() and cur.isupper() and nxt.islower())
        ):
            out.append(i)
    return out


def _split_form(cell: str) -> tuple[str, str]:
    """'Đơn … Nghị định 258/2025/NĐ-CPMẫu số 01.docx' → ('Đơn … NĐ-CP', 'Mẫu số 01.docx')."""
    if not _FORM_EXT.search(cell):
        return cell, ""
    # The file name is short: the last glued boundary within 80 characters of the end.
    cuts = [
        c
        for c in _glued_boundaries(cell)
        if 0 < len(cell) - c <= 80 and len(_FORM_EXT.sub("", cell[c:])) >= 4
    ]
    if cuts:
        return cell[: cuts[-1]], cell[cuts[-1] :]
    return cell, ""


def parse_documents(text: str) -> tuple[Document, ...]:
    """The flattened "Thành phần hồ sơ" tables → Documents (name, originals, copies, form)."""
    s = nfc(text)
    parts = s.split(_DOCS_HEADER)
    if len(parts) == 1:
        return ()
    docs: list[Document] = []
    seen: set[str] = set()
    for part in parts[1:]:
        pos = 0
        for m in _COUNT.finditer(part):
            cell = part[pos : m.start()]
            first = m.group(1) or m.group(3)
            # "…số 121 bản chính": a long count glued to a number keeps only its last digit.
            if len(first) > 1 and (int(first) > 20 or first.startswith("0")):
                cell += first[:-1]
                first = first[-1]
            pos = m.end()
            original = int(first) if m.group(1) else 0
            copy = int(m.group(2) or 0) if m.group(1) else int(first)
            name, form = _split_form(cell)
            name = _clean(name).rstrip(".;, ")
            if not name:
                continue
            key = f"{name}|{original}|{copy}"
            if key in seen:
                continue
            seen.add(key)
            docs.append(Document(name=name, original=original, copy=copy, form=_clean(form)))
    return tuple(docs)


# --- legal basis (căn cứ pháp lý) ------------------------------------------------------------
_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_DOC_NUMBER = re.compile(
    r"(?P<num>\d+(?:\.\d+)?(?:/\d{4})?/"
    r"(?:UBTVQH\d{2}|QH\d{2}|[A-ZĐ]+)(?:-(?:TTg|UBTVQH\d{2}|[A-ZĐ]+))*)"
)
# Lower-case words that continue a name after a quoted number ("… 53/2025/TT-BCA ngày 01/7/2025").
_NAME_GOES_ON = re.compile(r"\s?(?:ngày|của|về|và|năm|sửa|quy|hướng|ban|được|đã)\b")
_DOC_KIND_TAIL = re.compile(
    r"(?<=\S)(?:Luật|Bộ luật|Nghị định|Thông tư liên tịch|Thông tư|Quyết định|Nghị quyết|Pháp lệnh)"
    r"(?: số)?\s*$"
)


def parse_legal_basis(text: str) -> tuple[LegalBasis, ...]:
    """The flattened "Căn cứ pháp lý" table → LegalBasis rows (name, number like 68/2013/TT-BCA).

    A row ends at a document number glued to the name before it or to the next row's name;
    numbers quoted inside a name are surrounded by spaces and stay part of it."""
    s = nfc(text)
    if not s.startswith(_LEGAL_HEADER):
        return ()
    s = s[len(_LEGAL_HEADER) :]
    out: list[LegalBasis] = []
    seen: set[str] = set()
    pos = 0
    for m in _DOC_NUMBER.finditer(s):
        start, end = m.start(), m.end()
        num = m.group("num")
        if end < len(s) and s[end].islower():
            if _NAME_GOES_ON.match(s, end) or num[-1].isdigit():
                continue  # a number quoted inside a name
            # "…/TT-BCALuật …": the last capital starts the next row's name.
            num, end = num[:-1], end - 1
        before = s[start - 1] if start > 0 else " "
        after = s[end] if end < len(s) else ""
        glued_before = not before.isspace() and before not in "(“\"'"
        ends_row = after == "" or after.isupper()
        if not (glued_before or ends_row):
            continue
        name = s[pos:start]
        digits = num.split("/", 1)[0]
        # "Luật Khiếu nại năm 201102/2011/QH13": a year glued to the number belongs to the name.
        if len(digits) > 4 and re.match(r"(19|20)\d\d", digits):
            name += digits[:4]
            num = num[4:]
        elif len(digits) > 4:
            continue
        name = _clean(_DOC_KIND_TAIL.sub("", name)) or num
        pos = end
        if name == num and out and out[-1].number == num:
            continue
        if num in seen:
            continue
        seen.add(num)
        out.append(LegalBasis(name=name, number=num))
    tail = _clean(s[pos:])
    if tail and tail != NO_INFO:
        out.append(LegalBasis(name=tail))
    return tuple(out)


# --- result, levels, online level ------------------------------------------------------------
_RESULT_CODE = re.compile(r"Mã: ?KQ\.[A-Z]\d+\.\d+")
_RESULT_TAIL = re.compile(r"Từ khóa.*$|Chọn cơ quan thực hiện.*$", re.DOTALL)


def parse_result(text: str) -> str:
    """'Giấy phép…Mã: KQ.G01.00262Từ khóa…Chọn cơ quan…' → 'Giấy phép…' (several joined by '; ')."""
    s = _RESULT_TAIL.sub("", nfc(text))
    items = [_clean(x) for x in _RESULT_CODE.split(s)]
    items = [x.rstrip(".") for x in items if x and x != NO_INFO]
    unique = list(dict.fromkeys(items))
    return "; ".join(unique)


_LEVEL_OF = {"cấp bộ": "bo", "cấp tỉnh": "tinh", "cấp xã": "xa"}


def parse_levels(text: str) -> tuple[str, ...]:
    """'Cấp bộ, Cấp tỉnh' → ('bo', 'tinh'); 'Cơ quan khác' has no level of its own."""
    levels = []
    for part in nfc(text).split(","):
        code = _LEVEL_OF.get(part.strip().lower())
        if code and code not in levels:
            levels.append(code)
    return tuple(levels)


def online_level(*texts: str) -> str | None:
    """'toan_trinh' / 'mot_phan' when the portal says so in so many words, else None."""
    joined = " ".join(nfc(t).lower() for t in texts)
    joined = re.sub(r"\s+", " ", joined)
    if re.search(r"trực tuyến toàn trình|dvc toàn trình|dịch vụ công toàn trình", joined):
        return "toan_trinh"
    if re.search(r"trực tuyến một phần|dvc một phần|dịch vụ công một phần", joined):
        return "mot_phan"
    return None


def parse_steps(text: str) -> tuple[str, ...]:
    """Steps as the portal writes them: 'Bước 1: …' starts a step; lines in between join it."""
    s = nfc(text)
    if not s or s == NO_INFO:
        return ()
    chunks = re.split(r"\n(?=\s*Bước\s*\d)", s)
    steps = [_clean(re.sub(r"\s*\n\s*", " ", c)) for c in chunks]
    return tuple(x for x in steps if x)


# Fields where citizens (not firms or officials) file most dossiers. The portal has no usage
# figures, so these stand in for "common": a prior that moves everyday procedures ahead of
# look-alike specialist ones.
CITIZEN_FIELDS = frozenset(
    fold(f)
    for f in (
        "Hộ tịch",
        "Đăng ký, quản lý cư trú",
        "Cấp, quản lý căn cước",
        "Định danh và xác thực điện tử",
        "Quản lý xuất nhập cảnh",
        "Chứng thực",
        "Lý lịch tư pháp",
        "Trợ giúp pháp lý",
        "Nuôi con nuôi",
        "Sát hạch, cấp giấy phép lái xe",
        "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng",
        "Đất đai",
        "Đăng ký biện pháp bảo đảm",
        "Hoạt động xây dựng",
        "Nhà ở và công sở",
        "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
        "Thành lập và hoạt động của doanh nghiệp",
        "Thuế",
        "Thực hiện chính sách BHXH",
        "Thực hiện chính sách BHYT",
        "Chi trả các chế độ BHXH",
        "Thu BHXH, BHYT, BHTN, BH tai nạn lao động, BNN",
        "Người có công",
    )
)


def _field(d: dict[str, Any], key: str) -> str:
    value = nfc(d.get(key))
    return "" if value == NO_INFO else re.sub(r"\s+", " ", value)


def from_portal(d: dict[str, Any]) -> ProcedureRecord:
    """One national-portal JSON object → a validated ProcedureRecord (RecordError if unusable)."""
    if not isinstance(d, dict):
        raise RecordError("not a JSON object")
    name = _field(d, "ten_thu_tuc")
    methods_text = nfc(d.get("cach_thuc_thuc_hien"))
    record = {
        "code": nfc(d.get("ma_thu_tuc")),
        "name": name,
        "field": _field(d, "linh_vuc"),
        "levels": parse_levels(d.get("cap_thuc_hien") or ""),
        "subjects": _field(d, "doi_tuong_thuc_hien"),
        "agency": _field(d, "co_quan_co_tham_quyen"),
        "implementing_agency": _field(d, "co_quan_thuc_hien"),
        "steps": parse_steps(d.get("trinh_tu_thuc_hien") or ""),
        "methods": [m.__dict__ for m in parse_methods(methods_text)],
        "documents": [x.__dict__ for x in parse_documents(d.get("thanh_phan_ho_so") or "")],
        "conditions": nfc(d.get("yeu_cau_dieu_kien")).replace(NO_INFO, "").strip(),
        "result": parse_result(d.get("ket_qua_xu_ly") or ""),
        "legal_basis": [x.__dict__ for x in parse_legal_basis(d.get("can_cu_phap_ly") or "")],
        "online_level": online_level(name, methods_text, d.get("trinh_tu_thuc_hien") or ""),
        "url": nfc(d.get("detail_url")),
        # The portal has no usage figures: citizen-facing fields stand in for "common".
        "popular": fold(_field(d, "linh_vuc")) in CITIZEN_FIELDS,
    }
    return ProcedureRecord.from_dict(record)


def search_docs(records: Iterable[dict[str, Any]]) -> list[SearchDoc]:
    """What the search index needs of national-portal records, read as the importer reads
    them; unusable records (no code, no name) are skipped."""
    docs: list[SearchDoc] = []
    for d in records:
        try:
            docs.append(from_portal(d).search_doc())
        except RecordError:
            continue
    # The bot merges the same alias file (bot.catalogue): the bench measures what the chat sees.
    return with_aliases(docs)


def is_portal(d: Any) -> bool:
    """True for a national-portal object, False for the project format (which has ``code``)."""
    return isinstance(d, dict) and PORTAL_KEY in d and "code" not in d


__all__ = [
    "from_portal",
    "is_portal",
    "online_level",
    "parse_documents",
    "parse_legal_basis",
    "parse_levels",
    "parse_methods",
    "parse_result",
    "parse_steps",
    "search_docs",
]
