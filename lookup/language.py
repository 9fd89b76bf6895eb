"""Which language a message is written in, when its words say so.

A citizen who writes in English gets English answers from then on, one who writes Vietnamese
with its marks gets Vietnamese, whatever the messenger's profile says. Short lines, codes,
numbers and Vietnamese typed without marks say nothing either way (``None``): "ok", "1",
"lam ho chieu" keep the conversation's language.
"""

from __future__ import annotations

import re
import unicodedata

from lookup.marks import MARKED_SHARE
from lookup.teencode import is_english

_WORD = re.compile(r"[^\W\d_]+")
MIN_WORDS = 3  # fewer words than this never switch the language


def written_in(text: str) -> str | None:
    """``"en"``, ``"vi"`` or None (the words do not tell)."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    if len(words) < MIN_WORDS:
        return None
    if is_english(text):
        return "en"
    if sum(not w.isascii() for w in words) / len(words) >= MARKED_SHARE:
        return "vi"
    return None
