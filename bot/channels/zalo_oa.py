"""Zalo Official Account (OA API v3) on the channel runtime.

:class:`ZaloOAPlatform` is this messenger's part of the channel interface
(``bot.channels.base.Platform``):

* **webhook** (``POST /zalo/webhook``): ``X-ZEvent-Signature`` is ``mac=`` + SHA-256 (plain,
  not HMAC) of ``app_id + raw body + timestamp + OA secret key``; timestamps outside
  ``zalo_oa_max_skew_seconds`` are refused, and a replay inside it is answered once because
  ``message.msg_id`` (or, for events without one, a hash of the body) is the delivery id;
* **adapt**: ``user_send_text`` → text; a tapped button comes back as a user text carrying the
  payload, so the bot sends payloads as ``#mc:<payload>`` and maps such texts back to
  ``Incoming.payload``; ``user_submit_info`` → ``Incoming.contact``; ``follow`` → ``/start``;
  ``unfollow`` → the user's subscriptions are deleted; pictures, stickers, … → "text only";
* **deliver**: ``POST /v3.0/oa/message/cs`` with the ``access_token`` header; success is HTTP 200
  *and* ``"error": 0``; text ≤ 2,000 characters; up to 5 buttons per message, more become
  numbered lines; a reply that asks for contact details adds a ``request_user_info`` template;
* **tokens** (:class:`TokenStore`): the OAuth pair lives in ``zalo_oa_tokens`` (seeded from the
  settings on first use). The refresh token is single use, so a refresh takes the row's lock
  (``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite) and re-reads the row: when
  another worker refreshed meanwhile, its token is used and no second refresh is made;
* **window**: ``cs`` messages are only allowed within ``zalo_oa_window_hours`` after the
  citizen's last message (``zalo_oa_users``). A push outside it raises
  :class:`OutsideWindow` (a ``DeliveryError`` with a long ``retry_after``), so it waits in the
  outbox; the citizen's next message makes their waiting rows due and wakes the dispatcher.

See docs/zalo.md ("Zalo Official Account") for what the public documentation confirms.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import delete, select, update

from bot.app import App
from bot.channels import render as shared
from bot.channels.base import Adapted, Capabilities, DeliveryError, RateLimited
from bot.channels.ratelimit import OutgoingLimiter
from bot.channels.render import numbered_text, short_label
from bot.channels.runtime import ChannelRuntime, mount
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Outbox, Subscription, ZaloOAToken, ZaloOAUser
from bot.inbox import Item
from bot.messages import Ask, Button, Incoming, Reply

log = logging.getLogger(__name__)

CHANNEL = "zalo_oa"
WEBHOOK_PATH = "/zalo/webhook"
SIGNATURE_HEADER = "X-ZEvent-Signature"
SEND_PATH = "/v3.0/oa/message/cs"
TOKEN_PATH = "/v4/oa/access_token"
PAYLOAD_MARKER = "#mc:"  # a user text starting with it is a tapped button of this bot
MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_LABEL = 100
MAX_PAYLOAD_BYTES = 1000
MAX_INFO_TITLE = 100
MAX_INFO_SUBTITLE = 500
MAX_USER_ID = 64  # the conversations table's column
REFRESH_MARGIN = timedelta(minutes=30)  # refresh this long before the access token expires
DEFAULT_TOKEN_SECONDS = 90_000  # 25 h, Zalo's documented lifetime, if expires_in is missing
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=15)
# A push outside the window waits this long unless the citizen writes first (which makes it due
# at once): long enough that the outbox's attempts are not spent while nobody writes.
WINDOW_RETRY_SECONDS = 7 * 24 * 3600.0
RATE_LIMIT_SECONDS = 60.0
TOKEN_ERRORS = frozenset({-216, -124})  # access token invalid or expired
WINDOW_ERRORS = frozenset({-230})  # the user has not interacted recently: wait for them
PERMANENT_ERRORS = frozenset({-201, -213})  # bad parameters; user not a follower (unfollowed)
RATE_ERRORS = frozenset({-32})
CAPABILITIES = Capabilities(
    max_text=MAX_TEXT,
    buttons=True,
    max_buttons=MAX_BUTTONS,
    max_label=MAX_LABEL,
    max_payload_bytes=MAX_PAYLOAD_BYTES - len(PAYLOAD_MARKER),
    rich_text=False,
    contact_request=True,
    typing=False,
)
IGNORED_EVENTS = frozenset({"user_seen_message", "user_received_message"})
NOT_TEXT_EVENTS = frozenset(
    {
        "user_send_image",
        "user_send_file",
        "user_send_sticker",
        "user_send_gif",
        "user_send_audio",
        "user_send_video",
        "user_send_location",
        "user_send_link",
        "user_send_business_card",
    }
)
# Events that show the citizen is there: they open the messaging window.
INBOUND_EVENTS = frozenset({"user_send_text", "follow", "user_submit_info"}) | NOT_TEXT_EVENTS
__all__ = [
    "CHANNEL",
    "OutsideWindow",
    "TokenStore",
    "ZaloOAChannel",
    "ZaloOAPlatform",
    "adapt",
    "render",
    "setup",
    "signature",
]


class OutsideWindow(DeliveryError):
    """The citizen has not written within the window: the push waits until they do.

    ``per_user``: only this user must wait, not the whole channel."""

    per_user = True

    def __init__(self) -> None:
        super().__init__("outside the Zalo OA messaging window", retry_after=WINDOW_RETRY_SECONDS)


class ZaloApiError(Exception):
    """An answer of the OA or OAuth API with ``error`` ≠ 0 (or no usable body)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}"[:200])
        self.code = code


# Webhook signature -------------------------------------------------------------------------


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """The hex SHA-256 Zalo puts after ``mac=`` in ``X-ZEvent-Signature``."""
    data = app_id.encode() + body + timestamp.encode() + secret.encode()
    return hashlib.sha256(data).hexdigest()


def _timestamp(value: Any) -> str | None:
    """The event's ``timestamp`` (milliseconds) as the digits Zalo signed, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
        return value
    return None


# Rendering ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rendered:
    """One ``cs`` call: the ``message`` object of its body."""

    message: dict[str, Any]


def _buttons(buttons: tuple[Button, ...]) -> list[dict[str, str]]:
    """Zalo template buttons; a payload too long for Zalo is dropped (and logged)."""
    out: list[dict[str, str]] = []
    for button in buttons:
        payload = PAYLOAD_MARKER + button.payload
        label = short_label(button.label, MAX_LABEL)
        if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES or not label or not button.payload:
            log.error(
                "button dropped: payload too long for Zalo",
                extra={"route": button.payload.partition(":")[0][:16]},
            )
            continue
        out.append({"title": label, "type": "oa.query.hide", "payload": payload})
    return out


def _contact_request(reply: Reply, image_url: str) -> Rendered:
    """A ``request_user_info`` template: the citizen taps it and Zalo sends their name, phone and
    address back as a ``user_submit_info`` event."""
    # The question itself says what is asked: its first line is the card's title. (Own locale
    # strings for the card are proposed in docs/zalo.md.)
    lines = [line for line in reply.plain().split("\n") if line.strip()] or ["…"]
    title, subtitle = lines[0], " ".join(lines[1:])
    element: dict[str, str] = {
        "title": short_label(title, MAX_INFO_TITLE),
        "subtitle": short_label(subtitle, MAX_INFO_SUBTITLE) if subtitle else "",
    }
    if image_url:
        element["image_url"] = image_url
    payload = {"template_type": "request_user_info", "elements": [element]}
    return Rendered({"attachment": {"type": "template", "payload": payload}})


def render(replies: list[Reply], *, contact_image_url: str = "") -> list[Rendered]:
    """A turn as ``cs`` messages. The title is a plain first line (Zalo shows no markup). Up to
    5 buttons go on a button template with the reply's last part; more become numbered lines,
    numbered across the turn as the dialogue maps a typed number."""
    out: list[Rendered] = []
    n = 1
    for reply in replies:
        buttons = _buttons(reply.buttons) if len(reply.buttons) <= MAX_BUTTONS else []
        text = reply.plain() if buttons or not reply.buttons else numbered_text(reply, n)
        n += len(reply.buttons)
        chunks = shared.split_text(text, MAX_TEXT) or ["…"]
        out.extend(Rendered({"text": chunk}) for chunk in chunks[:-1])
        if buttons:
            template = {"template_type": "button", "text": chunks[-1], "buttons": buttons}
            out.append(Rendered({"attachment": {"type": "template", "payload": template}}))
        else:
            out.append(Rendered({"text": chunks[-1]}))
        if reply.ask is Ask.CONTACT:
            out.append(_contact_request(reply, contact_image_url))
    return out


# Adapter -----------------------------------------------------------------------------------


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _zalo_id(value: Any) -> str | None:
    """Zalo ids are big integers: kept as their digits, whether JSON sent a string or a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        value = str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value if len(value) <= MAX_USER_ID else None
    return None


def user_of(event: dict[str, Any]) -> str | None:
    """The citizen an event is from (``follow``/``unfollow`` name them ``follower``)."""
    for key in ("sender", "follower"):
        found = _zalo_id(_object(event.get(key)).get("id"))
        if found:
            return found
    return None


def delivery_id(event: dict[str, Any], raw: bytes | None = None) -> str:
    """``zo:<msg_id>``; events without a message id (follow, submitted info) are identified by
    their signed body, so a replayed copy is still answered once."""
    msg_id = _object(event.get("message")).get("msg_id")
    if isinstance(msg_id, str | int) and not isinstance(msg_id, bool) and str(msg_id):
        return f"zo:{str(msg_id)[:120]}"
    body = raw if raw is not None else json.dumps(event, sort_keys=True).encode()
    return "zo:h:" + hashlib.sha256(body).hexdigest()[:40]


def _contact(info: dict[str, Any]) -> dict[str, str]:
    """``user_submit_info``'s fields as the postal flow reads them; the address joins street,
    ward, district and city (the flow resolves old districts to today's units)."""

    def text(key: str) -> str:
        value = info.get(key)
        return " ".join(value.split()) if isinstance(value, str) else ""

    parts = [text(k) for k in ("address", "ward", "district", "city")]
    return {
        "name": text("name"),
        "phone": text("phone"),
        "address": ", ".join(p for p in parts if p),
    }


def adapt(event: dict[str, Any]) -> Adapted | None:
    """A verified webhook event → :class:`Adapted` (``_raw`` is the signed body, if kept)."""
    name = event.get("event_name")
    if not isinstance(name, str) or name in IGNORED_EVENTS or name.startswith("oa_"):
        return None  # receipts, and echoes of the OA's own messages
    user = user_of(event)
    if user is None:
        return None
    raw = event.get("_raw")
    delivery = delivery_id(event, raw if isinstance(raw, bytes) else None)
    if name == "user_send_text":
        text = _object(event.get("message")).get("text")
        if not isinstance(text, str):
            return Adapted(user, None, delivery_id=delivery)
        if text.startswith(PAYLOAD_MARKER) and len(text) > len(PAYLOAD_MARKER):
            payload = text[len(PAYLOAD_MARKER) :]
            return Adapted(user, Incoming(CHANNEL, user, payload=payload, delivery_id=delivery))
        return Adapted(user, Incoming(CHANNEL, user, text=text, delivery_id=delivery))
    if name == "follow":  # greet a new follower with the menu
        return Adapted(user, Incoming(CHANNEL, user, text="/start", delivery_id=delivery))
    if name == "user_submit_info":
        contact = _contact(_object(event.get("info")))
        if not any(contact.values()):
            return Adapted(user, None, delivery_id=delivery)
        return Adapted(user, Incoming(CHANNEL, user, contact=contact, delivery_id=delivery))
    if name in NOT_TEXT_EVENTS:
        return Adapted(user, None, delivery_id=delivery)
    return None  # unfollow (handled by the channel), and events we do not know


# Tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime | None


class TokenStore:
    """The OA's access token, refreshed by at most one worker at a time across the cluster.

    Zalo rotates the refresh token on every refresh and rejects a used one (−14020): two
    workers refreshing at once would lock the OA out until someone re-authorises it. So a
    refresh runs inside a transaction holding the token row: ``SELECT … FOR UPDATE`` on
    PostgreSQL; on SQLite a write to the row first takes the database's single write lock. After
    the lock the row is read again: if its access token is no longer the one that failed, another
    worker has refreshed and that token is used."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        http: aiohttp.ClientSession,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.db = db
        self.http = http
        self.clock = clock
        self.app_id = settings.zalo_oa_app_id
        self.refreshes = 0  # refresh calls this store made (tests, logs)
        self._current: TokenPair | None = None
        self._lock = asyncio.Lock()  # one refresh per process; the row lock does the rest

    def _due(self, pair: TokenPair) -> bool:
        return pair.expires_at is not None and pair.expires_at - self.clock() <= REFRESH_MARGIN

    async def access_token(self) -> str:
        """A usable access token: cached, read from the database, or refreshed when near expiry."""
        pair = self._current
        if pair is None or self._due(pair):
            pair = await self._load()
            if self._due(pair):
                return await self.refresh(stale=pair.access_token)
            self._current = pair
        return pair.access_token

    async def _load(self) -> TokenPair:
        async with self.db.read() as session:
            row = await session.get(ZaloOAToken, self.app_id)
            if row is not None:
                return TokenPair(row.access_token, row.refresh_token, row.expires_at)
        return await self._seed()

    async def _seed(self) -> TokenPair:
        """First use: the pair from the settings (insert-or-ignore: another worker may win)."""
        access = self.settings.zalo_oa_access_token.get_secret_value()
        refresh = self.settings.zalo_oa_refresh_token.get_secret_value()
        if not access and not refresh:
            raise DeliveryError("no Zalo OA token: set MOTCUA_ZALO_OA_REFRESH_TOKEN")
        async with self.db.begin() as conn:
            await conn.execute(
                self.db.insert_ignore(ZaloOAToken).values(
                    app_id=self.app_id,
                    access_token=access,
                    refresh_token=refresh,
                    # Its age is unknown: trusted until Zalo says it expired (−216), unless
                    # there is no access token at all.
                    expires_at=None if access else self.clock(),
                    updated_at=self.clock(),
                )
            )
            row = (
                await conn.execute(select(ZaloOAToken).where(ZaloOAToken.app_id == self.app_id))
            ).one()
        return TokenPair(row.access_token, row.refresh_token, row.expires_at)

    async def refresh(self, *, stale: str) -> str:
        """Replace ``stale`` (the token that expired or failed) — unless another worker already
        did, in which case its token is returned and Zalo is not asked."""
        async with self._lock:
            pair = self._current
            if pair is not None and pair.access_token != stale and not self._due(pair):
                return pair.access_token  # refreshed by this process while we waited
            await self._load()  # make sure the row exists before locking it
            async with self.db.begin() as conn:
                row_of = select(ZaloOAToken).where(ZaloOAToken.app_id == self.app_id)
                if self.db.is_sqlite:
                    # A write first: SQLite's write lock is taken now, not at the UPDATE below.
                    await conn.execute(
                        update(ZaloOAToken)
                        .where(ZaloOAToken.app_id == self.app_id)
                        .values(app_id=self.app_id)
                    )
                else:
                    row_of = row_of.with_for_update()
                row = (await conn.execute(row_of)).one()
                current = TokenPair(row.access_token, row.refresh_token, row.expires_at)
                if current.access_token != stale and not self._due(current):
                    self._current = current
                    return current.access_token
                # The OAuth call happens while the row is locked: whoever waits on it then sees
                # the new pair. If the commit below failed, the new refresh token would be lost;
                # that is logged loudly, there is no way to undo a refresh.
                fresh = await self._call_oauth(current.refresh_token)
                try:
                    await conn.execute(
                        update(ZaloOAToken)
                        .where(ZaloOAToken.app_id == self.app_id)
                        .values(
                            access_token=fresh.access_token,
                            refresh_token=fresh.refresh_token,
                            expires_at=fresh.expires_at,
                            updated_at=self.clock(),
                        )
                    )
                except Exception:
                    log.critical("Zalo OA token refreshed but not saved: re-authorise the OA")
                    raise
            self._current = fresh
            log.info("zalo oa access token refreshed", extra={"channel": CHANNEL})
            return fresh.access_token

    async def _call_oauth(self, refresh_token: str) -> TokenPair:
        if not refresh_token:
            raise DeliveryError("Zalo OA access token expired and no refresh token is stored")
        self.refreshes += 1
        url = self.settings.zalo_oa_oauth_url.rstrip("/") + TOKEN_PATH
        form = {
            "app_id": self.app_id,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        headers = {"secret_key": self.settings.zalo_oa_app_secret.get_secret_value()}
        try:
            async with self.http.post(url, data=form, headers=headers) as resp:
                body = await resp.json(content_type=None)
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            # The refresh may have happened at Zalo: the old refresh token may now be burnt.
            log.error("zalo oa token refresh failed", extra={"error": type(exc).__name__})
            raise DeliveryError(f"token refresh failed: {type(exc).__name__}") from exc
        data = _object(body)
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if status != 200 or not isinstance(access, str) or not isinstance(refresh, str):
            code = data.get("error")
            code = code if isinstance(code, int) else status
            log.error("zalo oa refused the token refresh", extra={"error": code})
            raise DeliveryError(f"token refresh refused by Zalo ({code})")
        try:
            seconds = int(data.get("expires_in") or DEFAULT_TOKEN_SECONDS)
        except (TypeError, ValueError):
            seconds = DEFAULT_TOKEN_SECONDS
        return TokenPair(access, refresh, self.clock() + timedelta(seconds=seconds))


# The platform ------------------------------------------------------------------------------


class ZaloOAPlatform:
    """Zalo OA's part of the channel interface (see ``bot.channels.base.Platform``)."""

    name = CHANNEL
    capabilities = CAPABILITIES
    idempotent = False  # the cs API takes no idempotency key

    def __init__(
        self, app: App, *, db: Database | None = None, limiter: OutgoingLimiter | None = None
    ) -> None:
        settings = app.services.settings
        if not settings.zalo_oa_app_id or not settings.zalo_oa_secret_key.get_secret_value():
            raise ValueError("MOTCUA_ZALO_OA_APP_ID and MOTCUA_ZALO_OA_SECRET_KEY are not set")
        self.app = app
        self.settings = settings
        self.db = db or app.services.db
        self.limiter = limiter or OutgoingLimiter(channel=CHANNEL)
        self.window = timedelta(hours=settings.zalo_oa_window_hours)
        self.contact_image_url: str = settings.zalo_oa_share_image_url
        self._http: aiohttp.ClientSession | None = None
        self._tokens: TokenStore | None = None

    @property
    def typing_after(self) -> float:
        return 1.0  # never used: Zalo OA has no typing action in the cs API

    @property
    def tokens(self) -> TokenStore:
        if self._tokens is None:
            raise RuntimeError("Zalo OA platform not started")
        return self._tokens

    def clock(self) -> datetime:
        return self.app.services.clock()

    # Lifecycle -----------------------------------------------------------------------------
    def configure(self, *, webhook_url: str | None, polling: bool) -> None:
        """The OA's webhook is set in Zalo's developer console; there is no polling."""
        if polling:
            raise ValueError("the Zalo Official Account API has no polling")

    async def start(self) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
            self._tokens = TokenStore(self.settings, self.db, self._http, self.clock)
        await self.tokens.access_token()  # seeds the row; fails early without any token

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
            self._tokens = None

    # Inbound bookkeeping -------------------------------------------------------------------
    async def note_inbound(self, user_id: str) -> None:
        """The citizen wrote: the window is open again, and their waiting pushes are due now."""
        now = self.clock()
        async with self.db.begin() as conn:
            changed = await conn.execute(
                update(ZaloOAUser).where(ZaloOAUser.user_id == user_id).values(last_inbound_at=now)
            )
            if not changed.rowcount:
                await conn.execute(
                    self.db.insert_ignore(ZaloOAUser).values(user_id=user_id, last_inbound_at=now)
                )
            woken = await conn.execute(
                update(Outbox)
                .where(
                    Outbox.channel == CHANNEL,
                    Outbox.user_id == user_id,
                    Outbox.status == "pending",
                    Outbox.next_attempt_at > now,
                )
                .values(next_attempt_at=now)
            )
        if woken.rowcount:
            self.app.services.outbox_wakeup.set()

    async def unfollowed(self, user_id: str) -> None:
        """No more pushes for someone who left the OA (Zalo would refuse them anyway)."""
        async with self.db.begin() as conn:
            await conn.execute(
                delete(Subscription).where(
                    Subscription.channel == CHANNEL, Subscription.user_id == user_id
                )
            )
            await conn.execute(delete(ZaloOAUser).where(ZaloOAUser.user_id == user_id))
        log.info("zalo oa user unfollowed: subscriptions removed", extra={"channel": CHANNEL})

    async def in_window(self, user_id: str) -> bool:
        async with self.db.read() as session:
            last = await session.scalar(
                select(ZaloOAUser.last_inbound_at).where(ZaloOAUser.user_id == user_id)
            )
        return last is not None and self.clock() - last <= self.window

    # The interface -------------------------------------------------------------------------
    def adapt(self, update: dict[str, Any]) -> Adapted | None:
        return adapt(update)

    async def deliver(self, user_id: str, replies: list[Reply], *, lang: str, push: bool) -> None:
        if _zalo_id(user_id) is None:
            raise DeliveryError("not a Zalo user id", permanent=True)
        if push and not await self.in_window(user_id):
            raise OutsideWindow()
        for part in render(replies, contact_image_url=self.contact_image_url):
            await self.limiter.call(
                user_id, push, functools.partial(self._send, user_id, part.message)
            )

    async def _send(self, user_id: str, message: dict[str, Any]) -> None:
        body = {"recipient": {"user_id": user_id}, "message": message}
        token = await self.tokens.access_token()
        try:
            await self._post(token, body)
        except ZaloApiError as exc:
            if exc.code not in TOKEN_ERRORS:
                raise _delivery_error(exc) from exc
            token = await self.tokens.refresh(stale=token)
            try:
                await self._post(token, body)
            except ZaloApiError as again:
                raise _delivery_error(again) from again

    async def _post(self, token: str, body: dict[str, Any]) -> None:
        assert self._http is not None
        url = self.settings.zalo_oa_api_url.rstrip("/") + SEND_PATH
        try:
            async with self._http.post(url, json=body, headers={"access_token": token}) as resp:
                status = resp.status
                data = _object(await resp.json(content_type=None)) if status == 200 else {}
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise DeliveryError(f"Zalo OA unreachable: {type(exc).__name__}") from exc
        if status == 429:
            raise RateLimited(RATE_LIMIT_SECONDS)
        if status != 200:
            raise DeliveryError(f"Zalo OA answered HTTP {status}")
        code = data.get("error")
        if code == 0 and not isinstance(code, bool):
            return
        if code in RATE_ERRORS:
            raise RateLimited(RATE_LIMIT_SECONDS)
        message = data.get("message")
        raise ZaloApiError(
            code if isinstance(code, int) else -1, message if isinstance(message, str) else ""
        )

    async def typing(self, user_id: str) -> None:
        """Not offered by the cs API (``capabilities.typing`` is False)."""

    async def acknowledge(self, ack: str) -> None:
        """Nothing to acknowledge: a tapped button is an ordinary user message."""


def _delivery_error(exc: ZaloApiError) -> DeliveryError:
    if exc.code in WINDOW_ERRORS:
        return OutsideWindow()
    return DeliveryError(str(exc), permanent=exc.code in PERMANENT_ERRORS)


class ZaloOAChannel(ChannelRuntime):
    """The channel runtime with :class:`ZaloOAPlatform`."""

    def __init__(
        self,
        app: App,
        *,
        db: Database | None = None,
        concurrency: int = 8,
        backlog: int = 512,
        limiter: OutgoingLimiter | None = None,
    ) -> None:
        self.zalo = ZaloOAPlatform(app, db=db, limiter=limiter)
        super().__init__(app, self.zalo, concurrency=concurrency, backlog=backlog)
        self.secret = app.services.settings.zalo_oa_secret_key.get_secret_value()
        self.app_id = app.services.settings.zalo_oa_app_id

    async def handle_update(self, update: Any, item: Item | None = None) -> None:
        """Record the citizen's activity (window, unfollow) before the dialogue answers."""
        user = user_of(update) if isinstance(update, dict) else None
        name = update.get("event_name") if isinstance(update, dict) else None
        try:
            if user is not None and name == "unfollow":
                await self.zalo.unfollowed(user)
            elif user is not None and name in INBOUND_EVENTS:
                await self.zalo.note_inbound(user)
        except Exception:  # the answer matters more than the bookkeeping: log and go on
            log.exception("zalo oa inbound bookkeeping failed", extra={"channel": CHANNEL})
        await super().handle_update(update, item)


# aiohttp wiring ----------------------------------------------------------------------------

CHANNEL_KEY = web.AppKey("zalo_oa", ZaloOAChannel)


def check_event(
    body: bytes, given: str, *, app_id: str, secret: str, now_ms: int, skew_seconds: int
) -> tuple[int, str, dict[str, Any] | None]:
    """(status, reason, event): 200 with the event when signed, fresh and ours; 4xx otherwise."""
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[" × 100,000
        return 400, "not JSON", None
    if not isinstance(event, dict):
        return 400, "not a JSON object", None
    event_app = event.get("app_id")
    if isinstance(event_app, int) and not isinstance(event_app, bool):
        event_app = str(event_app)
    timestamp = _timestamp(event.get("timestamp"))
    if not isinstance(event_app, str) or timestamp is None:
        return 400, "app_id or timestamp missing", None
    mac = given.strip()
    mac = mac[4:] if mac.lower().startswith("mac=") else mac
    expected = signature(event_app, body, timestamp, secret)
    if not hmac.compare_digest(mac.lower().encode(), expected.encode()):
        return 401, "bad signature", None
    if not hmac.compare_digest(event_app.encode(), app_id.encode()):
        return 403, "another app", None
    if abs(now_ms - int(timestamp)) > skew_seconds * 1000:
        return 401, "stale timestamp", None
    return 200, "", event


async def webhook(request: web.Request) -> web.Response:
    """POST /zalo/webhook: check the signature and the timestamp, queue the event, answer."""
    channel = request.app[CHANNEL_KEY]
    settings = channel.app.services.settings
    body = await request.read()
    now_ms = int(channel.app.services.clock().timestamp() * 1000)
    status, reason, event = check_event(
        body,
        request.headers.get(SIGNATURE_HEADER, ""),
        app_id=channel.app_id,
        secret=channel.secret,
        now_ms=now_ms,
        skew_seconds=settings.zalo_oa_max_skew_seconds,
    )
    if event is None:
        log.warning("zalo oa webhook refused", extra={"reason": reason})
        return web.Response(status=status, text=reason)
    event["_raw"] = body  # events without msg_id are de-duplicated on the signed body
    return await channel.accept(event)


def setup(web_app: web.Application, app: App) -> None:
    """Feature hook for ``bot.server.create_web_app``: on when the app id and secret key are set."""
    settings = app.services.settings
    if settings.zalo_oa_app_id and settings.zalo_oa_secret_key.get_secret_value():
        mount(web_app, ZaloOAChannel(app), CHANNEL_KEY, WEBHOOK_PATH, webhook)
