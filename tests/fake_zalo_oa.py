"""A small fake of Zalo's OA API v3 and OAuth v4 (aiohttp on 127.0.0.1, random port).

Point both ``zalo_oa_api_url`` and ``zalo_oa_oauth_url`` at :attr:`FakeZaloOA.base_url`. It
records every call and enforces what breaks a real OA: the ``access_token`` header (not Bearer),
``recipient.user_id``, text ≤ 2,000 characters, at most 5 buttons with titles ≤ 100 characters,
a ``request_user_info`` element's title and subtitle. Errors come back as Zalo sends them: HTTP
200 with ``"error" ≠ 0``. :meth:`FakeZaloOA.expire_access_tokens` makes the current access token
answer −216; refreshing rotates both tokens and a used refresh token answers −14020. With
``overall_per_second`` / ``chat_per_second`` it refuses sends beyond those limits
(``tests.fake_limits``) with error −32, counted in ``limits.refused``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_limits import SendLimits

APP_ID = "4318822290000000001"
APP_SECRET = "test-app-secret"
ACCESS_TOKEN = "access-0"
REFRESH_TOKEN = "refresh-0"
OA_ID = "2960000000000000001"


@dataclass
class Call:
    """One request the bot made."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    error: int = 0


@dataclass
class Sent:
    """A message the fake accepted: what the user sees."""

    user_id: str
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)
    kind: str = "text"  # text | button | request_user_info
    message: dict[str, Any] = field(default_factory=dict)


class ZaloError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FakeZaloOA:
    """``async with FakeZaloOA() as fake:`` starts and stops it."""

    def __init__(
        self, *, overall_per_second: int | None = None, chat_per_second: int | None = None
    ) -> None:
        self.limits = SendLimits(overall=overall_per_second, per_chat=chat_per_second)
        self.calls: list[Call] = []
        self.sent: dict[str, list[Sent]] = defaultdict(list)
        self.access_tokens: set[str] = {ACCESS_TOKEN}
        self.refresh_token = REFRESH_TOKEN
        self.used_refresh_tokens: set[str] = set()
        self.refresh_delay = 0.0  # seconds a refresh takes (widens races in tests)
        self._failures: deque[int] = deque()
        self._serial = itertools.count(1)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeZaloOA:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v4/oa/access_token", self._token)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # Test controls ---------------------------------------------------------------------
    def expire_access_tokens(self) -> None:
        """Every access token issued so far answers −216 from now on."""
        self.access_tokens.clear()

    def fail(self, code: int, *, times: int = 1) -> None:
        """The next ``times`` sends answer ``{"error": code}``."""
        self._failures.extend([code] * times)

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    @property
    def refreshes(self) -> list[Call]:
        return self.calls_to("/v4/oa/access_token")

    @property
    def sends(self) -> list[Call]:
        return self.calls_to("/v3.0/oa/message/cs")

    def messages(self, user_id: str) -> list[Sent]:
        return self.sent.get(user_id, [])

    async def wait_for(self, predicate: Callable[[], bool], within: float = 20.0) -> None:
        """Wait until ``predicate()`` holds (checked after every call); a guard, not a timer."""
        deadline = asyncio.get_running_loop().time() + within
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("fake Zalo OA: condition not met")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    def _note(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    # The OA API ------------------------------------------------------------------------
    async def _send(self, request: web.Request) -> web.Response:
        headers = dict(request.headers)
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        call = Call(request.path, headers, body if isinstance(body, dict) else {})
        try:
            if "Authorization" in headers:
                raise ZaloError(-201, "access token goes in the access_token header")
            if request.headers.get("access_token") not in self.access_tokens:
                raise ZaloError(-216, "Access token is invalid")
            if not isinstance(body, dict):
                raise ZaloError(-201, "body is not a JSON object")
            if self._failures:
                code = self._failures.popleft()
                raise ZaloError(code, "injected failure")
            sent = self._validate(body)
            if self.limits.enabled and self.limits.admit(sent.user_id) is not None:
                raise ZaloError(-32, "Exceeded the rate limit of the OA")
        except ZaloError as exc:
            call.error = exc.code
            self._note(call)
            return web.json_response({"error": exc.code, "message": exc.message})
        self.sent[sent.user_id].append(sent)
        self._note(call)
        msg_id = f"m{next(self._serial)}"
        return web.json_response(
            {"data": {"message_id": msg_id, "user_id": sent.user_id}, "error": 0, "message": "ok"}
        )

    def _validate(self, body: dict[str, Any]) -> Sent:
        recipient = body.get("recipient")
        user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
        if not isinstance(user_id, str) or not user_id.isdigit():
            raise ZaloError(-201, "recipient.user_id must be the user's id as a string")
        message = body.get("message")
        if not isinstance(message, dict):
            raise ZaloError(-201, "message is missing")
        attachment = message.get("attachment")
        if attachment is None:
            return Sent(user_id, _text(message.get("text")), message=message)
        if not isinstance(attachment, dict) or attachment.get("type") != "template":
            raise ZaloError(-201, "unsupported attachment")
        payload = attachment.get("payload")
        if not isinstance(payload, dict):
            raise ZaloError(-201, "attachment.payload is missing")
        kind = payload.get("template_type")
        if kind == "button":
            buttons = payload.get("buttons")
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= 5:
                raise ZaloError(-201, "a button template takes 1 to 5 buttons")
            pairs: list[tuple[str, str]] = []
            for b in buttons:
                title, data = b.get("title"), b.get("payload")
                if not isinstance(title, str) or not 1 <= len(title) <= 100:
                    raise ZaloError(-201, "button title must be 1-100 characters")
                if b.get("type") not in ("oa.query.hide", "oa.query.show"):
                    raise ZaloError(-201, "unsupported button type")
                if not isinstance(data, str) or not 1 <= len(data) <= 1000:
                    raise ZaloError(-201, "button payload must be 1-1000 characters")
                pairs.append((title, data))
            return Sent(user_id, _text(payload.get("text")), pairs, "button", message)
        if kind == "request_user_info":
            elements = payload.get("elements")
            if not isinstance(elements, list) or len(elements) != 1:
                raise ZaloError(-201, "request_user_info takes one element")
            element = elements[0]
            title, subtitle = element.get("title"), element.get("subtitle", "")
            if not isinstance(title, str) or not 1 <= len(title) <= 100:
                raise ZaloError(-201, "element title must be 1-100 characters")
            if not isinstance(subtitle, str) or len(subtitle) > 500:
                raise ZaloError(-201, "element subtitle must be at most 500 characters")
            return Sent(user_id, title, [], "request_user_info", message)
        raise ZaloError(-201, "unsupported template_type")

    # OAuth v4 --------------------------------------------------------------------------
    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        call = Call(request.path, dict(request.headers), {k: str(v) for k, v in form.items()})
        if self.refresh_delay:
            await asyncio.sleep(self.refresh_delay)
        token = str(form.get("refresh_token") or "")
        error: tuple[int, str] | None = None
        if request.headers.get("secret_key") != APP_SECRET:
            error = (-14002, "Invalid secret key")
        elif form.get("app_id") != APP_ID or form.get("grant_type") != "refresh_token":
            error = (-14001, "Invalid parameters")
        elif token in self.used_refresh_tokens:
            error = (-14020, "Refresh token has been used")
        elif token != self.refresh_token:
            error = (-14014, "Invalid refresh token")
        if error is not None:
            call.error = error[0]
            self._note(call)
            return web.json_response(
                {"error": error[0], "error_name": error[1], "error_description": error[1]}
            )
        n = next(self._serial)
        self.used_refresh_tokens.add(token)
        self.refresh_token = f"refresh-{n}"
        access = f"access-{n}"
        self.access_tokens = {access}  # a refresh retires the previous access token
        self._note(call)
        return web.json_response(
            {"access_token": access, "refresh_token": self.refresh_token, "expires_in": "90000"}
        )


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ZaloError(-201, "text is empty")
    if len(value) > 2000:
        raise ZaloError(-201, "text is longer than 2000 characters")
    return value
