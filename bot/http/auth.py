"""Operator authentication for the HTTP API and dashboard.

``Authorization: Bearer <MOTCUA_OPERATOR_TOKEN>`` for scripts; HTTP Basic with the token as the
password for a browser (it prompts once). With no token configured every request is refused:
an operator API must never be open by accident. A refusal is a 401 with the API's one error
body (``bot.http.errors``), code ``unauthorized``.
"""

from __future__ import annotations

import base64
import hmac

from aiohttp import web

from bot.config import Settings
from bot.http.errors import ApiError


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


def require_operator(request: web.Request, settings: Settings) -> None:
    """Raise 401 unless the request carries the operator token."""
    if not operator_ok(request, settings):
        raise ApiError(
            401,
            "unauthorized",
            "operator token required",
            headers={"WWW-Authenticate": 'Basic realm="motcua operators"'},
        )
