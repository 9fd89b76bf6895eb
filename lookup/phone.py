"""Vietnamese phone numbers (validated with ``phonenumbers``) and privacy masks for names/phones.

The bot needs a phone for postal delivery and shows stored contact data back to a citizen to
confirm it, so the masks must let the citizen recognise their data without handing a stranger
something usable.

Mask formats (decided here, shown to users):
- ``mask_phone``: national form with the first 3 and last 2 digits kept, the rest ``*``:
  ``+84912345678`` → ``091*****78``; landline ``+842438251234`` → ``024******34``. The last 2 are
  shown instead of the customary last 3 because ``last4_matches`` asks for the last 4 digits:
  showing 3 of them would leave a stranger 10 guesses; showing 2 leaves 100 (pair it with the
  per-user attempt cap).
- ``mask_name``: family name (first word) kept, every other word reduced to its initial and a
  dot: ``Nguyễn Văn An`` → ``Nguyễn V. A.``; a one-word name becomes ``A.``. About four in ten
  Vietnamese share a handful of family names, so the family name alone identifies nobody.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

REGION = "VN"
_ACCEPTED = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line",
}
_ALLOWED_CHARS = re.compile(r"^[\d\s+().\-\u2010-\u2015]+$")


class PhoneProblem(StrEnum):
    """Why a text is not a usable Vietnamese phone number."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"  # letters or other garbage
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_VIETNAMESE = "not_vietnamese"  # a valid foreign number
    INVALID = "invalid"  # right length, no such Vietnamese number
    NOT_PERSONAL = "not_personal"  # hotline, toll-free, premium (1800, 1900…): no parcel goes there


@dataclass(frozen=True)
class Phone:
    """A valid Vietnamese mobile or landline number."""

    e164: str  # "+84912345678": what we store
    national: str  # "0912 345 678": what we show
    kind: str  # "mobile" or "fixed_line"


@dataclass(frozen=True)
class PhoneCheck:
    phone: Phone | None
    problem: PhoneProblem | None


def check_phone(text: str) -> PhoneCheck:
    """Validate and normalise what a citizen typed: ``0912 345 678``, ``+84912345678``,
    ``84912345678``, ``(024) 3825 1234``; say why not otherwise."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        return PhoneCheck(None, PhoneProblem.EMPTY)
    if not _ALLOWED_CHARS.match(raw) or not any(c.isdigit() for c in raw):
        return PhoneCheck(None, PhoneProblem.NOT_A_NUMBER)
    try:
        number = phonenumbers.parse(raw, REGION)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.TOO_SHORT_NSN:
            return PhoneCheck(None, PhoneProblem.TOO_SHORT)
        if exc.error_type == NumberParseException.TOO_LONG:
            return PhoneCheck(None, PhoneProblem.TOO_LONG)
        return PhoneCheck(None, PhoneProblem.NOT_A_NUMBER)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        return PhoneCheck(None, PhoneProblem.TOO_SHORT)
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return PhoneCheck(None, PhoneProblem.TOO_LONG)
    if not phonenumbers.is_valid_number(number):
        if number.country_code != 84:
            return PhoneCheck(None, PhoneProblem.NOT_VIETNAMESE)
        return PhoneCheck(None, PhoneProblem.INVALID)
    if phonenumbers.region_code_for_number(number) != REGION:
        return PhoneCheck(None, PhoneProblem.NOT_VIETNAMESE)
    kind = _ACCEPTED.get(phonenumbers.number_type(number))
    if kind is None:
        return PhoneCheck(None, PhoneProblem.NOT_PERSONAL)
    return PhoneCheck(
        Phone(
            e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
            national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
            kind=kind,
        ),
        None,
    )


def parse_phone(text: str) -> Phone | None:
    """The phone, or None when the text is not a usable Vietnamese number."""
    return check_phone(text).phone


def normalize_phone(text: str) -> str | None:
    """E.164 form (``+84912345678``) or None."""
    phone = parse_phone(text)
    return phone.e164 if phone else None


def _digits(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKC", text or "") if c.isascii() and c.isdigit()
    )


def mask_phone(phone: str, keep_start: int = 3, keep_end: int = 2) -> str:
    """``+84912345678`` → ``091*****78`` (national digits; see the module docstring for why 2)."""
    parsed = parse_phone(phone)
    digits = _digits(parsed.national if parsed else phone)
    if len(digits) <= keep_start + keep_end:
        return "*" * len(digits)
    hidden = len(digits) - keep_start - keep_end
    return digits[:keep_start] + "*" * hidden + digits[len(digits) - keep_end :]


def mask_name(name: str) -> str:
    """``Nguyễn Văn An`` → ``Nguyễn V. A.``: recognisable to its owner, useless to a stranger."""
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][0].upper() + "."
    return " ".join([words[0].capitalize(), *(w[0].upper() + "." for w in words[1:])])


def last4_matches(secret: str, answer: str) -> bool:
    """Constant-time check that the answer gives the last 4 digits of the stored phone.

    The answer may be exactly those 4 digits or the whole number (both compare the last 4);
    anything else (1–3 or 5–8 digits) is a non-match, so partial guesses never pass."""
    s, a = _digits(secret), _digits(answer)
    if len(s) < 4:
        return False
    ok_shape = len(a) == 4 or len(a) >= 9
    candidate = a[-4:] if len(a) >= 4 else "----"
    same = hmac.compare_digest(s[-4:].encode(), candidate.encode())
    return same and ok_shape
