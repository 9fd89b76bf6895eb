"""Operator and post-office API for postal delivery requests.

``GET /api/v1/postal-requests?status=…`` lists requests as JSON, or as CSV with ``?format=csv``
or ``Accept: text/csv``; ``POST /api/v1/postal-requests/{id}/events`` records a post-office
event (idempotent by ``event_id``) and pushes the change to the citizen through the outbox.
Both need the operator token (``bot.http.auth``: constant-time compare, refuse all when no
token is configured). This is the only place where full phones and addresses leave the bot.

The event body is :class:`PostOfficeEvent`; every error has the one body of ``bot.http.errors``,
with the stable codes the post office already branches on (``bad_status``, ``bad_tracking``,
``tracking_required``, ``reason_required``, ``conflict`` …).
"""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, PlainValidator
from pydantic_core import PydanticCustomError

from bot import postal
from bot.app import App
from bot.domain import POSTAL_SET_BY_POST_OFFICE, PostalStatus, member
from bot.dossier_io import EventId, OptionalText, Problem, StorableText
from bot.http.auth import require_operator
from bot.http.errors import ApiError, parse_json_object, path_id, read_body, validate
from bot.spreadsheet import csv_text

_APP = web.AppKey("postal_app", App)
_STATUSES = ", ".join(POSTAL_SET_BY_POST_OFFICE)
# PostalError code → (HTTP status, message, the field it is about or "").
_ERRORS = {
    "not_found": (404, "no postal request with this id", ""),
    "bad_status": (422, "status must be one of " + _STATUSES, "status"),
    "tracking_required": (
        422,
        "tracking_code is required when the item is accepted",
        "tracking_code",
    ),
    "bad_tracking": (
        422,
        "tracking_code is not a valid S10 code (e.g. EA123456785VN)",
        "tracking_code",
    ),
    "reason_required": (422, "a reason (note) is required for a failed delivery", "reason"),
    "conflict": (409, "this change is not allowed in the request's current state", ""),
}
# A validation problem's field → the error code this endpoint has always answered with.
_FIELD_CODES = {
    "event_id": "bad_event_id",
    "status": "bad_status",
    "tracking_code": "bad_tracking",
    "reason": "bad_note",
    "note": "bad_note",
}


def _post_office_status(value: Any) -> PostalStatus:
    status = member(PostalStatus, value) if isinstance(value, str) else None
    if status is None or not status.set_by_post_office:
        raise PydanticCustomError("status", "must be one of {statuses}", {"statuses": _STATUSES})
    return status


class PostOfficeEvent(BaseModel):
    """What the post office reports about one postal request (docs/api.md)."""

    model_config = ConfigDict(strict=True, frozen=True)

    event_id: EventId
    status: Annotated[PostalStatus, PlainValidator(_post_office_status)]
    tracking_code: StorableText | None = None  # checked as an S10 code by bot.postal
    reason: OptionalText = ""
    note: OptionalText = ""  # older name of ``reason``


def _postal_error(exc: postal.PostalError) -> ApiError:
    status, message, field = _ERRORS.get(exc.code, (422, exc.code, ""))
    if exc.code == "conflict":
        message = str(exc)  # says which change was refused
    return ApiError(status, exc.code, message, [Problem(field, message)] if field else [])


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with a fixed header (also for zero rows), for spreadsheets and the post office."""
    return csv_text(
        postal.EXPORT_FIELDS,
        ({**row, "collect_fee": int(bool(row["collect_fee"]))} for row in rows),
    )


async def _authorise(request: web.Request) -> App:
    app = request.app[_APP]
    await require_operator(request, app)
    return app


async def list_requests(request: web.Request) -> web.Response:
    app = await _authorise(request)
    status = request.query.get("status") or None
    if status is not None and member(PostalStatus, status) is None:
        problem = "must be one of " + ", ".join(PostalStatus)
        raise ApiError(422, "bad_status", "status " + problem, [Problem("status", problem)])
    async with app.services.db.read() as session:
        rows = await postal.request_rows(session, status=status)
    wants_csv = request.query.get("format") == "csv" or "text/csv" in request.headers.get(
        "Accept", ""
    )
    if wants_csv:
        return web.Response(
            text=rows_to_csv(rows),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="postal-requests.csv"'},
        )
    return web.json_response({"requests": rows, "count": len(rows)})


async def post_event(request: web.Request) -> web.Response:
    app = await _authorise(request)
    request_id = path_id(request, what="postal request")
    body = parse_json_object(await read_body(request))
    ev = validate(
        PostOfficeEvent,
        body,
        code="invalid_event",
        message="invalid post-office event",
        codes=_FIELD_CODES,
    )
    services = app.services
    try:
        async with services.db.transaction() as session:
            outcome = await postal.apply_event(
                session,
                services.db,
                request_id=request_id,
                event_id=ev.event_id,
                status=ev.status.value,
                tracking_code=ev.tracking_code,
                note=ev.reason or ev.note,
                now=services.clock(),
            )
            body_out = {
                "id": outcome.request.id,
                "reference": outcome.request.reference,
                "status": outcome.request.status,
                "tracking_code": outcome.request.tracking_code,
                "duplicate": outcome.duplicate,
            }
    except postal.PostalError as exc:
        raise _postal_error(exc) from None
    if not outcome.duplicate:
        services.outbox_wakeup.set()
    return web.json_response(body_out, status=200 if outcome.duplicate else 201)


def setup(web_app: web.Application, app: App) -> None:
    web_app[_APP] = app
    web_app.router.add_get("/api/v1/postal-requests", list_requests)
    web_app.router.add_post("/api/v1/postal-requests/{id}/events", post_event)
