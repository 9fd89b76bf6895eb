"""A small fake Zalo Bot Platform API (aiohttp on 127.0.0.1, random port).

Point ``zalo_bot_api_url`` at :attr:`FakeZaloBot.base_url`. It records every call, serves queued
updates to ``getUpdates`` one at a time (a short long poll, then ``error_code`` 408 when there is
none, as Zalo answers), and enforces what breaks real bots: a JSON body with a JSON content
type, ``chat_id`` present, text of 1-2,000 characters, a webhook secret of 8-256 characters, no
getUpdates while a webhook is set. Errors are ``{ok: false, error_code, description}``; by
default with HTTP 200, so a client that trusts the status alone fails the tests.
:meth:`FakeZaloBot.fail` injects errors and 429 storms. :meth:`FakeZaloBot.limit` makes it
refuse sendMessage beyond a rate (``tests.fake_limits``) with a 429 and ``retry_after``, counted
in ``limits.refused``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_limits import SendLimits

TOKEN = "1459232241454765289:TEST-zalo_bot-token"
BOT_INFO = {
    "id": "1459232241454765289",
    "account_name": "bot.MotCuaTest",
    "account_type": "BASIC",
    "can_join_groups": False,
}
MAX_TEXT = 2000


class ApiError(Exception):
    def __init__(
        self,
        code: int,
        description: str,
        *,
        http_status: int = 200,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass
class Failure:
    code: int
    http_status: int = 200
    retry_after: float | None = None
    description: str = ""
    body: bytes | None = None  # a raw body instead of the API's JSON (a proxy's error page)


@dataclass
class Call:
    """One request the bot made; ``error_code`` 0 when it succeeded."""

    method: str
    params: dict[str, Any]
    at: float
    error_code: int = 0


@dataclass
class Sent:
    """A message the fake accepted."""

    chat_id: str
    message_id: str
    text: str


@dataclass
class FakeZaloBot:
    """The fake server. ``async with FakeZaloBot() as fake:`` starts and stops it."""

    poll_cap: float = 1.0  # longest a getUpdates waits, whatever timeout it asks for
    calls: list[Call] = field(default_factory=list)
    sent: dict[str, list[Sent]] = field(default_factory=lambda: defaultdict(list))
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    webhook: dict[str, Any] | None = None
    blocked: set[str] = field(default_factory=set)  # users who blocked the bot
    missing: set[str] = field(default_factory=set)  # chats that do not exist
    on_message: Callable[[Sent], None] | None = None  # runs after a message was accepted
    port: int = 0

    def __post_init__(self) -> None:
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.limits = SendLimits()  # no limits unless :meth:`limit` sets them

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def limit(self, *, overall_per_second: int | None, chat_per_second: int | None) -> None:
        """Refuse sendMessage beyond these rates from now on (None: no such limit)."""
        self.limits = SendLimits(overall=overall_per_second, per_chat=chat_per_second)

    async def __aenter__(self) -> FakeZaloBot:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # Test controls -------------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self.updates.append(update)
        self._new_update.set()

    def fail(
        self,
        method: str,
        code: int,
        *,
        http_status: int = 200,
        retry_after: float | None = None,
        description: str = "",
        body: bytes | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` fail with ``error_code`` ``code`` (a 429 storm:
        ``fail(m, 429, http_status=429, times=n)``, with or without ``retry_after``)."""
        for _ in range(times):
            self._failures[method].append(
                Failure(code, http_status, retry_after, description or f"error {code}", body)
            )

    def clear_failures(self) -> None:
        """Forget injected failures that have not happened yet (a storm is over)."""
        self._failures.clear()

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages(self, chat_id: str) -> list[Sent]:
        return self.sent.get(chat_id, [])

    async def wait_for(self, predicate: Callable[[], bool], within: float = 20.0) -> None:
        """Wait until ``predicate()`` holds (checked after every call); a guard, not a timer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("fake Zalo Bot API: condition not met")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    # Dispatch ------------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, {}, time.perf_counter())
        try:
            if request.match_info["token"] != TOKEN:
                raise ApiError(401, "Unauthorized", http_status=401)
            if request.method != "POST" or request.content_type != "application/json":
                raise ApiError(400, "Bad Request: expected a POST with a JSON body")
            try:
                params = json.loads(await request.read())
            except ValueError:
                raise ApiError(400, "Bad Request: body is not JSON") from None
            if not isinstance(params, dict):
                raise ApiError(400, "Bad Request: body is not a JSON object")
            call.params = params
            failures = self._failures.get(method)
            if failures:
                failure = failures.popleft()
                if failure.body is not None:
                    call.error_code = failure.code
                    self._note(call)
                    return web.Response(status=failure.http_status, body=failure.body)
                raise ApiError(
                    failure.code,
                    failure.description,
                    http_status=failure.http_status,
                    retry_after=failure.retry_after,
                )
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found", http_status=404)
            result = await handler(params)
        except ApiError as exc:
            call.error_code = exc.code
            self._note(call)
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.http_status)
        self._note(call)
        answer: dict[str, Any] = {"ok": True}
        if result is not None:
            answer["result"] = result
        return web.json_response(answer)

    def _note(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    # Methods -------------------------------------------------------------------------------
    async def _m_getMe(self, p: dict[str, Any]) -> Any:
        return BOT_INFO

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(400, "Bad Request: webhook is set, delete it before getUpdates")
        raw = p.get("timeout", "30")
        if not isinstance(raw, str | int) or not str(raw).isdigit():
            raise ApiError(400, "Bad Request: timeout must be a number of seconds")
        if not self.updates:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), min(int(raw), self.poll_cap))
        if not self.updates:
            raise ApiError(408, "Request timeout")
        return self.updates.popleft()

    async def _m_setWebhook(self, p: dict[str, Any]) -> Any:
        url, secret = p.get("url"), p.get("secret_token")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise ApiError(400, "Bad Request: url must be an HTTPS URL")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "updated_at": 0}

    async def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        chat_id = self._chat(p)
        text = p.get("text")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "Bad Request: text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: text must be 1-2000 characters")
        if self.limits.enabled:
            wait = self.limits.admit(chat_id)
            if wait is not None:
                raise ApiError(
                    429, "Too Many Requests", http_status=429, retry_after=round(wait, 3)
                )
        sent = Sent(chat_id, f"{next(self._message_ids):020x}", text)
        self.sent[chat_id].append(sent)
        if self.on_message is not None:
            self.on_message(sent)
        return {"message_id": sent.message_id, "date": int(time.time() * 1000)}

    async def _m_sendChatAction(self, p: dict[str, Any]) -> Any:
        self._chat(p)
        if p.get("action") not in {"typing", "upload_photo"}:
            raise ApiError(400, "Bad Request: unknown action")
        return None

    def _chat(self, p: dict[str, Any]) -> str:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise ApiError(400, "Bad Request: chat_id is required")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: the user blocked the bot")
        if chat_id in self.missing:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id


# Updates as Zalo sends them ----------------------------------------------------------------


def message_update(
    message_id: str,
    user: str,
    text: str | None,
    *,
    event: str = "message.text.received",
    chat_type: str = "PRIVATE",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": {"id": user, "display_name": "Người dân", "is_bot": False},
        "chat": {"id": user, "chat_type": chat_type},
        "message_id": message_id,
        "date": int(time.time() * 1000),
    }
    if text is not None:
        message["text"] = text
    message.update(extra or {})
    return {"event_name": event, "message": message}


def wrapped(update: dict[str, Any]) -> dict[str, Any]:
    """The webhook's other shape: the update inside ``{ok, result}``."""
    return {"ok": True, "result": update}
