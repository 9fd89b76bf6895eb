"""Dossier codes of Circular 01/2018/TT-VPCP (art. 19): ``<unit code>-<YYMMDD>-<NNNN>``.

The unit code follows QCVN 102:2016/BTTTT: ``ddd.dd.dd.Xnn`` (levels 4.3.2.1; the level-1 code is
a letter, H for provinces and G for ministries, and two digits), e.g. ``000.00.00.H31-250714-0001``.

What we normalise, because there is only one reading:
- case (``h31`` → ``H31``), spaces around the separators, any dash (en/em dash, minus sign,
  fullwidth hyphen) or plain spaces between the three parts, fullwidth digits (NFKC);
- a unit group written as a shorter run of zeros (``0.0.0.H31`` → ``000.00.00.H31``): zero is
  the "no sub-unit" value, so the padded form is the only meaning;
- date and sequence typed together without separator (``H31-2507140001``).

What we do not guess, and report as a problem instead: non-zero unit groups of the wrong width
(``1.2.3.H31`` could be ``001.02.03`` or a dropped digit), a unit with fewer than four groups
(``H31-…`` may belong to a district unit ``000.20.31.H31``), a sequence that is not four digits.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

UNIT_LETTERS = "GH"  # the level-1 prefixes named in the design: G ministries, H provinces
FUTURE_SLACK = dt.timedelta(days=1)  # server clock in UTC vs. a code issued today in Vietnam

_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SEP = rf"(?:\s*[{_DASH}]\s*|\s+)"
_UNIT = r"(?P<unit>(?:\d+\.){0,3}[A-Za-z]\d+)"
_CODE = re.compile(
    rf"(?<![\w.]){_UNIT}(?:(?P<s1>{_SEP})(?P<p2>\d+)(?!\.\d))?(?:(?P<s2>{_SEP})(?P<p3>\d+))?(?!\w)"
)
_DATE_SEQ = re.compile(rf"(?<![\w.])(?P<p2>\d{{6}})\s*[{_DASH}]\s*(?P<p3>\d{{4}})(?![\w.])")


class CodeProblem(StrEnum):
    """What is wrong with an attempted code; the dialogue words each one."""

    NOT_A_CODE = "not_a_code"  # nothing that looks like a dossier code
    BAD_UNIT = "bad_unit"  # unit part malformed (widths, letter)
    INCOMPLETE_UNIT = "incomplete_unit"  # unit part shortened, e.g. only "H31"
    MISSING_UNIT = "missing_unit"  # only "250714-0001"
    MISSING_DATE = "missing_date"  # unit and nothing, or unit and a 4-digit number
    BAD_DATE = "bad_date"  # not 6 digits, or no such day (month 13)
    FUTURE_DATE = "future_date"  # a real day, but after today
    MISSING_SEQUENCE = "missing_sequence"  # unit and date, no number
    BAD_SEQUENCE = "bad_sequence"  # the number is not 4 digits


@dataclass(frozen=True)
class DossierCode:
    """A well-formed dossier code; ``str()`` gives the canonical form."""

    unit: str  # e.g. "000.00.00.H31"
    date: dt.date
    seq: str  # 4 digits

    def __str__(self) -> str:
        return f"{self.unit}-{self.date:%y%m%d}-{self.seq}"


@dataclass(frozen=True)
class CodeParse:
    """A parse: a code, or the problem, and the text fragment that was recognised."""

    code: DossierCode | None
    problem: CodeProblem | None
    fragment: str

    @property
    def ok(self) -> bool:
        return self.code is not None


def _unit(raw: str) -> tuple[str | None, CodeProblem | None]:
    """Canonical unit code, or why it is not one."""
    *groups, top = raw.split(".")
    letter, digits = top[0].upper(), top[1:]
    if letter not in UNIT_LETTERS or len(digits) != 2:
        return None, CodeProblem.BAD_UNIT
    if len(groups) < 3:
        return None, CodeProblem.INCOMPLETE_UNIT
    out = []
    for group, width in zip(groups, (3, 2, 2), strict=True):
        if len(group) != width:
            if set(group) != {"0"} or len(group) > width:
                return None, CodeProblem.BAD_UNIT
            group = "0" * width
        out.append(group)
    return ".".join([*out, letter + digits]), None


def _date(p2: str) -> dt.date | None:
    try:
        return dt.date(2000 + int(p2[:2]), int(p2[2:4]), int(p2[4:6]))
    except ValueError:
        return None


def _classify(
    unit_raw: str | None, p2: str | None, p3: str | None, fragment: str, today: dt.date | None
) -> CodeParse:
    """Check each part in reading order and report the first problem."""

    def fail(problem: CodeProblem) -> CodeParse:
        return CodeParse(None, problem, fragment)

    unit: str | None = None
    if unit_raw is not None:
        unit, unit_problem = _unit(unit_raw)
        if unit_problem is not None:
            return fail(unit_problem)
    if p2 is not None and p3 is None and len(p2) == 10:
        p2, p3 = p2[:6], p2[6:]  # date and sequence typed without separator
    if p2 is None:
        return fail(CodeProblem.MISSING_DATE)
    if p3 is None and len(p2) == 4:
        return fail(CodeProblem.MISSING_DATE)
    if len(p2) != 6:
        return fail(CodeProblem.BAD_DATE)
    date = _date(p2)
    if date is None:
        return fail(CodeProblem.BAD_DATE)
    if today is not None and date > today + FUTURE_SLACK:
        return fail(CodeProblem.FUTURE_DATE)
    if p3 is None:
        return fail(CodeProblem.MISSING_SEQUENCE)
    if len(p3) != 4:
        return fail(CodeProblem.BAD_SEQUENCE)
    if unit is None:
        return fail(CodeProblem.MISSING_UNIT)
    return CodeParse(DossierCode(unit, date, p3), None, fragment)


def _attempts(text: str, today: dt.date | None) -> list[CodeParse]:
    """Every attempt at a code in the text, in order of appearance."""
    text = unicodedata.normalize("NFKC", text or "")
    found: list[tuple[int, CodeParse]] = []
    taken: list[tuple[int, int]] = []
    for m in _CODE.finditer(text):
        dotted = "." in m.group("unit")
        p2, p3 = m.group("p2"), m.group("p3")
        if not dotted:
            # "H31" alone is too common to be an attempt: require a dash and a date-sized number
            s1 = m.group("s1") or ""
            if p2 is None or not s1.strip() or len(p2) < 6:
                continue
        lone_space = bool(m.group("s1")) and not m.group("s1").strip()
        if p2 is not None and p3 is None and lone_space and len(p2) not in (4, 6, 10):
            # "000.00.00.H31 2 ho so": a lone short number after a space is not part of the code
            end = m.start("s1")
            found.append(
                (m.start(), _classify(m.group("unit"), None, None, text[m.start() : end], today))
            )
            taken.append((m.start(), end))
            continue
        found.append((m.start(), _classify(m.group("unit"), p2, p3, m.group(0), today)))
        taken.append(m.span())
    for m in _DATE_SEQ.finditer(text):
        if any(a <= m.start() < b for a, b in taken) or _date(m.group("p2")) is None:
            continue  # inside a full code, or not a real date: a phone number, an amount …
        found.append((m.start(), _classify(None, m.group("p2"), m.group("p3"), m.group(0), today)))
    return [p for _, p in sorted(found, key=lambda x: x[0])]


def find_code(text: str, *, today: dt.date | None = None) -> CodeParse | None:
    """The code in a sentence ("ho so 000.00.00.h31 - 250714 - 0001 sao roi"), or the first
    attempt and its problem, or None when nothing looks like an attempt at a dossier code.
    Pass ``today`` to reject dates in the future."""
    attempts = _attempts(text, today)
    if not attempts:
        return None
    return next((a for a in attempts if a.ok), attempts[0])


def parse_code(text: str, *, today: dt.date | None = None) -> CodeParse:
    """Like find_code, but always a CodeParse (NOT_A_CODE when there is no attempt)."""
    found = find_code(text, today=today)
    if found is None:
        return CodeParse(None, CodeProblem.NOT_A_CODE, (text or "").strip())
    return found


def looks_like_code(text: str) -> bool:
    """True when the text contains an attempt at a dossier code, valid or not."""
    return find_code(text) is not None
