"""What every channel offers the rest of the bot: a way to push replies to a user."""

from __future__ import annotations

from typing import Protocol

from bot.messages import Reply


class DeliveryError(Exception):
    """A push failed. ``retry_after`` (seconds) is set when the platform asked us to wait;
    ``permanent`` means retrying cannot help (user blocked the bot, chat deleted)."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent


class Sender(Protocol):
    """Sends replies to one user of one channel (used for answers and for pushes)."""

    name: str
    #: True when the platform de-duplicates by ``idempotency_key``: then a push cut by a crash
    #: can be sent again safely (the outbox passes its row's key).
    idempotent: bool

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None: ...
