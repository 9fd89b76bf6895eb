"""The province profile: the bundled sample validates, bad files are refused with a clear
message, "open now" at fixed Vietnam times, the desk line for a procedure's levels, the chat's
answers about where to file, the hotline and opening hours (vi, without marks, en), the late
dossier's hotline, the handoff's hours, and ``motcua province import``."""

from __future__ import annotations

import argparse
import gzip
import json
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from bot.app import App
from bot.commands import province as province_command
from bot.db.engine import Database
from bot.db.models import ProvinceProfileRow
from bot.province import (
    BUNDLED,
    OfficeHours,
    ProfileError,
    ProvinceProfile,
    desk_line,
    load_bundled_if_empty,
    load_profile,
    parse_profile,
    parse_ranges,
    read_profile,
)
from bot.vntime import VN
from tests.conftest import Chat, run_motcua

ROOT = Path(__file__).resolve().parents[1]
MONDAY_9 = datetime(2026, 3, 16, 9, 0, tzinfo=VN)
MONDAY_LUNCH = datetime(2026, 3, 16, 12, 0, tzinfo=VN)
SATURDAY_15 = datetime(2026, 3, 21, 15, 0, tzinfo=VN)
SATURDAY_9 = datetime(2026, 3, 21, 9, 0, tzinfo=VN)
TET = datetime(2026, 2, 17, 9, 0, tzinfo=VN)  # mùng 1 Tết Bính Ngọ, a Tuesday

CENTRE = "Trung tâm Phục vụ hành chính công thành phố Hải Phòng"
CENTRE_EN = "Hai Phong City Public Administration Service Centre"
HOURS_VI = (
    f"Giờ làm việc của {CENTRE}: thứ Hai–thứ Sáu 07:30–11:30, 13:30–17:00 (trừ ngày nghỉ lễ, Tết)."
)
HOURS_EN = (
    f"Opening hours of the {CENTRE_EN}: Monday–Friday 07:30–11:30, 13:30–17:00 "
    "(except public holidays)."
)
HOTLINE_VI = "Đường dây nóng: 1800 1096 (Tổng đài hỗ trợ Cổng Dịch vụ công quốc gia)."
HOTLINE_EN = "Hotline: 1800 1096 (National Public Service Portal helpline)."
COMMUNE_VI = (
    "Trung tâm Phục vụ hành chính công (Bộ phận Một cửa) của xã, phường, đặc khu giải quyết "
    "thủ tục, thường là nơi bạn cư trú"
)
COMMUNE_EN = (
    "the Public Administration Service Centre (one-stop desk) of the commune, ward or special "
    "zone that handles the procedure, usually where you live"
)
LE_CHAN = (
    "Trung tâm Phục vụ hành chính công phường Lê Chân "
    "(địa chỉ: Trụ sở UBND phường Lê Chân, thành phố Hải Phòng)"
)


def bundled() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BUNDLED.read_text(encoding="utf-8"))
    return data


def at(app: App, when: datetime) -> None:
    app.services.clock = lambda: when


# The bundled file ---------------------------------------------------------------------------
def test_the_bundled_sample_validates_and_says_it_is_a_sample() -> None:
    profile = read_profile(BUNDLED)
    assert profile.sample and "DỮ LIỆU MẪU" in profile.note
    assert profile.centre.name.value == CENTRE
    assert len(profile.desks) >= 10
    # Every desk serves a ward or special zone that exists in Hải Phòng since 1 July 2025.
    units = json.loads(gzip.open(ROOT / "lookup/data/admin_units_2025.json.gz").read())
    hai_phong = {name for _code, province, name in units["wards"] if province == "31"}
    assert {d.ward for d in profile.desks} <= hai_phong
    # The wards the demo dossiers were received by have a desk.
    for line in (ROOT / "bot/data/dossiers.jsonl").read_text(encoding="utf-8").splitlines():
        agency = json.loads(line)["agency_name"]
        if "UBND" in agency:
            assert profile.desk_for(agency) is not None, agency


def test_every_fact_names_its_source_and_the_text_is_nfc() -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    profile = read_profile(BUNDLED)
    for office in profile.offices:  # two levels since 1 July 2025: no district, no township
        facts = f"{office.name.value} {office.address.value if office.address else ''}".lower()
        assert "huyện" not in facts and "thị trấn" not in facts and "quận" not in facts
    days = {h.date: h for h in profile.holidays}
    # Tết 2026: Monday 16 to Friday 20 February, as the Prime Minister decided (confirmed).
    for day in range(16, 21):
        assert days[datetime(2026, 2, day).date()].confirmed
    assert days[datetime(2027, 5, 3).date()].name == "Nghỉ bù Ngày Quốc tế Lao động"
    # Dates nobody announced yet are in the file, marked so.
    assert not days[datetime(2027, 2, 8).date()].confirmed
    assert all(len(h.source) > 10 for h in profile.holidays)
    assert "holiday 2027-02-08" in profile.unconfirmed()


def _broken(change: Any) -> bytes:
    data = bundled()
    change(data)
    return json.dumps(data, ensure_ascii=False).encode()


def _set_hours(data: dict[str, Any], ranges: list[str]) -> None:
    data["offices"][0]["hours"]["value"]["mon"] = ranges


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _set_hours(d, ["07:30-11:30", "11:00-17:00"]), "time ranges overlap"),
        (lambda d: _set_hours(d, ["25:00-26:00"]), "hour must be in 0..23"),
        (lambda d: _set_hours(d, ["17:00-07:30"]), "ends before it starts"),
        (lambda d: d["offices"][1].update(level="tinh", ward=None), "exactly one office"),
        (lambda d: d["holidays"].append(d["holidays"][0]), "a holiday date repeats"),
        (lambda d: d["offices"][1].update(ward=None), "a commune-level desk names its ward"),
        (
            lambda d: d["offices"][1].update(hotline={"value": "gọi UBND", "source": "x y z"}),
            "is not a phone number",
        ),
        (lambda d: d.update(colour="red"), "colour: Extra inputs are not permitted"),
        (lambda d: d["offices"][0]["name"].pop("source"), "offices.0.name.source"),
    ],
    ids=[
        "overlap",
        "no-such-hour",
        "backwards",
        "two-centres",
        "holiday-twice",
        "ward",
        "phone",
        "unknown-field",
        "no-source",
    ],
)
def test_bad_profiles_are_refused_saying_where(change: Any, message: str) -> None:
    with pytest.raises(ProfileError, match="not a valid province profile") as caught:
        parse_profile(_broken(change), name="p.json")
    assert message in str(caught.value)


def test_not_json_and_toml() -> None:
    with pytest.raises(ProfileError, match=r"p\.json: not valid JSON"):
        parse_profile(b"{", name="p.json")
    toml = 'format = 1\nprovince = "Tỉnh X"\nprovince_en = "X province"\n'
    toml += '[[offices]]\nid = "c"\nlevel = "tinh"\nname_en = "Centre"\n'
    toml += '[offices.name]\nvalue = "Trung tâm"\nsource = "thử nghiệm"\n'
    toml += '[offices.hours]\nsource = "thử nghiệm"\n[offices.hours.value]\nmon = ["08:00-12:00"]\n'
    profile = parse_profile(toml.encode(), toml=True)
    assert profile.hours_of(profile.centre).week[0] == parse_ranges(["08:00-12:00"])


# Open now -----------------------------------------------------------------------------------
def _hours(saturday: tuple[str, ...] = ()) -> OfficeHours:
    weekday = parse_ranges(["07:30-11:30", "13:30-17:00"])
    return OfficeHours(
        (weekday,) * 5 + (parse_ranges(saturday), ()),
        frozenset({TET.date()}),
        ((TET.date(), "Tết Nguyên đán", "Tết"),),
    )


def test_open_now_at_fixed_times() -> None:
    hours = _hours()
    assert hours.current_range(MONDAY_9) == parse_ranges(["07:30-11:30"])[0]
    assert not hours.is_open(MONDAY_LUNCH)
    assert hours.next_opening(MONDAY_LUNCH) == datetime(2026, 3, 16, 13, 30, tzinfo=VN)
    assert not hours.is_open(SATURDAY_15)
    assert hours.next_opening(SATURDAY_15) == datetime(2026, 3, 23, 7, 30, tzinfo=VN)
    assert not hours.is_open(TET)
    assert hours.next_opening(TET) == datetime(2026, 2, 18, 7, 30, tzinfo=VN)
    # Vietnam time whatever the server's zone: 02:00 UTC is 09:00 in Hải Phòng.
    assert hours.is_open(datetime.fromisoformat("2026-03-16T02:00:00+00:00"))


def test_a_desk_open_on_saturday_morning() -> None:
    hours = _hours(saturday=("07:30-11:30",))
    assert hours.is_open(SATURDAY_9)
    assert not hours.is_open(SATURDAY_15)
    assert hours.describe("vi") == ("thứ Hai–thứ Sáu 07:30–11:30, 13:30–17:00; thứ Bảy 07:30–11:30")
    assert hours.describe("en") == "Monday–Friday 07:30–11:30, 13:30–17:00; Saturday 07:30–11:30"


# Where to file: the line for the procedure card ---------------------------------------------
def test_desk_line_by_level() -> None:
    profile = read_profile(BUNDLED)
    assert desk_line(profile, ["xa"], "vi") == COMMUNE_VI
    assert desk_line(profile, ["xa"], "en") == COMMUNE_EN
    assert desk_line(profile, ["xa"], "vi", ward="phường Lê Chân") == LE_CHAN
    assert desk_line(profile, ["xa"], "vi", ward="p. le chan") == LE_CHAN
    assert desk_line(profile, ["tinh"], "vi") == CENTRE
    assert desk_line(profile, ["tinh"], "en") == CENTRE_EN
    assert desk_line(profile, ["bo", "tinh"], "vi") == CENTRE
    assert desk_line(profile, ["tinh", "xa"], "vi") == f"{COMMUNE_VI}; hoặc {CENTRE}"
    assert desk_line(profile, ["tinh", "xa"], "en") == f"{COMMUNE_EN}; or {CENTRE_EN}"
    assert desk_line(profile, ["bo"], "vi") is None  # the ministry's own procedure
    assert desk_line(None, ["xa"], "vi") is None  # no profile: the card keeps its agency text


def test_a_ward_is_found_by_its_name_not_by_a_longer_one() -> None:
    profile = read_profile(BUNDLED)
    kien_an = profile.desk_for("UBND phường Kiến An, thành phố Hải Phòng")
    assert kien_an is not None and kien_an.ward == "Phường Kiến An"
    cat_hai = profile.desk_for("dac khu cat hai")
    assert cat_hai is not None and cat_hai.ward == "Đặc khu Cát Hải"
    assert profile.desk_for("phường Nam Đồ Sơn") is None  # not "Đồ Sơn"
    assert profile.desk_for("Nam Đồ Sơn") is None


# The chat ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["bây giờ còn mở cửa không", "bay gio con mo cua khong"])
async def test_open_now_on_a_weekday_morning(app: App, text: str) -> None:
    at(app, MONDAY_9)
    chat = Chat(app)
    await chat.send(text)
    assert chat.text == f"Bây giờ đang trong giờ làm việc, đến 11:30.\n{HOURS_VI}"
    assert "👩‍💼 Gặp cán bộ" in chat.buttons


async def test_open_now_in_english_during_the_lunch_break(app: App) -> None:
    at(app, MONDAY_LUNCH)
    chat = Chat(app, lang="en")
    await chat.send("are you open now?")
    assert chat.text == (
        "It is closed now for the lunch break.\n"
        f"It opens again at 13:30 on Monday, 16/03/2026.\n{HOURS_EN}"
    )
    vi = Chat(app, "vi")
    await vi.send("còn làm việc không")
    assert vi.text.startswith(
        "Bây giờ là giờ nghỉ trưa.\nMở cửa lại lúc 13:30 thứ Hai, ngày 16/03/2026."
    )


async def test_open_now_on_saturday_afternoon(app: App) -> None:
    at(app, SATURDAY_15)
    chat = Chat(app)
    await chat.send("bây giờ còn mở cửa không")
    assert chat.text == (
        "Hôm nay là thứ Bảy, không làm việc.\n"
        f"Mở cửa lại lúc 07:30 thứ Hai, ngày 23/03/2026.\n{HOURS_VI}"
    )
    en = Chat(app, "en", lang="en")
    await en.send("is the office open now")
    assert en.text.startswith("Today is Saturday: closed.\nIt opens again at 07:30 on Monday")


async def test_open_now_on_a_holiday(app: App) -> None:
    at(app, TET)
    chat = Chat(app)
    await chat.send("bay gio con mo cua khong")
    assert chat.text == (
        "Hôm nay là ngày nghỉ lễ (Tết Nguyên đán), không làm việc.\n"
        f"Mở cửa lại lúc 07:30 thứ Hai, ngày 23/02/2026.\n{HOURS_VI}"
    )
    en = Chat(app, "en", lang="en")
    await en.send("are you open today")
    assert en.text.startswith(
        "Today is a public holiday (Tết, the Lunar New Year): closed.\n"
        "It opens again at 07:30 on Monday, 23/02/2026."
    )


WHERE_VI = [
    "Nơi nộp hồ sơ trực tiếp tùy thủ tục:",
    f"• Thủ tục cấp xã: {COMMUNE_VI}.",
    f"• Thủ tục cấp thành phố, cấp tỉnh: {CENTRE}.",
]


@pytest.mark.parametrize(
    "text", ["nộp hồ sơ ở đâu", "nop ho so o dau", "cho hỏi nộp hồ sơ ở đâu ạ"]
)
async def test_where_do_i_file(app: App, text: str) -> None:
    at(app, MONDAY_9)
    chat = Chat(app)
    await chat.send(text)
    lines = chat.text.split("\n")
    assert lines[:3] == WHERE_VI
    assert lines[3].startswith("Có địa chỉ trung tâm cấp xã của: Phường Hồng Bàng, ")
    assert lines[-2:] == [HOURS_VI, HOTLINE_VI]


async def test_where_do_i_file_in_english(app: App) -> None:
    chat = Chat(app, lang="en")
    await chat.send("Where do I file my application?")
    lines = chat.text.split("\n")
    assert lines[:3] == [
        "Where you file in person depends on the procedure:",
        f"• Commune-level procedures: {COMMUNE_EN}.",
        f"• City or provincial procedures: {CENTRE_EN}.",
    ]
    assert lines[-1] == HOTLINE_EN


async def test_one_wards_desk(app: App) -> None:
    chat = Chat(app)
    await chat.send("một cửa phường Lê Chân ở đâu")
    assert chat.text == (
        f"{LE_CHAN}.\n"
        "Giờ làm việc của Trung tâm Phục vụ hành chính công phường Lê Chân: "
        "thứ Hai–thứ Sáu 07:30–11:30, 13:30–17:00 (trừ ngày nghỉ lễ, Tết).\n"
        f"{HOTLINE_VI}"
    )


@pytest.mark.parametrize("text", ["số đường dây nóng", "so duong day nong", "hotline bao nhiêu"])
async def test_hotline(app: App, text: str) -> None:
    chat = Chat(app)
    await chat.send(text)
    assert chat.text == f"{HOTLINE_VI}\n{HOURS_VI}"


async def test_hotline_in_english(app: App) -> None:
    chat = Chat(app, lang="en")
    await chat.send("what is the hotline number")
    assert chat.text == f"{HOTLINE_EN}\n{HOURS_EN}"


@pytest.mark.parametrize(
    "text", ["đăng ký khai sinh nộp ở đâu", "nộp hồ sơ khai sinh cho con ở đâu", "hôm nay trời đẹp"]
)
async def test_procedure_questions_still_go_to_search(app: App, text: str) -> None:
    chat = Chat(app)
    await chat.send(text)
    assert not chat.text.startswith(("Nơi nộp hồ sơ trực tiếp", "Đường dây nóng", "Bây giờ"))


# Late dossier, handoff ------------------------------------------------------------------------
LATE = "000.25.31.H31-250711-0004"  # UBND phường Kiến An, 4 days late at the demo's clock


async def test_a_late_dossier_names_the_hotline(app: App) -> None:
    chat = Chat(app)
    await chat.send(LATE)
    assert (
        "⚠️ Đã quá hạn 4 ngày so với ngày hẹn trả. Nếu chưa nhận được thư xin lỗi và hẹn lại "
        "(Mẫu 04), bạn có thể hỏi bộ phận một cửa hoặc gọi đường dây nóng 1800 1096 "
        "(Tổng đài hỗ trợ Cổng Dịch vụ công quốc gia)."
    ) in chat.text.split("\n")
    en = Chat(app, "en", lang="en")
    await en.send(LATE)
    assert (
        "⚠️ 4 days past the due date. If you have not received an apology letter with a new date "
        "(Form 04), ask the one-stop desk or call the hotline 1800 1096 "
        "(National Public Service Portal helpline)."
    ) in en.text.split("\n")


async def _import(app: App, data: dict[str, Any], tmp_path: Path) -> int:
    path = tmp_path / "province.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    args = argparse.Namespace(province_command="import", file=path, db=_url(app.services.db))
    return await province_command.run(args)


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


async def test_the_desks_own_hotline_and_saturday_hours_reach_the_chat_and_the_handoff(
    app: App, tmp_path: Path
) -> None:
    data = bundled()
    centre = data["offices"][0]
    centre["hotline"] = {"value": "0225 3000 000", "source": "thử nghiệm", "confirmed": False}
    centre["hours"]["value"]["sat"] = ["07:30-11:30"]
    kien_an = next(o for o in data["offices"] if o.get("ward") == "Phường Kiến An")
    kien_an["hotline"] = {"value": "0225 3111 111", "source": "thử nghiệm", "confirmed": False}
    assert await _import(app, data, tmp_path) == 0
    chat = Chat(app)
    await chat.send("hotline")
    assert chat.text.startswith("Đường dây nóng: 0225 3000 000.\n")
    await chat.send(LATE)  # received by phường Kiến An: its own desk's number
    assert "gọi đường dây nóng 0225 3111 111." in chat.text
    at(app, SATURDAY_9)
    await chat.send("gặp cán bộ")
    assert "trước 11:30 hôm nay" in chat.text  # the centre opens on Saturday morning


async def test_without_a_profile_the_settings_answer(app: App) -> None:
    async with app.services.db.transaction() as session:
        await session.execute(delete(ProvinceProfileRow))
    app.services.settings = app.services.settings.model_copy(
        update={"office_hotline": "1900 1234", "office_hours": "08:00-12:00"}
    )
    at(app, SATURDAY_15)
    chat = Chat(app)
    await chat.send("gặp cán bộ")
    assert "(lịch làm việc: thứ Hai–thứ Sáu 08:00–12:00, trừ ngày nghỉ lễ, Tết)" in chat.text
    assert "gọi đường dây nóng 1900 1234." in chat.text
    lonely = Chat(app, "late")
    await lonely.send(LATE)
    assert "gọi đường dây nóng 1900 1234." in lonely.text


# motcua province import ----------------------------------------------------------------------
async def _stored(app: App) -> tuple[int, ProvinceProfile | None]:
    async with app.services.db.read() as session:
        count = await session.scalar(select(func.count()).select_from(ProvinceProfileRow))
        return int(count or 0), await load_profile(session)


async def test_import_replaces_the_profile_and_is_idempotent(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bundled()
    data["offices"][0]["name"]["value"] = "Trung tâm Phục vụ hành chính công thử nghiệm"
    assert await _import(app, data, tmp_path) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "loaded Thành phố Hải Phòng [sample data]: 1 provincial centre, 16 commune-level desks, "
        "21 holidays (2026-01-01 … 2027-09-03)"
    )
    assert out[1] == "centre: Trung tâm Phục vụ hành chính công thử nghiệm"
    assert out[2].startswith("unconfirmed facts: ")
    chat = Chat(app)
    await chat.send("giờ làm việc")  # no restart: the next question reads the new profile
    assert chat.text.startswith("Giờ làm việc của Trung tâm Phục vụ hành chính công thử nghiệm:")
    assert await _import(app, data, tmp_path) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("(unchanged)")
    count, profile = await _stored(app)
    assert count == 1 and profile is not None
    assert profile.centre.name.value == "Trung tâm Phục vụ hành chính công thử nghiệm"


async def test_a_bad_file_changes_nothing(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bundled()
    data["offices"][0]["hours"]["value"]["mon"] = ["07:30-11:30", "11:00-12:00"]
    del data["holidays"][0]["source"]
    assert await _import(app, data, tmp_path) == 2
    err = capsys.readouterr().err
    assert "not a valid province profile" in err and "nothing changed" in err
    assert "offices.0.hours.value.mon: Value error, time ranges overlap" in err
    assert "holidays.0.source: Field required" in err
    count, profile = await _stored(app)
    assert count == 1 and profile == read_profile(BUNDLED)  # the demo's sample, untouched


async def test_the_bundled_sample_never_replaces_an_imported_profile(
    app: App, tmp_path: Path
) -> None:
    data = bundled()
    data["sample"] = False
    assert await _import(app, data, tmp_path) == 0
    async with app.services.db.transaction() as session:
        assert not await load_bundled_if_empty(session)
    _, profile = await _stored(app)
    assert profile is not None and not profile.sample


def test_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    good = run_motcua("province", "import", str(BUNDLED), "--db", url, cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("loaded Thành phố Hải Phòng [sample data]: 1 provincial centre")
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 2\n", encoding="utf-8")
    refused = run_motcua("province", "import", str(bad), "--db", url, cwd=tmp_path)
    assert refused.returncode == 2
    assert "bad.toml: not a valid province profile" in refused.stderr
    shown = run_motcua("province", "show", "--db", url, cwd=tmp_path)
    assert json.loads(shown.stdout)["province"] == "Thành phố Hải Phòng"
