"""The deploying province's own facts: its one-stop centre, the commune-level desks, their
hours and hotlines, and the public holidays.

The profile is a data file (``bot/data/province.json`` is a sample for Hải Phòng) validated by
:class:`ProvinceProfile`; ``motcua province import FILE`` stores it in the database in one
transaction, so that every server worker answers from the same facts, and
``bot.demo.load_demo_if_empty`` loads the bundled sample into an empty database. Every fact
carries its source and whether it was confirmed: the file says what the bot may only repeat.

Office hours are Vietnam time. A day is closed when its weekday has no hours or it is one of
the profile's holidays; :class:`OfficeHours` answers "open now?" and "when does it open next?"
for the chat and for the handoff to an officer (``bot/handoff.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import ProvinceProfileRow, utcnow
from bot.i18n import t
from bot.vntime import VN
from lookup.fold import fold

log = logging.getLogger(__name__)
T = TypeVar("T")
Ranges = tuple[tuple[time, time], ...]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_KEYS = (  # localised weekday names, Monday first
    "handoff-day-mon",
    "handoff-day-tue",
    "handoff-day-wed",
    "handoff-day-thu",
    "handoff-day-fri",
    "handoff-day-sat",
    "handoff-day-sun",
)
PROFILE_ROW = 1  # the table holds one profile: the current one
BUNDLED = Path(__file__).resolve().parent / "data" / "province.json"
# Procedure levels (``Procedure.levels``) a local desk receives; "bo" (ministry) has none.
PROVINCIAL, COMMUNE = "tinh", "xa"


class ProfileError(ValueError):
    """A profile file that cannot be read or does not validate; the message says where."""


# Office hours ------------------------------------------------------------------------------
def _clock(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text.strip()!r} is not HH:MM")
    return time(int(hours), int(minutes))


def parse_ranges(parts: Iterable[str]) -> Ranges:
    """``["07:30-11:30", "13:30-17:00"]`` as sorted time pairs; raises ValueError on a time
    that does not exist, a range that ends before it starts, or ranges that overlap."""
    parsed: list[tuple[time, time]] = []
    for part in parts:
        if not part.strip():
            continue
        start, dash, end = part.partition("-")
        if not dash:
            raise ValueError(f"{part.strip()!r} is not HH:MM-HH:MM")
        begin, finish = _clock(start), _clock(end)
        if finish <= begin:
            raise ValueError(f"{part.strip()!r} ends before it starts")
        parsed.append((begin, finish))
    parsed.sort()
    for (_, previous_end), (next_start, _) in pairwise(parsed):
        if next_start < previous_end:
            raise ValueError("time ranges overlap")
    return tuple(parsed)


@dataclass(frozen=True)
class OfficeHours:
    """When a desk is open: time ranges per weekday (Monday first), closed on ``holidays``;
    all in Vietnam time. ``holiday_names`` says why a day is closed, where known."""

    week: tuple[Ranges, ...]
    holidays: frozenset[date]
    holiday_names: tuple[tuple[date, str, str], ...] = ()  # (day, Vietnamese, English)

    @classmethod
    def weekdays(cls, ranges: Ranges, holidays: Iterable[date] = ()) -> OfficeHours:
        """The same ranges Monday to Friday, closed at weekends (the settings' shape)."""
        return cls((ranges,) * 5 + ((), ()), frozenset(holidays))

    @property
    def ranges(self) -> Ranges:
        """The first working weekday's ranges (what "office hours" means in one line)."""
        return next((r for r in self.week if r), ())

    def with_holidays(self, extra: Iterable[date]) -> OfficeHours:
        return OfficeHours(self.week, self.holidays | frozenset(extra), self.holiday_names)

    def is_working_day(self, day: date) -> bool:
        return bool(self.week[day.weekday()]) and day not in self.holidays

    def holiday_name(self, day: date, lang: str) -> str | None:
        for when, vi, en in self.holiday_names:
            if when == day:
                return en if lang == "en" else vi
        return None

    def current_range(self, at: datetime) -> tuple[time, time] | None:
        """The range ``at`` falls in (Vietnam time), or None outside office hours."""
        local = at.astimezone(VN)
        if not self.is_working_day(local.date()):
            return None
        now = local.time()
        for start, end in self.week[local.weekday()]:
            if start <= now < end:
                return (start, end)
        return None

    def is_open(self, at: datetime) -> bool:
        return self.current_range(at) is not None

    def next_opening(self, at: datetime) -> datetime | None:
        """The next start of a range after ``at`` (Vietnam time); None if none within a year
        (a holiday list covering every working day)."""
        local = at.astimezone(VN)
        for offset in range(367):
            day = local.date() + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            for start, _end in self.week[day.weekday()]:
                opening = datetime.combine(day, start, tzinfo=VN)
                if opening > local:
                    return opening
        return None

    def describe(self, lang: str) -> str:
        """ "thứ Hai–thứ Sáu: 07:30–11:30, 13:30–17:00; thứ Bảy: 07:30–11:30": consecutive
        days with the same hours are one group; closed days are left out."""
        groups: list[tuple[int, int, Ranges]] = []
        for day, ranges in enumerate(self.week):
            if groups and groups[-1][2] == ranges and groups[-1][1] == day - 1:
                groups[-1] = (groups[-1][0], day, ranges)
            else:
                groups.append((day, day, ranges))
        parts = []
        for first, last, ranges in groups:
            if not ranges:
                continue
            days = t(lang, DAY_KEYS[first])
            if last != first:
                days += "–" + t(lang, DAY_KEYS[last])
            parts.append(f"{days} " + ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in ranges))
        return "; ".join(parts)


# The profile file ----------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(_Strict, Generic[T]):
    """One fact with where it comes from and whether someone confirmed it against that source.
    An unconfirmed fact may be shown (the province replaces the file), never presented as
    checked."""

    value: T
    source: str = Field(min_length=3)
    confirmed: bool = False


class WeeklyHours(_Strict):
    """Opening ranges per weekday, "HH:MM-HH:MM"; a weekday left empty is closed."""

    mon: list[str] = []
    tue: list[str] = []
    wed: list[str] = []
    thu: list[str] = []
    fri: list[str] = []
    sat: list[str] = []
    sun: list[str] = []

    @field_validator(*WEEKDAYS)
    @classmethod
    def _valid_ranges(cls, value: list[str]) -> list[str]:
        parse_ranges(value)
        return value

    def week(self) -> tuple[Ranges, ...]:
        return tuple(parse_ranges(getattr(self, d)) for d in WEEKDAYS)


_PHONE = re.compile(r"^\+?[0-9][0-9 .]{2,18}[0-9]$")


def _check_phone(number: str) -> None:
    if not _PHONE.match(number):
        raise ValueError(f"{number!r} is not a phone number (digits, spaces, dots)")


class Office(_Strict):
    """The provincial one-stop centre (``level`` "tinh") or a commune-level desk ("xa")."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    level: Literal["tinh", "xa"]
    name: Fact[str]
    name_en: str = Field(min_length=3)
    #: The commune, ward or special zone served, as the 2025 unit list names it ("Phường Lê
    #: Chân"); None for the provincial centre.
    ward: str | None = None
    address: Fact[str] | None = None
    hotline: Fact[str] | None = None
    hours: Fact[WeeklyHours]

    @field_validator("hotline")
    @classmethod
    def _phone(cls, value: Fact[str] | None) -> Fact[str] | None:
        if value is not None:
            _check_phone(value.value)
        return value

    @model_validator(mode="after")
    def _ward_for_desks(self) -> Office:
        if self.level == COMMUNE and not self.ward:
            raise ValueError("a commune-level desk names its ward")
        if self.level == PROVINCIAL and self.ward:
            raise ValueError("the provincial centre serves no single ward")
        return self


class Hotline(_Strict):
    """A number to call, with whose number it is."""

    number: Fact[str]
    label: str = Field(min_length=1)
    label_en: str = Field(min_length=1)

    @field_validator("number")
    @classmethod
    def _digits(cls, value: Fact[str]) -> Fact[str]:
        _check_phone(value.value)
        return value


class Holiday(_Strict):
    """A day the offices are closed (public holiday or compensatory day off)."""

    date: date
    name: str = Field(min_length=2)
    name_en: str = Field(min_length=2)
    source: str = Field(min_length=3)
    confirmed: bool = False


_UNIT_WORDS = ("phuong ", "xa ", "dac khu ")
_BEFORE_BARE = r"(?:.* )?(?:p|x|dk|cua|ubnd|tai|o|of|is|the|for|in|at)"


def _words(text: str) -> str:
    """Folded words only: "UBND phường Lê Chân, TP." → "ubnd phuong le chan tp"."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


class ProvinceProfile(_Strict):
    """The whole file. ``sample`` marks bundled example data the province must replace."""

    format: Literal[1]
    sample: bool = False
    note: str = ""
    province: str = Field(min_length=3)
    province_en: str = Field(min_length=3)
    hotline: Hotline | None = None
    offices: list[Office] = Field(min_length=1)
    holidays: list[Holiday] = []

    @model_validator(mode="after")
    def _consistent(self) -> ProvinceProfile:
        ids = [o.id for o in self.offices]
        if len(set(ids)) != len(ids):
            raise ValueError("office ids repeat")
        if sum(o.level == PROVINCIAL for o in self.offices) != 1:
            raise ValueError("exactly one office has level 'tinh' (the provincial centre)")
        wards = [fold(o.ward) for o in self.offices if o.ward]
        if len(set(wards)) != len(wards):
            raise ValueError("two desks serve the same ward")
        days = [h.date for h in self.holidays]
        if len(set(days)) != len(days):
            raise ValueError("a holiday date repeats")
        return self

    @property
    def centre(self) -> Office:
        return next(o for o in self.offices if o.level == PROVINCIAL)

    @property
    def desks(self) -> list[Office]:
        return [o for o in self.offices if o.level == COMMUNE]

    def desk_for(self, text: str) -> Office | None:
        """The commune-level desk whose ward ``text`` names ("UBND phường Lê Chân, thành phố
        Hải Phòng", "phuong le chan"), or None. The longest ward name wins, so "Nam Đồ Sơn"
        is not read as "Đồ Sơn"."""
        folded = f" {_words(text)} "
        best, best_len = None, 0
        for office in self.desks:
            full = _words(office.ward or "")
            prefix = next((w for w in _UNIT_WORDS if full.startswith(w)), "")
            bare = full[len(prefix) :]
            # Without "phường"/"xã", the name counts only at the start or after a word that
            # introduces a place: "Nam Đồ Sơn" is another ward than "Đồ Sơn".
            found = f" {full} " in folded or re.search(rf"^ (?:{_BEFORE_BARE} )?{bare} ", folded)
            if found and len(full) > best_len:
                best, best_len = office, len(full)
        return best

    def hours_of(self, office: Office) -> OfficeHours:
        return OfficeHours(
            office.hours.value.week(),
            frozenset(h.date for h in self.holidays),
            tuple((h.date, h.name, h.name_en) for h in self.holidays),
        )

    def hotline_of(self, office: Office | None = None) -> str:
        """The office's own number, else the province's; "" when the file has none."""
        if office is not None and office.hotline is not None:
            return office.hotline.value
        if self.centre.hotline is not None:
            return self.centre.hotline.value
        return self.hotline.number.value if self.hotline is not None else ""

    def hotline_text(self, lang: str, office: Office | None = None) -> str:
        """The number to tell a citizen, with whose it is when it is not the office's own
        ("1800 1096 (Tổng đài hỗ trợ Cổng Dịch vụ công quốc gia)")."""
        number = self.hotline_of(office)
        own = office if office is not None and office.hotline is not None else None
        if own is None and self.centre.hotline is None and self.hotline is not None:
            label = self.hotline.label_en if lang == "en" else self.hotline.label
            return f"{number} ({label})"
        return number

    def name_of(self, office: Office, lang: str) -> str:
        return office.name_en if lang == "en" else office.name.value

    def unconfirmed(self) -> list[str]:
        """Every fact not confirmed, one line each, for the import report."""
        lines = []
        for office in self.offices:
            for field in ("name", "address", "hotline", "hours"):
                fact = getattr(office, field)
                if fact is not None and not fact.confirmed:
                    lines.append(f"{office.id}.{field}")
        if self.hotline is not None and not self.hotline.number.confirmed:
            lines.append("hotline")
        lines.extend(f"holiday {h.date}" for h in self.holidays if not h.confirmed)
        return lines

    def summary(self) -> str:
        """One line for the import command."""
        days = sorted(h.date for h in self.holidays)
        span = f" ({days[0]} … {days[-1]})" if days else ""
        sample = " [sample data]" if self.sample else ""
        return (
            f"{self.province}{sample}: 1 provincial centre, {len(self.desks)} commune-level "
            f"desks, {len(self.holidays)} holidays{span}"
        )


def read_profile(path: Path) -> ProvinceProfile:
    """Read and validate a profile file (``.json`` or ``.toml``); ProfileError says what is
    wrong and where, one line per problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_profile(raw, toml=path.suffix.lower() == ".toml", name=str(path))


def parse_profile(raw: bytes, *, toml: bool = False, name: str = "profile") -> ProvinceProfile:
    try:
        text = raw.decode("utf-8-sig")
        data: Any = tomllib.loads(text) if toml else json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{name}: not valid {'TOML' if toml else 'JSON'}: {exc}") from exc
    try:
        return ProvinceProfile.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"  {'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        ]
        message = f"{name}: not a valid province profile:\n" + "\n".join(problems)
        raise ProfileError(message) from exc


def checksum_of(profile: ProvinceProfile) -> str:
    document = json.dumps(profile.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


# Storage -------------------------------------------------------------------------------------
Executor = AsyncSession | AsyncConnection
# Parsed profiles by checksum: a message reads the checksum (one indexed row), the document
# is validated again only after an import changed it.
_parsed: dict[str, ProvinceProfile] = {}


async def store_profile(session: AsyncSession, profile: ProvinceProfile) -> bool:
    """Replace the stored profile inside the caller's transaction; False when the stored one
    was already identical (the import is idempotent either way)."""
    checksum = checksum_of(profile)
    old = await session.scalar(
        select(ProvinceProfileRow.checksum).where(ProvinceProfileRow.id == PROFILE_ROW)
    )
    await session.execute(delete(ProvinceProfileRow))
    session.add(
        ProvinceProfileRow(
            id=PROFILE_ROW,
            province=profile.province[:100],
            document=profile.model_dump(mode="json"),
            checksum=checksum,
            imported_at=utcnow(),
        )
    )
    await session.flush()
    _parsed[checksum] = profile
    return old != checksum


async def load_profile(db: Executor) -> ProvinceProfile | None:
    """The stored profile, or None when none was imported (callers fall back to settings)."""
    checksum = (
        await db.execute(
            select(ProvinceProfileRow.checksum).where(ProvinceProfileRow.id == PROFILE_ROW)
        )
    ).scalar()
    if checksum is None:
        return None
    cached = _parsed.get(checksum)
    if cached is not None:
        return cached
    document = (
        await db.execute(
            select(ProvinceProfileRow.document).where(ProvinceProfileRow.id == PROFILE_ROW)
        )
    ).scalar()
    try:
        profile = ProvinceProfile.model_validate(document)
    except ValidationError:
        # Stored by a version whose file format this one no longer reads: answer from the
        # settings rather than fail every question about the office; an import repairs it.
        log.exception("stored province profile does not validate; using the settings")
        return None
    if len(_parsed) > 8:  # only ever a few versions in one process's life
        _parsed.clear()
    _parsed[checksum] = profile
    return profile


async def load_bundled_if_empty(session: AsyncSession) -> bool:
    """Store the bundled sample profile when the database has none; True if it did."""
    if await session.scalar(select(ProvinceProfileRow.id)) is not None:
        return False
    await store_profile(session, read_profile(BUNDLED))
    return True


# Where to file ------------------------------------------------------------------------------
def desk_line(
    profile: ProvinceProfile | None, levels: Sequence[str], lang: str, ward: str = ""
) -> str | None:
    """Where a citizen files a procedure of these ``levels`` (``Procedure.levels``, e.g.
    ``["xa"]``, ``["tinh"]``), in ``lang``, for the procedure card's "Nộp tại: …" line.

    Commune-level procedures go to the commune-level desk (the one of ``ward`` when the
    citizen named it and the profile has it), provincial ones to the provincial centre; a
    procedure of both levels is filed at the commune first. None for ministry-only
    procedures (their agency text says where) or without a profile.
    """
    if profile is None:
        return None
    local = {lv for lv in levels if lv in (PROVINCIAL, COMMUNE)}
    if not local:
        return None
    centre = office_line(profile, profile.centre, lang)
    if COMMUNE not in local:
        return centre
    desk = profile.desk_for(ward) if ward else None
    commune = (
        office_line(profile, desk, lang) if desk is not None else t(lang, "province-desk-commune")
    )
    if PROVINCIAL in local:
        return t(lang, "province-desk-either", commune=commune, centre=centre)
    return commune


def office_line(profile: ProvinceProfile, office: Office, lang: str) -> str:
    name = profile.name_of(office, lang)
    if office.address is None:
        return name
    return t(lang, "province-office-at", name=name, address=office.address.value)


def where_to_file_lines(profile: ProvinceProfile, lang: str) -> list[str]:
    """The answer to "where do I file": the two levels, the province's desks named."""
    desks = ", ".join((o.ward or "") for o in profile.desks if o.ward)
    lines = [
        t(lang, "province-where-intro"),
        "• " + t(lang, "province-where-commune", desk=desk_line(profile, [COMMUNE], lang) or ""),
        "• " + t(lang, "province-where-centre", centre=office_line(profile, profile.centre, lang)),
    ]
    if desks:
        lines.append(t(lang, "province-where-desks", desks=desks))
    lines.append(t(lang, "province-where-online"))
    return lines


def format_local(at: datetime, lang: str) -> str:
    """ "07:30 thứ Hai, ngày 23/03/2026" in Vietnam time."""
    local = at.astimezone(VN)
    return t(
        lang,
        "province-when",
        time=f"{local:%H:%M}",
        day=t(lang, DAY_KEYS[local.weekday()]),
        date=f"{local:%d/%m/%Y}",
    )


def _between_ranges(ranges: Ranges, now: time) -> bool:
    """After the day's first opening and before its last closing: a break (lunch)."""
    return bool(ranges) and ranges[0][0] <= now < ranges[-1][1]


def open_now_lines(hours: OfficeHours, now: datetime, lang: str) -> list[str]:
    """Whether the office is open at ``now`` and, if not, why (a holiday, the weekend, the
    lunch break, evening) and when it opens next."""
    current = hours.current_range(now)
    if current is not None:
        return [t(lang, "province-open-now", until=f"{current[1]:%H:%M}")]
    local = now.astimezone(VN)
    lines = []
    holiday = hours.holiday_name(local.date(), lang)
    if holiday is not None:
        lines.append(t(lang, "province-closed-holiday", name=holiday))
    elif local.date() in hours.holidays:
        lines.append(t(lang, "province-closed-day-off"))
    elif not hours.week[local.weekday()]:
        lines.append(t(lang, "province-closed-weekend", day=t(lang, DAY_KEYS[local.weekday()])))
    elif _between_ranges(hours.week[local.weekday()], local.time()):
        lines.append(t(lang, "province-closed-break"))
    else:
        lines.append(t(lang, "province-closed-now"))
    opening = hours.next_opening(now)
    if opening is not None:
        lines.append(t(lang, "province-opens", when=format_local(opening, lang)))
    return lines
