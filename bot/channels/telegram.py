"""Telegram channel on python-telegram-bot: adapter, renderer, sender, rate limiter, webhook.

One :class:`TelegramChannel` serves both modes: the webhook route on our aiohttp server
(``motcua serve``) and long polling (``motcua telegram``) feed the same bounded queue, read by a
fixed number of workers. The queue is the backpressure: the webhook answers 503 when it is full
(Telegram retries later) and the polling loop simply waits, so a burst never turns into an
unbounded heap of tasks. PTB supplies the HTTP client, the Bot API types and the rate-limiter
hook; the Application is built with ``updater(None)`` and never runs its own update loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import html
import json
import logging
import time
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine
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
from bot.channels.base import DeliveryError
from bot.channels.telegram_http import AiohttpRequest
from bot.i18n import normalize_language, t
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


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _hard_split(word: str, limit: int) -> list[str]:
    """Cut a single word longer than the limit (only for pathological input)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for ch in word:
        w = 2 if ord(ch) > 0xFFFF else 1
        if size + w > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += w
    if current:
        parts.append("".join(current))
    return parts


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split into chunks of at most ``limit`` units at line boundaries; a line that is itself
    too long is split between words, and only a word longer than the limit is cut."""
    if utf16_len(text) <= limit:
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
        if utf16_len(candidate) <= limit:
            current = candidate
            return
        flush()
        current = piece

    for line in text.split("\n"):
        if utf16_len(line) <= limit:
            add(line, "\n")
            continue
        flush()
        for word in line.split(" "):
            if utf16_len(word) <= limit:
                add(word, " ")
            else:
                flush()
                for part in _hard_split(word, limit):
                    add(part, "")
                    flush()
        flush()
    flush()
    return chunks


def _label(text: str) -> str:
    label = " ".join(text.split())
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


@functools.lru_cache(maxsize=2048)
def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button per row. A payload over 64 bytes would make Telegram reject the whole message,
    so such a button is dropped (and logged: a handler must keep payloads short).

    Cached: menus and cards repeat, PTB's objects are immutable, and building them was a
    measurable share of each answer."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        size = len(button.payload.encode("utf-8"))
        label = _label(button.label)
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


@dataclass(frozen=True, slots=True)
class Adapted:
    """What one update means for us. ``incoming`` is None for a message we cannot read (or a
    button pressed where we do not answer: then ``chat_id`` is None too)."""

    chat_id: int | None
    incoming: Incoming | None
    language_hint: str | None
    callback_query_id: str | None = None


def adapt(data: dict[str, Any]) -> Adapted | None:
    """Update JSON → Incoming. Only private chats: a group is no place for personal dossiers.

    Works on the JSON rather than ``telegram.Update``: building PTB's objects costs more CPU
    than everything else we do with an update besides the dialogue, and we read six fields.
    """
    delivery_id = f"tg:{data.get('update_id')}"
    query = data.get("callback_query")
    if isinstance(query, dict):
        user = query.get("from") or {}
        lang = user.get("language_code")
        chat = (query.get("message") or {}).get("chat") or {}
        if chat.get("type", "private") != ChatType.PRIVATE or "id" not in (chat or user):
            return Adapted(None, None, lang, callback_query_id=query.get("id"))
        chat_id = int(chat.get("id", user.get("id")))
        incoming = Incoming(
            channel=CHANNEL,
            user_id=str(chat_id),
            payload=str(query.get("data") or ""),
            delivery_id=delivery_id,
            language_hint=lang,
        )
        return Adapted(chat_id, incoming, lang, callback_query_id=query.get("id"))
    message = data.get("message")
    if not isinstance(message, dict):
        return None  # edits, channel posts, …: nothing to answer
    chat = message.get("chat") or {}
    if chat.get("type") != ChatType.PRIVATE or "id" not in chat:
        return None
    chat_id = int(chat["id"])
    lang = (message.get("from") or {}).get("language_code")
    text = message.get("text")
    if isinstance(text, str):
        incoming = Incoming(
            channel=CHANNEL,
            user_id=str(chat_id),
            text=text,
            delivery_id=delivery_id,
            language_hint=lang,
        )
        return Adapted(chat_id, incoming, lang)
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
        return Adapted(chat_id, incoming, lang)
    return Adapted(chat_id, None, lang)


# Rate limiting -----------------------------------------------------------------------------


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type PTB hands out (int or timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Per chat a token bucket (~1 message/s with a small burst, so a two-part answer is not
    delayed); pushes (``rate_limit_args={"push": True}``) also share an overall ~30/s budget,
    Telegram's limit for bulk notifications. A 429 pauses that chat (and all pushes) for
    ``retry_after`` and is retried for answers; pushes get the error back at once so the outbox
    can reschedule. Chat actions and callback answers are not limited."""

    UNLIMITED = frozenset({"sendChatAction", "answerCallbackQuery", "getMe", "getUpdates"})

    def __init__(
        self,
        *,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        push_per_second: float = 30.0,
        max_retries: int = 3,
        network_retries: int = 2,
    ) -> None:
        self.chat_rate = chat_per_second
        self.chat_burst = float(chat_burst)
        self.push_interval = 1.0 / push_per_second
        self.max_retries = max_retries
        self.network_retries = network_retries
        self._buckets: dict[str, list[float]] = {}  # chat → [tokens, updated, paused_until]
        self._push_next = 0.0
        self._push_paused_until = 0.0

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
        key = str(chat) if chat is not None else None
        attempt = 0
        while True:
            if key is not None:
                await self._take_chat(key)
            if push:
                await self._take_push()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                delay = retry_seconds(exc)
                log.warning("telegram asked to wait", extra={"seconds": delay, "push": push})
                until = time.monotonic() + delay
                if key is not None:
                    self._bucket(key)[2] = until
                if push or key is None:
                    self._push_paused_until = max(self._push_paused_until, until)
                if push or attempt >= self.max_retries:
                    raise
                if key is None:
                    await asyncio.sleep(delay)
            except (BadRequest, TimedOut):
                raise  # a bad request stays bad; a timeout may have been delivered already
            except NetworkError:
                if push or attempt >= self.network_retries:
                    raise
                await asyncio.sleep(0.2 * 2**attempt)
            attempt += 1

    def _bucket(self, key: str) -> list[float]:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > 50_000:
                self._prune()
            bucket = self._buckets[key] = [self.chat_burst, time.monotonic(), 0.0]
        return bucket

    def _prune(self) -> None:
        now = time.monotonic()
        full = now - self.chat_burst / self.chat_rate
        for key in [k for k, b in self._buckets.items() if b[1] < full and b[2] < now]:
            del self._buckets[key]

    async def _take_chat(self, key: str) -> None:
        while True:
            bucket = self._bucket(key)
            now = time.monotonic()
            if bucket[2] > now:
                await asyncio.sleep(bucket[2] - now)
                continue
            tokens = min(self.chat_burst, bucket[0] + (now - bucket[1]) * self.chat_rate)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return
            bucket[0] = tokens
            await asyncio.sleep((1.0 - tokens) / self.chat_rate)

    async def _take_push(self) -> None:
        now = time.monotonic()
        start = max(now, self._push_next, self._push_paused_until)
        self._push_next = start + self.push_interval
        if start > now:
            await asyncio.sleep(start - now)


# The channel -------------------------------------------------------------------------------


def webhook_secret(settings_secret: str, token: str) -> str:
    """The configured secret, or one derived from the token so a webhook is never open; every
    worker derives the same value. Telegram allows ``A-Za-z0-9_-``, 1-256 characters."""
    if settings_secret:
        return settings_secret
    return hmac.new(token.encode(), b"motcua-telegram-webhook", hashlib.sha256).hexdigest()


class TelegramChannel:
    """Adapter + renderer + :class:`~bot.channels.base.Sender` for Telegram."""

    name = CHANNEL
    idempotent = False

    def __init__(
        self,
        app: App,
        *,
        concurrency: int = 8,
        backlog: int = 512,
        rate_limiter: BaseRateLimiter[Any] | None = None,
    ) -> None:
        settings = app.services.settings
        token = settings.telegram_token.get_secret_value()
        if not token:
            raise ValueError("MOTCUA_TELEGRAM_TOKEN is not set")
        self.app = app
        self.settings = settings
        self.concurrency = concurrency
        self.secret = webhook_secret(settings.telegram_webhook_secret.get_secret_value(), token)
        # Each worker may have an answer, a chat action and a callback answer in flight: the
        # pool must never be smaller than that, or throughput collapses without an error.
        pool = concurrency * 3 + 4
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(settings.telegram_base_url)
            .updater(None)
            .request(AiohttpRequest(connection_pool_size=pool, pool_timeout=5.0))
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
            .rate_limiter(rate_limiter or TelegramRateLimiter())
            .build()
        )
        # Webhook JSON, or telegram.Update objects from PTB's Updater when polling.
        self.queue: asyncio.Queue[dict[str, Any] | Update] = asyncio.Queue(maxsize=backlog)
        self.ready = False
        self.completed = 0  # updates fully handled (tests and the benchmark wait on it)
        self._workers: list[asyncio.Task[None]] = []
        self._starter: asyncio.Task[None] | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[int, int] = {}

    @property
    def bot(self) -> ExtBot[Any]:
        return self.application.bot

    # Lifecycle ---------------------------------------------------------------------------
    async def start(self, *, webhook_url: str | None = None, polling: bool = False) -> None:
        """Start the workers, then connect to Telegram. If Telegram is unreachable the rest of
        the server must still come up: keep retrying in the background (webhook answers 503)."""
        self._workers = [
            asyncio.create_task(self._worker(), name=f"telegram-worker-{i}")
            for i in range(self.concurrency)
        ]
        try:
            await self._connect(webhook_url, polling)
        except (TelegramError, OSError) as exc:
            if polling:
                await self.stop()
                raise
            log.error("telegram start-up failed, retrying", extra={"error": type(exc).__name__})
            self._starter = asyncio.create_task(self._connect_retrying(webhook_url))

    async def _connect(self, webhook_url: str | None, polling: bool) -> None:
        await self.application.initialize()
        if polling:
            await self.bot.delete_webhook(drop_pending_updates=False)
        elif webhook_url:
            await self.bot.set_webhook(
                webhook_url,
                secret_token=self.secret,
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=40,
            )
        await self.set_commands()
        self.ready = True
        log.info("telegram ready", extra={"mode": "polling" if polling else "webhook"})

    async def _connect_retrying(self, webhook_url: str | None) -> None:
        delay = 1.0
        while not self.ready:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
            try:
                await self._connect(webhook_url, False)
            except (TelegramError, OSError) as exc:
                log.error("telegram start-up failed again", extra={"error": type(exc).__name__})

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

    async def stop(self, *, drain_seconds: float = 5.0) -> None:
        """Finish what is queued (bounded), then stop the workers and close the HTTP client."""
        if self._starter is not None:
            self._starter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starter
        if self.ready:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.queue.join(), drain_seconds)
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        if self.application.running:
            await self.application.stop()
        self.ready = False
        await self.application.shutdown()
        # The Application skips this when it never finished initialising (Telegram unreachable
        # at start-up), but the HTTP sessions were opened before getMe failed.
        await self.bot.shutdown()

    # Incoming ----------------------------------------------------------------------------
    def submit_nowait(self, update: dict[str, Any]) -> bool:
        """Queue an update from the webhook; False when the backlog is full."""
        try:
            self.queue.put_nowait(update)
        except asyncio.QueueFull:
            return False
        return True

    async def _worker(self) -> None:
        while True:
            item = await self.queue.get()
            try:
                await self.handle_update(item if isinstance(item, dict) else item.to_dict())
            except Exception:
                log.exception("telegram update failed")
            finally:
                self.completed += 1
                self.queue.task_done()

    async def handle_update(self, update: dict[str, Any]) -> None:
        """Answer one update (JSON): dialogue, then the replies, in order per chat."""
        adapted = adapt(update)
        if adapted is None:
            return
        if adapted.chat_id is None:
            await self._answer_callback(adapted.callback_query_id)
            return
        async with self._chat_lock(adapted.chat_id):
            answer = (
                asyncio.create_task(self._answer_callback(adapted.callback_query_id))
                if adapted.callback_query_id
                else None
            )
            typing = _Typing(self, adapted.chat_id)
            try:
                if adapted.incoming is None:
                    lang = await self.app.dialogue.language_of(
                        CHANNEL, str(adapted.chat_id), adapted.language_hint
                    )
                    replies = [Reply(t(lang, "error-not-text"))]
                else:
                    replies = await self.app.dialogue.handle(adapted.incoming)
            finally:
                await typing.done()
            if replies:
                lang = normalize_language(adapted.language_hint) or self.settings.default_language
                try:
                    await self._send(adapted.chat_id, replies, lang, push=False)
                except TelegramError as exc:
                    log.warning("telegram answer not delivered", extra=_error_extra(exc))
            if answer is not None:
                await answer

    async def _answer_callback(self, query_id: str | None) -> None:
        """Always answer, so the button stops spinning; an expired query is no error."""
        if not query_id:
            return
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as exc:
            log.info("callback answer failed", extra=_error_extra(exc))

    # Outgoing ----------------------------------------------------------------------------
    async def _send(self, chat_id: int, replies: list[Reply], lang: str, *, push: bool) -> None:
        rl = {"push": True} if push else None
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

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None:
        """Sender protocol (outbox pushes): Telegram errors become DeliveryError."""
        if not self.ready:
            raise DeliveryError("telegram not connected", retry_after=5.0)
        try:
            chat_id = int(user_id)
        except ValueError:
            raise DeliveryError("not a Telegram chat id", permanent=True) from None
        async with self._chat_lock(chat_id):
            try:
                await self._send(chat_id, replies, self.settings.default_language, push=True)
            except RetryAfter as exc:
                raise DeliveryError("rate limited", retry_after=retry_seconds(exc)) from exc
            except Forbidden as exc:
                raise DeliveryError("blocked by the user", permanent=True) from exc
            except BadRequest as exc:
                # "chat not found", "message is too long", ...: sending again cannot help.
                raise DeliveryError(_reason(exc), permanent=True) from exc
            except TelegramError as exc:
                raise DeliveryError(_reason(exc)) from exc

    async def send_typing(self, chat_id: int) -> None:
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as exc:
            log.info("chat action failed", extra=_error_extra(exc))

    @contextlib.asynccontextmanager
    async def _chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """Answers and pushes of one chat go out in order (FIFO lock, freed when unused)."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._waiters[chat_id] = self._waiters.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiters[chat_id] -= 1
            if self._waiters[chat_id] == 0:
                del self._waiters[chat_id]
                del self._locks[chat_id]


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class _Typing:
    """Sends "typing…" only if the answer takes longer than TYPING_AFTER; a chat action
    already on its way is awaited rather than cancelled mid-request. A timer, not a task: most
    answers come first, and cancelling a timer costs next to nothing."""

    def __init__(self, channel: TelegramChannel, chat_id: int) -> None:
        self.task: asyncio.Task[None] | None = None
        self._timer = asyncio.get_running_loop().call_later(
            TYPING_AFTER, self._start, channel, chat_id
        )

    def _start(self, channel: TelegramChannel, chat_id: int) -> None:
        self.task = asyncio.create_task(channel.send_typing(chat_id))

    async def done(self) -> None:
        self._timer.cancel()
        if self.task is not None:
            await self.task


def _reason(exc: TelegramError) -> str:
    """The Bot API's description: fixed texts such as "Forbidden: bot was blocked by the user"
    (no user content)."""
    return f"{type(exc).__name__}: {exc.message}"[:200]


def _error_extra(exc: TelegramError) -> dict[str, str]:
    return {"error": _reason(exc)}


# aiohttp wiring ----------------------------------------------------------------------------

CHANNEL_KEY = web.AppKey("telegram", TelegramChannel)


async def webhook(request: web.Request) -> web.Response:
    """POST /telegram/webhook: check the secret, queue the update, answer at once."""
    channel = request.app[CHANNEL_KEY]
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), channel.secret.encode()):
        return web.Response(status=401, text="bad secret token")
    if not channel.ready:
        return web.Response(status=503, headers={"Retry-After": "5"}, text="starting")
    try:
        update = await request.json(loads=json.loads)
    except ValueError:
        return web.Response(status=400, text="not JSON")
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        log.warning("unreadable telegram update dropped")
        return web.Response(status=200)  # retrying would not make it readable
    if not channel.submit_nowait(update):
        log.warning("telegram backlog full", extra={"backlog": channel.queue.maxsize})
        return web.Response(status=503, headers={"Retry-After": "1"}, text="busy")
    return web.Response(status=200)


def setup(web_app: web.Application, app: App) -> None:
    """Feature hook for ``bot.server.create_web_app``: nothing happens without a token."""
    settings = app.services.settings
    if not settings.telegram_token.get_secret_value():
        return
    channel = TelegramChannel(app)
    app.senders[CHANNEL] = channel
    web_app[CHANNEL_KEY] = channel
    web_app.router.add_post(WEBHOOK_PATH, webhook)

    async def lifespan(_: web.Application) -> AsyncIterator[None]:
        url = f"{settings.public_url.rstrip('/')}{WEBHOOK_PATH}" if settings.public_url else None
        await channel.start(webhook_url=url)
        yield
        await channel.stop()
        if app.senders.get(CHANNEL) is channel:
            del app.senders[CHANNEL]

    web_app.cleanup_ctx.append(lifespan)
