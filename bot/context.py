"""What a handler gets: the incoming message, the user's state, a DB session, the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Conversation
from bot.i18n import t
from bot.messages import Button, Incoming, Reply

if TYPE_CHECKING:
    from bot.services import Services


@dataclass
class Context:
    """Per-message context. Handlers append replies and change the conversation state; the
    dialogue commits both together, so a crash in a handler loses neither."""

    incoming: Incoming
    conversation: Conversation
    session: AsyncSession
    services: Services
    text: str = ""
    command: str | None = None
    args: str = ""
    payload: str | None = None
    payload_arg: str = ""
    replies: list[Reply] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.conversation.language

    @property
    def channel(self) -> str:
        return self.incoming.channel

    @property
    def user_id(self) -> str:
        return self.incoming.user_id

    def now(self) -> datetime:
        return self.services.clock()

    def t(self, key: str, **args: Any) -> str:
        return t(self.lang, key, **args)

    def button(self, key: str, payload: str, **args: Any) -> Button:
        """A button whose label is the localised message ``key``."""
        return Button(self.t(key, **args), payload)

    def reply(
        self,
        text: str,
        buttons: list[Button] | tuple[Button, ...] = (),
        *,
        title: str | None = None,
        ask: Any = None,
    ) -> None:
        self.replies.append(Reply(text=text, buttons=tuple(buttons), title=title, ask=ask))

    def say(self, key: str, buttons: list[Button] | tuple[Button, ...] = (), **args: Any) -> None:
        """Reply with the localised message ``key``."""
        self.reply(self.t(key, **args), buttons)

    # Conversation state -------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.conversation.flow

    @property
    def step(self) -> str | None:
        return self.conversation.step

    @property
    def data(self) -> dict[str, Any]:
        """Collected fields of the current flow (copy-on-write so SQLAlchemy sees changes)."""
        return dict(self.conversation.data.get("flow", {}))

    def start_flow(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        self.conversation.flow = flow
        self.conversation.step = step
        self._set("flow", dict(data or {}))

    def goto(self, step: str, **updates: Any) -> None:
        """Move to ``step`` of the current flow, storing ``updates`` in its data."""
        self.conversation.step = step
        merged = self.data
        merged.update(updates)
        self._set("flow", merged)

    def end_flow(self) -> None:
        self.conversation.flow = None
        self.conversation.step = None
        self._set("flow", {})

    def remember(self, key: str, value: Any) -> None:
        """Store a value outside any flow (e.g. the last query, for feedback)."""
        self._set(key, value)

    def recall(self, key: str, default: Any = None) -> Any:
        return self.conversation.data.get(key, default)

    def _set(self, key: str, value: Any) -> None:
        data = dict(self.conversation.data or {})
        data[key] = value
        self.conversation.data = data
