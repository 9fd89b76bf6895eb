"""One error body for every JSON endpoint of the HTTP API (docs/api.md, "Errors").

Every error answer the API produces itself (every 4xx, and the 503 of a disabled endpoint) has
the same shape::

    {"error": "<stable code>", "message": "<text for a person>",
     "details": [{"field": "events[1].status", "problem": "must be one of …"}]}

``error`` is what clients branch on and never changes meaning; ``message`` is English for the
operator reading a log; ``details`` is always present (often empty) and names each offending
field, so a sender can fix a whole batch in one go.

Handlers and helpers *raise* :class:`ApiError`; aiohttp answers a raised ``HTTPException`` with
the exception itself, so a check deep in a helper (the operator token, a path id) needs no
plumbing back to the handler.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.dossier_io import Problem, field_problems

M = TypeVar("M", bound=BaseModel)
MAX_ID = 2**31 - 1  # ids are PostgreSQL int4; a larger one cannot name a row and breaks the query
# What no text column can hold: PostgreSQL refuses NUL, and an unpaired surrogate is no Unicode.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ApiError(web.HTTPException):
    """An error answer in the one shape; raise it from a handler or anything it calls."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Iterable[Problem] = (),
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        # HTTPException takes its status from the class; one class serves every status here.
        self.status_code = status
        self.code = code
        self.details = list(details)
        super().__init__(
            # ASCII escapes: the body can never fail to encode, whatever a message holds.
            text=json.dumps(error_body(code, message, self.details)),
            content_type="application/json",
            headers=headers,
        )


def error_body(code: str, message: str, details: Iterable[Problem] = ()) -> dict[str, Any]:
    return {
        "error": code,
        "message": message,
        "details": [{"field": d.field, "problem": d.problem} for d in details],
    }


async def read_body(request: web.Request) -> bytes:
    """The raw body; over the server's size limit is a 413 in the one shape."""
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(
            413, "body_too_large", f"the body is larger than {request.client_max_size} bytes"
        ) from None


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Decode a body; anything that is not standard JSON is a 400."""
    try:
        # parse_constant: Python's json accepts NaN and Infinity, which JSON does not have.
        return json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise ApiError(400, "bad_json", "the body is nested too deeply") from None
    except ValueError:
        # JSONDecodeError, UnicodeDecodeError, NaN, integers over Python's digit limit
        raise ApiError(400, "bad_json", "the body is not valid JSON (UTF-8)") from None


def parse_json_object(raw: bytes) -> dict[str, Any]:
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise ApiError(422, "not_an_object", "the body must be a JSON object")
    return body


def validate(
    model: type[M],
    data: Any,
    *,
    code: str,
    message: str,
    codes: Mapping[str, str] | None = None,
) -> M:
    """``model`` validated from ``data``, or a 422 listing every problem.

    ``codes`` maps a top-level field to the stable error code an endpoint has always given for
    it; the first problem picks the code, ``code`` is used for any other field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = field_problems(exc)
        first = problems[0].field.split(".")[0].split("[")[0] if problems else ""
        raise ApiError(422, (codes or {}).get(first, code), message, problems) from None


def row_id(raw: str) -> int | None:
    """``raw`` as a row id (ASCII digits, 1 to :data:`MAX_ID`), or None when no row can have it.

    ASCII digits only: ``str.isdigit`` is also true for "²" and other scripts' digits, on which
    ``int()`` raises or reads another number; ``int()`` alone would take "+7", " 7", "1_0"."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 1 <= int(raw) <= MAX_ID:
        return int(raw)
    return None


def storable(text: str) -> str:
    """``text`` without NUL and unpaired surrogates: for a filter or a search term, where they
    can only be a typo or a probe (and would make PostgreSQL fail the query)."""
    return _UNSTORABLE.sub("", text)


def path_id(request: web.Request, name: str = "id", *, what: str = "resource") -> int:
    """A positive row id from the path; anything else cannot exist, so it is a 404."""
    found = row_id(request.match_info.get(name, ""))
    if found is None:
        raise ApiError(404, "not_found", f"no {what} with this id")
    return found
