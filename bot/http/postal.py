"""Operator and post-office API for postal delivery requests.

``GET /api/v1/postal-requests?status=…`` lists requests as JSON, or as CSV with ``?format=csv``
or ``Accept: text/csv``; ``POST /api/v1/postal-requests/{id}/events`` records a post-office
event (idempotent by ``event_id``) and pushes the change to the citizen through the outbox.
Both need the operator token (``bot.http.auth``: constant-time compare, refuse all when no
token is configured). This is the only place where full phones and addresses leave the bot.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from aiohttp import web

from bot import postal
from bot.app import App
from bot.domain import POSTAL_SET_BY_POST_OFFICE, PostalStatus, member

_APP = web.AppKey("postal_app", App)
_ERRORS = {
    "not_found": (404, "no postal request with this id"),
    "bad_status": (422, "status must be one of " + ", ".join(POSTAL_SET_BY_POST_OFFICE)),
    "tracking_required": (422, "tracking_code is required when the item is accepted"),
    "bad_tracking": (422, "tracking_code is not a valid S10 code (e.g. EA123456785VN)"),
    "reason_required": (422, "a reason (note) is required for a failed delivery"),
    "conflict": (409, "this change is not allowed in the request's current state"),
}


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with a fixed header (also for zero rows), for spreadsheets and the post office."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(postal.EXPORT_FIELDS), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "collect_fee": int(bool(row["collect_fee"]))})
    return out.getvalue()


def _authorise(request: web.Request) -> App:
    from bot.http.auth import require_operator

    app = request.app[_APP]
    require_operator(request, app.services.settings)
    return app


async def list_requests(request: web.Request) -> web.Response:
    app = _authorise(request)
    status = request.query.get("status") or None
    if status is not None and member(PostalStatus, status) is None:
        return _error(422, "bad_status", "status must be one of " + ", ".join(PostalStatus))
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
    app = _authorise(request)
    try:
        request_id = int(request.match_info["id"])
    except ValueError:
        return _error(404, "not_found", "no postal request with this id")
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return _error(400, "bad_json", "the body must be a JSON object")
    if not isinstance(body, dict):
        return _error(400, "bad_json", "the body must be a JSON object")
    event_id = body.get("event_id")
    status = body.get("status")
    tracking = body.get("tracking_code")
    note = body.get("reason") or body.get("note") or ""
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 128:
        return _error(422, "bad_event_id", "event_id must be a non-empty string (≤ 128)")
    if not isinstance(status, str):
        return _error(422, "bad_status", _ERRORS["bad_status"][1])
    if tracking is not None and not isinstance(tracking, str):
        return _error(422, "bad_tracking", _ERRORS["bad_tracking"][1])
    if not isinstance(note, str):
        return _error(422, "bad_note", "note/reason must be a string")
    services = app.services
    try:
        async with services.db.transaction() as session:
            outcome = await postal.apply_event(
                session,
                services.db,
                request_id=request_id,
                event_id=event_id.strip(),
                status=status,
                tracking_code=tracking,
                note=note.strip(),
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
        code, message = _ERRORS.get(exc.code, (422, exc.code))
        return _error(code, exc.code, str(exc) if exc.code == "conflict" else message)
    if not outcome.duplicate:
        services.outbox_wakeup.set()
    return web.json_response(body_out, status=200 if outcome.duplicate else 201)


def setup(web_app: web.Application, app: App) -> None:
    web_app[_APP] = app
    web_app.router.add_get("/api/v1/postal-requests", list_requests)
    web_app.router.add_post("/api/v1/postal-requests/{id}/events", post_event)
