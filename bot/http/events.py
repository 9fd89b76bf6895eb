"""``POST /api/v1/dossiers/events``: the one-stop system pushes dossier status changes.

Authentication (see docs/api.md): ``X-Motcua-Timestamp`` (unix seconds) and
``X-Motcua-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>``. Binding the
timestamp into the MAC stops an old body from being replayed with a fresh timestamp; a request
older or newer than ``settings.events_max_skew_seconds`` is refused, and inside that window a
replay is harmless because events are idempotent by ``event_id``. The comparison is constant
time. With no secret configured the endpoint refuses everything (503).

Body: one event or ``{"events": [...]}``. A batch is all-or-nothing: every event is validated
first (422 with details), then all are written in one transaction; an unknown dossier rolls the
batch back (404 naming the codes), so the sender can fix and resend the same batch. Each applied
event updates the dossier, adds its history row and queues one outbox row per subscriber in
that same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.engine import insert_ignore
from bot.db.models import Dossier, DossierEvent
from bot.domain import DossierStatus, member
from bot.dossier_io import (
    DossierError,
    parse_time,
)
from bot.outbox import notify_subscribers
from lookup.dossier_code import parse_code

log = logging.getLogger(__name__)

PATH = "/api/v1/dossiers/events"
MAX_BATCH = 1000


@dataclass(frozen=True)
class Event:
    event_id: str
    code: str
    status: DossierStatus
    at: datetime
    note: str = ""
    due_at: datetime | None = None
    missing: list[str] | None = None


class EventError(ValueError):
    pass


class UnknownDossiers(Exception):
    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (for senders and tests)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_signature(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float, skew: int
) -> str | None:
    """None when authentic and fresh; otherwise the reason (returned to the caller)."""
    if not timestamp or not signature:
        return "missing X-Motcua-Timestamp or X-Motcua-Signature"
    try:
        ts = int(timestamp.strip())
    except ValueError:
        return "X-Motcua-Timestamp must be unix seconds"
    if abs(now - ts) > skew:
        return "timestamp outside the accepted window"
    expected = sign(secret, timestamp.strip(), body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        return "bad signature"
    return None


def parse_event(obj: Any) -> Event:
    if not isinstance(obj, dict):
        raise EventError("an event must be a JSON object")
    event_id = obj.get("event_id")
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 128:
        raise EventError("event_id: a non-empty string of at most 128 characters")
    raw_code = obj.get("code")
    if not isinstance(raw_code, str):
        raise EventError("code: missing")
    parsed = parse_code(raw_code)
    if parsed.code is None:
        raise EventError("code: not a valid dossier code")
    status = obj.get("status")
    if (
        isinstance(status, bool)
        or not isinstance(status, int)
        or member(DossierStatus, status) is None
    ):
        raise EventError("status: must be one of the national status codes 1-10")
    note = obj.get("note") or ""
    if not isinstance(note, str):
        raise EventError("note: must be a string")
    missing = obj.get("missing")
    if missing is not None and (
        not isinstance(missing, list) or not all(isinstance(m, str) for m in missing)
    ):
        raise EventError("missing: must be a list of strings")
    try:
        at = parse_time(obj.get("at"), "at")
        due_at = parse_time(obj.get("due_at"), "due_at", optional=True)
    except DossierError as exc:
        raise EventError(str(exc)) from None
    assert at is not None
    return Event(
        event_id.strip(),
        str(parsed.code),
        DossierStatus(status),
        at,
        note.strip()[:1000],
        due_at,
        missing,
    )


async def apply_event(session: AsyncSession, ev: Event, now: datetime, *, lock: bool) -> str:
    """Write one event; "applied", "history" (older than the current state) or "duplicate"."""
    stmt = select(Dossier).where(Dossier.code == ev.code)
    if lock:
        stmt = stmt.with_for_update()
    dossier = (await session.execute(stmt)).scalar_one_or_none()
    if dossier is None:
        raise UnknownDossiers([ev.code])
    latest = await session.scalar(
        select(func.max(DossierEvent.at)).where(DossierEvent.dossier_code == ev.code)
    )
    inserted = await session.execute(
        insert_ignore(session, DossierEvent).values(
            dossier_code=ev.code, event_id=ev.event_id, status=ev.status, at=ev.at, note=ev.note
        )
    )
    if inserted.rowcount == 0:
        return "duplicate"
    if latest is not None and ev.at < latest:
        return "history"  # arrived out of order: kept in the history, current state unchanged
    changed = dossier.status != ev.status or (ev.due_at is not None and ev.due_at != dossier.due_at)
    dossier.status = ev.status
    if ev.status.is_finished:
        dossier.finished_at = dossier.finished_at or ev.at
    else:
        dossier.finished_at = None
    if ev.status is DossierStatus.RECEIVED and dossier.received_at is None:
        dossier.received_at = ev.at
    if ev.status.waits_on_citizen:
        if ev.missing is not None:
            dossier.missing = list(ev.missing)
    else:
        dossier.missing = []
    if ev.due_at is not None:
        dossier.due_at = ev.due_at
    dossier.updated_at = now
    if changed:
        await notify_subscribers(
            session,
            ev.code,
            "dossier_status",
            push_payload(ev),
            "ds:" + hashlib.sha256(ev.event_id.encode()).hexdigest()[:40],
            now=now,
        )
    return "applied"


def push_payload(ev: Event) -> dict[str, Any]:
    """What subscribers are told; rendered in each one's language at send time."""
    from bot.vntime import fmt_date

    args: dict[str, Any] = {"code": ev.code, "note": ev.note}
    lines = []
    if ev.note:
        lines.append("ds-push-note")
    if ev.due_at is not None:
        args["date"] = fmt_date(ev.due_at)
        lines.append("ds-push-due")
    return {
        "key": "ds-push-status",
        "args": args,
        "tr": {"status": ev.status.key},
        "lines": lines,
        "buttons": [{"key": "ds-btn-show", "payload": f"dc:{ev.code}"}],
    }


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


async def post_events(request: web.Request) -> web.Response:
    from bot.server import APP_KEY

    app: App = request.app[APP_KEY]
    services = app.services
    settings = services.settings
    secret = settings.events_secret.get_secret_value()
    if not secret:
        return _error(503, "events API disabled: set MOTCUA_EVENTS_SECRET")
    raw = await request.read()
    now = services.clock()
    problem = check_signature(
        secret,
        request.headers.get("X-Motcua-Timestamp"),
        request.headers.get("X-Motcua-Signature"),
        raw,
        now.timestamp(),
        settings.events_max_skew_seconds,
    )
    if problem:
        log.warning("dossier events refused", extra={"reason": problem})
        return _error(401, problem)
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "body is not JSON")
    items = body["events"] if isinstance(body, dict) and "events" in body else [body]
    if not isinstance(items, list) or not items:
        return _error(422, "events must be a non-empty list")
    if len(items) > MAX_BATCH:
        return _error(413, f"at most {MAX_BATCH} events per request")
    events: list[Event] = []
    details = []
    for i, obj in enumerate(items):
        try:
            events.append(parse_event(obj))
        except EventError as exc:
            details.append({"index": i, "error": str(exc)})
    if details:
        return _error(422, "invalid event", details=details)
    db = services.db
    results = []
    try:
        async with db.transaction() as session:
            unknown = []
            for ev in events:
                try:
                    results.append(
                        {
                            "event_id": ev.event_id,
                            "result": await apply_event(session, ev, now, lock=not db.is_sqlite),
                        }
                    )
                except UnknownDossiers as exc:
                    unknown.extend(exc.codes)
            if unknown:
                raise UnknownDossiers(sorted(set(unknown)))
    except UnknownDossiers as exc:
        return _error(404, "unknown dossier", codes=exc.codes)
    services.outbox_wakeup.set()
    log.info(
        "dossier events applied",
        extra={"events": len(events), "applied": sum(r["result"] == "applied" for r in results)},
    )
    return web.json_response({"results": results})


def setup(web_app: web.Application, app: App) -> None:
    web_app.router.add_post(PATH, post_events)
