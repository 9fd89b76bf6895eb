"""Text normalisation before search: chat shorthand, English detection, valid syllables, weights.

Citizens write "e mún lm cccd ko dc", "How do I…", or tell a story before the request. The search
needs to know which tokens are slang (expand them), which are English (leave them to the English
lexicon, never "repair" them into Vietnamese), which are valid Vietnamese syllables (a valid
syllable is a word, not a typo) and which words carry the request (function words and the story
before "giờ / muốn / cần …" must not dilute the confidence).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lookup.fold import fold

_DATA = Path(__file__).with_name("data")

# Chat shorthand on folded tokens → folded words. Only tokens that are never a catalogue word in
# their own right: "hong" (hỏng), "dk" (đăng ký / điều kiện), "bt" are left alone.
TEENCODE: dict[str, tuple[str, ...]] = {
    k: tuple(v.split())
    for k, v in {
        "ko": "khong",
        "k": "khong",
        "kg": "khong",
        "kh": "khong",
        "khg": "khong",
        "hok": "khong",
        "hk": "khong",
        "hem": "khong",
        "hong": "khong",  # replaced only outside "hỏng" contexts: see _HONG_OBJECTS
        "dc": "duoc",
        "dk": "duoc",  # only when followed by "ko"/"k"…: see normalise()
        "dki": "dang ky",
        "dky": "dang ky",
        "j": "gi",
        "z": "vay",
        "v": "vay",
        "bik": "biet",
        "bit": "biet",
        "e": "em",
        "a": "anh",
        "c": "chi",
        "mun": "muon",
        "mag": "mang",
        "mn": "moi nguoi",
        "nhiu": "nhieu",
        "nhg": "nhung",
        "lm": "lam",
        "r": "roi",
        "ntn": "nhu the nao",
        "bn": "bao nhieu",
        "ak": "a",
        "ah": "a",
        "vk": "vo",
        "ck": "chong",
        "ng": "nguoi",
        "dt": "dien thoai",
        "sdt": "so dien thoai",
        "h": "gio",
        "vs": "voi",
        "ms": "moi",
        "mk": "minh",
        "mik": "minh",
        "mjk": "minh",
        "cx": "cung",
        "ns": "noi",
        "tks": "cam on",
        "thks": "cam on",
        "ad": "admin",
        "b": "ban",
        "t": "toi",
        "bh": "bao gio",
        "kd": "kinh doanh",
        "dn": "doanh nghiep",
        "kcn": "khu cong nghiep",
        "ktx": "ky tuc xa",
        "vn": "viet nam",
        "tp": "thanh pho",
        "hcm": "ho chi minh",
        "sg": "sai gon",
        "1tv": "mot thanh vien",
        "2tv": "hai thanh vien",
    }.items()
}
# "hỏng" folds to "hong": it means "broken" next to an object, "not" elsewhere; "hồng" after
# "sổ" (or its slip "xổ") is the pink land title.
_HONG_OBJECTS = frozenset("the bang so xo giay xe may dien thoai".split())


# --------------------------------------------------------------------------------------------
# Valid Vietnamese syllables (folded): onset + rhyme, with the spelling rules that typos break.

_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
_NUCLEUS = (
    r"(?:uye|uya|uyu|oai|oay|oeo|uay|uoi|uou|ieu|yeu|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue"
    r"|ui|uo|uu|uy|ye|a|e|i|o|u|y)"
)
_CODA = r"(?:ch|ng|nh|c|m|n|p|t)?"
_SYLLABLE = re.compile(rf"^({_ONSET})({_NUCLEUS})({_CODA})$")


def is_syllable(token: str) -> bool:
    """True when a folded token is a well-formed Vietnamese syllable ("hom", "sinh"; not "ko")."""
    m = _SYLLABLE.match(token)
    if m is None:
        return False
    onset, nucleus, coda = m.groups()
    first = nucleus[0]
    if onset in ("k", "gh", "ngh") and first not in "eiy":
        return False  # k/gh/ngh only before e, i, y ("ko" is chat, not a syllable)
    if onset == "c" and first in "eiy":
        return False
    if nucleus == "oo" and coda not in ("ng", "c"):
        return False  # "oo" only in "xoong", "moóc"
    if coda in ("ch", "nh") and nucleus[-1] not in "aiye":
        return False
    return not (len(nucleus) >= 2 and nucleus[-1] in "iouy" and coda and nucleus not in _OPEN)


# Two-vowel nuclei that still take a final consonant ("ương", "iêng", "oan", "uyên").
_OPEN = frozenset({"ie", "ye", "uo", "oa", "oe", "ua", "uy", "uye", "ue", "oo", "uya"})


# --------------------------------------------------------------------------------------------
# English


def _load_words(name: str) -> frozenset[str]:
    path = _DATA / name
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.update(line.lower().split())
    return frozenset(words)


ENGLISH_STOP = _load_words("english-stop.txt")
ENGLISH_WORDS = ENGLISH_STOP | _load_words("english-words.txt")
_VIET_MARKS = re.compile(r"[^\x00-\x7f]")


def is_english(text: str) -> bool:
    """A message written in English: no Vietnamese marks and mostly English words."""
    if _VIET_MARKS.search(text) and len(_VIET_MARKS.findall(text)) > 1:
        return False
    tokens = [t for t in fold(text).split() if not t.isdigit()]
    if not tokens:
        return False
    # "so", "do", "the" are Vietnamese syllables too: only English words that no Vietnamese
    # syllable spells ("how", "birth", "license") prove the language; "visa" or "passport" alone
    # in a Vietnamese line are loanwords.
    strong = sum(t in ENGLISH_WORDS and not is_syllable(t) for t in tokens)
    english = sum(t in ENGLISH_WORDS or not is_syllable(t) for t in tokens)
    return strong >= 2 and english >= 0.6 * len(tokens)


_E_PREFIXED = frozenset(("visa", "tax", "passport", "invoice", "commerce"))


def _shorthand(tokens: Sequence[str], i: int) -> Sequence[str] | None:
    """What the shorthand token at ``i`` stands for, or None when it stays as it is."""
    tok = tokens[i]
    rep = TEENCODE.get(tok)
    if rep is None:
        return None
    prev = tokens[i - 1] if i else ""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if tok == "hong" and (prev in _HONG_OBJECTS or nxt in _HONG_OBJECTS or prev == "bi"):
        return None
    if tok == "dk" and nxt not in ("ko", "k", "khong", "hok", "kg", "ko"):
        return None  # "đk" is "đăng ký" (lexicon) unless it reads "đc ko"
    if tok == "t" and prev.isdigit():
        return None  # "10 t" is an age
    if tok in ("b", "c") and (nxt.isdigit() or prev in ("bang", "hang", "loai")):
        return None  # licence classes "bằng B2", "hạng C"
    if tok == "a" and (nxt.isdigit() or prev in ("bang", "hang", "loai")):
        return None
    if tok == "e" and nxt in _E_PREFIXED:
        return None  # "e-visa", "e-tax" (folded "e visa"): the prefix, not "em"
    return rep


def normalise(tokens: Sequence[str]) -> list[str]:
    """Expand chat shorthand on folded Vietnamese tokens ("ko" → "khong", "dc" → "duoc")."""
    return normalise_marked(tokens, ())[0]


def normalise_marked(
    tokens: Sequence[str], marks: Sequence[str | None]
) -> tuple[list[str], list[str | None]]:
    """:func:`normalise`, keeping each kept token's typed form (``lookup.marks``) beside it."""
    out: list[str] = []
    out_marks: list[str | None] = []
    for i, tok in enumerate(tokens):
        rep = _shorthand(tokens, i)
        if rep is None:
            out.append(tok)
            out_marks.append(marks[i] if i < len(marks) else None)
        else:
            out.extend(rep)
            out_marks.extend([None] * len(rep))
    return out, out_marks


# --------------------------------------------------------------------------------------------
# Weights: which words carry the request

# Pronouns, particles, politeness and question frames: never what a procedure is about. Folding
# merges some with content words ("nhà"/"nha", "hộ"/"họ", "thẻ"/"the", "căn"/"cần"), so only
# syllables whose folded form is (almost) never a catalogue keyword are listed.
FUNCTION_WORDS = frozenset(
    """
    a ad admin ah ak anh em chi toi minh tui oi nhe nhen nhi vay day ne thi ma la nay kia ay
    xin cho duoc khong ko gi nao nhu ntn roi gio muon phai di o voi va hay hoac nhung cung
    se vua lau nhieu it kieu cach luon biet giup dum nho vui long chao cam on co cua hoi ve chut
    """.split()
)
# An unmatched function word still counts this much: a name that has it ("bản sao", "cho thuê")
# should win over one that has not, but "cho em hỏi … được không" must not sink the confidence.
FUNCTION_WEIGHT = 0.25
# Words people put before the request itself after telling the story.
_REQUEST_MARKERS = ("gio", "muon", "can", "xin", "lam sao", "cho hoi", "thu tuc", "phai")
STORY_WEIGHT = 0.45
LONG_MESSAGE = 10  # content words from which a message counts as "story + request"


def token_weights(tokens: Sequence[str]) -> list[float]:
    """Weight of each token for coverage and confidence: 0 for function words, less for the story.

    In a long message the request clause is what follows the last "giờ / muốn / cần …" that still
    leaves content words after it; words before it count ``STORY_WEIGHT``.
    """
    weights = [FUNCTION_WEIGHT if t in FUNCTION_WORDS else 1.0 for t in tokens]
    content = sum(w == 1.0 for w in weights)
    if content < LONG_MESSAGE:
        return weights
    cut = -1
    for i, tok in enumerate(tokens):
        two = f"{tok} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        if tok in _REQUEST_MARKERS or two in _REQUEST_MARKERS:
            after = sum(w == 1.0 for w in weights[i + 1 :])
            if after >= 2:
                cut = i
    if cut > 0:
        for i in range(cut):
            weights[i] *= STORY_WEIGHT
    return weights
