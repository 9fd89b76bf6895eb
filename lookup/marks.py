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
from functools import lru_cache

from lookup.fold import fold

_WORD = re.compile(r"[^\W_]+")
# Vietnamese typed with marks has them on most syllables (about 3 in 4); below this share the
# writer marks only some words, and an unmarked one may be any of its marked look-alikes.
MARKED_SHARE = 0.45


# Words repeat from message to message: a long story folds sixty of them.
_fold_word = lru_cache(maxsize=16384)(fold)


def marked_syllables(text: str) -> list[str | None]:
    """One entry per ``fold(text).split()`` token: the typed syllable if it has marks, else None.

    A word that folds into several tokens, or any misalignment with ``fold``, gives ``None``
    for those tokens (no evidence either way).
    """
    folded = fold(text).split()
    if text.isascii():
        return [None] * len(folded)
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    # In a message typed with marks, a plain syllable is plain on purpose ("chi nhánh" is not
    # "chị"); from someone who marks only now and then, it says nothing.
    alpha = [w for w in words if w.isalpha()]
    marked_share = sum(not w.isascii() for w in alpha) / len(alpha) if alpha else 0.0
    plain_is_typed = marked_share >= MARKED_SHARE
    out: list[str | None] = []
    for word in words:
        parts = _fold_word(word).split()
        if len(parts) != 1:
            out.extend([None] * len(parts))
        elif not word.isascii():
            out.append(word)
        else:
            out.append(word if plain_is_typed and word.isalpha() else None)
    if len(out) != len(folded):
        return [None] * len(folded)
    return out


_HOI, _NGA = "\u0309", "\u0303"
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_TONE_CHARS = "".join(_TONES)


@lru_cache(maxsize=8192)  # syllables repeat from message to message
def mark_key(syllable: str) -> str:
    """A typed syllable as compared with a name's: its letters (with ă, â, ê, ô, ơ, ư) and its
    tone, wherever the tone sits ("hoà" is "hòa", "uỷ" is "ủy"), with the confusions people make
    while typing marks merged (hỏi/ngã: "bảo hiễm"; đ/d: "dăng ký")."""
    nfd = unicodedata.normalize("NFD", syllable.lower()).replace(_NGA, _HOI)
    tone = "".join(c for c in nfd if c in _TONES)
    letters = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES))
    return letters.replace("đ", "d") + tone


def tone_dropped(typed: str, written: frozenset[str]) -> bool:
    """Whether ``typed`` (a :func:`mark_key`) is a name's syllable with its tone left out: the
    hat or horn typed, the tone forgotten ("hộ chiêu" for "hộ chiếu", "căn cươc"). Only for
    syllables typed with some mark: a plain one in a marked message is plain on purpose."""
    if typed.isascii() or typed[-1:] in _TONES:
        return False
    return any(w.rstrip(_TONE_CHARS) == typed and w != typed for w in written)


def marked_words(text: str) -> frozenset[str]:
    """The :func:`mark_key` of every word of ``text`` (a procedure's name)."""
    return frozenset(mark_key(w) for w in _WORD.findall(unicodedata.normalize("NFC", text)))


def marks_agree(typed: Sequence[str | None], written: Sequence[str | None]) -> bool:
    """False when a syllable typed with marks differs from the marked syllable of a phrase.

    Only syllables marked on both sides are compared: "cuoi" matches "cưới", "cuối" does not.
    They are compared by :func:`mark_key`, as names are: "hoà" is "hòa", "khâủ" is "khẩu"; a
    tone left out is a slip, as in names ("công chưng" is "công chứng", :func:`tone_dropped`),
    also where the only mark typed was "đ" ("đia chỉ" is "địa chỉ").
    """
    return all(
        t is None or w is None or t == w or _same_or_slip(t, mark_key(t), mark_key(w))
        for t, w in zip(typed, written, strict=False)
    )


def _same_or_slip(raw: str, typed: str, written: str) -> bool:
    if typed == written or tone_dropped(typed, frozenset((written,))):
        return True
    # "đ" is a mark the key folds away ("đia" keys as "dia"): its tone was forgotten all the same.
    return not raw.isascii() and typed.isascii() and written.rstrip(_TONE_CHARS) == typed
