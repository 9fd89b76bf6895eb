"""The Zalo Bot Platform on the channel runtime: a small aiohttp client, adapter and renderer.

The Zalo Bot Platform (https://bot.zaloplatforms.com/docs) is a Telegram-like bot API:
``POST {base}/bot<token>/<method>`` with a JSON body, answered with ``{ok, result, error_code,
description}``. Only ``ok`` says a call succeeded (an HTTP 200 may carry ``ok: false``).
Updates come by webhook (``setWebhook`` with a secret that Zalo sends back in
``X-Bot-Api-Secret-Token``) or by long polling (``getUpdates``, one update per call, error 408
when there is none); the two exclude each other.

There are no buttons and no rich text: each turn is rendered with ``render.numbered_turn`` (the
dialogue maps a typed number to the turn's choices) and split at 2,000 characters.

:class:`ZaloBotPlatform` is this messenger's part of the channel interface
(``bot.channels.base.Platform``); :class:`ZaloBotChannel` is the runtime with it. The webhook
route lives on our aiohttp server (``motcua serve``); ``motcua zalo-bot`` polls instead.
See docs/zalo.md for what could and could not be confirmed about the API.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
import math
import os
import re
import ssl
from typing import Any

import aiohttp
import certifi
from aiohttp import web
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from bot.app import App
from bot.channels.base import Adapted, Capabilities, DeliveryError, RateLimited
from bot.channels.ratelimit import OutgoingLimiter
from bot.channels.render import numbered_turn, split_text, utf16_len
from bot.channels.runtime import ChannelRuntime, mount, secret_json
from bot.messages import Incoming, Reply

log = logging.getLogger(__name__)

CHANNEL = "zalo_bot"
WEBHOOK_PATH = "/zalo-bot/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
DELIVERY_PREFIX = "zb:"
# sendMessage takes 1-2,000 characters. Zalo does not say how it counts them; UTF-16 units
# are never fewer than code points, so counting them is safe whichever Zalo means.
MAX_TEXT = 2000
TYPING_AFTER = 0.5  # seconds before a "typing…" action is worth sending
SECRET_MIN, SECRET_MAX = 8, 256  # setWebhook's secret_token
MAX_ID = 64  # conversations.user_id is String(64); Zalo's ids are 20 hex digits
MAX_MESSAGE_ID = 120  # the delivery id ("zb:" + this) must fit String(128)
# Outgoing limits. Zalo publishes no quotas for bots, so these are deliberately low: a person
# reads no faster than this, and a push budget of 5/s still sends 18,000 notices an hour.
CHAT_PER_SECOND = 1.0
CHAT_BURST = 3  # a turn is usually one to three messages
PUSH_PER_SECOND = 5.0
DEFAULT_RETRY_AFTER = 1.0  # a 429 without parameters.retry_after
MAX_RETRY_AFTER = 300.0  # never let one odd answer silence a chat for longer
CALL_TIMEOUT = 10.0  # seconds for one API call (connect: 5)
NETWORK_RETRIES = 2  # answers only: a push is retried by the outbox with backoff

CAPABILITIES = Capabilities(
    max_text=MAX_TEXT,
    text_length=utf16_len,
    buttons=False,
    rich_text=False,
    contact_request=False,
    typing=True,
)

TEXT_EVENT = "message.text.received"
# Messages the bot cannot read: answered with a polite "text only". Image, sticker and
# "unsupported" are documented; voice is seen in the wild. Other events are ignored.
NOT_TEXT_EVENTS = frozenset(
    {
        "message.image.received",
        "message.sticker.received",
        "message.voice.received",
        "message.unsupported.received",
    }
)
PRIVATE = "PRIVATE"
# Printable ASCII without spaces: Zalo's ids are hex; anything else is forged or broken.
_ID = re.compile(r"[\x21-\x7e]+")

__all__ = [
    "CHANNEL",
    "WEBHOOK_PATH",
    "ZaloBotApi",
    "ZaloBotChannel",
    "ZaloBotError",
    "ZaloBotPlatform",
    "adapt",
    "render",
    "setup",
    "webhook_secret",
]


# The HTTP client ---------------------------------------------------------------------------


class ZaloBotError(Exception):
    """A call that failed. ``code`` is Zalo's ``error_code`` (or the HTTP status when the body
    was not the API's JSON); None when no answer came at all. ``timed_out`` means the request
    may have reached Zalo (a message may have been delivered)."""

    def __init__(
        self, method: str, code: int | None, description: str, *, timed_out: bool = False
    ) -> None:
        super().__init__(f"{method}: {code if code is not None else 'no answer'} {description}")
        self.method = method
        self.code = code
        self.description = description
        self.timed_out = timed_out

    @property
    def permanent(self) -> bool:
        """A bad request, a blocked user, an unknown chat: sending again cannot help. Not 401
        (a wrong token is fixed by the operator, then the message can still go) nor 408/429."""
        return self.code is not None and 400 <= self.code < 500 and self.code not in (401, 408)

    @property
    def transient(self) -> bool:
        """Worth an immediate retry for an answer: no connection, or Zalo's server failed."""
        if self.timed_out:
            return False  # it may have been delivered: never send it twice
        return self.code is None or self.code >= 500


class ZaloBotApi:
    """The Bot API on one :class:`aiohttp.ClientSession`: JSON bodies, bounded timeouts, and
    ``ok`` checked on every answer. The token is part of each URL, so it never appears in an
    error or a log line (aiohttp's own messages can quote the URL: only their type is kept)."""

    def __init__(self, base_url: str, token: str, *, pool_size: int = 16) -> None:
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None
        self._proxy: tuple[URL | None, aiohttp.BasicAuth | None] = (None, None)

    async def open(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=_ssl_context()),
                json_serialize=_dumps,
            )
            # HTTP(S)_PROXY / NO_PROXY as the Telegram transport honours them, read once:
            # aiohttp's trust_env would read the environment on every request.
            try:
                self._proxy = get_env_proxy_for_url(URL(self._prefix))
            except LookupError:
                self._proxy = (None, None)

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, within: float = CALL_TIMEOUT
    ) -> Any:
        """``result`` of a successful call. Raises :class:`RateLimited` for 429 and
        :class:`ZaloBotError` for anything else that is not ``ok: true``."""
        if self._session is None or self._session.closed:
            raise ZaloBotError(method, None, "client not started")
        proxy, proxy_auth = self._proxy
        try:
            async with self._session.post(
                self._prefix + method,
                json=params or {},
                timeout=aiohttp.ClientTimeout(total=within, connect=5.0),
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                status = response.status
                retry_header = response.headers.get("Retry-After")
                raw = await response.read()
        except aiohttp.ConnectionTimeoutError:  # nothing was sent: safe to try again
            raise ZaloBotError(method, None, "connect timed out") from None
        except TimeoutError:
            raise ZaloBotError(method, None, "timed out", timed_out=True) from None
        except aiohttp.ClientError as exc:
            raise ZaloBotError(method, None, f"aiohttp.{type(exc).__name__}") from None
        return _result(method, status, raw, retry_header)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _result(method: str, status: int, raw: bytes, retry_header: str | None) -> Any:
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):  # a proxy's error page, an empty body, …
        if status == 429:
            raise RateLimited(_retry_after(None, retry_header))
        raise ZaloBotError(method, status if status >= 400 else 502, "not the API's JSON")
    if body.get("ok") is True:
        return body.get("result")
    code = body.get("error_code")
    if isinstance(code, bool) or not isinstance(code, int):
        code = status if status >= 400 else 500  # ok: false without a code: a server fault
    if code == 429 or status == 429:
        parameters = body.get("parameters")
        given = parameters.get("retry_after") if isinstance(parameters, dict) else None
        raise RateLimited(_retry_after(given, retry_header))
    # Zalo's descriptions are fixed texts ("Request timeout", "Unauthorized"): no user content.
    description = body.get("description")
    raise ZaloBotError(method, code, description[:200] if isinstance(description, str) else "")


def _retry_after(given: Any, header: str | None) -> float:
    """``parameters.retry_after``, else a numeric ``Retry-After`` header, else 1 s; bounded."""
    for value in (given, header):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue
        if math.isfinite(seconds) and seconds > 0:
            return min(seconds, MAX_RETRY_AFTER)
    return DEFAULT_RETRY_AFTER


def _ssl_context() -> ssl.SSLContext:
    """The CA store the Telegram transport trusts: ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set
    (a TLS-inspecting office proxy brings its own CA), else certifi's bundle."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())


# Rendering ---------------------------------------------------------------------------------


def render(replies: list[Reply]) -> list[str]:
    """A turn as sendMessage texts: numbered choices (numbers running across the turn, as the
    dialogue maps typed numbers), plain text, each at most 2,000 characters."""
    return [
        part for text in numbered_turn(replies) for part in split_text(text, MAX_TEXT, utf16_len)
    ]


# Adapter -----------------------------------------------------------------------------------


def unwrap(data: Any) -> dict[str, Any] | None:
    """The update itself: webhook bodies may come as ``{ok, result: update}``, getUpdates
    results and other webhook bodies as the bare update. None when it is neither."""
    if not isinstance(data, dict):
        return None
    if "event_name" not in data and isinstance(data.get("result"), dict):
        data = data["result"]
    return data if isinstance(data.get("event_name"), str) else None


def adapt(data: Any) -> Adapted | None:
    """Update → Incoming. Only private chats: a group is no place for personal dossiers.
    Ids must be strings as Zalo sends them; anything else is forged or broken: no answer."""
    update = unwrap(data)
    if update is None:
        return None
    event = update["event_name"]
    if event != TEXT_EVENT and event not in NOT_TEXT_EVENTS:
        return None  # not a message from a person (or an event this bot does not know)
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat")
    if not isinstance(chat, dict):
        return None
    chat_type = chat.get("chat_type", PRIVATE)
    if not isinstance(chat_type, str) or chat_type.upper() != PRIVATE:
        return None
    chat_id = _valid_id(chat.get("id"), MAX_ID)
    message_id = _valid_id(message.get("message_id"), MAX_MESSAGE_ID)
    if chat_id is None or message_id is None:
        return None
    if event != TEXT_EVENT:
        return Adapted(chat_id, None, delivery_id=DELIVERY_PREFIX + message_id)
    text = message.get("text")
    if not isinstance(text, str):
        return None
    incoming = Incoming(
        channel=CHANNEL,
        user_id=chat_id,
        text=text,
        delivery_id=DELIVERY_PREFIX + message_id,
    )
    return Adapted(chat_id, incoming)


def _valid_id(value: Any, limit: int) -> str | None:
    if isinstance(value, str) and len(value) <= limit and _ID.fullmatch(value):
        return value
    return None


# The platform ------------------------------------------------------------------------------


def webhook_secret(settings_secret: str, token: str) -> str:
    """The configured secret, or one derived from the token so a webhook is never open; every
    worker derives the same value (64 hex digits, within Zalo's 8-256 characters)."""
    if settings_secret:
        return settings_secret
    return hmac.new(token.encode(), b"motcua-zalo-bot-webhook", hashlib.sha256).hexdigest()


class ZaloBotPlatform:
    """The Zalo Bot Platform's part of the channel interface (see ``bot.channels.base``)."""

    name = CHANNEL
    capabilities = CAPABILITIES
    idempotent = False  # sendMessage has no idempotency key

    def __init__(
        self, app: App, *, pool_size: int = 16, limiter: OutgoingLimiter | None = None
    ) -> None:
        settings = app.services.settings
        token = settings.zalo_bot_token.get_secret_value()
        if not token:
            raise ValueError("MOTCUA_ZALO_BOT_TOKEN is not set")
        configured = settings.zalo_bot_webhook_secret.get_secret_value()
        if configured and not SECRET_MIN <= len(configured) <= SECRET_MAX:
            raise ValueError("MOTCUA_ZALO_BOT_WEBHOOK_SECRET must be 8-256 characters")
        self.secret = webhook_secret(configured, token)
        self.api = ZaloBotApi(settings.zalo_bot_api_url, token, pool_size=pool_size)
        self.limiter = limiter or OutgoingLimiter(
            chat_per_second=CHAT_PER_SECOND,
            chat_burst=CHAT_BURST,
            push_per_second=PUSH_PER_SECOND,
            channel=CHANNEL,
        )
        self.webhook_url: str | None = None
        self.polling = False

    @property
    def typing_after(self) -> float:
        return TYPING_AFTER

    # Lifecycle -----------------------------------------------------------------------------
    def configure(self, *, webhook_url: str | None, polling: bool) -> None:
        self.webhook_url, self.polling = webhook_url, polling

    async def start(self) -> None:
        await self.api.open()
        await self.api.call("getMe")  # checks the token before anything else
        if self.polling:
            await self.api.call("deleteWebhook")  # getUpdates fails while a webhook is set
        elif self.webhook_url:
            await self.api.call(
                "setWebhook", {"url": self.webhook_url, "secret_token": self.secret}
            )
            log.info("zalo bot webhook registered", extra={"channel": CHANNEL})

    async def stop(self) -> None:
        await self.api.close()

    async def get_updates(self, poll_seconds: float) -> list[dict[str, Any]]:
        """One long poll: the update Zalo had (as a list, empty when there was none)."""
        try:
            # The documented type of ``timeout`` is a string of seconds.
            result = await self.api.call(
                "getUpdates",
                {"timeout": str(max(1, round(poll_seconds)))},
                within=poll_seconds + CALL_TIMEOUT,
            )
        except ZaloBotError as exc:
            if exc.code == 408:  # "Request timeout": nothing arrived while we waited
                return []
            raise
        items = result if isinstance(result, list) else [result]
        return [item for item in items if isinstance(item, dict)]

    # The interface -------------------------------------------------------------------------
    def adapt(self, update: dict[str, Any]) -> Adapted | None:
        return adapt(update)

    async def deliver(self, user_id: str, replies: list[Reply], *, lang: str, push: bool) -> None:
        if _valid_id(user_id, MAX_ID) is None:
            raise DeliveryError("not a Zalo chat id", permanent=True)
        for n, text in enumerate(render(replies)):
            # Once a push's first message is out, the rest go like an answer (a 429 or a brief
            # outage is waited out here): the outbox would resend the parts already delivered.
            as_push = push and n == 0
            try:
                await self.limiter.call(
                    user_id, as_push, functools.partial(self._send, user_id, text, as_push)
                )
            except ZaloBotError as exc:
                raise DeliveryError(str(exc)[:200], permanent=exc.permanent) from exc

    async def _send(self, chat_id: str, text: str, push: bool) -> None:
        attempt = 0
        while True:
            try:
                await self.api.call("sendMessage", {"chat_id": chat_id, "text": text})
                return
            except ZaloBotError as exc:
                if push or not exc.transient or attempt >= NETWORK_RETRIES:
                    raise
            await asyncio.sleep(0.2 * 2**attempt)
            attempt += 1

    async def typing(self, user_id: str) -> None:
        # Not rate limited: a chat action is a courtesy, and its failure is only logged.
        await self.api.call("sendChatAction", {"chat_id": user_id, "action": "typing"})

    async def acknowledge(self, ack: str) -> None:
        """Nothing to acknowledge: the Bot Platform has no buttons or callbacks."""


class ZaloBotChannel(ChannelRuntime):
    """The channel runtime with :class:`ZaloBotPlatform`."""

    def __init__(
        self,
        app: App,
        *,
        concurrency: int = 8,
        backlog: int = 512,
        limiter: OutgoingLimiter | None = None,
    ) -> None:
        # Each worker may have a message and a chat action in flight.
        self.zalo = ZaloBotPlatform(app, pool_size=concurrency * 2 + 4, limiter=limiter)
        super().__init__(app, self.zalo, concurrency=concurrency, backlog=backlog)
        self.secret = self.zalo.secret


# aiohttp wiring ----------------------------------------------------------------------------

CHANNEL_KEY = web.AppKey("zalo_bot", ZaloBotChannel)


async def webhook(request: web.Request) -> web.Response:
    """POST /zalo-bot/webhook: check the secret, queue the update, answer at once."""
    channel = request.app[CHANNEL_KEY]
    data, refused = await secret_json(request, channel, SECRET_HEADER, channel.secret)
    if refused is not None:
        return refused
    update = unwrap(data)
    if update is None:
        log.warning("unreadable zalo bot update dropped")
        return web.Response(status=200)  # retrying would not make it readable
    return await channel.accept(update)


def setup(web_app: web.Application, app: App) -> None:
    """Feature hook for ``bot.server.create_web_app``: nothing happens without a token."""
    if app.services.settings.zalo_bot_token.get_secret_value():
        mount(web_app, ZaloBotChannel(app), CHANNEL_KEY, WEBHOOK_PATH, webhook)
