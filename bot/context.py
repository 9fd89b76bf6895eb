"""What a handler gets: the incoming message, the user's state, a DB session, the services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.i18n import t
from bot.messages import Ask, Button, Incoming, Reply

if TYPE_CHECKING:
    from bot.services import Services


LANGUAGE_CHOSEN = "lang_chosen"  # conversation data: the language was picked, not guessed


@dataclass(slots=True)
class ConversationState:
    """The user's conversation row as plain data: language, the flow in progress and its step,
    and a JSON document of collected fields. The dialogue loads, creates and saves it with
    Core statements prepared once, in the message's own transaction."""

    language: str
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """Per-message context. Handlers append replies and change the conversation state; the
    dialogue commits both together, so a crash in a handler loses neither."""

    incoming: Incoming
    conversation: ConversationState
    connection: AsyncConnection
    services: Services
    text: str = ""
    command: str | None = None
    args: str = ""
    payload: str | None = None
    payload_arg: str = ""
    replies: list[Reply] = field(default_factory=list)
    #: The running router's dispatch, set by the dialogue (see :meth:`continue_with`).
    dispatch: Callable[[Context], Awaitable[None]] | None = field(default=None, repr=False)
    _session: AsyncSession | None = field(default=None, repr=False)

    @property
    def session(self) -> AsyncSession:
        """An ORM session inside the message's transaction, opened on first use: most messages
        (a greeting, a search) never need one, and opening it costs more than their SQL."""
        if self._session is None:
            self._session = self.services.db.sessions(bind=self.connection)
        return self._session

    async def close_session(self, *, flush: bool = True) -> None:
        """Write what the handler left pending in the session (the dialogue then commits), or
        drop it when the handler failed (the dialogue then rolls back)."""
        if self._session is None:
            return
        session, self._session = self._session, None
        try:
            if flush:
                await session.flush()
        finally:
            await session.close()

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

    def money(self, amount: int) -> str:
        """An amount in VND as this user's language writes it (100.000 đồng, VND 100,000)."""
        return self.t("money", amount=amount)

    def button(self, key: str, payload: str, **args: Any) -> Button:
        """A button whose label is the localised message ``key``."""
        return Button(self.t(key, **args), payload)

    def reply(
        self,
        text: str,
        buttons: list[Button] | tuple[Button, ...] = (),
        *,
        title: str | None = None,
        ask: Ask | None = None,
    ) -> None:
        self.replies.append(Reply(text=text, buttons=tuple(buttons), title=title, ask=ask))

    def say(self, key: str, buttons: list[Button] | tuple[Button, ...] = (), **args: Any) -> None:
        """Reply with the localised message ``key``."""
        self.reply(self.t(key, **args), buttons)

    async def continue_with(self, payload: str) -> None:
        """Go on as if the user had pressed a button with ``payload``, through the router that
        is running: a gate (e.g. the second factor) resumes the caller's own payload handler,
        in the same message and transaction."""
        if self.dispatch is None:
            raise RuntimeError("continue_with needs a context created by the dialogue")
        self.payload, self.payload_arg, self.command, self.args = payload, "", None, ""
        await self.dispatch(self)

    # Conversation state -------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.conversation.flow

    @property
    def step(self) -> str | None:
        return self.conversation.step

    @property
    def data(self) -> dict[str, Any]:
        """Collected fields of the current flow (a copy: change them with ``goto``)."""
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

    def choose_language(self, lang: str) -> None:
        """The citizen picked ``lang`` (/lang, the menu): it stays, whatever they write next."""
        self.conversation.language = lang
        self._set(LANGUAGE_CHOSEN, True)

    def follow_language(self, lang: str) -> bool:
        """Answer in ``lang``, the language the citizen writes in, unless they picked one;
        True when the language changed."""
        if lang == self.conversation.language or self.recall(LANGUAGE_CHOSEN):
            return False
        self.conversation.language = lang
        return True

    def remember(self, key: str, value: Any) -> None:
        """Store a value outside any flow (e.g. the last query, for feedback)."""
        self._set(key, value)

    def recall(self, key: str, default: Any = None) -> Any:
        return self.conversation.data.get(key, default)

    def _set(self, key: str, value: Any) -> None:
        self.conversation.data[key] = value
