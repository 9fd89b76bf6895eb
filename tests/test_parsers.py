"""Pure parsers of lookup/: dossier codes, S10 codes, phones and masks, addresses."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest

from lookup.address import (
    AddressProblem,
    Place,
    Unit,
    find_province,
    find_ward,
    place_by_code,
    resolve_address,
    same_province,
)
from lookup.dossier_code import CodeProblem, DossierCode, find_code, looks_like_code, parse_code
from lookup.phone import (
    PhoneProblem,
    check_phone,
    last4_matches,
    mask_name,
    mask_phone,
    normalize_phone,
    parse_phone,
)
from lookup.s10 import S10Error, check_digit, is_valid_s10, normalize_s10, s10_error

TODAY = dt.date(2025, 7, 20)

# ---------------------------------------------------------------- dossier codes


@pytest.mark.parametrize(
    "text",
    [
        "000.00.00.H31-250714-0001",
        "000.00.00.h31-250714-0001",
        "ho so cua toi 000.00.00.h31 - 250714 - 0001 sao roi",
        "000.00.00.H31\u2013250714\u20140001",  # en and em dash
        "000.00.00.H31 250714 0001",
        "Mã hồ sơ: 000.00.00.H31-250714-0001.",
        "0.0.0.H31-250714-0001",  # all-zero groups: only one reading
        "000.00.00.H31-2507140001",  # date and sequence glued
        "\uff10\uff10\uff10.\uff10\uff10.\uff10\uff10.\uff28\uff13\uff11-250714-0001",  # fullwidth
    ],
)
def test_dossier_code_normalised(text: str) -> None:
    parsed = parse_code(text, today=TODAY)
    assert parsed.problem is None
    assert parsed.code == DossierCode("000.00.00.H31", dt.date(2025, 7, 14), "0001")
    assert str(parsed.code) == "000.00.00.H31-250714-0001"


def test_dossier_code_fragment_and_ministry_unit() -> None:
    parsed = find_code("ho so 000.00.00.h31 - 250714 - 0001 sao roi")
    assert parsed is not None and parsed.fragment == "000.00.00.h31 - 250714 - 0001"
    ministry = parse_code("000.00.12.G01-240102-0042")
    assert str(ministry.code) == "000.00.12.G01-240102-0042"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("000.00.00.H31-251314-0001", CodeProblem.BAD_DATE),  # month 13
        ("000.00.00.H31-250230-0001", CodeProblem.BAD_DATE),  # 30 February
        ("000.00.00.H31-25074-0001", CodeProblem.BAD_DATE),  # 5 digits
        ("000.00.00.H31-250714", CodeProblem.MISSING_SEQUENCE),
        ("000.00.00.H31-250714-001", CodeProblem.BAD_SEQUENCE),
        ("000.00.00.H31-250714-00001", CodeProblem.BAD_SEQUENCE),
        ("000.00.00.H31", CodeProblem.MISSING_DATE),
        ("000.00.00.H31-0001", CodeProblem.MISSING_DATE),
        ("1.2.3.H31-250714-0001", CodeProblem.BAD_UNIT),  # padding non-zero groups is a guess
        ("000.00.00.X31-250714-0001", CodeProblem.BAD_UNIT),
        ("000.00.00.H3-250714-0001", CodeProblem.BAD_UNIT),
        ("H31-250714-0001", CodeProblem.INCOMPLETE_UNIT),
        ("00.00.H31-250714-0001", CodeProblem.INCOMPLETE_UNIT),
        ("250714-0001", CodeProblem.MISSING_UNIT),
        ("000.00.00.H31-990714-0001", CodeProblem.FUTURE_DATE),
        ("ho so nay la gi vay", CodeProblem.NOT_A_CODE),
    ],
)
def test_dossier_code_problems(text: str, problem: CodeProblem) -> None:
    parsed = parse_code(text, today=TODAY)
    assert parsed.code is None
    assert parsed.problem == problem


def test_future_date_only_checked_when_today_given_and_with_one_day_slack() -> None:
    assert parse_code("000.00.00.H31-990714-0001").code is not None
    assert parse_code("000.00.00.H31-250721-0001", today=TODAY).code is not None  # UTC vs VN
    assert parse_code("000.00.00.H31-250722-0001", today=TODAY).problem == CodeProblem.FUTURE_DATE


@pytest.mark.parametrize(
    "text",
    [
        "goi cho toi 0912345678",
        "0912-345-678",
        "091234-5678",  # 09-12-34 is no date
        "+84 912 345 678",
        "EA123456785VN",
        "thu tuc 1.001193 la gi",
        "2.000815.000.00.00.H55",  # a procedure code with its unit suffix
        "toi nop ngay 14-07-2025",
        "han la 2025-07-14",
        "ngay 14/07/2025",
        "can ho H12 tang 5",
        "nop 250714 roi",
        "",
    ],
)
def test_not_a_dossier_code(text: str) -> None:
    assert find_code(text) is None
    assert not looks_like_code(text)


def test_first_valid_code_wins_over_an_earlier_bad_attempt() -> None:
    parsed = find_code("H31-250714-0001 a nham, 000.00.00.H31-250714-0002")
    assert parsed is not None and str(parsed.code) == "000.00.00.H31-250714-0002"
    assert looks_like_code("ma 000.00.00.H31-250714")


# ---------------------------------------------------------------- S10


def test_s10_check_digit() -> None:
    assert check_digit("12345678") == 5
    assert check_digit("00000000") == 5  # 11 -> 5
    assert check_digit("00000008") == 0  # 8*7 = 56, 56 mod 11 = 1, 11 - 1 = 10 -> 0
    with pytest.raises(ValueError):
        check_digit("1234567")


def test_s10_validation() -> None:
    assert is_valid_s10("EA123456785VN")
    assert not is_valid_s10("EA123456789VN")
    assert s10_error("EA123456789VN") == S10Error.BAD_CHECK_DIGIT
    assert s10_error("EA123456785US") == S10Error.BAD_COUNTRY
    assert s10_error("E1123456785VN") == S10Error.BAD_FORMAT
    assert s10_error("EA12345678VN") == S10Error.BAD_FORMAT
    assert normalize_s10(" ea 123 456 785 vn ") == "EA123456785VN"
    assert normalize_s10("EA-123-456-785-VN") == "EA123456785VN"
    assert normalize_s10("EA123456789VN") is None
    assert normalize_s10("") is None


# ---------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("text", "e164", "kind"),
    [
        ("0912 345 678", "+84912345678", "mobile"),
        ("+84912345678", "+84912345678", "mobile"),
        ("84912345678", "+84912345678", "mobile"),
        ("0084 912 345 678", "+84912345678", "mobile"),
        ("091.234.5678", "+84912345678", "mobile"),
        ("(024) 3825 1234", "+842438251234", "fixed_line"),
    ],
)
def test_phone_accepted(text: str, e164: str, kind: str) -> None:
    phone = parse_phone(text)
    assert phone is not None
    assert (phone.e164, phone.kind) == (e164, kind)
    assert normalize_phone(text) == e164


def test_phone_national_display() -> None:
    mobile, landline = parse_phone("+84912345678"), parse_phone("02438251234")
    assert mobile is not None and mobile.national == "0912 345 678"
    assert landline is not None and landline.national == "024 3825 1234"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", PhoneProblem.EMPTY),
        ("goi em nhe", PhoneProblem.NOT_A_NUMBER),
        ("0912abc678", PhoneProblem.NOT_A_NUMBER),
        ("012345", PhoneProblem.TOO_SHORT),
        ("091234567890123", PhoneProblem.TOO_LONG),
        ("+1 650 253 0000", PhoneProblem.NOT_VIETNAMESE),
        ("+44 20 7946 0958", PhoneProblem.NOT_VIETNAMESE),
        ("1900 1234", PhoneProblem.NOT_PERSONAL),
    ],
)
def test_phone_rejected(text: str, problem: PhoneProblem) -> None:
    check = check_phone(text)
    assert check.phone is None
    assert check.problem == problem


def test_phone_invalid_vietnamese() -> None:
    check = check_phone("0243825123")  # one digit short for a Hà Nội landline
    assert check.phone is None and check.problem in (PhoneProblem.INVALID, PhoneProblem.TOO_SHORT)


def test_masks() -> None:
    assert mask_phone("+84912345678") == "091*****78"
    assert mask_phone("0912 345 678") == "091*****78"
    assert mask_phone("+842438251234") == "024******34"
    assert mask_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert mask_name("  trần   thị   bích ngọc ") == "Trần T. B. N."
    assert mask_name("Đặng Ánh") == "Đặng Á."
    assert mask_name("An") == "A."
    assert mask_name("") == ""


def test_mask_does_not_reveal_the_last4_challenge() -> None:
    masked = mask_phone("+84912345678")
    assert "5678" not in masked and "678" not in masked


def test_last4_matches() -> None:
    assert last4_matches("+84912345678", "5678")
    assert last4_matches("+84912345678", " 5 6 7 8 ")
    assert last4_matches("+84912345678", "0912 345 678")  # the whole number
    assert not last4_matches("+84912345678", "5679")
    assert not last4_matches("+84912345678", "678")
    assert not last4_matches("+84912345678", "45678")
    assert not last4_matches("+84912345678", "")
    assert not last4_matches("", "5678")


# ---------------------------------------------------------------- addresses


def _ward(result_place: Place | None) -> str | None:
    return result_place.ward.name if result_place else None


@pytest.mark.parametrize(
    "text",
    [
        "so 5 Le Loi, phuong Le Chan, Hai Phong",
        "Số 5 Lê Lợi, P. Lê Chân, TP Hải Phòng",
        "so 5 le loi p le chan tp hp",
        "so 5 le loi, P.Le Chan, HP",
        "so 5 le loi le chan hai phong",
        "So 5 Le Loi, Le Chan, Hai Phong, Viet Nam",
    ],
)
def test_address_new_format(text: str) -> None:
    r = resolve_address(text)
    assert r.problem is None
    assert r.place is not None
    assert (r.place.ward.name, r.place.province.name) == ("Phường Lê Chân", "Thành phố Hải Phòng")
    assert r.street.lower() in ("so 5 le loi", "số 5 lê lợi")
    assert r.merged_from is None


def test_address_abbreviations_hcm() -> None:
    for text in (
        "45 Le Duan, P.Ben Thanh, Q.1, TP.HCM",
        "45 le duan p ben thanh q1 tphcm",
        "45 Lê Duẩn, phường Bến Thành, Sài Gòn",
    ):
        r = resolve_address(text)
        assert _ward(r.place) == "Phường Bến Thành", text
        assert r.place is not None and r.place.province.code == "79"
        assert r.street.lower().startswith("45 l")


def test_address_old_district_maps_to_new_ward() -> None:
    r = resolve_address("10 Nguyen Hue, phuong Ben Nghe, quan 1, TP HCM")
    assert _ward(r.place) == "Phường Sài Gòn"
    assert r.merged_from == "Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"
    assert r.street == "10 Nguyen Hue"
    r = resolve_address("Phường 1, Quận 3, TP.HCM")
    assert _ward(r.place) == "Phường Bàn Cờ"
    r = resolve_address("P.1, Q.Go Vap, TP HCM")
    assert _ward(r.place) == "Phường Hạnh Thông"


def test_address_old_ward_split_between_new_wards() -> None:
    r = resolve_address("12 Tran Hung Dao, phuong Cua Nam, quan Hoan Kiem, Ha Noi")
    assert r.street == "12 Tran Hung Dao"
    assert r.place is None
    assert r.problem == AddressProblem.WARD_SPLIT
    assert r.merged_from == "Phường Cửa Nam, Quận Hoàn Kiếm, Thành phố Hà Nội"
    names = [p.ward.name for p in r.candidates]
    assert names[0] == "Phường Cửa Nam"  # the same-named new ward first
    assert "Phường Hoàn Kiếm" in names
    assert all(p.province.name == "Thành phố Hà Nội" for p in r.candidates)


def test_address_pre_merger_province() -> None:
    r = resolve_address("xã Tân Kỳ, huyện Tứ Kỳ, tỉnh Hải Dương")
    assert r.place is not None
    assert (r.place.ward.name, r.place.province.name) == ("Xã Tân Kỳ", "Thành phố Hải Phòng")
    assert r.merged_from == "Xã Tân Kỳ, Huyện Tứ Kỳ, Tỉnh Hải Dương"
    r = resolve_address("thi tran Tu Ky, Hai Duong")
    assert _ward(r.place) == "Xã Tứ Kỳ"
    assert r.merged_from is not None and "Tỉnh Hải Dương" in r.merged_from
    r = resolve_address("so 7, thon Dong, xa Nam Sach, tinh Hai Duong")
    assert _ward(r.place) == "Xã Nam Sách" and r.street == "so 7, thon Dong"
    assert r.merged_from is not None and "Hải Dương" in r.merged_from


def test_address_ward_named_like_a_province() -> None:
    r = resolve_address("phuong Hai Duong, Hai Phong")
    assert _ward(r.place) == "Phường Hải Dương" and r.merged_from is None
    r = resolve_address("số 1 phố Huế, phường Hai Bà Trưng, Hà Nội")
    assert _ward(r.place) == "Phường Hai Bà Trưng" and r.street == "số 1 phố Huế"


def test_address_folded_collision_asks_unless_marks_decide() -> None:
    r = resolve_address("xa Ba To, Quang Ngai")
    assert r.place is None and r.problem == AddressProblem.AMBIGUOUS_WARD
    assert {p.ward.name for p in r.candidates} == {"Xã Ba Tơ", "Xã Ba Tô"}
    assert _ward(resolve_address("xã Ba Tơ, Quảng Ngãi").place) == "Xã Ba Tơ"
    assert _ward(resolve_address("xã Ba Tô, Quảng Ngãi").place) == "Xã Ba Tô"


def test_address_problems() -> None:
    assert resolve_address("").problem == AddressProblem.EMPTY
    r = resolve_address("phuong Khong Co That, Ha Noi")
    assert r.problem == AddressProblem.UNKNOWN_WARD and r.place is None
    assert r.province is not None and r.province.name == "Thành phố Hà Nội"
    r = resolve_address("123 Nguyen Trai, Ha Noi")
    assert r.problem == AddressProblem.NO_WARD and r.street == "123 Nguyen Trai"
    r = resolve_address("phuong Tan Dinh")
    assert r.problem == AddressProblem.NO_PROVINCE and r.place is None
    assert str(r.candidates[0]) == "Phường Tân Định, Thành phố Hồ Chí Minh"
    assert "Phường Hòa Lợi, Thành phố Hồ Chí Minh" in [str(p) for p in r.candidates]
    assert resolve_address("xa Ha Tay, tinh Ha Tay").problem == AddressProblem.UNKNOWN_PROVINCE
    r = resolve_address("xa Tan Hung, huyen Tu Ky, tinh Hai Duong")  # no such old commune
    assert r.place is None and r.problem == AddressProblem.UNKNOWN_WARD


def test_address_ward_name_in_many_provinces_without_province() -> None:
    r = resolve_address("xa Tan Thanh")
    assert r.problem == AddressProblem.NO_PROVINCE
    assert 1 < len(r.candidates) <= 5
    assert len({p.province.code for p in r.candidates}) > 1


def test_address_names_with_dashes_and_slashes() -> None:
    r = resolve_address("so 9 Vung Tau, phuong Vung Tau, Ba Ria - Vung Tau")
    assert r.place is not None
    assert _ward(r.place) == "Phường Vũng Tàu" and r.place.province.code == "79"
    assert r.merged_from == "Tỉnh Bà Rịa - Vũng Tàu"
    r = resolve_address("12/3 Le Loi, P. Ben Thanh, TP HCM")
    assert r.street == "12/3 Le Loi" and _ward(r.place) == "Phường Bến Thành"
    r = resolve_address("phuong Van Mieu - Quoc Tu Giam, Ha Noi")
    assert _ward(r.place) == "Phường Văn Miếu - Quốc Tử Giám"


def test_special_zone_from_island_district() -> None:
    r = resolve_address("huyen Con Co, Quang Tri")
    assert _ward(r.place) == "Đặc khu Cồn Cỏ"


def test_find_province() -> None:
    assert [u.name for u in find_province("hai phong")] == ["Thành phố Hải Phòng"]
    assert [u.name for u in find_province("Tỉnh Hải Dương")] == ["Thành phố Hải Phòng"]
    assert [u.code for u in find_province("TP.HCM")] == ["79"]
    assert [u.code for u in find_province("HN")] == ["01"]
    assert [u.code for u in find_province("Sài Gòn")] == ["79"]
    quang = {u.name for u in find_province("quang")}
    assert {"Tỉnh Quảng Ninh", "Tỉnh Quảng Trị", "Tỉnh Quảng Ngãi"} <= quang
    assert find_province("") == []
    assert find_province("xyz") == []


def test_find_ward() -> None:
    assert [p.ward.name for p in find_ward("31", "le chan")] == ["Phường Lê Chân"]
    assert [p.ward.name for p in find_ward("31", "P. Lê Chân")] == ["Phường Lê Chân"]
    assert [p.ward.name for p in find_ward("51", "Ba Tơ")] == ["Xã Ba Tơ"]
    assert len(find_ward("51", "ba to")) == 2
    old = [p.ward.name for p in find_ward("01", "Hang Bong")]  # an old ward name
    assert "Phường Hoàn Kiếm" in old
    assert find_ward("31", "") == []
    assert find_ward("31", "khong co phuong nay") == []


def test_place_by_code_and_same_province() -> None:
    lc = find_ward("31", "le chan")[0]
    assert place_by_code(lc.ward.code) == lc
    assert place_by_code("nope") is None
    td = resolve_address("xa Tan Ky, huyen Tu Ky, Hai Duong").place
    assert td is not None
    assert same_province(lc, td)  # former Hải Dương is Hải Phòng now
    assert same_province(lc, "31") and same_province(lc.province, lc)
    assert not same_province(lc, find_ward("01", "Hoan Kiem")[0])
    assert same_province(Unit(lc.ward.code, lc.ward.name), "31")


def test_address_lookup_is_fast() -> None:
    resolve_address("warm up, Ha Noi")
    texts = [
        "so 5 Le Loi, phuong Le Chan, Hai Phong",
        "12 Tran Hung Dao, phuong Cua Nam, quan Hoan Kiem, Ha Noi",
        "xã Tân Kỳ, huyện Tứ Kỳ, tỉnh Hải Dương",
    ] * 100
    start = time.perf_counter()
    for t in texts:
        resolve_address(t)
    per_call_ms = (time.perf_counter() - start) * 1000 / len(texts)
    assert per_call_ms < 5  # typically ~0.2-0.5 ms; generous bound for shared CI machines


def test_address_module_does_not_import_gpl_or_network_code() -> None:
    code = (
        "import sys, lookup.address as a; a.resolve_address('p le chan, hai phong');"
        "bad = {'unidecode', 'vietnamadminunits', 'geopy', 'shapely'} & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
