"""The dialogue core: one incoming message in, replies out, state saved in the same transaction.

Guarantees: one user's messages are handled strictly in order (:attr:`Dialogue.locks` in the
process, shared with the channels, and a row lock on PostgreSQL for several workers); different
users run concurrently; a delivery id already processed is ignored (webhook updates are kept
out by the durable inbox's key, others by ``processed_deliveries``), and an update taken over
after a crash is answered from the replies it saved if it was handled; a crash in a handler rolls
back its writes and state and the user gets a polite apology, so nothing half-done is kept.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot import metrics
from bot.context import Context, ConversationState
from bot.db.models import Conversation, ProcessedDelivery
from bot.i18n import normalize_language, t
from bot.inbox import save_replies, stored_replies
from bot.messages import Incoming, Reply
from bot.ordering import KeyedLock
from bot.router import Router
from bot.services import Services
from lookup.language import written_in

log = logging.getLogger(__name__)

MAX_PAYLOAD = 256
MAX_TEXT = 2000  # longer messages are refused politely: no procedure name or code is that long
# Control characters, and lone surrogates (valid JSON escapes, but no text: encoding them for
# the database or the messenger fails).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_COMMAND = re.compile(r"^/([A-Za-z_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.S)
MENU_KEY = "menu"


def user_key(channel: str, user_id: str) -> tuple[str, str]:
    """The key of one user's lock in :attr:`Dialogue.locks`."""
    return (channel, user_id)


class Dialogue:
    """Handles messages for every channel."""

    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router
        #: One user's messages in order; channels hold it across handling and sending.
        self.locks = KeyedLock()
        # Core statements built once: the dialogue runs them for every message, and the ORM's
        # unit of work around one row cost more than the SQL itself.
        db = services.db
        conv = cast(Table, Conversation.__table__)  # declared as a FromClause; it is a Table
        self._claim_delivery = db.insert_ignore(ProcessedDelivery)
        self._create_conversation = db.insert_ignore(Conversation)
        load = select(conv.c.language, conv.c.flow, conv.c.step, conv.c.data).where(
            conv.c.channel == bindparam("channel"), conv.c.user_id == bindparam("user_id")
        )
        self._load_conversation = load if db.is_sqlite else load.with_for_update()
        self._save_conversation = (
            update(conv)
            .where(conv.c.channel == bindparam("b_channel"), conv.c.user_id == bindparam("b_user"))
            .values(
                language=bindparam("language"),
                flow=bindparam("flow"),
                step=bindparam("step"),
                data=bindparam("data", type_=conv.c.data.type),
                last_seen_at=bindparam("now", type_=conv.c.last_seen_at.type),
                updated_at=bindparam("now", type_=conv.c.updated_at.type),
            )
        )

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Process one message; returns the replies to send (empty for a duplicate)."""
        async with self.locks.hold(user_key(incoming.channel, incoming.user_id)):
            try:
                return await self._handle(incoming)
            except Exception:
                metrics.HANDLER_ERRORS.labels(incoming.channel).inc()
                log.exception("handler failed", extra={"channel": incoming.channel})
                lang = await self.language_of(
                    incoming.channel, incoming.user_id, incoming.language_hint
                )
                return [Reply(t(lang, "error-internal"))]

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        async with self.services.db.begin() as conn:
            if incoming.inbox_id is not None:
                # The inbox's unique key keeps re-deliveries out already; only an update taken
                # over from a process that stopped may have been handled, and not answered.
                if incoming.recovered:
                    stored = await stored_replies(conn, incoming.inbox_id)
                    if stored is not None:
                        metrics.INBOX_REPLAYED.labels(incoming.channel).inc()
                        log.info(
                            "stored answer sent after a restart",
                            extra={"channel": incoming.channel},
                        )
                        return stored
            elif incoming.delivery_id:
                claimed = await conn.execute(
                    self._claim_delivery,
                    {
                        "channel": incoming.channel,
                        "delivery_id": incoming.delivery_id[:128],
                        "processed_at": self.services.clock(),
                    },
                )
                if claimed.rowcount == 0:
                    log.info("duplicate delivery ignored", extra={"channel": incoming.channel})
                    return []
            state = await self._conversation(conn, incoming)
            ctx = Context(
                incoming=incoming,
                conversation=state,
                connection=conn,
                services=self.services,
                dispatch=self.router.dispatch,
            )
            try:
                if self._prepare(ctx):
                    await self.router.dispatch(ctx)
            except BaseException:
                await ctx.close_session(flush=False)
                raise
            await ctx.close_session()
            pressable = [b.payload for r in ctx.replies for b in r.buttons]
            if pressable:  # a turn without buttons keeps the last menu: "2" still presses it
                ctx.remember(MENU_KEY, pressable)
            await conn.execute(
                self._save_conversation,
                {
                    "b_channel": incoming.channel,
                    "b_user": incoming.user_id,
                    "language": state.language,
                    "flow": state.flow,
                    "step": state.step,
                    "data": state.data,
                    "now": self.services.clock(),
                },
            )
            if incoming.inbox_id is not None:
                await save_replies(conn, incoming.inbox_id, ctx.replies)
            return ctx.replies

    def _prepare(self, ctx: Context) -> bool:
        """Normalise the text, map a typed number to a button, spot commands.

        Returns False when the message was answered here (empty or too long).
        """
        inc = ctx.incoming
        if inc.payload is not None:
            # Payloads come back from the platform and can be forged: cleaned like text (a NUL
            # would reach PostgreSQL) and bounded (no handler's payload is longer).
            ctx.payload = _CONTROL.sub("", inc.payload)[:MAX_PAYLOAD]
            return True
        raw = inc.text or ""
        if not raw.strip() and inc.contact:
            return True
        text = _CONTROL.sub(" ", unicodedata.normalize("NFC", raw)).strip()
        if not text:
            ctx.say("error-empty")
            return False
        if len(text) > MAX_TEXT:
            ctx.say("error-too-long", limit=MAX_TEXT)
            return False
        ctx.text = text
        menu = ctx.recall(MENU_KEY) or []
        # isascii: "²" is a digit to str.isdigit() but not to int().
        if text.isascii() and text.isdigit() and len(text) <= 2 and 1 <= int(text) <= len(menu):
            ctx.payload = menu[int(text) - 1]
            return True
        m = _COMMAND.match(text)
        if m:
            ctx.command = m.group(1).lower()
            ctx.args = (m.group(2) or "").strip()
        elif ctx.flow is None:
            # Answer in the language the citizen writes (not in the middle of a form: a
            # foreigner types a Vietnamese street name there).
            written = written_in(text)
            if written is not None and ctx.follow_language(written):
                ctx.say("language-followed")
        return True

    async def _conversation(self, conn: AsyncConnection, incoming: Incoming) -> ConversationState:
        """Load (and lock, on PostgreSQL) the user's row; create it on the first message."""
        key = {"channel": incoming.channel, "user_id": incoming.user_id}
        row = (await conn.execute(self._load_conversation, key)).first()
        if row is None:
            lang = (
                normalize_language(incoming.language_hint)
                or self.services.settings.default_language
            )
            # Insert-or-ignore: a concurrent worker may create the same row first.
            await conn.execute(
                self._create_conversation,
                key | {"data": {}, "language": lang, "updated_at": self.services.clock()},
            )
            row = (await conn.execute(self._load_conversation, key)).one()
        return ConversationState(
            language=row.language, flow=row.flow, step=row.step, data=dict(row.data or {})
        )

    async def language_of(
        self, channel: str, user_id: str, hint: str | None = None, *, strict: bool = False
    ) -> str:
        """The user's chosen language, else the platform's hint, else the default.

        Does not fail unless ``strict``: it also picks the language of the apology when the
        database is what failed. A push (``strict``) had rather wait for a retry than go out in
        a language the user did not choose."""
        try:
            async with self.services.db.read() as session:
                lang = await session.scalar(
                    select(Conversation.language).where(
                        Conversation.channel == channel, Conversation.user_id == user_id
                    )
                )
        except Exception:
            if strict:
                raise
            lang = None
        return lang or normalize_language(hint) or self.services.settings.default_language
