"""Channel-neutral messages: what a channel adapter produces and what handlers answer.

Adapters turn platform payloads into :class:`Incoming`; renderers turn :class:`Reply` into
platform calls. Handlers never see a platform object, so one conversation script runs on every
channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Ask(StrEnum):
    """A structured input a channel may offer natively (Zalo request_user_info, Telegram)."""

    CONTACT = "contact"


@dataclass(frozen=True, slots=True)
class Incoming:
    """One user message or button press, whatever the channel."""

    channel: str
    user_id: str
    text: str | None = None
    payload: str | None = None
    delivery_id: str | None = None
    language_hint: str | None = None
    contact: dict[str, str] | None = None  # shared name/phone/address, when a channel offers it
    #: The durable inbox's row for this update, when it came through one: the dialogue stores
    #: its replies there, in its own transaction (see ``bot.inbox``).
    inbox_id: int | None = None
    recovered: bool = False  # taken over from a process that stopped: maybe handled already


@dataclass(frozen=True, slots=True)
class Button:
    """A button: the label is shown, the payload comes back (short: ids, never titles)."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One outgoing message. ``title`` is rendered bold where the channel can."""

    text: str
    buttons: tuple[Button, ...] = ()
    title: str | None = None
    ask: Ask | None = None

    def plain(self) -> str:
        """Title and text as one block of plain text."""
        return f"{self.title}\n{self.text}" if self.title else self.text
