"""The project's own procedure record: what the catalogue stores, imports and exports.

One JSON object per line (JSONL). The national portal's export has other field names
(``ma_thu_tuc``, ``ten_thu_tuc`` …); ``lookup.portal`` converts it into this shape.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from lookup.fold import fold
from lookup.search import SearchDoc

CHANNELS = ("truc_tiep", "truc_tuyen", "buu_chinh")
LEVELS = ("bo", "tinh", "xa")
ONLINE_LEVELS = ("toan_trinh", "mot_phan")
TIME_UNITS = ("ngay_lam_viec", "ngay", "gio", "thang", "nam")
LIST_FIELDS = ("levels", "steps", "methods", "documents", "legal_basis", "aliases")
CODE_RE = re.compile(r"^\d\.\d{6}(?:\.[0-9A-Za-z.]+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_iso_date(text: str) -> bool:
    """True for a real calendar day written YYYY-MM-DD."""
    if not _ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class RecordError(ValueError):
    """A record that cannot be imported; the message says why."""


def nfc(text: Any) -> str:
    """Text as NFC with outer whitespace removed (sources mix NFC and NFD)."""
    return unicodedata.normalize("NFC", str(text or "")).strip()


# The portal's ``doi_tuong_thuc_hien`` lists: persons and households file as citizens; the rest are
# organisations, or officials acting for the state (cán bộ, đảng viên).
_PERSONS = ("cong dan", "nguoi nuoc ngoai", "nguoi viet nam", "ca nhan", "ho gia dinh")
_OFFICIALS = ("can bo", "cong chuc", "vien chuc", "dang vien", "to chuc dang")


def subject_kind(subjects: str) -> str:
    """ "citizen", "organisation", "official" or "" (not stated) from a subjects list."""
    text = fold(subjects)
    if not text.strip():
        return ""
    if any(p in text for p in _PERSONS):
        return "citizen"
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if parts and all(any(o in p for o in _OFFICIALS) for p in parts):
        return "official"
    if any(o in text for o in _OFFICIALS):
        return ""  # officials and organisations together: too mixed to demote
    return "organisation"


# What the catalogue knows of a channel's fee and time. "text": stated in words only (shown
# verbatim); "flagged": the cell held junk ("1", "a", "(") that was dropped at import. The
# database has no column for these: they are derived from the stored values (see docs/catalogue.md),
# and a flagged cell is stored exactly like a not published one.
FEE_STATUSES = ("parsed", "free", "text", "not_published", "flagged")
TIME_STATUSES = ("parsed", "text", "not_published", "flagged")
# Two letters anywhere: one search that stops at the second, instead of finding every letter.
_TWO_LETTERS = re.compile(r"[^\W\d_].*?[^\W\d_]", re.DOTALL)
_BARE_TIME = re.compile(r"^\d+(?:[.,]\d+)?(?: \(cổng quốc gia không ghi đơn vị\))?$")


def is_junk(text: str) -> bool:
    """True for a non-empty cell that says nothing a citizen can use: a bare number, one letter,
    a lone bracket, a number "with no unit" (flattened-table residue on the portal)."""
    text = nfc(text)
    if not text:
        return False
    return bool(_BARE_TIME.match(text)) or not _TWO_LETTERS.search(text)


def fee_status(fee_amount: int | None, fee_text: str) -> str:
    """The fee status a stored (amount, text) pair stands for; never "flagged" (not stored)."""
    if fee_amount == 0:
        return "free"
    if fee_amount is not None:
        return "parsed"
    return "text" if fee_text and not is_junk(fee_text) else "not_published"


def time_status(time_value: float | None, time_unit: str | None, time_text: str) -> str:
    """The time status a stored (value, unit, text) triple stands for; never "flagged"."""
    if time_value is not None and time_unit:
        return "parsed"
    return "text" if time_text and not is_junk(time_text) else "not_published"


_ATOMS = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _asdict(value: Any) -> Any:
    """``dataclasses.asdict`` with the same result, faster: immutable scalars are returned as
    they are (deepcopy would return them too) and field names are looked up once per class.
    Over the national file's records: 0.73 s with ``asdict``, 0.22 s with this (profiled)."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
        return {name: _asdict(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return kind(*[_asdict(v) for v in value])
    if isinstance(value, list | tuple):
        return kind(_asdict(v) for v in value)
    if isinstance(value, dict):
        return kind((_asdict(k), _asdict(v)) for k, v in value.items())
    return copy.deepcopy(value)


@dataclass(frozen=True)
class Method:
    """One submission channel with its own processing time and fee."""

    channel: str
    time_value: float | None = None
    time_unit: str | None = None  # ngay_lam_viec | ngay | gio | thang | nam
    time_text: str = ""
    fee_amount: int | None = None  # VND; 0 = free; None = not stated
    fee_text: str = ""
    description: str = ""
    # Derived from the values above unless the importer flagged the cell; not compared, since
    # the database keeps no "flagged" (a round trip through it reads "not_published").
    fee_status: str = dataclasses.field(default="", compare=False)
    time_status: str = dataclasses.field(default="", compare=False)

    def __post_init__(self) -> None:
        fee = fee_status(self.fee_amount, self.fee_text)
        time = time_status(self.time_value, self.time_unit, self.time_text)
        # "flagged" may only stand where nothing is displayed; anything else must match the data.
        for name, given, derived in (
            ("fee_status", self.fee_status, fee),
            ("time_status", self.time_status, time),
        ):
            if not given:
                object.__setattr__(self, name, derived)
            elif not (given == derived or (given == "flagged" and derived == "not_published")):
                raise ValueError(f"{name} {given!r} does not match the values ({derived})")


@dataclass(frozen=True)
class Document:
    """One dossier component."""

    name: str
    original: int = 0
    copy: int = 0
    form: str = ""
    name_en: str = ""  # curated entries: the document's plain English name


@dataclass(frozen=True)
class LegalBasis:
    name: str
    number: str = ""


@dataclass(frozen=True)
class ProcedureRecord:
    code: str
    name: str
    field: str = ""
    levels: tuple[str, ...] = ()
    subjects: str = ""
    agency: str = ""
    implementing_agency: str = ""
    steps: tuple[str, ...] = ()
    methods: tuple[Method, ...] = ()
    documents: tuple[Document, ...] = ()
    conditions: str = ""
    result: str = ""
    legal_basis: tuple[LegalBasis, ...] = ()
    online_level: str | None = None
    url: str = ""
    aliases: tuple[str, ...] = ()
    popular: bool = False
    # Curated content: English name and one-paragraph summary, the source page on the national
    # portal and the ISO date it was checked ("" when not curated).
    name_en: str = ""
    agency_en: str = ""
    summary_en: str = ""
    source_url: str = ""
    checked_on: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def search_doc(self) -> SearchDoc:
        """What the search index needs of this record."""
        return SearchDoc(
            code=self.code,
            name=self.name,
            field=self.field,
            result=self.result,
            aliases=self.aliases,
            popular=self.popular,
            subject=subject_kind(self.subjects),
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = _asdict(self)
        d.pop("extra")
        for key in ("levels", "steps", "aliases"):
            d[key] = list(d[key])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProcedureRecord:
        """Validate and build a record from the project's JSON shape."""
        if not isinstance(d, dict):
            raise RecordError("not a JSON object")
        code = nfc(d.get("code"))
        if not CODE_RE.match(code):
            raise RecordError(f"bad procedure code {code!r}")
        name = nfc(d.get("name"))
        if not name:
            raise RecordError("missing name")
        for key in LIST_FIELDS:
            if d.get(key) is not None and not isinstance(d[key], list | tuple):
                raise RecordError(f"{key} must be a list, got {type(d[key]).__name__}")
        for key in (
            "field",
            "subjects",
            "agency",
            "conditions",
            "result",
            "url",
            "name_en",
            "agency_en",
            "summary_en",
            "source_url",
            "checked_on",
        ):
            if d.get(key) is not None and not isinstance(d[key], str):
                raise RecordError(f"{key} must be text, got {type(d[key]).__name__}")
        if not isinstance(d.get("popular", False), bool):
            raise RecordError("popular must be true or false")
        levels = tuple(nfc(x) for x in d.get("levels") or ())
        bad = [x for x in levels if x not in LEVELS]
        if bad:
            raise RecordError(f"unknown level(s) {bad}")
        checked_on = nfc(d.get("checked_on"))
        if checked_on and not _is_iso_date(checked_on):
            raise RecordError(f"checked_on must be an ISO date (YYYY-MM-DD), got {checked_on!r}")
        online = nfc(d.get("online_level")) or None
        if online is not None and online not in ONLINE_LEVELS:
            raise RecordError(f"unknown online_level {online!r}")
        try:
            methods = tuple(_method(m) for m in d.get("methods") or ())
            documents = tuple(
                Document(
                    name=nfc(x["name"]),
                    original=int(x.get("original") or 0),
                    copy=int(x.get("copy") or 0),
                    form=nfc(x.get("form")),
                    name_en=nfc(x.get("name_en")),
                )
                for x in d.get("documents") or ()
            )
            legal = tuple(
                LegalBasis(name=nfc(x["name"]), number=nfc(x.get("number")))
                for x in d.get("legal_basis") or ()
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise RecordError(f"malformed methods/documents/legal_basis: {detail}") from exc
        return cls(
            code=code,
            name=name,
            field=nfc(d.get("field")),
            levels=levels,
            subjects=nfc(d.get("subjects")),
            agency=nfc(d.get("agency")),
            implementing_agency=nfc(d.get("implementing_agency")),
            steps=tuple(nfc(s) for s in d.get("steps") or () if nfc(s)),
            methods=methods,
            documents=documents,
            conditions=nfc(d.get("conditions")),
            result=nfc(d.get("result")),
            legal_basis=legal,
            online_level=online,
            url=nfc(d.get("url")),
            aliases=tuple(nfc(a) for a in d.get("aliases") or () if nfc(a)),
            popular=bool(d.get("popular", False)),
            name_en=nfc(d.get("name_en")),
            agency_en=nfc(d.get("agency_en")),
            summary_en=nfc(d.get("summary_en")),
            source_url=nfc(d.get("source_url")),
            checked_on=checked_on,
        )


def _method(m: dict[str, Any]) -> Method:
    channel = nfc(m.get("channel"))
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    tv = m.get("time_value")
    fee = m.get("fee_amount")
    fee_text = nfc(m.get("fee_text"))
    time_text = nfc(m.get("time_text"))
    for key, allowed in (("fee_status", FEE_STATUSES), ("time_status", TIME_STATUSES)):
        if m.get(key) and m[key] not in allowed:
            raise ValueError(f"unknown {key} {m[key]!r}")
    unit = m.get("time_unit") or None
    if unit is not None and unit not in TIME_UNITS:
        raise ValueError(f"unknown time_unit {unit!r}")
    if fee is not None and (isinstance(fee, bool) or int(fee) < 0 or int(fee) != fee):
        raise ValueError(f"fee_amount must be a whole number of VND ≥ 0, got {fee!r}")
    if tv is not None and (isinstance(tv, bool) or float(tv) < 0):
        raise ValueError(f"time_value must be a number ≥ 0, got {tv!r}")
    return Method(
        channel=channel,
        time_value=float(tv) if tv is not None else None,
        time_unit=unit,
        time_text="" if is_junk(time_text) else time_text,
        fee_amount=int(fee) if fee is not None else None,
        # Junk in an older export is dropped on the way in, as the importer does now.
        fee_text="" if is_junk(fee_text) else fee_text,
        description=nfc(m.get("description")),
        fee_status=nfc(m.get("fee_status")),
        time_status=nfc(m.get("time_status")),
    )
