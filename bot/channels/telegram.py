"""Telegram on the channel runtime: adapter, renderer and sender on python-telegram-bot.

:class:`TelegramPlatform` is this messenger's part of the channel interface
(``bot.channels.base.Platform``): it reads update JSON into neutral messages, renders replies as
HTML with inline keyboards, and sends them with PTB's ``Bot`` over our aiohttp transport
(``bot.channels.telegram_http``). The Application is built with ``updater(None)`` and never runs
its own update loop; PTB supplies the Bot API types, the errors and the rate-limiter hook, which
:class:`TelegramRateLimiter` fills with the runtime's ``OutgoingLimiter``.

:class:`TelegramChannel` is the runtime with this platform: the webhook route on our aiohttp
server (``motcua serve``) and long polling (``motcua telegram``) feed its bounded queue.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import html
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, ExtBot

from bot.app import App
from bot.channels import render as shared
from bot.channels.base import Adapted, Capabilities, DeliveryError, RateLimited
from bot.channels.ratelimit import OutgoingLimiter
from bot.channels.render import short_label, utf16_len
from bot.channels.runtime import ChannelRuntime, mount, secret_json
from bot.channels.telegram_http import AiohttpRequest
from bot.i18n import t
from bot.messages import Ask, Button, Incoming, Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query")
MAX_TEXT = 4096  # characters after entity parsing (counted in UTF-16 units, as Telegram does)
MAX_CALLBACK_BYTES = 64
MAX_LABEL = 60  # longer labels are cut on the phone anyway; keep the start readable
TYPING_AFTER = 0.5  # seconds before a "typing…" action is worth sending
CAPABILITIES = Capabilities(
    max_text=MAX_TEXT,
    text_length=utf16_len,
    buttons=True,
    max_buttons=100,
    max_label=MAX_LABEL,
    max_payload_bytes=MAX_CALLBACK_BYTES,
    rich_text=True,
    contact_request=True,
    typing=True,
)
__all__ = ["CHANNEL", "TelegramChannel", "TelegramPlatform", "render", "split_text", "utf16_len"]

# Menu commands per language: (command, locale key). Only commands the router knows are sent.
MENU_COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "vi": (
        ("start", "telegram-command-start"),
        ("hoso", "telegram-command-dossiers"),
        ("buudien", "telegram-command-postal"),
        ("ngonngu", "telegram-command-language"),
        ("huy", "telegram-command-cancel"),
        ("trogiup", "telegram-command-help"),
    ),
    "en": (
        ("start", "telegram-command-start"),
        ("hoso", "telegram-command-dossiers"),
        ("buudien", "telegram-command-postal"),
        ("lang", "telegram-command-language"),
        ("cancel", "telegram-command-cancel"),
        ("help", "telegram-command-help"),
    ),
}


# Rendering ---------------------------------------------------------------------------------


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Telegram's split: at most ``limit`` UTF-16 units per message (see ``render.split_text``)."""
    return shared.split_text(text, limit, utf16_len)


@functools.lru_cache(maxsize=2048)
def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button per row. A payload over 64 bytes would make Telegram reject the whole message,
    so such a button is dropped (and logged: a handler must keep payloads short).

    Cached: menus and cards repeat, PTB's objects are immutable, and building them was a
    measurable share of each answer."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        size = len(button.payload.encode("utf-8"))
        label = short_label(button.label, MAX_LABEL)
        if not 1 <= size <= MAX_CALLBACK_BYTES or not label:
            log.error(
                "button dropped: callback_data must be 1-64 bytes",
                extra={"route": button.payload.partition(":")[0][:16], "bytes": size},
            )
            continue
        rows.append([InlineKeyboardButton(label, callback_data=button.payload)])
    return InlineKeyboardMarkup(rows) if rows else None


@dataclass(frozen=True, slots=True)
class Rendered:
    """One sendMessage call: HTML text and an optional keyboard."""

    html: str
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None


def render(reply: Reply, lang: str = "vi") -> list[Rendered]:
    """A reply as one or more messages: everything escaped, the title bold, buttons on the last
    part, a contact request as a one-time reply keyboard when there are no inline buttons."""
    plain = reply.plain()
    chunks = split_text(plain) or ["…"]
    parts = [html.escape(chunk, quote=False) for chunk in chunks]
    title = reply.title
    if title and (chunks[0] == title or chunks[0].startswith(title + "\n")):
        rest = chunks[0][len(title) :]
        parts[0] = f"<b>{html.escape(title, quote=False)}</b>{html.escape(rest, quote=False)}"
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = keyboard(tuple(reply.buttons))
    if markup is None and reply.ask is Ask.CONTACT:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(t(lang, "telegram-share-contact"), request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    out = [Rendered(p) for p in parts]
    out[-1] = Rendered(parts[-1], markup)
    return out


# Adapter -----------------------------------------------------------------------------------


def adapt(data: dict[str, Any] | Update) -> Adapted | None:
    """Update JSON → Incoming. Only private chats: a group is no place for personal dossiers.

    Works on the JSON rather than ``telegram.Update``: building PTB's objects costs more CPU
    than everything else we do with an update besides the dialogue, and we read six fields.
    """
    if isinstance(data, Update):  # from PTB's Updater when polling
        data = data.to_dict()
    delivery_id = f"tg:{data.get('update_id')}"
    query = data.get("callback_query")
    if isinstance(query, dict):
        user = _object(query.get("from"))
        lang = _text_or_none(user.get("language_code"))
        chat = _object(_object(query.get("message")).get("chat"))
        chat_id = _chat_id(chat.get("id", user.get("id")))
        if chat.get("type", "private") != ChatType.PRIVATE or chat_id is None:
            return Adapted(None, None, lang, ack=_text_or_none(query.get("id")))
        incoming = Incoming(
            channel=CHANNEL,
            user_id=str(chat_id),
            payload=_text_or_none(query.get("data")) or "",
            delivery_id=delivery_id,
            language_hint=lang,
        )
        return Adapted(str(chat_id), incoming, lang, ack=_text_or_none(query.get("id")))
    message = data.get("message")
    if not isinstance(message, dict):
        return None  # edits, channel posts, …: nothing to answer
    chat = _object(message.get("chat"))
    chat_id = _chat_id(chat.get("id"))
    if chat_id is None or chat.get("type") != ChatType.PRIVATE:
        return None
    lang = _text_or_none(_object(message.get("from")).get("language_code"))
    text = message.get("text")
    if isinstance(text, str):
        incoming = Incoming(
            channel=CHANNEL,
            user_id=str(chat_id),
            text=text,
            delivery_id=delivery_id,
            language_hint=lang,
        )
        return Adapted(str(chat_id), incoming, lang)
    contact = message.get("contact")
    if isinstance(contact, dict) and contact.get("user_id") in (None, chat_id):
        # Only the user's own contact (the share button), not a forwarded card of someone else.
        name = " ".join(str(contact[k]) for k in ("first_name", "last_name") if contact.get(k))
        incoming = Incoming(
            channel=CHANNEL,
            user_id=str(chat_id),
            delivery_id=delivery_id,
            language_hint=lang,
            contact={"name": name, "phone": str(contact.get("phone_number") or "")},
        )
        return Adapted(str(chat_id), incoming, lang)
    return Adapted(str(chat_id), None, lang, delivery_id=delivery_id)


# Telegram's ids fit in 52 bits; anything else (a string, null, 10**70) is a forged update.
_MAX_CHAT_ID = 2**52


def _chat_id(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= _MAX_CHAT_ID:
        return None
    return value


def _object(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one where the update has something else (forged or odd)."""
    return value if isinstance(value, dict) else {}


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# Rate limiting -----------------------------------------------------------------------------


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type PTB hands out (int or timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB's rate-limiter hook on the runtime's :class:`OutgoingLimiter`: per chat ~1 message/s
    with a small burst, pushes (``rate_limit_args={"push": True}``) within ~30/s overall, and a
    429 pauses that chat (and all pushes) for ``retry_after``. Network errors are retried for
    answers; a timeout is not (the message may have been delivered). Chat actions and callback
    answers are not limited."""

    UNLIMITED = frozenset({"sendChatAction", "answerCallbackQuery", "getMe", "getUpdates"})

    def __init__(self, limiter: OutgoingLimiter | None = None, *, network_retries: int = 2) -> None:
        self.limiter = limiter or OutgoingLimiter(channel=CHANNEL)
        self.network_retries = network_retries

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        push = bool(rate_limit_args and rate_limit_args.get("push"))
        chat = None if endpoint in self.UNLIMITED else data.get("chat_id")

        async def once() -> bool | dict[str, Any] | list[dict[str, Any]]:
            attempt = 0
            while True:
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    raise RateLimited(retry_seconds(exc)) from exc
                except (BadRequest, TimedOut):
                    raise  # a bad request stays bad; a timeout may have been delivered already
                except NetworkError:
                    if push or attempt >= self.network_retries:
                        raise
                    await asyncio.sleep(0.2 * 2**attempt)
                attempt += 1

        if chat is None and endpoint in self.UNLIMITED:
            return await once()
        try:
            return await self.limiter.call(None if chat is None else str(chat), push, once)
        except RateLimited as exc:
            # PTB's callers expect its own error; the original RetryAfter is the cause.
            if isinstance(exc.__cause__, RetryAfter):
                raise exc.__cause__ from None
            raise


# The platform ------------------------------------------------------------------------------


def webhook_secret(settings_secret: str, token: str) -> str:
    """The configured secret, or one derived from the token so a webhook is never open; every
    worker derives the same value. Telegram allows ``A-Za-z0-9_-``, 1-256 characters."""
    if settings_secret:
        return settings_secret
    return hmac.new(token.encode(), b"motcua-telegram-webhook", hashlib.sha256).hexdigest()


class TelegramPlatform:
    """Telegram's part of the channel interface (see ``bot.channels.base.Platform``)."""

    name = CHANNEL
    capabilities = CAPABILITIES
    idempotent = False  # the Bot API has no idempotency key

    def __init__(
        self,
        app: App,
        *,
        pool_size: int,
        rate_limiter: BaseRateLimiter[Any] | None = None,
    ) -> None:
        settings = app.services.settings
        token = settings.telegram_token.get_secret_value()
        if not token:
            raise ValueError("MOTCUA_TELEGRAM_TOKEN is not set")
        self.app = app
        self.settings = settings
        self.secret = webhook_secret(settings.telegram_webhook_secret.get_secret_value(), token)
        self.webhook_url: str | None = None
        self.polling = False
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(settings.telegram_base_url)
            .updater(None)
            .request(AiohttpRequest(connection_pool_size=pool_size, pool_timeout=5.0))
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
            .rate_limiter(rate_limiter or TelegramRateLimiter())
            .build()
        )

    @property
    def bot(self) -> ExtBot[Any]:
        bot: ExtBot[Any] = self.application.bot
        return bot

    @property
    def typing_after(self) -> float:
        return TYPING_AFTER

    # Lifecycle -----------------------------------------------------------------------------
    def configure(self, *, webhook_url: str | None, polling: bool) -> None:
        self.webhook_url, self.polling = webhook_url, polling

    async def start(self) -> None:
        await self.application.initialize()
        if self.polling:
            await self.bot.delete_webhook(drop_pending_updates=False)
        elif self.webhook_url:
            await self.bot.set_webhook(
                self.webhook_url,
                secret_token=self.secret,
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=40,
            )
        await self.set_commands()

    async def set_commands(self) -> None:
        """The command menu in vi and en; the default (other client languages) is vi."""
        known = set(self.app.dialogue.router.commands)
        default = self.settings.default_language
        for lang, entries in MENU_COMMANDS.items():
            commands = [BotCommand(cmd, t(lang, key)) for cmd, key in entries if cmd in known]
            if not commands:
                continue
            await self.bot.set_my_commands(commands, language_code=lang)
            if lang == default:
                await self.bot.set_my_commands(commands)

    async def stop(self) -> None:
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        # The Application skips this when it never finished initialising (Telegram unreachable
        # at start-up), but the HTTP sessions were opened before getMe failed.
        await self.bot.shutdown()

    # The interface -------------------------------------------------------------------------
    def adapt(self, update: dict[str, Any]) -> Adapted | None:
        return adapt(update)

    async def deliver(self, user_id: str, replies: list[Reply], *, lang: str, push: bool) -> None:
        try:
            chat_id = int(user_id)
        except ValueError:
            raise DeliveryError("not a Telegram chat id", permanent=True) from None
        rl = {"push": True} if push else None
        try:
            for reply in replies:
                for part in render(reply, lang):
                    await self.bot.send_message(
                        chat_id,
                        part.html,
                        parse_mode=ParseMode.HTML,
                        reply_markup=part.markup,
                        link_preview_options=_NO_PREVIEW,
                        rate_limit_args=rl,
                    )
        except RetryAfter as exc:
            raise RateLimited(retry_seconds(exc)) from exc
        except Forbidden as exc:
            raise DeliveryError("blocked by the user", permanent=True) from exc
        except BadRequest as exc:
            # "chat not found", "message is too long", ...: sending again cannot help.
            raise DeliveryError(_reason(exc), permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(_reason(exc)) from exc

    async def typing(self, user_id: str) -> None:
        await self.bot.send_chat_action(int(user_id), ChatAction.TYPING)

    async def acknowledge(self, ack: str) -> None:
        """Answer the callback query, so the pressed button stops spinning."""
        await self.bot.answer_callback_query(ack)


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _reason(exc: TelegramError) -> str:
    """The Bot API's description: fixed texts such as "Forbidden: bot was blocked by the user"
    (no user content)."""
    return f"{type(exc).__name__}: {exc.message}"[:200]


class TelegramChannel(ChannelRuntime):
    """The channel runtime with :class:`TelegramPlatform`."""

    def __init__(
        self,
        app: App,
        *,
        concurrency: int = 8,
        backlog: int = 512,
        rate_limiter: BaseRateLimiter[Any] | None = None,
    ) -> None:
        # Each worker may have an answer, a chat action and a callback answer in flight: the
        # pool must never be smaller than that, or throughput collapses without an error.
        self.telegram = TelegramPlatform(
            app, pool_size=concurrency * 3 + 4, rate_limiter=rate_limiter
        )
        super().__init__(app, self.telegram, concurrency=concurrency, backlog=backlog)
        self.secret = self.telegram.secret

    @property
    def bot(self) -> ExtBot[Any]:
        return self.telegram.bot

    @property
    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        return self.telegram.application


# aiohttp wiring ----------------------------------------------------------------------------

CHANNEL_KEY = web.AppKey("telegram", TelegramChannel)


async def webhook(request: web.Request) -> web.Response:
    """POST /telegram/webhook: check the secret, queue the update, answer at once."""
    channel = request.app[CHANNEL_KEY]
    update, refused = await secret_json(request, channel, SECRET_HEADER, channel.secret)
    if refused is not None:
        return refused
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        log.warning("unreadable telegram update dropped")
        return web.Response(status=200)  # retrying would not make it readable
    return await channel.accept(update)


def setup(web_app: web.Application, app: App) -> None:
    """Feature hook for ``bot.server.create_web_app``: nothing happens without a token."""
    if app.services.settings.telegram_token.get_secret_value():
        mount(web_app, TelegramChannel(app), CHANNEL_KEY, WEBHOOK_PATH, webhook)
