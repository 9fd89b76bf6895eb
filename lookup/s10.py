"""UPU S10 item identifiers, as printed on Vietnam Post labels: ``EA123456785VN``.

Two service letters, an 8-digit serial, a check digit and the country code. The check digit
(weights 8,6,4,2,3,5,9,7; c = 11 − (sum mod 11); 10→0, 11→5) catches most typos before we ask
the postal service about a code that cannot exist.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
COUNTRY = "VN"
_SHAPE = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_IGNORED = re.compile(r"[\s\-\u2010-\u2015.]+")


class S10Error(StrEnum):
    """Why a text is not a valid Vietnamese S10 code."""

    BAD_FORMAT = "bad_format"  # not 2 letters + 9 digits + 2 letters
    BAD_COUNTRY = "bad_country"  # well-formed, but not a Vietnam Post item
    BAD_CHECK_DIGIT = "bad_check_digit"  # a typo somewhere in the digits


def check_digit(serial8: str) -> int:
    """The S10 check digit of an 8-digit serial number."""
    if len(serial8) != 8 or not serial8.isascii() or not serial8.isdigit():
        raise ValueError("serial must be exactly 8 ASCII digits")
    c = 11 - sum(int(d) * w for d, w in zip(serial8, WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(c, c)


def _compact(text: str) -> str:
    """Uppercase ASCII without spaces, dashes or dots (labels print ``EA 123 456 785 VN``)."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text or "")).upper()


def s10_error(text: str) -> S10Error | None:
    """None when the text is a valid Vietnamese S10 code (after normalising), else why not."""
    m = _SHAPE.match(_compact(text))
    if not m:
        return S10Error.BAD_FORMAT
    if m.group(4) != COUNTRY:
        return S10Error.BAD_COUNTRY
    if check_digit(m.group(2)) != int(m.group(3)):
        return S10Error.BAD_CHECK_DIGIT
    return None


def is_valid_s10(code: str) -> bool:
    """True for a valid Vietnamese S10 code; spaces and lower case are tolerated."""
    return s10_error(code) is None


def normalize_s10(text: str) -> str | None:
    """The canonical form (``EA123456785VN``) or None if the text is not a valid code."""
    return _compact(text) if is_valid_s10(text) else None
