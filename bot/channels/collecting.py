"""A channel that keeps what it is sent: for tests and the conversation-script runner."""

from __future__ import annotations

from collections import defaultdict

from bot.messages import Reply


class CollectingSender:
    """Records replies per user instead of sending them anywhere."""

    name = "test"
    idempotent = False

    def __init__(self, name: str = "test") -> None:
        self.name = name
        self.sent: dict[str, list[Reply]] = defaultdict(list)

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None:
        self.sent[user_id].extend(replies)
