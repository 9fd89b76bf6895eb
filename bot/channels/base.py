"""The channel interface: what a messenger module writes, and what the rest of the bot sees.

A messenger is one module with a :class:`Platform`: it *adapts* a platform update into a
neutral :class:`~bot.messages.Incoming`, *delivers* neutral replies with the platform's calls,
and declares its :class:`Capabilities` (the renderer reads them: text length, buttons, rich
text, a native contact request, a typing action). Everything else every messenger needs — the
bounded intake queue with 503 + ``Retry-After``, the worker pool, per-user order shared with
the dialogue, the typing indicator, outgoing rate limits that honour ``retry_after``, splitting
long text — is the :class:`~bot.channels.runtime.ChannelRuntime`, written once.

The outbox sees a channel as a :class:`Sender`; the runtime is one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.messages import Incoming, Reply


class DeliveryError(Exception):
    """A push failed. ``retry_after`` (seconds) is set when the platform asked us to wait;
    ``permanent`` means retrying cannot help (user blocked the bot, chat deleted);
    ``per_user`` means only this user must wait (e.g. outside a messaging window), not the
    whole channel."""

    per_user: bool = False

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        per_user: bool | None = None,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.permanent = permanent
        if per_user is not None:
            self.per_user = per_user


class RateLimited(Exception):
    """The platform answered "too many requests": wait ``retry_after`` seconds, then retry."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:g} s")
        self.retry_after = retry_after


class Sender(Protocol):
    """Sends replies to one user of one channel (used for answers and for pushes)."""

    name: str
    #: True when the platform de-duplicates by ``idempotency_key``: then a push cut by a crash
    #: can be sent again safely (the outbox passes its row's key).
    idempotent: bool

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a platform can show; the renderer (``bot.channels.render``) adapts replies to it."""

    max_text: int  # per message, in the platform's own units (see ``text_length``)
    buttons: bool  # tappable buttons; without them choices become numbered lines
    max_buttons: int = 0  # per message; more choices become numbered lines
    max_label: int = 0  # characters of a button label
    max_payload_bytes: int = 0  # of a button's payload, UTF-8
    rich_text: bool = False  # a bold title
    contact_request: bool = False  # a native "share my name/phone/address" request
    typing: bool = False  # a "typing…" action
    text_length: Callable[[str], int] = len  # how the platform counts ``max_text``


@dataclass(frozen=True, slots=True)
class Adapted:
    """What one platform update means: who it is from and what they said.

    ``incoming`` is None for a message the bot cannot read (a sticker, a photo): the runtime
    answers it with a polite "text only". ``user_id`` is None when there is nobody to answer (a
    group chat, an unknown event). ``ack`` is a platform handle to acknowledge at once (e.g. a
    Telegram callback query id), whatever the dialogue does."""

    user_id: str | None
    incoming: Incoming | None
    language_hint: str | None = None
    ack: str | None = None
    #: The platform's id of this update, when ``incoming`` carries none (a sticker): the
    #: durable inbox keys every update by it.
    delivery_id: str | None = None

    @property
    def key(self) -> str | None:
        """The update's delivery id, whatever it carries."""
        if self.incoming is not None and self.incoming.delivery_id:
            return self.incoming.delivery_id
        return self.delivery_id


class Platform(Protocol):
    """One messenger, as the channel runtime drives it."""

    name: str
    capabilities: Capabilities
    idempotent: bool

    @property
    def typing_after(self) -> float:
        """Seconds an answer may take before "typing…" is worth sending."""

    def configure(self, *, webhook_url: str | None, polling: bool) -> None:
        """How updates will arrive: a webhook at ``webhook_url`` (registered by :meth:`start`
        where the platform registers webhooks) or polling; raise ValueError if unsupported."""

    async def start(self) -> None:
        """Connect (check credentials, register a webhook); may raise when unreachable."""

    async def stop(self) -> None:
        """Close what :meth:`start` opened."""

    def adapt(self, update: dict[str, Any]) -> Adapted | None:
        """A raw update → :class:`Adapted`; None when it needs no answer at all."""

    async def deliver(self, user_id: str, replies: list[Reply], *, lang: str, push: bool) -> None:
        """Send replies, rendered by :attr:`capabilities`. Raises :class:`RateLimited` when the
        platform asks to wait, :class:`DeliveryError` for anything else that failed."""

    async def typing(self, user_id: str) -> None:
        """Show "typing…" (only called when :attr:`capabilities` says it exists)."""

    async def acknowledge(self, ack: str) -> None:
        """Acknowledge an update at once (e.g. stop a pressed button's spinner)."""
