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

import dataclasses
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
    is_junk,
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
_NOTE_VND = re.compile(rf"(?<![\d/.,])({_MONEY}) ?(?:Việt Nam Đồng|VNĐ|đồng|Đồng|[đĐ]\b|[đĐ]/)")
_FREE = re.compile(r"miễn|không thu|không (?:phải )?(?:nộp|mất|có) (?:lệ )?phí", re.IGNORECASE)
_DESC_TIME = re.compile(
    r"(\d+(?:[.,]5)?)\s*(?:\([^)]{1,20}\)\s*)?(ngày làm việc|giờ làm việc|ngày|giờ|tháng)",
    re.IGNORECASE,
)


def _amount(text: str) -> int:
    """'2,000,000' / '135.000' / '8000' → int (both separators are thousands separators here)."""
    return int(re.sub(r"[.,]", "", text))


_PAREN = re.compile(r"[()]")


def _balanced_paren(s: str, start: int) -> int:
    """Index just after the ')' closing the '(' at ``start``; len(s) when it never closes."""
    depth = 0
    for m in _PAREN.finditer(s, start):  # only the brackets: an unclosed one scans to the end
        if m.group() == "(":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end()
    return len(s)


def _clean(text: str) -> str:
    # split()/join() is re.sub(r"\s+", " ", …) at C speed: both use Python's whitespace set,
    # and the ends it drops are spaces the strip() below removes anyway.
    return " ".join(text.split()).strip(" \t\n-–;:+")


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced_paren(text, 0) == len(text):
        text = text[1:-1].strip()
    return text


# A fee cell that says, in so many words, that nothing is charged ("Không", "Không có.",
# "Không quy định", "Chưa quy định", "Miễn lệ phí", "Không được quy định tại Biểu phí …"). A
# conditional exemption ("Miễn lệ phí cho hộ nghèo") is not "free": it stays as text.
_FREE_WORDING = re.compile(r"^(?:không|chưa quy định|miễn(?: phí| lệ phí| thu)?\b)", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\b(?:cho|đối với|trường hợp|trừ|nếu|mức)\b|USD", re.IGNORECASE)
_LETTER_OR_DIGIT = re.compile(r"\w")
_CURRENCY_NEXT = re.compile(r" ?(?:Việt Nam Đồng|VNĐ|Đồng|đồng|USD)")


def is_free_wording(text: str) -> bool:
    """True when a fee note says no fee is charged, unconditionally and without an amount."""
    t = _strip_parens(nfc(text)).lstrip("-–• ").strip()
    return (
        bool(t)
        and len(t) <= 120
        and bool(_FREE_WORDING.match(t))
        and not _CONDITIONAL.search(t)
        and not _NOTE_VND.search(t)
    )


def parse_methods(text: str, context: str = "") -> tuple[Method, ...]:
    """The flattened "Cách thức thực hiện" table → one Method per row (channel, time, fee).

    ``context`` is other text of the same procedure (its steps): a time cell with a number and
    no unit takes its unit from there when that number is stated with exactly one unit."""
    s = nfc(text)
    if s.startswith(_METHODS_HEADER):
        s = s[len(_METHODS_HEADER) :]
    starts = list(_ROW_START.finditer(s))
    methods = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(s)
        methods.append(_parse_row(_CHANNEL_OF[m.group(1)], s[m.end() : end], s))
    times: list[tuple[str, str]] = []  # the context's times, read once for all rows (long text)
    if any(m.time_value is not None and not m.time_unit for m in methods):
        times = _DESC_TIME.findall(nfc(context))
    return tuple(_unit_from_context(m, methods, times) for m in methods)


def _unit_from_context(m: Method, rows: list[Method], times: list[tuple[str, str]]) -> Method:
    """A unit-less time: the unit of a sibling row with the same number, else the one unit the
    procedure's steps give that number (``times``: their (number, unit) pairs), else "not
    published" (a bare "1" is not "1 day")."""
    if m.time_value is None or m.time_unit:
        return m
    units = {r.time_unit for r in rows if r.time_unit and r.time_value == m.time_value}
    if len(units) != 1:
        units = {_UNITS[u.lower()] for v, u in times if float(v.replace(",", ".")) == m.time_value}
    if len(units) == 1:
        unit = units.pop()
        label = next(k for k, v in _UNITS.items() if v == unit)
        return dataclasses.replace(
            m, time_unit=unit, time_text=f"{m.time_value:g} {label}", time_status=""
        )
    return dataclasses.replace(m, time_value=None, time_text="", time_status="not_published")


def _split_glued_time(row: str, num: str, stated: set[int]) -> int | None:
    """Length of the time number in a time cell glued to the fee amount ("1" + "20,000" in
    "120,000 VNĐ"): the split whose amount the note repeats, else the shortest time."""
    splits = [
        k
        for k in range(1, len(num))
        if num[k] not in "0.," and re.fullmatch(_MONEY, num[k:]) and num[k - 1] not in ".,"
    ]
    for k in splits:
        if _amount(num[k:]) in stated:
            return k
    return splits[0] if splits else None


def _parse_row(channel: str, row: str, table: str = "") -> Method:
    pos = 0
    time_value: float | None = None
    time_unit: str | None = None
    time_text = ""
    tm = _TIME_CELL.match(row)
    if tm and not tm.group("unit") and _CURRENCY_NEXT.match(row, tm.end()):
        # No unit and a currency right after: the number is the time and the fee run together.
        repeated = {_amount(x) for x in _NOTE_VND.findall(row[tm.end() :])}
        k = _split_glued_time(row, tm.group("num"), repeated)
        if k is not None:
            time_value = float(tm.group("num")[:k])
            pos = k
        tm = None
    if tm:
        pos = tm.end()
        time_value = float(tm.group("num").replace(",", "."))
        if tm.group("unit"):
            time_unit = _UNITS[tm.group("unit").lower()]
            time_text = f"{tm.group('num')} {tm.group('unit').lower()}"
    elif time_value is None:
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
        if is_junk(note):
            # "(1) Trường hợp …", "(a) …": the description's own numbering, not a fee note.
            pos = pos if _LETTER_OR_DIGIT.search(note) else close
            note = ""
        else:
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
        stated = _NOTE_VND.search(note) or (None if note else _NOTE_VND.search(description))
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
    fee_amount, fee_text, fee_state = _checked_fee(
        fee_amount, fee_text, f"{note} {description}", table
    )

    time_state = ""
    if time_unit is None and not time_text:
        time_value, time_unit, time_text = _time_from(description, time_value)
    if is_junk(time_text):
        time_value, time_unit, time_text, time_state = None, None, "", "flagged"
    return Method(
        channel=channel,
        time_value=time_value,
        time_unit=time_unit,
        time_text=time_text,
        fee_amount=fee_amount,
        fee_text=fee_text,
        description=description,
        fee_status=fee_state,
        time_status=time_state,
    )


def _checked_fee(
    amount: int | None, text: str, context: str, table: str = ""
) -> tuple[int | None, str, str]:
    """(amount, text, status) after the checks a citizen's screen needs: an amount under 1,000
    VND is a lost "000" unless the note or description confirms it (their amount wins when they
    state one); free wordings are free; junk is flagged and never shown."""
    if amount is not None and 0 < amount < 1000:
        stated = [_amount(x) for x in _NOTE_VND.findall(context)]
        confirmed = [x for x in stated if x >= 1000]
        # Another row of the same table counts only when it states exactly this amount × 1,000.
        elsewhere = {_amount(x) for x in _NOTE_VND.findall(table)}
        if amount in stated:
            pass
        elif confirmed:
            amount = amount * 1000 if amount * 1000 in confirmed else confirmed[0]
        elif amount * 1000 in elsewhere:
            amount *= 1000
        else:
            return None, "", "flagged"
        if amount not in {_amount(x) for x in _NOTE_VND.findall(text)}:
            text = f"{amount:,} đồng".replace(",", ".")  # the cell's own "100 đồng" was wrong
    if amount is None and is_free_wording(text):
        return 0, text, ""
    if amount is None and is_junk(text):
        return None, "", "flagged"
    return amount, text, ""


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
        return bare, None, ""  # unit-less: parse_methods looks for the unit in the context
    if (
        len(description) <= 160
        and re.search(r"ngày|giờ|tháng|năm", description, re.IGNORECASE)
        and not re.search(r"đồng|USD|VNĐ", description)
    ):
        return None, None, description
    return None, None, ""


# --- documents (thành phần hồ sơ) ------------------------------------------------------------
_DOCS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# The lookahead, implied by both branches, lets the scan skip most positions at once.
_COUNT = re.compile(r"(?=\d+ bản )(?:(\d+) bản chính(?:,\s*(\d+) bản sao)?|(\d+) bản sao)")
_FORM_EXT = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip|odt)$", re.IGNORECASE)


def _glued_boundaries(cell: str, start: int = 1) -> list[int]:
    """Positions from ``start`` on where a form file name may begin: right after ; . : ) or at
    a case change with no space ("…2021;Mus08.docx", "…bộMẫu 01.docx", "…NĐ-CPMẫu số 01.docx")."""
    out = []
    for i in range(max(start, 1), len(cell)):
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
        for c in _glued_boundaries(cell, len(cell) - 80)  # cells run to thousands of characters
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
    seen: dict[str, int] = {}
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
            name, residue = _strip_residue(name)
            form = form or residue
            name = _clean(name).rstrip(".;, ")
            if not name:
                continue
            # The same paper listed again (often once per case): one entry, the larger counts.
            key = fold(name)
            if key in seen:
                i = seen[key]
                prev = docs[i]
                docs[i] = Document(
                    name=prev.name,
                    original=max(prev.original, original),
                    copy=max(prev.copy, copy),
                    form=prev.form or _clean(form),
                )
                continue
            seen[key] = len(docs)
            docs.append(Document(name=name, original=original, copy=copy, form=_clean(form)))
    return tuple(docs)


# Residue of the portal's flattened tables inside a document name: form file names glued to it
# ("…theo mẫuMauDanhsach.docxMauBankhai.docxMau") and a numbered file stem whose diacritics were
# stripped ("…53/2025/TT-BCA).1.MuCT01banhnhkmtheo").
_GLUED_FILES = re.compile(
    r"(?<=[a-zà-ỹ.;:)])(?:[A-Z][A-Za-z0-9_-]*(?: \(\d+\))?\.(?:docx?|pdf|xlsx?|rar|zip|odt))+"
    r"(?:[A-Z][A-Za-z0-9]*)?$"  # the next file name, cut short
)
_STEM = re.compile(r"(?<=[.)])\s*\d{1,2}\.[A-Za-z0-9-]{8,}$")
# A file name cut short at the end: "…theo mẫuMau", "…dự kiến.Phlcs05" (no space: not prose).
_CUT_MAU = re.compile(r"(?<=[a-zà-ỹ])Mau$|(?<=[.;:)])[A-Z][A-Za-z0-9]{2,}$")
# Every character the three patterns can match, bar non-ASCII digits and spaces (\d, \s).
_RESIDUE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.() "


def _residue_from(name: str) -> int:
    """Where a residue match can begin at the earliest: the patterns end at ``$`` and match
    only ``_RESIDUE_CHARS``, so searching from the run of those at the end finds what a search
    of the whole (often long) name finds. 0 (search it all) if the run may go on further."""
    start = len(name.rstrip(_RESIDUE_CHARS))
    if start and (name[start - 1].isdecimal() or name[start - 1].isspace()):
        return 0  # \d and \s also match non-ASCII digits and spaces; "$" before a final "\n"
    return start


def _strip_residue(name: str) -> tuple[str, str]:
    """(name without table residue, the removed file names) — see ``_GLUED_FILES``."""
    removed: list[str] = []
    changed = True
    while changed:  # a cut "Mau" can hide a glued file name before it, and the reverse
        changed = False
        for pattern in (_GLUED_FILES, _STEM, _CUT_MAU):
            m = pattern.search(name, _residue_from(name))  # lookbehinds still see before it
            if m:
                removed.insert(0, m.group(0).strip())
                name = name[: m.start()]
                changed = True
    files = [x for x in removed if _FORM_EXT.search(x) or "." in x]
    return name, " ".join(files)


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


_TOAN_TRINH = ("trực tuyến toàn trình", "dvc toàn trình", "dịch vụ công toàn trình")
_MOT_PHAN = ("trực tuyến một phần", "dvc một phần", "dịch vụ công một phần")


def online_level(*texts: str) -> str | None:
    """'toan_trinh' / 'mot_phan' when the portal says so in so many words, else None."""
    joined = " ".join(" ".join(nfc(t).lower() for t in texts).split())
    # Plain substring tests: a regex alternation scanned the (long) steps text twice.
    if any(p in joined for p in _TOAN_TRINH):
        return "toan_trinh"
    if any(p in joined for p in _MOT_PHAN):
        return "mot_phan"
    return None


def parse_steps(text: str) -> tuple[str, ...]:
    """Steps as the portal writes them: 'Bước 1: …' starts a step; lines in between join it."""
    s = nfc(text)
    if not s or s == NO_INFO:
        return ()
    chunks = re.split(r"\n(?=\s*Bước\s*\d)", s)
    steps = [_clean(c) for c in chunks]  # _clean turns the line breaks into spaces too
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
        "methods": [
            m.__dict__ for m in parse_methods(methods_text, nfc(d.get("trinh_tu_thuc_hien")))
        ],
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
