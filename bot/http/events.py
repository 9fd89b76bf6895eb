"""``POST /api/v1/dossiers/events``: the one-stop system pushes dossier status changes.

Authentication (see docs/api.md): ``X-Motcua-Timestamp`` (unix seconds) and
``X-Motcua-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>``. Binding the
timestamp into the MAC stops an old body from being replayed with a fresh timestamp; a request
older or newer than ``settings.events_max_skew_seconds`` is refused, and inside that window a
replay is harmless because events are idempotent by ``event_id``. The comparison is constant
time. With no secret configured the endpoint refuses everything (503).

Body: one event (:class:`Event`) or ``{"events": [...]}`` (:class:`EventBatch`). A batch is
all-or-nothing: every event is validated first (422 listing every problem), then all are written
in one transaction; an unknown dossier rolls the batch back (404 naming each such event), so the
sender can fix and resend the same batch. Each applied event updates the dossier, adds its
history row and queues one outbox row per subscriber in that same transaction. Every error has
the one body of ``bot.http.errors``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.engine import insert_ignore, rowcount
from bot.db.models import Dossier, DossierEvent
from bot.domain import DossierStatus, member
from bot.dossier_io import (
    AwareTime,
    DossierCodeText,
    EventId,
    OptionalText,
    OptionalTime,
    Problem,
    StorableText,
)
from bot.http.errors import ApiError, parse_json_object, read_body, validate
from bot.outbox import notify_subscribers
from bot.server import APP_KEY
from bot.vntime import fmt_date

log = logging.getLogger(__name__)

PATH = "/api/v1/dossiers/events"
MAX_BATCH = 1000
MAX_NOTE = 1000
_UNIX_SECONDS = re.compile(r"^[0-9]{1,12}$")


def _status(value: Any) -> DossierStatus:
    # A JSON number only: "9" or true is a sender's bug worth reporting, not guessing about.
    status = member(DossierStatus, value) if type(value) is int else None
    if status is None:
        raise PydanticCustomError("status", "must be one of the national status codes 1-10")
    return status


def _short_note(value: str) -> str:
    return value[:MAX_NOTE]


class Event(BaseModel):
    """One dossier status change (docs/api.md, "Body")."""

    model_config = ConfigDict(strict=True, frozen=True)

    event_id: EventId
    code: DossierCodeText
    status: Annotated[DossierStatus, PlainValidator(_status)]
    at: AwareTime
    note: Annotated[OptionalText, AfterValidator(_short_note)] = ""
    due_at: OptionalTime = None
    missing: list[StorableText] | None = None


class EventBatch(BaseModel):
    """``{"events": [event, …]}``; the size limit is checked before, as a 413."""

    model_config = ConfigDict(strict=True)

    events: Annotated[list[Event], Field(min_length=1)]


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
) -> tuple[str, str] | None:
    """None when authentic and fresh; otherwise (error code, message) for the 401."""
    if not timestamp or not signature:
        return "missing_signature", "missing X-Motcua-Timestamp or X-Motcua-Signature"
    timestamp = timestamp.strip()
    # ASCII digits, as documented; int() would also take "1_0" or other scripts' digits.
    if not _UNIX_SECONDS.match(timestamp):
        return "bad_timestamp", "X-Motcua-Timestamp must be unix seconds"
    if abs(now - int(timestamp)) > skew:
        return "stale_timestamp", "timestamp outside the accepted window"
    expected = sign(secret, timestamp, body)
    # aiohttp decodes header bytes that are not UTF-8 as surrogates: encoding must not fail.
    given = signature.strip().lower().encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(expected.encode(), given):
        return "bad_signature", "bad signature"
    return None


def parse_events(body: dict[str, Any]) -> list[Event]:
    """The events of a body, validated; a 422 (413 for too many) listing every problem."""
    if "events" not in body:
        return [validate(Event, body, code="invalid_event", message="invalid event")]
    events = body["events"]
    if isinstance(events, list) and len(events) > MAX_BATCH:
        raise ApiError(413, "too_many_events", f"at most {MAX_BATCH} events per request")
    batch = validate(EventBatch, body, code="invalid_event", message="invalid event")
    return batch.events


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
    if rowcount(inserted) == 0:
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


async def post_events(request: web.Request) -> web.Response:
    app: App = request.app[APP_KEY]
    services = app.services
    settings = services.settings
    secret = settings.events_secret.get_secret_value()
    if not secret:
        raise ApiError(503, "events_disabled", "events API disabled: set MOTCUA_EVENTS_SECRET")
    raw = await read_body(request)
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
        log.warning("dossier events refused", extra={"reason": problem[0]})
        raise ApiError(401, *problem)
    body = parse_json_object(raw)
    events = parse_events(body)
    batched = "events" in body
    db = services.db
    results = []
    unknown: list[Problem] = []
    async with db.transaction() as session:
        for i, ev in enumerate(events):
            try:
                result = await apply_event(session, ev, now, lock=not db.is_sqlite)
            except UnknownDossiers:
                field = f"events[{i}].code" if batched else "code"
                unknown.append(Problem(field, f"no dossier {ev.code} in the bot's database"))
                continue
            results.append({"event_id": ev.event_id, "result": result})
        if unknown:
            # Raised inside the transaction, so the whole batch is rolled back.
            raise ApiError(404, "unknown_dossier", "unknown dossier: nothing was written", unknown)
    services.outbox_wakeup.set()
    log.info(
        "dossier events applied",
        extra={"events": len(events), "applied": sum(r["result"] == "applied" for r in results)},
    )
    return web.json_response({"results": results})


def setup(web_app: web.Application, app: App) -> None:
    web_app.router.add_post(PATH, post_events)
