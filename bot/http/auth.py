"""Operator authentication for the HTTP API and dashboard.

``Authorization: Bearer <MOTCUA_OPERATOR_TOKEN>`` for scripts; HTTP Basic with the token as the
password for a browser (it prompts once). With no token configured every request is refused:
an operator API must never be open by accident. A refusal is a 401 with the API's one error
body (``bot.http.errors``), code ``unauthorized``. Wrong credentials count against the client's
address in the sign-in failures the operator web also uses; after five in fifteen minutes that
address gets 429 ``locked`` (even with the right token) until the window has passed.
"""

from __future__ import annotations

import base64
import hmac
import logging

from aiohttp import web

from bot.app import App
from bot.config import Settings
from bot.http.errors import ApiError
from bot.http.operator.security import LOCKOUT_WINDOW, client_address, is_locked, record_failure

log = logging.getLogger(__name__)


def operator_ok(request: web.Request, settings: Settings) -> bool:
    expected = settings.operator_token.get_secret_value()
    if not expected:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    given = ""
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip()).decode("utf-8").partition(":")[2]
        except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII base64 text
            return False
    # aiohttp decodes header bytes that are not UTF-8 as surrogates: encoding must not fail.
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())


async def require_operator(request: web.Request, app: App) -> None:
    """Raise 401 unless the request carries the operator token; 429 while its address is
    locked out after repeated wrong credentials."""
    db, now = app.services.db, app.services.clock()
    client = client_address(request)
    account = f"#token@{client}"  # one shared token: counted per address, never per everyone
    if await is_locked(db, account, client, now):
        raise ApiError(
            429,
            "locked",
            "too many wrong credentials from this address; try again later",
            headers={"Retry-After": str(int(LOCKOUT_WINDOW.total_seconds()))},
        )
    if operator_ok(request, app.services.settings):
        return
    if request.headers.get("Authorization"):
        await record_failure(db, account, client, now)
        log.warning("operator credentials refused", extra={"client": client})
    raise ApiError(
        401,
        "unauthorized",
        "operator token required",
        headers={"WWW-Authenticate": 'Basic realm="motcua operators"'},
    )
