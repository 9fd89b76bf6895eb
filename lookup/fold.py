"""Vietnamese text folding: the one normalisation shared by the index and every query.

Citizens type without diacritics and sources mix NFC and NFD, so both sides are folded to plain
lowercase ASCII syllables. A five-line fold instead of Unidecode (GPL) gives the same result on
every catalogue name.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lowercase ASCII syllables joined by single spaces: marks dropped, đ→d, punctuation→space."""
    decomposed = unicodedata.normalize("NFD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("đ", "d").replace("Đ", "d").lower()
    return _NON_ALNUM.sub(" ", bare).strip()


def syllables(text: str) -> list[str]:
    """The folded syllables (Vietnamese words are space-separated syllables)."""
    return fold(text).split()
