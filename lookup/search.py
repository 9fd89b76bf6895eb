"""Catalogue search: from a citizen's everyday words to the national procedure they mean.

Plain fuzzy matching over names picks the right procedure for about 1 query in 5 (syllables such as
*đăng ký*, *cấp*, *giấy* occur in hundreds of names), so the ranker combines:

1. folding once at index time and boilerplate stripping ("thủ tục", "(thực hiện tại cấp …)",
   "trực tuyến toàn trình"), so names compete on what they are about;
2. chat shorthand expansion ("ko", "dc", "lm": ``lookup.teencode``), English detection (English
   messages skip Vietnamese repair and use the lexicon keyed without English function words), and
   typo repair against the catalogue's own syllables (f→ph, j→gi, ch↔tr, missing spaces, one
   edit) of tokens that are not valid syllables; a valid syllable changes only when a variant
   forms a catalogue bigram with a neighbour;
3. a lexicon (``data/lexicon.tsv``) of everyday Vietnamese and English wording → official wording,
   including intent words mapped to concepts (a foreign spouse → "có yếu tố nước ngoài"), with
   rules conditional on co-occurring words ("mất" + a document vs "mất" + a relative);
4. BM25F over syllables and syllable bigrams, weighted towards the name, a word repeated inside a
   name counted once, weak length normalisation;
5. a re-rank of the top candidates by coverage (how much of the query and of the name is matched),
   rapidfuzz similarity, the citizen's verb (cấp lại / cấp đổi / thay đổi / chấm dứt …), variant
   penalties (base procedure beats "lưu động", "kết hợp", "cấp trung ương" … unless asked) and a
   prior for common citizen procedures, tempered by the first stage's BM25F rank;
6. one hit per procedure family (level and provincial copies of one name for the same filers),
   so "did you mean" offers three different procedures.

Coverage weighs each query word: function words and politeness, and the story before the request
clause of a long message, count little unless the name has them, so "cho em hỏi … ạ" does not push
a right answer under the floor. The final score lies in [0, 1] and is comparable across queries,
so :func:`decide` can choose between a confident answer, "did you mean" (top 3) and an honest
"not found".
"""

from __future__ import annotations

import enum
import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from lookup.fold import fold
from lookup.marks import mark_key, marked_syllables, marked_words, marks_agree, tone_dropped
from lookup.teencode import (
    ENGLISH_STOP,
    ENGLISH_WORDS,
    FUNCTION_WEIGHT,
    FUNCTION_WORDS,
    STORY_WEIGHT,
    is_english,
    is_syllable,
    normalise_marked,
    token_weights,
)

MAX_QUERY_CHARS = 600  # long stories end with the request: keep it
MAX_QUERY_TOKENS = 60
# … and when a story runs past MAX_QUERY_TOKENS, its last sentence (the request, up to this many
# words) is read too: on nine dev sets, top-1 +1 and top-3 +6 messages of 1,880, none lost at
# top-3; reading 80 words from the start gave +2 and +5 but lost five at top-1.
REQUEST_TOKENS = 25
_SENTENCE_END = re.compile(r"[.?!\n]+")
RERANK_DEPTH = 30
PLAUSIBLE_CHECK = 5  # best candidates whose plausibility is checked against the typed marks
MARKED_NAME_CACHE = 8192  # names whose marked words are kept (a bound, not a size)
# Documents scored exactly over all query terms. 200 and 2,500 before: at 150 and 1,800 every
# dev message ranks the same at 2,642 procedures, and long messages cost a quarter less.
CANDIDATES = 150
GEN_MIN_DF = 300  # a term is "selective" when it occurs in at most max(this, N / GEN_DF_SHARE)
GEN_DF_SHARE = 20
GEN_BUDGET = 1800  # postings walked to collect candidates before the exact pass

# BM25F parameters (tuned on the dev set; see bench/search.py).
K1 = 1.2
B_NAME = 0.3  # weak length normalisation: long names are penalised only a little
W_NAME = 3.0
W_ALIAS = 3.0
W_FIELD = 0.6
W_RESULT = 0.5
W_BIGRAM = 1.5
RESULT_SYLLABLES = 40  # the result text is long flattened tables: its head says what is issued

# Re-rank blend (sums to 1) and multipliers.
MIX_QCOV, MIX_BCOV, MIX_NCOV, MIX_FUZZ, MIX_LEAD = 0.40, 0.20, 0.15, 0.15, 0.10
# … and for a wordy message (at least WORDY content words: a story, a question around the name).
WORDY = 9
LONG_QCOV, LONG_BCOV, LONG_NCOV, LONG_FUZZ = 0.25, 0.15, 0.45, 0.15
SIDE_CREDIT = 0.4  # a query word found only in field/result text counts this much for coverage
# How much of a name's coverage an everyday phrasing (alias) may make up, in a story: "quyết toán
# thuế thu nhập cá nhân" explains all of a salaried person's settlement, whose official name
# words it otherwise. Half the gap to the best alias's coverage: on ten dev sets (2,080 requests)
# top-1 +34 messages (+60, −26); 0.4 and 0.7 gave 8 and 7 fewer; applied to short queries too,
# it lost 2 of the 35 short regression queries (and "đổi bằng lái" its card). Held-out top-1
# 77.9 → 83.8 %, top-3 92.2 → 94.8 %.
ALIAS_NCOV_SHARE = 0.5
UNPOPULAR = 0.92
SPEC_FULL = 6.5  # query information (sum of idf) that counts as fully specific …
SPEC_FLOOR = 0.3  # … and the score factor of a query that says nothing
# Final score = re-rank score × (BM25F / best BM25F) ** power: the first-stage rank tempers the
# re-rank, which alone over-trusts coverage on wordy messages (citizen dev: top-1 +11 points).
BM_POW = 0.5
BM_POW_WORDY = 0.7
MIN_SCORE = 0.24  # below this a first hit is noise: search() returns nothing
FOLLOW_SCORE = 0.15  # … and a later hit, once the first is plausible

# decide() thresholds, calibrated on the labelled sets (dev, own, citizen dev and dev2) with the
# scores as search() returns them: a grid over score and margin, the most right cards with at
# most 2% wrong ones. On citizen messages wrong top answers reach 0.84, mostly a variant of the
# right procedure close behind, so a card needs both a score of 0.64 and a margin of 0.12 over a
# rival (citizen dev2: 0.08 gave 74 right and 7 wrong cards of 220, 0.12 gives 73 and 4; citizen
# dev: 21 and 19 right, none wrong). search() returns nothing when no candidate is
# plausible (MIN_SCORE before the BM25F nudge), so any hit it returns is worth a "did you mean":
# never "not found" while a plausible candidate exists. Vague one-word queries ("xe", "đăng ký")
# land in AMBIGUOUS; off-topic ones ("giá vàng hôm nay") in NONE.
CONFIDENT_SCORE = 0.64
CONFIDENT_MARGIN = 0.12
AMBIGUOUS_SCORE = 0.15  # a returned hit this good is asked about ("did you mean")


@dataclass(frozen=True)
class SearchDoc:
    """One searchable procedure: the only input of the index, whatever the catalogue format."""

    code: str
    name: str
    field: str = ""
    result: str = ""
    aliases: tuple[str, ...] = ()
    popular: bool = False
    # Who may file it (``lookup.procedure.subject_kind``): "citizen", "organisation", "official"
    # or "" (unknown: no demotion).
    subject: str = ""


@dataclass(frozen=True)
class Hit:
    """One ranked answer; ``score`` is in [0, 1] and comparable across queries."""

    code: str
    name: str
    score: float


class Verdict(enum.Enum):
    """What the bot should do with a result list."""

    CONFIDENT = "confident"  # answer with the top hit
    AMBIGUOUS = "ambiguous"  # "did you mean": top 3 as buttons
    NONE = "none"  # say honestly that nothing matched


# --------------------------------------------------------------------------------------------
# Text preparation shared by index and queries

_THU_TUC = re.compile(r"^(?:thu tuc )+")
_LEVEL = re.compile(
    r"(?:\b(?:thuc hien )?(?:tai |o )?(?:cong an )?cap (?:trung uong|tinh|huyen|xa)\b)+"
)
_ONLINE = re.compile(
    r"\b(?:thuc hien )?(?:bang )?(?:dich vu cong )?(?:truc tuyen )?"
    r"(?:toan trinh|mot phan)(?: hoac truc tiep)?(?: thuc hien)?\b"
)
_CENTRAL = re.compile(r"\bcap trung uong\b|\bcuc quan ly\b")
_DISTRICT = re.compile(r"\bcap huyen\b")
_SPACES = re.compile(r"\s+")
_PARENS = re.compile(r"\([^()]*\)")


def _norm_tokens(text: str) -> list[str]:
    """Folded syllables with numbers normalised ("02" and "2" are the same word)."""
    return [t.lstrip("0") or "0" if t.isdigit() else t for t in fold(text).split()]


def strip_boilerplate(folded_name: str) -> str:
    """The part of a folded name that says what the procedure is about."""
    text = _THU_TUC.sub("", folded_name)
    text = _LEVEL.sub(" ", text)
    text = _ONLINE.sub(" ", text)
    return _SPACES.sub(" ", text).strip() or folded_name


def base_name(name: str) -> str:
    """Folded name without boilerplate: level variants of one procedure share it."""
    return strip_boilerplate(fold(name))


_RESULT_CUT = re.compile(r"Từ khóa|Tu khoa|Chọn cơ quan|Mô tả")
_RESULT_CODE = re.compile(r"Mã:\s*KQ[.\w]*")


def clean_result(text: str) -> str:
    """The result text without the portal's page furniture ("Mã: KQ…", "Từ khóa…")."""
    text = unicodedata.normalize("NFC", text or "")
    text = _RESULT_CUT.split(text, maxsplit=1)[0]
    return _RESULT_CODE.sub(" ; ", text)


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def _bigrams(tokens: Sequence[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in pairwise(tokens)]


# --------------------------------------------------------------------------------------------
# Lexicon


Marked = tuple[str | None, ...]


@dataclass(frozen=True)
class _Entry:
    expansion: tuple[str, ...]
    mode: str  # replace | add | drop | abbr
    when: tuple[str, ...] = ()  # folded phrases: the rule applies only if one occurs in the message
    unless: tuple[str, ...] = ()  # … and never if one of these occurs
    marked: Marked = ()  # the phrase's syllables as written, where marked
    when_marked: tuple[Marked, ...] = ()  # each condition's syllables as written
    unless_marked: tuple[Marked, ...] = ()

    def applies(
        self,
        context: str,
        tokens: Sequence[str] = (),
        marks: Sequence[str | None] | None = None,
    ) -> bool:
        """``context`` is the whole folded message padded with spaces; with the message's
        ``tokens`` and typed ``marks``, a condition written with marks must also have been typed
        with them ("đẻ" is no "để" the citizen typed)."""
        if self.when and not any(
            _occurs(w, m, context, tokens, marks)
            for w, m in zip(self.when, self.when_marked, strict=True)
        ):
            return False
        return not any(
            _occurs(w, m, context, tokens, marks)
            for w, m in zip(self.unless, self.unless_marked, strict=True)
        )


def _occurs(
    phrase: str,
    marked: Marked,
    context: str,
    tokens: Sequence[str],
    marks: Sequence[str | None] | None,
) -> bool:
    """``phrase`` (folded) occurs in the message, typed with its marks where both have them."""
    if f" {phrase} " not in context:
        return False
    if marks is None or not any(marked):
        return True
    words = phrase.split()
    k = len(words)
    return any(
        list(tokens[i : i + k]) == words and marks_agree(marks[i : i + k], marked)
        for i in range(len(tokens) - k + 1)
    )


def _conditions(
    spec: str,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Marked, ...], tuple[Marked, ...]]:
    """ "if=a|b c;unless=d" → (("a", "b c"), ("d",)) and each one's syllables as written: the
    optional fourth lexicon column."""
    found: dict[str, tuple[tuple[str, ...], tuple[Marked, ...]]] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        key, _, values = part.partition("=")
        if key not in ("if", "unless"):
            raise ValueError(f"unknown lexicon condition {part!r}")
        phrases: list[str] = []
        marked: list[Marked] = []
        for v in values.split("|"):
            if not fold(v):
                continue
            words = _norm_tokens(v)
            typed = tuple(marked_syllables(v.strip()))
            phrases.append(" ".join(words))
            marked.append(typed if len(typed) == len(words) else ())
        found[key] = (tuple(phrases), tuple(marked))
    when, when_marked = found.get("if", ((), ()))
    unless, unless_marked = found.get("unless", ((), ()))
    return when, unless, when_marked, unless_marked


class Lexicon(dict[tuple[str, ...], tuple[_Entry, ...]]):
    """Phrase (folded syllables) → its entries, the first whose conditions hold wins. Built
    whole, never changed: ``starts`` gives each first syllable the lengths of the phrases it
    opens, so a message's phrases are looked up where they can start (a third of the cost of
    trying every span of a long story)."""

    def __init__(self, entries: Mapping[tuple[str, ...], tuple[_Entry, ...]]) -> None:
        super().__init__(entries)
        starts: dict[str, set[int]] = {}
        for phrase in self:
            starts.setdefault(phrase[0], set()).add(len(phrase))
        self.starts = {t: tuple(sizes) for t, sizes in starts.items()}


def _load_lexicon(path: Path, extra: Sequence[str] = ()) -> Lexicon:
    """Read lexicon.tsv; the first entry of a phrase whose conditions hold wins at query time.

    A phrase may have several entries with conditions ("mất" + a document → cấp lại; "mất" + a
    relative → khai tử); an unconditional entry ends the list (folding can merge two phrases).
    ``extra`` lines, in the file's format, come before the file's: the entries admins add at
    ``/operator/lexicon`` win over the shipped ones for the same phrase.
    """
    shipped = path.read_text(encoding="utf-8").splitlines()
    lines = [("extra", n, raw) for n, raw in enumerate(extra, 1)]
    lines += [(path.name, n, raw) for n, raw in enumerate(shipped, 1)]
    lexicon: dict[tuple[str, ...], list[_Entry]] = {}
    origin: dict[tuple[str, ...], str] = {}
    for source, n, raw in lines:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split("\t")
        phrase = tuple(_norm_tokens(parts[0]))
        mode = parts[2].strip() if len(parts) in (3, 4) else ""
        # A malformed line must fail loudly: silently skipping it once hid "get → cấp".
        if not phrase or mode not in ("replace", "add", "drop", "abbr"):
            raise ValueError(f"{source}:{n}: expected phrase<TAB>expansion<TAB>mode: {raw!r}")
        when, unless, when_marked, unless_marked = (
            _conditions(parts[3]) if len(parts) == 4 else ((), (), (), ())
        )
        marked = tuple(marked_syllables(parts[0]))
        entries = lexicon.setdefault(phrase, [])
        last = entries[-1] if entries else None
        if last is not None and not last.when and not last.unless and last.marked == marked:
            if (when or unless or when_marked or unless_marked) and origin[phrase] == source:
                # A condition after an unconditional entry could never apply: say so (one such
                # line, "back" for a criminal record, lay dead for several rounds).
                raise ValueError(f"{source}:{n}: shadowed by an earlier entry for {parts[0]!r}")
            continue  # an unconditional entry for the same written phrase already wins
        origin[phrase] = source  # an admin's entry may override a shipped one on purpose
        entries.append(
            _Entry(
                tuple(_norm_tokens(parts[1])),
                mode,
                when,
                unless,
                marked,
                when_marked,
                unless_marked,
            )
        )
    return Lexicon({k: tuple(v) for k, v in lexicon.items()})


LEXICON_PATH = Path(__file__).with_name("data") / "lexicon.tsv"
_LEXICON = _load_lexicon(LEXICON_PATH)
_ABBR = {k: es[0] for k, es in _LEXICON.items() if es[0].mode == "abbr" and len(k) == 1}


def _english_view(lexicon: Lexicon) -> Lexicon:
    """The lexicon keyed without English function words, for English messages (stop words are
    dropped from those before the lexicon: "register a birth" and "register birth" meet)."""
    out: dict[tuple[str, ...], tuple[_Entry, ...]] = {}
    for phrase, entries in lexicon.items():
        key = tuple(t for t in phrase if t not in ENGLISH_STOP)
        # A phrase written without function words keeps its own entries: "the TRC" must not
        # stand in for the conditional entries of "TRC".
        if key and (key not in out or key == phrase):
            out[key] = entries
    return Lexicon(out)


_LEXICON_EN = _english_view(_LEXICON)


def set_extra_lexicon(lines: Sequence[str]) -> None:
    """Use the shipped lexicon plus these lines (admins' entries, ahead of the file's) from now
    on, in this process. A malformed line raises ValueError and changes nothing. Indexes built
    before keep their speller vocabulary: rebuild them too (``Catalogue.reload``)."""
    global _LEXICON, _ABBR, _LEXICON_EN
    lexicon = _load_lexicon(LEXICON_PATH, lines)
    # Swapped together, with no await in between: a search sees the old or the new set.
    _LEXICON = lexicon
    _ABBR = {k: es[0] for k, es in lexicon.items() if es[0].mode == "abbr" and len(k) == 1}
    _LEXICON_EN = _english_view(lexicon)


def check_lexicon_lines(lines: Sequence[str]) -> None:
    """Raise ValueError if these lines (the file's format) would not load."""
    _load_lexicon(LEXICON_PATH, lines)


def expand_abbreviations(folded: str) -> str:
    """Spell out abbreviations some official names use too ("TNHH", "BHXH"), on both sides."""
    if not any(t in _ABBR for t in ((w,) for w in folded.split())):
        return folded
    return " ".join(
        w for t in folded.split() for w in (_ABBR[(t,)].expansion if (t,) in _ABBR else (t,))
    )


def apply_lexicon(
    tokens: list[str],
    lexicon: Lexicon | None = None,
    marks: Sequence[str | None] | None = None,
) -> list[str]:
    """Rewrite everyday phrases into catalogue wording; longest phrases anywhere win first.

    Global longest-first matters: in "làm sổ hộ khẩu" the 3-syllable "sổ hộ khẩu" must beat the
    2-syllable "làm sổ" that starts earlier. ``marks`` (one per token, ``lookup.marks``) keeps a
    rule written for "cưới" away from a "cuối" the citizen typed with its marks.
    """
    lex = _LEXICON if lexicon is None else lexicon
    n = len(tokens)
    if marks is not None and len(marks) != n:
        marks = None
    context = f" {' '.join(tokens)} "
    if marks is not None and not any(marks):
        marks = None  # nothing typed with marks: conditions are matched folded
    taken = [False] * n
    out: dict[int, tuple[str, ...]] = {}
    added: list[str] = []
    starts = lex.starts
    # Every span a phrase could fill, longest first, then left to right.
    spans = sorted(
        (
            (size, i)
            for i, tok in enumerate(tokens)
            for size in starts.get(tok, ())
            if i + size <= n
        ),
        key=lambda si: (-si[0], si[1]),
    )
    for size, i in spans:
        if any(taken[i : i + size]):
            continue
        entries = lex.get(tuple(tokens[i : i + size]))
        if entries is None:
            continue
        typed = marks[i : i + size] if marks is not None else ()
        entry = next(
            (
                e
                for e in entries
                if e.applies(context, tokens, marks) and marks_agree(typed, e.marked)
            ),
            None,
        )
        if entry is None:
            continue
        for j in range(i, i + size):
            taken[j] = True
        if entry.mode in ("replace", "abbr"):
            out[i] = _without_overlap(tokens, i, size, entry.expansion)
        elif entry.mode == "add":
            out[i] = tuple(tokens[i : i + size])
            added.extend(entry.expansion)
        else:
            out[i] = ()
    result: list[str] = []
    for i, tok in enumerate(tokens):
        if i in out:
            result.extend(out[i])
        elif not taken[i]:
            result.append(tok)
    return result + added


def _without_overlap(
    tokens: Sequence[str], i: int, size: int, expansion: tuple[str, ...]
) -> tuple[str, ...]:
    """Drop the parts of an expansion the query already says around the phrase.

    "cấp phiếu lý lịch tư pháp" with "phiếu lý lịch" → "cấp phiếu lý lịch tư pháp" must not
    become "cấp cấp phiếu lý lịch tư pháp tư pháp".
    """
    phrase = tuple(tokens[i : i + size])
    for k in range(len(expansion) - size + 1):
        if expansion[k : k + size] != phrase:
            continue
        prefix, suffix = expansion[:k], expansion[k + size :]
        if prefix and any(tokens[max(0, i - j) : i] == list(prefix[-j:]) for j in (1, 2, 3)):
            prefix = ()
        after = list(tokens[i + size : i + size + len(suffix)])
        if suffix and after and list(suffix[: len(after)]) == after[: len(suffix)]:
            suffix = ()
        return (*prefix, *phrase, *suffix)
    return expansion


_AGE = re.compile(r"(?<!duoi )(?<!du )(?<!tren )\b(\d{1,3}) (?:tuoi|t|years? old|yo)\b")


# The procedures whose names depend on an age: only there is an age a hint.
_AGE_MATTERS = re.compile(r"\bcan cuoc\b|\bchung minh nhan dan\b|\bdinh danh\b")
# … and only for a first card: at 25, 40 or 60 a card is renewed ("sắp 25 tuổi phải đổi thẻ",
# "hết hạn năm 25 tuổi, giờ đi đổi").
_RENEWAL = re.compile(r"\bcap doi\b|\bdoi the\b|\bdoi can cuoc\b|\bhet han\b|\bdi doi\b")


def _age_rule(text: str) -> str:
    """An age in years picks the identity-card procedure for under/over 14 ("cho con 10 tuổi");
    elsewhere ("23 tuổi chưa có khai sinh", "17 tuổi thi bằng lái", a card renewed at 25) it is
    left as it is."""
    if not _AGE_MATTERS.search(text) or _RENEWAL.search(text):
        return text

    def repl(m: re.Match[str]) -> str:
        return "duoi 14 tuoi" if int(m.group(1)) < 14 else "tu du 14 tuoi tro len"

    return _AGE.sub(repl, text)


def _alias_as_query(alias: str, tokens: list[str]) -> list[str]:
    """An alias phrasing rewritten the way :meth:`SearchIndex._parse` rewrites a message."""
    if is_english(alias):
        return apply_lexicon([t for t in tokens if t not in ENGLISH_STOP], _LEXICON_EN)
    words, marks = normalise_marked(tokens, marked_syllables(alias))
    return _age_rule(" ".join(apply_lexicon(words, marks=marks))).split()


# --------------------------------------------------------------------------------------------
# Verbs and variants

_ACTIONS: dict[tuple[str, ...], str] = {
    ("cap", "lai"): "reissue",
    ("khoi", "phuc"): "restore",
    ("cap", "doi"): "exchange",
    ("doi",): "exchange",
    ("thay", "doi"): "change",
    ("dieu", "chinh"): "change",
    ("cai", "chinh"): "change",
    ("cham", "dut"): "end",
    ("xoa",): "end",
    ("giai", "the"): "end",
    ("huy",): "end",
    ("thu", "hoi"): "revoke",
    ("gia", "han"): "extend",
    ("tam", "ngung"): "suspend",
    ("dang", "ky", "lai"): "again",
    ("thanh", "lap"): "new",
    ("bo", "sung"): "change",
    ("dinh", "chinh"): "change",
    ("tam", "dung"): "suspend",
    ("mo", "khoa"): "restore",
}


# "lại" after these is not "again": cấp lại is its own action; thương lái is a trader, hợp lại /
# gom lại join together, giữ lại / ở lại / còn lại / để lại keep, stay, remain, leave behind.
_NOT_AGAIN = frozenset(("cap", "phep", "tap", "thuong", "hop", "gom", "giu", "o", "con", "de"))


def _actions(tokens: Sequence[str], head: int | None = None) -> set[str]:
    """Action verbs in a token list (only the first ``head`` tokens when given: a name's verb)."""
    found: set[str] = set()
    n = len(tokens)
    limit = n if head is None else min(n, head)
    i = 0
    while i < limit:
        for size in (3, 2, 1):
            key = tuple(tokens[i : i + size])
            if len(key) == size and key in _ACTIONS:
                nxt = tokens[i + size] if i + size < n else ""
                if key == ("doi",) and (nxt == "voi" or (i and tokens[i - 1] == "thay")):
                    continue
                found.add(_ACTIONS[key])
                i += size - 1
                break
        else:
            if tokens[i] == "lai" and head is None and i:
                prev = tokens[i - 1]
                nxt = tokens[i + 1] if i + 1 < n else ""
                if prev not in _NOT_AGAIN and nxt != "xe":
                    found.add("again")
        i += 1
        if head is not None and found:
            break
    return found


# (tag, patterns in the folded full name, words in the query that ask for it, multiplier)
_VARIANTS: tuple[tuple[str, re.Pattern[str], re.Pattern[str], float], ...] = (
    (
        "foreign",
        re.compile(
            r"yeu to nuoc ngoai|^(?:\S+ ){0,8}(?:cho|cua|doi voi) nguoi nuoc ngoai"
            r"|^(?!(?:\S+ ){0,6}quoc tich)(?:\S+ ){0,6}(?:o|tai) nuoc ngoai"
        ),
        re.compile(r"\bnuoc ngoai\b|\bngoai quoc\b"),
        0.85,
    ),
    (
        # Nationality filed from abroad (through an embassy) against filed at home: a foreign
        # country is in every such story, so only a citizen who says they live there asks it.
        "abroad",
        re.compile(r"^(?:\S+ ){0,6}quoc tich(?: \S+){0,3} o nuoc ngoai"),
        re.compile(
            r"\bben nay\b|\blanh su quan\b|\bdai su quan\b|\bco quan dai dien\b|\babroad\b"
            r"|\bembassy\b|\bconsulate\b|\bdang (?:o|song|sinh song|cu tru|lam viec|dinh cu) "
            r"(?:o |tai |ben )?(?:nuoc ngoai|my|hoa ky|phap|duc|uc|canada|nhat|han quoc|dai loan"
            r"|singapore|anh|nga|sec|ba lan|na uy|thuy dien|hong kong|trung quoc)\b"
            # English drops "in": "living melbourne", not "living da nang".
            r"|\bliving (?!viet nam\b|vietnam\b|ha noi\b|hanoi\b|da nang\b|saigon\b|hcmc\b"
            r"|ho chi minh\b|minh\b|here\b|nha trang\b|hue\b|can tho\b|hai phong\b)\S"
        ),
        0.85,
    ),
    ("mobile", re.compile(r"\bluu dong\b"), re.compile(r"\bluu dong\b"), 0.85),
    (
        # Reporting a lost passport or card waits for a loss: "hộ chiếu" alone asks for one.
        "lost",
        re.compile(r"^trinh bao mat\b"),
        re.compile(r"\bmat\b|\bthat lac\b|\broi\b|\blost\b|\btrom\b|\bcuop\b|\bstolen\b"),
        0.9,
    ),
    (
        # Birth and recognition together: asked when both are, not by a recognition alone
        # (a birth registered already loses its "khai sinh" in the lexicon).
        "combined",
        re.compile(r"\bket hop\b"),
        re.compile(r"\bket hop\b|\bkhai sinh\b.*\bnhan cha\b|\bnhan cha\b.*\bkhai sinh\b"),
        # 0.88 let a story's "sinh", "kết" (hôn) carry it over a recognition alone; 0.7 gained
        # three on nine dev sets and lost none.
        0.7,
    ),
    (
        "has_papers",
        re.compile(r"\bda co ho so\b"),
        re.compile(r"\bda co\b|\bgiay to ca nhan\b"),
        0.88,
    ),
    ("border", re.compile(r"\bbien gioi\b"), re.compile(r"\bbien gioi\b"), 0.88),
    (
        "armed",
        re.compile(r"\bquan su\b|\bcong an nhan dan\b|\bquan doi\b|\bbo quoc phong\b"),
        re.compile(r"\bquan su\b|\bcong an\b|\bquan doi\b|\bquoc phong\b|\bbo doi\b"),
        0.9,
    ),
    (
        "under14",
        re.compile(r"\bduoi 14 tuoi\b"),
        re.compile(r"\bduoi\b|\btre em\b|\bcon\b|\bbe\b"),
        0.95,
    ),
    (
        # Citizens ask as persons or households: the organisation variant waits to be asked for.
        "organisation",
        re.compile(r"\bdoi voi (?:to chuc|doanh nghiep)\b"),
        re.compile(r"\bto chuc\b|\bdoanh nghiep\b|\bcong ty\b|\bco quan\b"),
        0.9,
    ),
    ("temporary", re.compile(r"\btam thoi\b"), re.compile(r"\btam thoi\b"), 0.92),
    (
        # Procedures for professionals (practising certificates, notaries, inspectors …).
        "professional",
        re.compile(
            r"\bchung chi hanh nghe\b|\b(?:cong chung|dang kiem|tham tra|giam dinh|dau gia) vien\b"
            r"|\bgiao vien day\b|\bthe cong chung\b"
        ),
        re.compile(r"\bchung chi\b|\bhanh nghe\b|\bvien\b|\bgiao vien\b|\bthe cong chung\b"),
        0.9,
    ),
    (
        "agency",
        re.compile(r"theo (?:yeu cau|de nghi) cua co quan"),
        re.compile(r"\bco quan\b|\bto tung\b|\bcong ty\b|\bcompany\b|\bemployer\b"),
        0.88,
    ),
    ("linked", re.compile(r"\blien thong\b"), re.compile(r"\blien thong\b"), 0.88),
    (
        # A household business's own variant (tax, licences) waits for a word about trading.
        "trader",
        re.compile(r"\b(?:doi voi|cua) ho kinh doanh\b|\bca nhan kinh doanh\b"),
        re.compile(
            # Not "chợ" or "hàng" alone: they fold to "cho" (for) and "hang" (monthly, neighbour).
            r"\bkinh doanh\b|\bbuon ban\b|\bban hang\b|\bcua hang\b|\bquan\b|\btiem\b"
            r"|\bshop\b|\bbusiness\b|\bsap\b|\bdoanh thu\b|\bhang hoa\b|\bhkd\b"
        ),
        0.9,
    ),
    (
        # Filed at a Vietnamese embassy or consulate: for people abroad, when they say so.
        "mission",
        re.compile(r"\bco quan dai dien\b|\bvien chuc lanh su\b"),
        re.compile(
            r"\bdai su quan\b|\blanh su\b|\bco quan dai dien\b|\bdinh cu\b|\bo nuoc ngoai\b"
            r"|\bembassy\b|\bconsulate\b|\babroad\b"
        ),
        0.88,
    ),
    (
        # The exception that needs no permit ("… không phải xin phép"): converting garden land to
        # residential needs one, so this waits for the citizen to say none is needed. 0.88 let
        # the exception's shorter name win such stories; 0.75 gained two on fourteen dev sets.
        "no_permit",
        re.compile(r"\bkhong phai xin phep\b"),
        re.compile(
            r"\bkhong (?:phai|can) xin phep\b|\bkhoi xin phep\b"
            # From one crop to a perennial one stays agricultural land: no permit.
            r"|\b(?:sang|qua) (?:trong )?(?:cay )?(?:\S+ )?lau nam\b"
        ),
        0.75,
    ),
    (
        # Benefits for helpers without social insurance (disaster, fire, security volunteers):
        # not for a worker who paid into it.
        "uninsured",
        re.compile(r"\bchua tham gia bao hiem xa hoi\b"),
        re.compile(
            r"\b(?:chua|khong) (?:tham gia|dong|co) (?:bao hiem|bhxh)\b|\bxung kich\b"
            r"|\bthien tai\b|\bchua chay\b|\bcuu nan\b|\ban ninh trat tu\b|\bdan quan\b"
        ),
        0.88,
    ),
    (
        # Leaving to settle abroad: waits for the message to say so.
        "emigrating",
        re.compile(r"\bra nuoc ngoai de dinh cu\b"),
        re.compile(r"\bnuoc ngoai\b|\bdinh cu\b|\bxuat canh\b|\babroad\b"),
        0.88,
    ),
    (
        # A new car exempt from its first inspection: a periodic one is what owners ask about.
        "first_exempt",
        re.compile(r"\bmien kiem dinh lan dau\b"),
        re.compile(r"\bmien kiem dinh\b|\blan dau\b|\bxe moi\b|\bmoi mua\b|\bmoi nhap\b"),
        0.88,
    ),
    (
        # Aquatic animals have their own quarantine; pigs, poultry and cattle are land animals.
        "aquatic",
        re.compile(r"\bdong vat thuy san\b"),
        re.compile(
            r"\bthuy san\b|\bhai san\b|\btom\b|\bnuoi ca\b|\bcon ca\b|\bca giong\b"
            r"|\bca (?:tra|basa|chep|ro|koi|canh|song)\b|\bfish\b|\bshrimp\b|\bseafood\b"
        ),
        0.95,
    ),
    (
        # A cooperative group (tổ hợp tác) is its own legal form, named when meant: farmers
        # founding a cooperative (hợp tác xã) share its folded words.
        "coop_group",
        re.compile(r"^(?!.*\bhop tac xa\b).*\bto hop tac\b"),
        re.compile(r"\bto hop tac\b"),
        0.9,
    ),
    (
        # Law offices and law firms have their own registrations: a company's are meant unless
        # a lawyer is named.
        "law_firm",
        re.compile(r"\bvan phong luat su\b|\bcong ty luat\b"),
        re.compile(r"\bluat su\b|\bcong ty luat\b|\bvan phong luat\b|\blaw firm\b|\blawyer\b"),
        0.85,
    ),
    (
        # Adopting a child from abroad is its own procedure; a niece or a foundling is not.
        "foreign_child",
        re.compile(r"\btre em nuoc ngoai\b"),
        re.compile(r"\bnuoc ngoai\b|\bngoai quoc\b|\bforeign\b"),
        0.85,
    ),
    (
        # A branch or representative office changes its own registration; a company that moves
        # its office changes the company's.
        "branch",
        re.compile(r"^(?:\S+ ){0,10}chi nhanh"),
        re.compile(r"\bchi nhanh\b|\bvan phong dai dien\b|\bdia diem kinh doanh\b"),
        0.85,
    ),
    (
        # Land bought from a developer's project has its own title procedure; land bought from a
        # neighbour is a transfer (biến động), whatever the shared words.
        "project",
        re.compile(r"\btrong du an bat dong san\b"),
        re.compile(r"\bdu an\b|\bchu dau tu\b|\bchung cu\b|\bcan ho\b|\bnha o xa hoi\b"),
        0.85,
    ),
    (
        # Whoever has left Vietnam asks the "đã cư trú" procedure; its twin for those living here
        # ("đang cư trú") differs by that one function word, so it waits while they say so.
        "living_here",
        re.compile(r"\bnguoi nuoc ngoai dang cu tru tai viet nam\b"),
        re.compile(r"^(?!.*\bda cu tru tai viet nam\b)"),
        0.8,
    ),
    ("translator", re.compile(r"\bnguoi dich\b"), re.compile(r"\bdich\b"), 0.9),
    (
        "special_grade",
        re.compile(r"\bcap dac biet\b"),
        re.compile(r"\bdac biet\b|\bcap i\b|\bcap ii\b"),
        0.9,
    ),
    ("central", _CENTRAL, re.compile(r"\btrung uong\b|\bbo\b|\bcuc\b"), 0.97),
    ("district", _DISTRICT, re.compile(r"\bhuyen\b"), 0.95),
    (
        # A tax registration ("Đăng ký thuế trong trường hợp tạm ngừng …") waits for a word about
        # tax: a household business pausing asks the business registry first.
        "tax_registration",
        re.compile(r"^dang ky thue\b"),
        re.compile(r"\bthue\b|\bmst\b|\btax\b"),
        0.85,
    ),
    (
        # A provincial copy yields to the commune's when the citizen names the commune's office
        # ("khiếu nại quyết định của công an xã"): "asked" here is every query that does not.
        "provincial",
        re.compile(r"\bcap tinh\b"),
        re.compile(r"^(?!.*\b(?:cong an|ubnd|uy ban|chu tich|cap|can bo) (?:xa|phuong)\b)"),
        0.97,
    ),
    ("online", re.compile(r"\btoan trinh\b"), re.compile(r"\btruc tuyen\b|\bonline\b"), 0.98),
)


# A procedure only organisations or officials file is demoted unless the message says so.
_SUBJECT_ASKS: dict[str, re.Pattern[str]] = {
    "organisation": re.compile(
        r"\bto chuc\b|\bdoanh nghiep\b|\bcong ty\b|\bco quan\b|\bhop tac xa\b|\bchi nhanh\b"
        r"|\bvan phong\b|\bdon vi\b|\btruong\b|\bbenh vien\b|\bco so\b|\bnha may\b"
        r"|\bcompany\b|\borgani[sz]ation\b|\bhtx\b|\bto hop tac\b"
    ),
    "official": re.compile(
        r"\bcan bo\b|\bcong chuc\b|\bvien chuc\b|\bdang vien\b|\bcong an\b|\bquan doi\b"
        r"|\bbo doi\b|\bquan nhan\b|\bsi quan\b|\bchien si\b|\bgiao vien\b"
    ),
}
SUBJECT_PENALTY = {"organisation": 0.88, "official": 0.85}

# --------------------------------------------------------------------------------------------
# Typo repair

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"f"), "ph"),
    (re.compile(r"j"), "gi"),
    (re.compile(r"w"), "u"),
    (re.compile(r"z"), "d"),
    (re.compile(r"dz"), "d"),
    (re.compile(r"^ch"), "tr"),
    (re.compile(r"^tr"), "ch"),
    (re.compile(r"^k"), "c"),
    # Letters dropped where no valid syllable can stand: "kai" (khai), "đăg" (đăng).
    (re.compile(r"^k(?=[aou])"), "kh"),
    (re.compile(r"(?<!n)g$"), "ng"),
    (re.compile(r"^c(?=[iey])"), "k"),
    (re.compile(r"^s"), "x"),
    (re.compile(r"^x"), "s"),
    (re.compile(r"^d"), "gi"),
    (re.compile(r"^gi"), "d"),
    (re.compile(r"^l"), "n"),
    (re.compile(r"^n(?!g)"), "l"),
    (re.compile(r"c$"), "t"),
    (re.compile(r"t$"), "c"),
    (re.compile(r"n$"), "ng"),
    (re.compile(r"ng$"), "n"),
    (re.compile(r"y$"), "i"),
    (re.compile(r"i$"), "y"),
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_VOWELS = frozenset("aeiouy")


def _rule_variants(token: str) -> set[str]:
    """What each spelling rule that applies makes of ``token`` ("chú" → "trú", "kai" → "cai")."""
    return {rx.sub(rep, token) for rx, rep in _RULES if rx.search(token)}


def _vowel_swap(a: str, b: str) -> bool:
    """True when two equal-length tokens differ only in vowels (one letter by one letter)."""
    return all(x == y or (x in _VOWELS and y in _VOWELS) for x, y in zip(a, b, strict=True))


CLAUSE = "|"  # between clauses of a message: no lexicon phrase spans it (fold never makes it)
_CLAUSE_END = re.compile(r"[,;:!?.…]+(?=\s|$)")


def _with_clauses(text: str) -> tuple[list[str], list[str | None]]:
    """``fold(text).split()`` with :data:`CLAUSE` where punctuation ended a clause, and the
    typed marks (``lookup.marks``) beside them; no marks where the two ways of splitting differ."""
    tokens = fold(text).split()
    marks = marked_syllables(text)
    parts = [fold(part).split() for part in _CLAUSE_END.split(text)]
    if sum(map(len, parts)) != len(tokens):
        return tokens, marks
    out: list[str] = []
    out_marks: list[str | None] = []
    start = 0
    for part in parts:
        if not part:
            continue
        if out:
            out.append(CLAUSE)
            out_marks.append(None)
        out.extend(tokens[start : start + len(part)])
        out_marks.extend(marks[start : start + len(part)])
        start += len(part)
    return out, out_marks


def readable_part(query: str) -> str:
    """What of a message is read: all of a short one; of a long story, its first
    MAX_QUERY_TOKENS words and its last sentence, where a story states its request."""
    words = query.split()
    if len(words) > MAX_QUERY_TOKENS:
        sentences = [s.split() for s in _SENTENCE_END.split(query) if len(s.split()) >= 3]
        last = sentences[-1][-REQUEST_TOKENS:] if sentences else []
        if len(words) - len(last) > MAX_QUERY_TOKENS:
            words = words[:MAX_QUERY_TOKENS] + last
        query = " ".join(words[: MAX_QUERY_TOKENS + REQUEST_TOKENS])
    return query[:MAX_QUERY_CHARS]


class _Speller:
    """Repairs syllables that the catalogue (and lexicon) never uses."""

    def __init__(self, freq: Counter[str], keep: frozenset[str] = frozenset()) -> None:
        self.freq = freq
        self.keep = keep  # known words that are never a repair target (English, abbreviations)
        self.cache: dict[str, tuple[str, ...]] = {}
        self.context_cache: dict[str, str] = {}

    def best(self, candidates: Iterable[str]) -> str | None:
        known = [c for c in candidates if c in self.freq]
        return max(known, key=lambda c: (self.freq[c], c)) if known else None

    def split(self, token: str) -> tuple[str, ...] | None:
        """Missing spaces: the segmentation into fewest known syllables (each ≥ 2 letters)."""
        n = len(token)
        best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
        best[0] = (0, 0, ())
        for end in range(2, n + 1):
            for start in range(max(0, end - 7), end - 1):
                prev = best[start]
                piece = token[start:end]
                if prev is None or piece not in self.freq:
                    continue
                cand = (prev[0] + 1, prev[1] - self.freq[piece], (*prev[2], piece))
                cur = best[end]
                if cur is None or cand[:2] < cur[:2]:
                    best[end] = cand
        last = best[n]
        return last[2] if last is not None and len(last[2]) > 1 else None

    def edits1(self, token: str) -> Iterable[str]:
        for i in range(len(token) + 1):
            left, right = token[:i], token[i:]
            if right:
                yield left + right[1:]
            if len(right) > 1:
                yield left + right[1] + right[0] + right[2:]
            for c in _LETTERS:
                if right:
                    yield left + c + right[1:]
                yield left + c + right

    @staticmethod
    def _fit(word: str, prev: str, nxt: str, known: Container[str]) -> int:
        """How many of its neighbours ``word`` forms a catalogue bigram with (0, 1 or 2)."""
        return bool(prev and f"{prev}_{word}" in known) + bool(nxt and f"{word}_{nxt}" in known)

    def _remember(self, key: str, value: str) -> None:
        if len(self.context_cache) < 50_000:
            self.context_cache[key] = value

    def in_context(
        self, token: str, prev: str, nxt: str, known: Container[str], marked: bool = False
    ) -> str:
        """A valid syllable the catalogue never uses is a word, not a typo, unless a one-rule or
        one-edit variant forms a catalogue bigram with a neighbour ("tạm chú" → "tạm trú",
        "khai sanh" → "khai sinh"); "hôm", "núi" stay what they are."""
        key = f"{prev} {token} {nxt} {marked}"
        hit = self.context_cache.get(key)
        if hit is not None:
            return hit
        variants = _rule_variants(token)
        # Typed with its marks, a word's vowels are what the citizen meant: "bạn gái" is no
        # "bán giá" (a consonant slip like "thường chú" is still one).
        if len(token) >= 3 and not marked:
            # Only a swapped letter, never an added or dropped one: "rồng" must not become
            # "trong" because "nuôi trong" is a catalogue bigram.
            # … and a vowel for a vowel ("sanh" → "sinh"): "gái" must not become "lai".
            variants.update(
                e for e in self.edits1(token) if len(e) == len(token) and _vowel_swap(token, e)
            )
        fits = [v for v in variants if v in self.freq and self._fit(v, prev, nxt, known)]
        best = max(fits, key=lambda c: (self.freq[c], c)) if fits else token
        self._remember(key, best)
        return best

    def repair_in_context(
        self, token: str, prev: str, nxt: str, known: Container[str]
    ) -> tuple[str, ...]:
        """:meth:`repair`, but a one-edit repair that forms a catalogue bigram with a neighbour
        beats a more frequent one: "sag tên" is "sang tên", not "sản"; "bag lái" is "bằng"."""
        if 3 <= len(token) <= 12:
            key = f"{prev} {token} {nxt}"
            hit = self.context_cache.get(key)
            if hit is not None:
                return (hit,) if hit else self.repair(token)

            def fitting(variants: Iterable[str]) -> list[tuple[int, bool, int, str]]:
                # Fitting both neighbours beats one; a swapped or replaced letter beats an added
                # or dropped one ("thcu thực", not "thư"); then the more frequent syllable.
                ranked = []
                for e in set(variants):
                    fit = self._fit(e, prev, nxt, known) if e in self.freq else 0
                    if fit:
                        ranked.append((fit, len(e) == len(token), self.freq[e], e))
                return ranked

            # A spelling rule's variant first ("kai" → "cai"), unless only an edit fits.
            fits = fitting(_rule_variants(token))
            fits = fits or fitting(self.edits1(token))
            best = max(fits)[3] if fits else ""
            self._remember(key, best)
            if best:
                return (best,)
        return self.repair(token)

    def repair(self, token: str) -> tuple[str, ...]:
        if token in self.freq or token.isdigit() or len(token) < 2:
            return (token,)
        hit = self.cache.get(token)
        if hit is not None:
            return hit
        result: tuple[str, ...] = (token,)
        variants = _rule_variants(token)
        rule = self.best(variants)
        if rule is not None:
            result = (rule,)
        else:
            parts = self.split(token) if len(token) >= 4 else None
            if parts is not None:
                result = parts
            elif 3 <= len(token) <= 12:
                edit = self.best(self.edits1(token))
                if edit is not None:
                    result = (edit,)
        if len(self.cache) < 50_000:
            self.cache[token] = result
        return result


# --------------------------------------------------------------------------------------------
# The index


@dataclass
class _DocInfo:
    code: str
    name: str
    display: str  # folded, no boilerplate, no parentheses: what fuzzy matching compares
    sorted_display: str  # its words in order: token_sort_ratio's half, sorted once at build
    name_terms: frozenset[str]  # unigrams and bigrams of name and aliases
    side_terms: frozenset[str]  # unigrams and bigrams of field and result
    name_unigrams: tuple[str, ...]
    lead: tuple[str, ...]  # the first syllables of the core name: "query is the name's head"
    action: str | None
    tags: frozenset[str]
    popular: bool
    subject: str = ""
    name_idf: float = 0.0
    # Each alias's distinct syllables as a query reads them, and their information (sum of idf).
    alias_unigrams: tuple[frozenset[str], ...] = ()
    alias_idf: tuple[float, ...] = ()
    alias_words: frozenset[str] = frozenset()  # all of them: most stories share none
    # Copies of one procedure (levels, provinces) share it: search() lists one per family.
    family: str = ""


@dataclass(frozen=True, slots=True)
class _Terms:
    """A query's terms for coverage: each term's information without and with the name
    (idf × weight), their set, and the total information when the name has none of them."""

    info: dict[str, tuple[float, float]] = field(default_factory=dict)
    keys: frozenset[str] = frozenset()  # info's keys as a set: intersections walk the smaller
    base: float = 0.0


@dataclass
class _Query:
    tokens: list[str]
    unigrams: list[str]
    bigrams: list[str]
    text: str
    actions: set[str]
    founds: bool = False  # "thành lập" asked: the founding, not its revocation or change
    asks: frozenset[str] = field(default_factory=frozenset)
    # Weight of each unigram/bigram for coverage: 0 for function words, less for the story.
    weights: dict[str, float] = field(default_factory=dict)
    content: str = ""  # the request's content words, sorted: what fuzzy matching compares
    wordy: bool = False  # at least WORDY content words
    subjects: frozenset[str] = field(default_factory=frozenset)  # subject kinds it names
    # Syllables typed with marks: folded → mark_key, for telling "vàng" from "vắng" in a name.
    typed: dict[str, str] = field(default_factory=dict)
    # SearchIndex._terms of the unigrams and of the bigrams, set by search() before scoring.
    uni_terms: _Terms = field(default_factory=_Terms)
    bi_terms: _Terms = field(default_factory=_Terms)


def _typed_marks(words: Sequence[str], marks: Sequence[str | None]) -> dict[str, str]:
    """Folded word → :func:`mark_key` of how it was typed, for words typed with marks (a word
    typed two ways in one message says nothing)."""
    out: dict[str, str] = {}
    twice: set[str] = set()
    for word, mark in zip(words, marks, strict=False):
        if mark is None or mark.isascii() or word in twice:
            continue
        key = mark_key(mark)
        if out.setdefault(word, key) != key:
            del out[word]
            twice.add(word)
    return out


# A term's postings as parallel arrays: document numbers and BM25F weights.
_Posting = tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]


class SearchIndex:
    """An in-memory BM25F index over folded syllables with a fuzzy re-rank; build once, share."""

    def __init__(self) -> None:
        self._docs: list[_DocInfo] = []
        self._postings: dict[str, dict[int, float]] = {}
        self._idf: dict[str, float] = {}
        self._speller = _Speller(Counter())
        self._max_idf = 1.0
        self._arrays: dict[str, _Posting] = {}
        self._head_cache: dict[tuple[str, int], _Posting] = {}
        self._marked_names: dict[str, frozenset[str]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Caches filled by queries are not part of the index: a stored snapshot holds none.
        return {**vars(self), "_arrays": {}, "_head_cache": {}, "_marked_names": {}}

    def __len__(self) -> int:
        return len(self._docs)

    @classmethod
    def build(cls, docs: Iterable[SearchDoc]) -> SearchIndex:
        """Fold and tokenise every document once, then precompute per-term BM25F weights."""
        self = cls()
        fields: list[tuple[set[str], set[str], set[str], set[str], int]] = []
        df: Counter[str] = Counter()
        freq: Counter[str] = Counter()
        seen: set[str] = set()
        for doc in docs:
            if not doc.code or doc.code in seen:
                continue
            seen.add(doc.code)
            full = expand_abbreviations(fold(doc.name))
            display = strip_boilerplate(full)
            name_tok = [t.lstrip("0") or "0" if t.isdigit() else t for t in display.split()]
            name_set = set(name_tok) | set(_bigrams(name_tok))
            core = strip_boilerplate(expand_abbreviations(fold(_PARENS.sub(" ", doc.name))))
            core = core or display
            core_tok = [t.lstrip("0") or "0" if t.isdigit() else t for t in core.split()]
            alias_set: set[str] = set()
            alias_unigrams: list[frozenset[str]] = []
            for alias in doc.aliases:
                toks = _norm_tokens(alias)
                alias_set.update(toks)
                alias_set.update(_bigrams(toks))
                freq.update(toks)
                # Also as a query would read it (shorthand, lexicon): both sides then meet.
                seen_as = _alias_as_query(alias, toks)
                alias_set.update(seen_as)
                alias_set.update(_bigrams(seen_as))
                if seen_as:
                    alias_unigrams.append(frozenset(seen_as))
            field_tok = _norm_tokens(doc.field)
            field_set = set(field_tok) | set(_bigrams(field_tok))
            res_tok = _norm_tokens(clean_result(doc.result))[:RESULT_SYLLABLES]
            res_set = set(res_tok)
            freq.update(name_tok)
            freq.update(field_tok)
            freq.update(res_tok)
            all_terms = name_set | alias_set | field_set | res_set
            df.update(all_terms)
            fields.append((name_set, alias_set, field_set, res_set, len(set(name_tok))))
            tags = frozenset(tag for tag, rx, _, _ in _VARIANTS if rx.search(full))
            acts = _actions(name_tok, head=4)
            # "Đăng ký thành lập …" keeps its verb: a citizen asking to dissolve, revoke or change
            # must not be answered with the founding.
            action = next(iter(sorted(acts - {"new"})), "new" if acts else None)
            self._docs.append(
                _DocInfo(
                    code=doc.code,
                    name=doc.name,
                    display=core,
                    sorted_display=_sorted_words(core),
                    name_terms=frozenset(name_set | alias_set),
                    side_terms=frozenset(field_set | res_set),
                    name_unigrams=tuple(dict.fromkeys(core_tok)),
                    lead=tuple(core_tok[:12]),
                    action=action,
                    tags=tags,
                    popular=doc.popular,
                    subject=doc.subject,
                    family=f"{doc.subject}:{display}",
                    alias_unigrams=tuple(alias_unigrams),
                    alias_words=frozenset().union(*alias_unigrams),
                )
            )
        n = len(self._docs)
        keep: set[str] = set()
        for phrase in _LEXICON:
            # Lexicon words are known, but only its Vietnamese syllables are repair targets: an
            # unknown word must not be "repaired" into an English key or an abbreviation ("sake"
            # into "stake", "atm" into "tam" via a rule).
            for t in set(phrase):
                if is_syllable(t):
                    freq[t] += 1
                else:
                    keep.add(t)
        self._speller = _Speller(freq, frozenset(keep))
        self._idf = {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._max_idf = math.log(1.0 + (n + 0.5) / 0.5) if n else 1.0
        avg_len = sum(f[4] for f in fields) / n if n else 1.0
        postings: dict[str, dict[int, float]] = {}
        for i, (name_set, alias_set, field_set, res_set, length) in enumerate(fields):
            norm = 1.0 - B_NAME + B_NAME * length / avg_len
            for term in name_set | alias_set | field_set | res_set:
                tf = 0.0
                if term in name_set:
                    tf += W_NAME / norm
                if term in alias_set:
                    tf += W_ALIAS
                if term in field_set:
                    tf += W_FIELD
                if term in res_set:
                    tf += W_RESULT
                weight = self._idf[term] * tf * (K1 + 1.0) / (K1 + tf)
                if "_" in term:
                    weight *= W_BIGRAM
                postings.setdefault(term, {})[i] = weight
        self._postings = postings
        for info in self._docs:
            info.name_idf = sum(self._idf.get(t, 0.0) for t in info.name_unigrams) or 1.0
            info.alias_idf = tuple(
                sum(self._idf.get(t, 0.0) for t in words) or 1.0 for words in info.alias_unigrams
            )
        return self

    # ----------------------------------------------------------------------------------------

    def _parse(self, query: str) -> _Query | None:
        head = readable_part(query)
        raw, typed_marks = _with_clauses(head)  # folds the message once
        if not any(c.isalpha() for t in raw for c in t):
            return None
        raw = [t.lstrip("0") or "0" if t.isdigit() else t for t in raw]
        raw = raw[: MAX_QUERY_TOKENS + REQUEST_TOKENS]
        english = is_english(head)
        typed: dict[str, str] = {}
        if english:
            # English words are not Vietnamese typos, and "the", "me" are not thẻ, mẹ.
            words = [t for t in raw if t not in ENGLISH_STOP]
            tokens = apply_lexicon(words, _LEXICON_EN)
        else:
            # The marks the citizen typed ride along, so the lexicon can tell "cuối" from "cưới".
            words, marks = self._repair(*normalise_marked(raw, typed_marks[: len(raw)]))
            tokens = apply_lexicon(words, marks=marks)
            # Only the citizen's own words: a lexicon expansion's "động" is not their "đóng".
            added = Counter(tokens) - Counter(words)
            typed = {w: k for w, k in _typed_marks(words, marks).items() if w not in added}
        # The clause marks kept phrases from spanning a comma ("mẹ tôi mới mất, sổ đỏ …" is no
        # lost title); past the lexicon they are gone.
        words = [w for w in words if w != CLAUSE]
        tokens = [t for t in tokens if t != CLAUSE]
        # Counted before the lexicon: an expansion makes a query longer, not wordier.
        wordy = sum(t not in FUNCTION_WORDS for t in words) >= WORDY
        tokens = _age_rule(" ".join(tokens)).split()
        if not tokens:
            return None
        text = " ".join(tokens)
        asks = frozenset(tag for tag, _, rx, _ in _VARIANTS if rx.search(text))
        if english:
            # Who writes to a Vietnamese office in English is a foreigner or lives abroad: the
            # foreign-element variant ("có yếu tố nước ngoài") need not be spelled out.
            asks |= {"foreign"}
        # Raw folded words too: the lexicon drops some ("cơ quan" in a question about where).
        raw_text = f"{text} {' '.join(raw)}"
        subjects = frozenset(k for k, rx in _SUBJECT_ASKS.items() if rx.search(raw_text))
        per_token = token_weights(tokens)
        weights: dict[str, float] = {}
        for tok, w in zip(tokens, per_token, strict=True):
            weights[tok] = max(weights.get(tok, 0.0), w)
        for (a, b), (wa, wb) in zip(pairwise(tokens), pairwise(per_token), strict=False):
            key = f"{a}_{b}"
            weights[key] = max(weights.get(key, 0.0), min(wa, wb))
        # Fuzzy matching compares the request clause of a story; a short query as it is.
        story = any(w == STORY_WEIGHT for w in per_token)
        request = tokens
        if story:
            # The verb of the request, not of the story ("giữ bé lại nuôi … muốn lo khai sinh"):
            # what follows the last story word (story function words weigh even less).
            told = [i for i, w in enumerate(per_token) if w < FUNCTION_WEIGHT or w == STORY_WEIGHT]
            request = tokens[told[-1] + 1 :] if told else tokens
        verbs = _actions(tokens)  # the request's verbs are these unless a story came first
        content = (
            " ".join(t for t, w in zip(tokens, per_token, strict=True) if w >= 1.0)
            if story
            else text
        )
        return _Query(
            tokens=tokens,
            unigrams=list(dict.fromkeys(tokens)),
            bigrams=list(dict.fromkeys(_bigrams(tokens))),
            text=text,
            actions=(verbs if request is tokens else _actions(request)) - {"new"},
            founds="new" in verbs,
            asks=asks,
            weights=weights,
            content=_sorted_words(content or text),
            wordy=wordy,
            subjects=subjects,
            typed=typed,
        )

    def _repair(
        self, raw: Sequence[str], marks: Sequence[str | None]
    ) -> tuple[list[str], list[str | None]]:
        """Typo repair: only tokens that are not valid syllables, and never English words or
        negations; a valid syllable changes only when a variant forms a catalogue bigram.
        Returns the tokens and, beside each, its typed form where it was kept as typed."""
        speller = self._speller
        postings = self._postings
        out: list[str] = []
        out_marks: list[str | None] = []
        n = len(raw)
        for i, tok in enumerate(raw):
            if (
                tok in speller.freq
                or tok in speller.keep
                or tok.isdigit()
                or len(tok) < 2
                or tok in FUNCTION_WORDS
                or (tok in ENGLISH_WORDS and not is_syllable(tok))
            ):
                fixed: tuple[str, ...] = (tok,)
            elif is_syllable(tok):
                prev = out[-1] if out else ""
                nxt = raw[i + 1] if i + 1 < n else ""
                typed = marks[i] if i < len(marks) else None
                marked = typed is not None and typed != tok
                fixed = (speller.in_context(tok, prev, nxt, postings, marked),)
            else:
                prev = out[-1] if out else ""
                nxt = raw[i + 1] if i + 1 < n else ""
                fixed = speller.repair_in_context(tok, prev, nxt, postings)
            out.extend(fixed)
            if fixed == (tok,):
                out_marks.append(marks[i] if i < len(marks) else None)
            else:
                out_marks.extend([None] * len(fixed))
        return out, out_marks

    def _candidates(self, q: _Query) -> list[tuple[float, int]]:
        """Top documents by BM25F, computed in two steps to stay fast on big catalogues.

        Candidates come from the query's selective terms only (syllables such as *đăng*, *ký*,
        *cấp*, *giấy* occur in a large share of names and would make every query walk most of the
        index); the best ``CANDIDATES`` of them are then scored exactly over all query terms.

        Sums go into one dense array (numpy adds a term's postings in C): a quarter less CPU per
        message than a Python dict, p99 3.2 → 2.3 ms on the dev sets measured side by side, the
        same candidates in the same order.
        """
        postings = self._postings
        terms = [t for t in q.unigrams + q.bigrams if t in postings]
        if not terms:
            return []
        terms.sort(key=lambda t: len(postings[t]))
        cap = max(GEN_MIN_DF, len(self._docs) // GEN_DF_SHARE)
        selective = [t for t in terms if len(postings[t]) <= cap] or terms[:2]
        acc = np.zeros(len(self._docs))
        walked_ids: list[npt.NDArray[np.intp]] = []
        used: set[str] = set()
        walked = 0
        for term in selective:
            # Weights are positive: the documents reached so far are the non-zero sums.
            if walked >= GEN_BUDGET and np.count_nonzero(acc) >= CANDIDATES:
                break
            ids, weights = (
                self._posting(term) if len(postings[term]) <= cap else self._heads(term, cap)
            )
            acc[ids] += weights  # a term lists a document once: no repeated index
            walked_ids.append(ids)
            walked += len(ids)
            used.add(term)
        # The pool keeps ties in the order documents were first reached (a stable sort).
        reached, first = np.unique(np.concatenate(walked_ids), return_index=True)
        reached = reached[np.argsort(first, kind="stable")]
        pool = reached[np.argsort(-acc[reached], kind="stable")[:CANDIDATES]]
        for t in terms:
            if t not in used:
                ids, weights = self._posting(t)
                acc[ids] += weights
        return heapq.nlargest(RERANK_DEPTH, zip(acc[pool].tolist(), pool.tolist(), strict=True))

    def _posting(self, term: str) -> _Posting:
        """A term's postings as arrays (document numbers ascending, weights), made on first use.

        Bounded by the index's vocabulary: 8.6 MB for the national catalogue were every term
        asked; the query caches grew by 4.2 MB over the dev sets' 1,964 messages."""
        arrays = self._arrays.get(term)
        if arrays is None:
            post = self._postings[term]
            arrays = self._arrays[term] = (
                np.fromiter(post, dtype=np.intp, count=len(post)),
                np.fromiter(post.values(), dtype=np.float64, count=len(post)),
            )
        return arrays

    def _heads(self, term: str, size: int) -> _Posting:
        """The ``size`` heaviest postings of a frequent term (cached): its best documents."""
        key = (term, size)
        head = self._head_cache.get(key)
        if head is None:
            ids, weights = self._posting(term)
            best = np.argsort(-weights, kind="stable")[:size]
            head = self._head_cache[key] = (ids[best], weights[best])
        return head

    def _terms(self, terms: Sequence[str], weights: dict[str, float]) -> _Terms:
        """Each term's information with and without the name (idf × weight), computed once per
        query rather than once per candidate: the coverage then only intersects sets."""
        idf = self._idf
        max_idf = self._max_idf
        info: dict[str, tuple[float, float]] = {}
        base = 0.0
        for t in terms:
            w = idf.get(t, max_idf)
            weight = weights.get(t, 1.0)
            info[t] = (w * weight, w * max(weight, 1.0))
            base += w * weight
        return _Terms(info, frozenset(info), base)

    def _coverage(
        self,
        terms: _Terms,
        doc: _DocInfo,
        unlike: frozenset[str] = frozenset(),
    ) -> float:
        """Share of the query's information the document explains (idf × weight).

        A word the name has counts fully wherever it stands; a function word or a story word the
        name lacks counts only its weight (``token_weights``), so it dilutes little. Terms in
        ``unlike`` (typed with other marks than the name's) count as absent.

        Set intersections (in C) rather than a loop over the query's terms: a long story has a
        hundred terms and a name a dozen.
        """
        info = terms.info
        total = terms.base
        matched = 0.0
        named = doc.name_terms.intersection(terms.keys)
        if unlike:
            named -= unlike
        for t in named:
            absent, present = info[t]
            total += present - absent
            matched += present
        side = 0.0
        for t in doc.side_terms.intersection(terms.keys):
            if t not in named:
                side += info[t][0]
        matched += SIDE_CREDIT * side
        return matched / total if total else 0.0

    def _unlike(self, q: _Query, doc: _DocInfo) -> frozenset[str]:
        """The query's unigrams and bigrams that the name spells with other marks than typed:
        "giá vàng" typed with marks does not match "tạm vắng". Empty for unmarked queries."""
        if not q.typed:
            return frozenset()
        own = [t for t in q.typed if t in doc.name_unigrams]
        if not own:
            return frozenset()
        written = self._marked_names.get(doc.code)
        if written is None:
            if len(self._marked_names) >= MARKED_NAME_CACHE:
                self._marked_names.clear()
            written = self._marked_names[doc.code] = marked_words(doc.name)
        off = {
            t for t in own if q.typed[t] not in written and not tone_dropped(q.typed[t], written)
        }
        if not off:
            return frozenset()
        return frozenset(off | {b for b in q.bigrams if any(p in off for p in b.split("_"))})

    def _score(self, q: _Query, doc: _DocInfo, *, marks: bool = False) -> float:
        idf = self._idf
        unlike = self._unlike(q, doc) if marks else frozenset()
        qcov = self._coverage(q.uni_terms, doc, unlike)
        bcov = self._coverage(q.bi_terms, doc, unlike) if q.bigrams else qcov
        qset = set(q.unigrams) - unlike
        ncov = sum(idf.get(t, 0.0) for t in doc.name_unigrams if t in qset) / doc.name_idf
        if q.wordy and doc.alias_words:
            # A story is told in everyday words: a phrasing citizens use may stand in for the
            # official name (a short query keeps to the name: "đổi bằng lái" stays a card).
            told = doc.alias_words & qset
            if told:
                best = 0.0
                weight = idf.__getitem__  # every alias word is indexed: no default needed
                for words, total in zip(doc.alias_unigrams, doc.alias_idf, strict=True):
                    common = words & told
                    if common:
                        best = max(best, sum(map(weight, common)) / total)
                if best > ncov:
                    ncov += ALIAS_NCOV_SHARE * (best - ncov)
        # token_sort_ratio, with both sides' words sorted beforehand (a fifth of its cost).
        fz = fuzz.ratio(q.content, doc.sorted_display) / 100.0
        lead = 0
        for a, b in zip(q.tokens, doc.lead, strict=False):
            if a != b:
                break
            lead += 1
        lead_frac = lead / len(q.tokens) if lead >= 2 else 0.0
        if q.wordy:
            # A message that says more than a name: how much of the name it explains matters
            # more than how much of it the name explains.
            score = LONG_QCOV * qcov + LONG_BCOV * bcov + LONG_NCOV * ncov + LONG_FUZZ * fz
        else:
            score = (
                MIX_QCOV * qcov
                + MIX_BCOV * bcov
                + MIX_NCOV * ncov
                + MIX_FUZZ * fz
                + MIX_LEAD * lead_frac
            )
        # The citizen's verb decides between base, cấp lại, cấp đổi, thay đổi, chấm dứt …
        if doc.action is None:
            score *= 0.92 if q.actions else 1.0
        elif doc.action == "new":
            score *= 0.8 if q.actions else 1.04 if q.founds else 1.0
        elif doc.action in q.actions:
            score *= 1.04
        else:
            score *= 0.8 if q.actions or q.founds else 0.82
        if doc.tags:  # most names have no variant tag: skip the loop
            for tag, _, _, mult in _VARIANTS:
                if tag in doc.tags and tag not in q.asks:
                    score *= mult
        if doc.subject in SUBJECT_PENALTY and doc.subject not in q.subjects:
            score *= SUBJECT_PENALTY[doc.subject]
        if not doc.popular:
            score *= UNPOPULAR
        return min(1.0, max(0.0, score))

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        """Best procedures for a free-text query; [] when nothing plausible matches."""
        if not query or limit <= 0 or not self._docs:
            return []
        q = self._parse(query)
        if q is None:
            return []
        # A vague query ("giấy", "đăng ký") cannot earn a confident score, whatever it matches;
        # function words ("cho em hỏi", "được không") say nothing about the procedure.
        info = sum(self._idf.get(t, 0.0) * q.weights.get(t, 1.0) for t in q.unigrams)
        specific = min(1.0, SPEC_FLOOR + (1.0 - SPEC_FLOOR) * info / SPEC_FULL)
        cands = self._candidates(q)
        if not cands:
            return []
        q.uni_terms = self._terms(q.unigrams, q.weights)
        q.bi_terms = self._terms(q.bigrams, q.weights)
        # The re-rank alone over-trusts coverage on long messages; the BM25F rank relative to the
        # best candidate tempers it (a power below 1: a nudge, not a veto).
        top_bm = cands[0][0] or 1.0
        power = BM_POW_WORDY if q.wordy else BM_POW
        raw = [(specific * self._score(q, self._docs[d]), bm, d) for bm, d in cands]
        # Plausibility is judged before the BM25F nudge: nothing plausible, nothing returned.
        best = max(r for r, _, _ in raw)
        if best < MIN_SCORE:
            return []
        if q.typed and best < CONFIDENT_SCORE:
            # Judged again with the marks the citizen typed ("giá vàng" is no "tạm vắng"); the
            # ranking keeps folded matching, which measured better.
            top = heapq.nlargest(PLAUSIBLE_CHECK, raw)
            if all(
                specific * self._score(q, self._docs[d], marks=True) < MIN_SCORE for *_, d in top
            ):
                return []
        scored = [(r * (bm / top_bm) ** power, d) for r, bm, d in raw]
        scored.sort(key=lambda sd: (-sd[0], len(self._docs[sd[1]].display), sd[1]))
        hits: list[Hit] = []
        families: set[str] = set()
        for score, d in scored:
            if len(hits) >= limit or (hits and score < FOLLOW_SCORE):
                break
            doc = self._docs[d]
            # One line per procedure: copies of one name for the same filers (levels, provinces)
            # would fill "did you mean" with one choice; the best-ranked copy stands for them.
            if doc.family not in families:
                families.add(doc.family)
                hits.append(Hit(code=doc.code, name=doc.name, score=round(score, 4)))
        return hits


def decide(hits: list[Hit]) -> Verdict:
    """Confident answer, "did you mean" or not found: from the score and the margin to a rival.

    Level variants of one procedure ("… (thực hiện tại cấp tỉnh)" vs "(cấp trung ương)") share a
    base name and do not count as rivals: the handler can offer the levels after answering.
    """
    if not hits:
        return Verdict.NONE
    top = hits[0]
    if top.score < AMBIGUOUS_SCORE:
        return Verdict.NONE
    top_base = base_name(top.name)
    rival = next((h for h in hits[1:] if base_name(h.name) != top_base), None)
    margin = top.score - rival.score if rival is not None else top.score
    if top.score >= CONFIDENT_SCORE and margin >= CONFIDENT_MARGIN:
        return Verdict.CONFIDENT
    return Verdict.AMBIGUOUS
