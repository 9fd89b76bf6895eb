"""The diacritics a citizen typed, kept beside the folded syllables the search works on.

Folding merges words: "cuối" (end) and "cưới" (marry), "còn lại" (the rest) and "con lai" (a
mixed-race child), "mở" (open) and "mờ" (faded), "hồng" (pink, as in sổ hồng) and "hỏng"
(broken). When the citizen typed the marks, a lexicon rule written for the other word must not
fire; when they did not, folding is all there is. :func:`marked_syllables` gives, for each
folded syllable of a text, the syllable as typed (lowercase NFC) when it carries a mark, else
``None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from lookup.fold import fold

_WORD = re.compile(r"[^\W_]+")


def marked_syllables(text: str) -> list[str | None]:
    """One entry per ``fold(text).split()`` token: the typed syllable if it has marks, else None.

    A word that folds into several tokens, or any misalignment with ``fold``, gives ``None``
    for those tokens (no evidence either way).
    """
    folded = fold(text).split()
    if text.isascii():
        return [None] * len(folded)
    out: list[str | None] = []
    for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()):
        parts = fold(word).split()
        if len(parts) == 1:
            out.append(None if word.isascii() else word)
        else:
            out.extend([None] * len(parts))
    if len(out) != len(folded):
        return [None] * len(folded)
    return out


def marks_agree(typed: Sequence[str | None], written: Sequence[str | None]) -> bool:
    """False when a syllable typed with marks differs from the marked syllable of a phrase.

    Only syllables marked on both sides are compared: "cuoi" matches "cưới", "cuối" does not.
    """
    return all(t is None or w is None or t == w for t, w in zip(typed, written, strict=False))
