"""A small fake Telegram Bot API (aiohttp on 127.0.0.1, random port) for the real PTB client.

Point ``base_url`` at :attr:`FakeTelegram.base_url`. It records every call, serves queued updates
to ``getUpdates`` (long poll with a short cap), and enforces the limits that break real bots:
text ≤ 4096 characters after entity parsing, callback_data 1-64 bytes, HTML that Telegram can
parse (only its tags, balanced, no bare ``<`` or ``&``). :meth:`FakeTelegram.fail` injects 429
(with ``retry_after``) or 5xx answers. With ``overall_per_second`` / ``chat_per_second`` it also
refuses sendMessage beyond Telegram's limits (``tests.fake_limits``) with a 429, counted in
``limits.refused``. Also used by the throughput benchmarks, so the hot path stays lean.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_limits import SendLimits

TOKEN = "123456:TEST-token_for-fake-api"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Một cửa",
    "username": "motcua_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "entities",
        "reply_parameters",
    }
)
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def parse_html(text: str) -> str:
    """The visible text of a Telegram HTML message; ApiError(400) where Telegram refuses it."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if m is None:
                raise _parse_error(f"unexpected < at byte offset {i}")
            closing, name, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
            if name not in ALLOWED_TAGS:
                raise _parse_error(f'unsupported start tag "{name}" at byte offset {i}')
            if closing:
                if not stack or stack[-1] != name:
                    raise _parse_error(
                        f'unmatched end tag at byte offset {i}, expected "</'
                        f'{stack[-1] if stack else ""}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                if name == "a" and "href" not in attrs:
                    raise _parse_error("a tag without href")
                if name == "span" and "tg-spoiler" not in attrs:
                    raise _parse_error('tag "span" must have class "tg-spoiler"')
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if m is None:
                raise _parse_error(f"unsupported HTML entity at byte offset {i}")
            out.append(html.unescape(m.group(0)))
            i = m.end()
        else:
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            out.append(text[i:j])
            i = j
    if stack:
        raise _parse_error(f'can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _parse_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# Update builders (shared by tests and the benchmark) -------------------------------------

_ids = itertools.count(1)


def private_chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Test"}


def from_user(user_id: int, language_code: str | None = "vi") -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
    if language_code:
        user["language_code"] = language_code
    return user


def message_update(
    update_id: int,
    user_id: int,
    text: str | None,
    *,
    language_code: str | None = "vi",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A private text message (``text=None`` with ``extra`` for stickers, photos, contacts)."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": private_chat(user_id),
        "from": from_user(user_id, language_code),
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    message.update(extra or {})
    return {"update_id": update_id, "message": message}


def callback_update(
    update_id: int,
    user_id: int,
    data: str,
    *,
    language_code: str | None = "vi",
    message_id: int = 1,
) -> dict[str, Any]:
    """A button press on a message the bot sent earlier."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq{update_id}",
            "from": from_user(user_id, language_code),
            "chat_instance": f"ci{user_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": private_chat(user_id),
                "from": BOT_USER,
                "text": "…",
            },
        },
    }


# The server ---------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Sent:
    """A message the fake accepted (sendMessage or editMessageText)."""

    chat_id: int
    message_id: int
    html: str
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, callback_data)
    reply_keyboard: bool = False


class FakeTelegram:
    """The fake server. ``async with FakeTelegram() as fake:`` starts and stops it."""

    def __init__(
        self,
        *,
        record: bool = True,
        poll_cap: float = 1.0,
        overall_per_second: int | None = None,
        chat_per_second: int | None = None,
    ) -> None:
        self.record = record
        self.poll_cap = poll_cap
        # Off by default: answers to a chat come in bursts of a few messages, as Telegram allows.
        self.limits = SendLimits(overall=overall_per_second, per_chat=chat_per_second)
        self.calls: list[Call] = []
        self.sent: dict[int, list[Sent]] = defaultdict(list)
        self.updates: deque[dict[str, Any]] = deque()
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.blocked: set[int] = set()  # users who blocked the bot: 403
        self.missing: set[int] = set()  # unknown chats: 400 chat not found
        self.expired_queries: set[str] = set()
        self.on_message: Callable[[Sent], None] | None = None  # benchmark hook
        self._failures: dict[str, deque[tuple[int, int | None]]] = defaultdict(deque)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]  # (host, port) of the one listening socket

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # Test controls -------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self.updates.append(update)
        self._new_update.set()

    def fail(
        self, method: str, status: int, *, retry_after: int | None = None, times: int = 1
    ) -> None:
        """The next ``times`` calls of ``method`` fail with ``status`` (429 takes retry_after)."""
        for _ in range(times):
            self._failures[method].append((status, retry_after))

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def messages(self, chat_id: int) -> list[Sent]:
        return self.sent.get(chat_id, [])

    async def wait_for(self, predicate: Callable[[], bool], within: float = 20.0) -> None:
        """Wait until ``predicate()`` holds (checked after every call); a guard, not a timer."""
        deadline = asyncio.get_running_loop().time() + within
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("fake Telegram: condition not met")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    # Dispatch -------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return _error(ApiError(401, "Unauthorized"))
        params = await _params(request)
        call = Call(method, params, time.perf_counter())
        try:
            failures = self._failures.get(method)
            if failures:
                status, retry_after = failures.popleft()
                if status == 429:
                    raise ApiError(
                        429, f"Too Many Requests: retry after {retry_after}", retry_after or 1
                    )
                raise ApiError(status, "Internal Server Error" if status == 500 else "Bad Gateway")
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as exc:
            call.status = exc.code
            self._note(call)
            return _error(exc)
        self._note(call)
        return web.json_response({"ok": True, "result": result})

    def _note(self, call: Call) -> None:
        if self.record:
            self.calls.append(call)
        self._changed.set()

    # Methods -----------------------------------------------------------------------------
    async def _m_getMe(self, p: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()  # confirmed
        if not self.updates:
            self._new_update.clear()
            wait = min(float(p.get("timeout") or 0), self.poll_cap)
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), wait)
        return list(itertools.islice(self.updates, limit))

    async def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        chat_id = self._chat(p)
        sent = self._validate_message(chat_id, p, next(self._message_ids))
        if self.limits.enabled:
            wait = self.limits.admit(str(chat_id))
            if wait is not None:
                seconds = max(1, math.ceil(wait))  # Telegram's retry_after is whole seconds
                raise ApiError(429, f"Too Many Requests: retry after {seconds}", seconds)
        if self.record:
            self.sent[chat_id].append(sent)
        if self.on_message is not None:
            self.on_message(sent)
        return self._message_result(sent)

    async def _m_editMessageText(self, p: dict[str, Any]) -> Any:
        chat_id = self._chat(p)
        message_id = int(p.get("message_id") or 0)
        if not any(s.message_id == message_id for s in self.sent.get(chat_id, [])):
            raise ApiError(400, "Bad Request: message to edit not found")
        sent = self._validate_message(chat_id, p, message_id)
        self.sent[chat_id].append(sent)
        return self._message_result(sent)

    async def _m_sendChatAction(self, p: dict[str, Any]) -> Any:
        self._chat(p)
        if p.get("action") not in {"typing", "upload_photo", "upload_document"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        query_id = p.get("callback_query_id")
        if not query_id or query_id in self.expired_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(p.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _m_setWebhook(self, p: dict[str, Any]) -> Any:
        url = p.get("url") or ""
        if not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = p
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = None
        if str(p.get("drop_pending_updates")).lower() == "true":
            self.updates.clear()
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0 if self.webhook else len(self.updates),
        }

    async def _m_setMyCommands(self, p: dict[str, Any]) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list) or not 1 <= len(commands) <= 100:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        for c in commands:
            if not _COMMAND.fullmatch(str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[p.get("language_code") or ""] = commands
        return True

    # Helpers -----------------------------------------------------------------------------
    def _chat(self, p: dict[str, Any]) -> int:
        try:
            chat_id = int(p["chat_id"])
        except (KeyError, ValueError):
            raise ApiError(400, "Bad Request: chat_id is empty") from None
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.missing:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _validate_message(self, chat_id: int, p: dict[str, Any], message_id: int) -> Sent:
        raw = p.get("text")
        if not raw:
            raise ApiError(400, "Bad Request: message text is empty")
        mode = (p.get("parse_mode") or "").upper()
        visible = parse_html(raw) if mode == "HTML" else raw
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        buttons: list[tuple[str, str]] = []
        reply_keyboard = False
        markup = p.get("reply_markup")
        if markup is not None:
            if not isinstance(markup, dict):
                raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
            if "inline_keyboard" in markup:
                for row in markup["inline_keyboard"]:
                    for b in row:
                        label = b.get("text") or ""
                        if not label.strip():
                            raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                        data = b.get("callback_data")
                        if data is None and "url" not in b:
                            raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
                        if data is not None:
                            if not 1 <= len(data.encode("utf-8")) <= 64:
                                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                            buttons.append((label, data))
            elif "keyboard" in markup:
                reply_keyboard = True
        return Sent(chat_id, message_id, raw, visible, buttons, reply_keyboard)

    def _message_result(self, sent: Sent) -> dict[str, Any]:
        return {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": private_chat(sent.chat_id),
            "from": BOT_USER,
            "text": sent.text,
        }


async def _params(request: web.Request) -> dict[str, Any]:
    """PTB posts form fields whose non-string values are JSON; GET/JSON bodies also work."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_FIELDS:
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        else:
            params[key] = value
    return params


def _error(exc: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after is not None:
        body["parameters"] = {"retry_after": exc.retry_after}
    return web.json_response(body, status=exc.code)
