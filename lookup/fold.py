"""Vietnamese text folding: the one normalisation shared by the index and every query.

Citizens type without diacritics and sources mix NFC and NFD, so both sides are folded to plain
lowercase ASCII syllables. A five-line fold instead of Unidecode (GPL) gives the same result on
every catalogue name.

The steps run as C-level string operations (a Python test per character made folding a large
share of an import): after NFD and đ→d, Vietnamese text is ASCII plus the combining marks of
U+0300–U+036F; the rare other non-ASCII characters are folded one by one (``_fold_char``), the
marks are dropped by an ASCII encode, and an ASCII table lowercases and blanks punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MARKS = "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c)))
# A non-ASCII character that is not one of ``_MARKS`` (quotes, dashes, marks of other blocks …).
_OTHER = re.compile(f"[^\x00-\x7f{_MARKS}]")
# A-Z → a-z, digits and a-z kept, every other ASCII character → space.
_ASCII = {i: chr(i).lower() if chr(i).isalnum() else " " for i in range(128)}


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """One character as the reference definition folds it (a mark vanishes, đ→d, lowercase,
    not alphanumeric → space); its output is ASCII, so the rest of ``fold`` applies to it."""
    bare = "".join(x for x in c if not unicodedata.combining(x))
    return _NON_ALNUM.sub(" ", bare.replace("đ", "d").replace("Đ", "d").lower())


def _other(m: re.Match[str]) -> str:
    return _fold_char(m.group())


def fold(text: str) -> str:
    """Lowercase ASCII syllables joined by single spaces: marks dropped, đ→d, punctuation→space."""
    s = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "d")
    if not s.isascii():
        # What is still non-ASCII after the substitution is one of ``_MARKS``: dropped.
        s = _OTHER.sub(_other, s).encode("ascii", "ignore").decode("ascii")
    return " ".join(s.translate(_ASCII).split())


def syllables(text: str) -> list[str]:
    """The folded syllables (Vietnamese words are space-separated syllables)."""
    return fold(text).split()
