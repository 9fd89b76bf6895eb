"""Rendering helpers every channel shares: splitting long text, short labels, numbered choices.

A platform renders a :class:`~bot.messages.Reply` by what its
:class:`~bot.channels.base.Capabilities` say. Where there are no buttons (or more choices than a
message may carry) the choices become numbered lines: the dialogue maps a typed number to the
turn's buttons, counted across the turn's replies, so "2" presses the second choice on every
channel.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.messages import Reply

Length = Callable[[str], int]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (Telegram's count: an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _hard_split(word: str, limit: int, length: Length) -> list[str]:
    """Cut a single word longer than the limit (only for pathological input)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for ch in word:
        w = length(ch)  # both counts in use (characters, UTF-16 units) add up per character
        if current and size + w > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += w
    if current:
        parts.append("".join(current))
    return parts


def split_text(text: str, limit: int, length: Length = len) -> list[str]:
    """Split into chunks of at most ``limit`` (as ``length`` counts) at line boundaries; a line
    that is itself too long is split between words, and only a word longer than the limit is
    cut. Blank chunks are dropped."""
    if length(text) <= limit:
        return [text] if text.strip() else []
    chunks: list[str] = []
    current = ""

    def flush() -> None:
        nonlocal current
        if current.strip():
            chunks.append(current.rstrip())
        current = ""

    def add(piece: str, sep: str) -> None:
        nonlocal current
        candidate = f"{current}{sep}{piece}" if current else piece
        if length(candidate) <= limit:
            current = candidate
            return
        flush()
        current = piece

    for line in text.split("\n"):
        if length(line) <= limit:
            add(line, "\n")
            continue
        flush()
        for word in line.split(" "):
            if length(word) <= limit:
                add(word, " ")
            else:
                flush()
                for part in _hard_split(word, limit, length):
                    add(part, "")
                    flush()
        flush()
    flush()
    return chunks


def short_label(text: str, limit: int) -> str:
    """A label on one line within ``limit`` characters, cut at a word with "…" when longer."""
    label = " ".join(text.split())
    if len(label) <= limit:
        return label
    cut = label[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:  # keep whole words unless that loses half the label
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def numbered_text(reply: Reply, start: int = 1) -> str:
    """Title, text and the buttons as numbered lines (``[1] label``), for platforms without
    buttons; ``start`` continues the numbering across a turn's replies."""
    lines = [reply.plain()]
    lines.extend(f"  [{n}] {b.label}" for n, b in enumerate(reply.buttons, start))
    return "\n".join(lines)


def numbered_turn(replies: list[Reply]) -> list[str]:
    """Each reply as numbered text, numbers running across the turn (as the dialogue maps them)."""
    out: list[str] = []
    n = 1
    for reply in replies:
        out.append(numbered_text(reply, n))
        n += len(reply.buttons)
    return out


def distinct_labels(texts: list[str], limit: int) -> list[str]:
    """Labels for a set of choices that stay distinguishable within ``limit`` characters.

    Long, similar names ("Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, … (cấp tỉnh)") cut at
    the same length come out identical; then each label keeps the start of the shared wording
    and shows the words that differ, so the citizen can tell the choices apart."""
    plain = [short_label(text, limit) for text in texts]
    if len(set(plain)) == len(plain):
        return plain
    words = [" ".join(text.split()).split(" ") for text in texts]
    head = 0  # words shared at the start by every choice
    while all(len(w) > head for w in words) and len({w[head] for w in words}) == 1:
        head += 1
    tail = 0  # and at the end
    while (
        all(len(w) > head + tail for w in words) and len({w[len(w) - 1 - tail] for w in words}) == 1
    ):
        tail += 1
    labels = []
    for w in words:
        differing = " ".join(w[head : len(w) - tail]) or " ".join(w[max(0, head - 2) :])
        # As much of the shared start as fits beside the differing words (at least 2 words).
        room = limit - len(differing) - 3
        keep = 2
        while keep < head and len(" ".join(w[: keep + 1])) <= room:
            keep += 1
        lead = " ".join(w[: min(head, keep)]).rstrip(",;:")
        label = f"{lead} … {differing}" if head > keep else f"{lead} {differing}".strip()
        labels.append(short_label(label, limit))
    return labels if len(set(labels)) == len(labels) else plain
