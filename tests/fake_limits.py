"""Send limits for the fake messenger APIs, as the real ones enforce them (off unless asked).

:class:`SendLimits` accepts a message when, counting it, no more than ``overall`` messages were
accepted in any ``window`` seconds, and no more than ``per_chat`` for its chat; otherwise the
fake answers "too many requests" with the seconds until a slot frees. Only accepted messages
count (a refused one never reached anyone), and the arrival time is taken when the request is
handled, which is what a real server sees: a client must keep the limit *at the server*, jitter
included. ``accepted`` keeps ``(arrival, chat)`` for benchmarks; ``refused`` counts the 429s.
"""

from __future__ import annotations

import time
from collections import deque

PRUNE_EVERY = 4096  # accepted messages between sweeps of idle chats


class SendLimits:
    """A sliding-window limiter on the server side: overall and per chat."""

    def __init__(
        self, *, overall: int | None = None, per_chat: int | None = None, window: float = 1.0
    ) -> None:
        self.overall = overall
        self.per_chat = per_chat
        self.window = window
        self.accepted: list[tuple[float, str]] = []
        self.refused = 0
        self._recent: deque[float] = deque()
        self._chats: dict[str, deque[float]] = {}

    @property
    def enabled(self) -> bool:
        return self.overall is not None or self.per_chat is not None

    def admit(self, chat: str) -> float | None:
        """None when the message to ``chat`` is accepted now (and counted), else the seconds to
        wait before a slot frees."""
        now = time.monotonic()
        edge = now - self.window
        recent = self._recent
        while recent and recent[0] <= edge:
            recent.popleft()
        wait = 0.0
        if self.overall is not None and len(recent) >= self.overall:
            wait = recent[-self.overall] + self.window - now
        mine = self._chats.get(chat)
        if mine is not None:
            while mine and mine[0] <= edge:
                mine.popleft()
            if self.per_chat is not None and len(mine) >= self.per_chat:
                wait = max(wait, mine[-self.per_chat] + self.window - now)
        if wait > 0.0:
            self.refused += 1
            return wait
        recent.append(now)
        if self.per_chat is not None:
            if mine is None:
                mine = self._chats[chat] = deque()
            mine.append(now)
        self.accepted.append((now, chat))
        if len(self.accepted) % PRUNE_EVERY == 0:
            self._prune(edge)
        return None

    def _prune(self, edge: float) -> None:
        """Forget chats with nothing in the window: they behave exactly like new ones."""
        for chat in [c for c, times in self._chats.items() if not times or times[-1] <= edge]:
            del self._chats[chat]
