"""Postal delivery of results (Decision 45/2016/QĐ-TTg): the domain operations.

The chat handler (``handlers/postal.py``), the operator API (``bot/http/postal.py``) and the
export command all go through these functions, so the rules live in one place:

* a request is created in one transaction together with the dossier's ``result_delivery`` and
  the chat's subscription; an idempotency key derived from (dossier, channel, user, flow
  instance) makes a double confirm or a re-delivered button press create one request;
* a dossier has at most one *active* request; the citizen may cancel only while the post office
  has not accepted it;
* operator / post-office events are idempotent by ``event_id``, checked against the allowed
  transitions, S10-validated when they carry a tracking code, and each status change writes
  one outbox push to the requesting chat in the same transaction.

The fee's province: the tariff depends on whether the recipient's province is the province of
the *receiving unit* (the agency that holds the result and hands it to the post office). It is
read from the dossier's ``agency_name`` ("UBND phường Lê Chân, thành phố Hải Phòng", "Sở Tư pháp
tỉnh Quảng Ninh"; pre-merger names map to today's province through ``lookup.address``). The
QCVN 102 unit code (``000.00.00.H31``) is not used: its ``H..`` part is the pre-2025 province
list and no public mapping ships with the bot. When no province can be read, the higher
inter-province tariff is quoted and said to be a maximum: the citizen is never under-quoted.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.engine import Database, rowcount
from bot.db.models import (
    Dossier,
    PostalEvent,
    PostalRequest,
    Procedure,
    ProcedureMethod,
    Subscription,
)
from bot.domain import POSTAL_ACTIVE, DossierStatus, PostalStatus, ResultDelivery, SubmissionChannel
from bot.outbox import enqueue
from bot.vntime import VN, vn_day_start
from lookup.address import Unit, resolve_address
from lookup.s10 import is_valid_s10, normalize_s10

log = logging.getLogger(__name__)


_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: read aloud on the phone


class PostalError(Exception):
    """A request that cannot be applied; ``code`` is stable (API bodies, message keys)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Fee:
    """A postal fee quote. ``same_province`` is None when the receiving unit's province is
    unknown: the inter-province tariff is quoted then."""

    amount: int
    same_province: bool | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the citizen entered; the full values leave the bot only through the operator API."""

    name: str
    phone: str  # E.164
    street: str
    ward_code: str
    ward_name: str
    province_code: str
    province_name: str
    note: str = ""
    collect_fee: bool = False
    collect_amount: int | None = None  # the amount shown to the citizen when they confirmed


# Fee -------------------------------------------------------------------------------------------
def receiving_province(dossier: Dossier) -> Unit | None:
    """The province (``lookup.address.Unit``) of the unit that holds the result, or None.

    Read from the agency name, which names its province in real one-stop systems ("UBND
    phường Lê Chân, thành phố Hải Phòng", "Sở Tư pháp tỉnh Quảng Ninh"); ``resolve_address``
    maps a pre-merger province ("tỉnh Hải Dương") to today's ("Thành phố Hải Phòng")."""
    if not dossier.agency_name:
        return None
    return resolve_address(dossier.agency_name).province


def compute_fee(settings: Settings, unit_province_code: str | None, dest_province_code: str) -> Fee:
    """The configurable tariff: within the receiving unit's province, or to another one."""
    if unit_province_code is None:
        return Fee(settings.postal_fee_other_province, None)
    same = unit_province_code == dest_province_code
    amount = settings.postal_fee_same_province if same else settings.postal_fee_other_province
    return Fee(amount, same)


async def procedure_fee(session: AsyncSession, dossier: Dossier) -> int | None:
    """The procedure's fee for the dossier's submission channel (or any channel), if it has one.

    None means "no fee" or "not stated": then there is nothing to collect on delivery. The
    dossier's own fee, when the one-stop system stated one, wins: the catalogue gives the usual
    fee, the dossier what this citizen owes."""
    if dossier.fee_amount is not None:
        return dossier.fee_amount or None
    if not dossier.procedure_code:
        return None
    rows = (
        await session.execute(
            select(ProcedureMethod.channel, ProcedureMethod.fee_amount)
            .join(Procedure, Procedure.code == ProcedureMethod.procedure_code)
            .where(Procedure.code == dossier.procedure_code)
        )
    ).all()
    wanted = SubmissionChannel(dossier.channel).method
    own = [fee for ch, fee in rows if ch == wanted and fee]
    anyfee = [fee for _, fee in rows if fee]
    if own:
        return int(own[0])
    return int(max(anyfee)) if anyfee else None


# Requests --------------------------------------------------------------------------------------
def idempotency_key(dossier_code: str, channel: str, user_id: str, flow_id: str) -> str:
    """One key per (dossier, chat, flow instance): a second confirm finds the first request."""
    raw = f"{dossier_code}|{channel}|{user_id}|{flow_id}".encode()
    return "pd1:" + hashlib.sha256(raw).hexdigest()


def new_reference(now: datetime) -> str:
    """``BD-<yymmdd>-<4 chars>`` in Vietnam date; short enough to read out on the phone."""
    day = now.astimezone(VN).strftime("%y%m%d")
    tail = "".join(secrets.choice(_REF_ALPHABET) for _ in range(4))
    return f"BD-{day}-{tail}"


async def active_request(session: AsyncSession, dossier_code: str) -> PostalRequest | None:
    return await session.scalar(
        select(PostalRequest)
        .where(PostalRequest.dossier_code == dossier_code, PostalRequest.status.in_(POSTAL_ACTIVE))
        .order_by(PostalRequest.id.desc())
        .limit(1)
    )


async def latest_request(session: AsyncSession, dossier_code: str) -> PostalRequest | None:
    return await session.scalar(
        select(PostalRequest)
        .where(PostalRequest.dossier_code == dossier_code)
        .order_by(PostalRequest.id.desc())
        .limit(1)
    )


async def get_request(session: AsyncSession, reference: str) -> PostalRequest | None:
    return await session.scalar(select(PostalRequest).where(PostalRequest.reference == reference))


async def get_by_tracking(session: AsyncSession, tracking_code: str) -> PostalRequest | None:
    """The newest request carrying this S10 code (a returned item may be re-sent)."""
    stmt = (
        select(PostalRequest)
        .where(PostalRequest.tracking_code == tracking_code)
        .order_by(PostalRequest.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def events_of(session: AsyncSession, request_id: int) -> list[PostalEvent]:
    rows = await session.scalars(
        select(PostalEvent)
        .where(PostalEvent.request_id == request_id)
        .order_by(PostalEvent.at, PostalEvent.id)
    )
    return list(rows)


async def create_request(
    session: AsyncSession,
    db: Database,
    *,
    dossier_code: str,
    channel: str,
    user_id: str,
    flow_id: str,
    recipient: Recipient,
    fee: Fee,
    now: datetime,
) -> tuple[PostalRequest, bool]:
    """Create the request, set the dossier to postal delivery and subscribe the chat.

    Returns ``(request, created)``; ``created`` is False when this flow instance already made
    it. Raises :class:`PostalError` ``closed`` / ``active`` / ``unknown``. Runs inside the
    caller's transaction so the reply, the request and the conversation state commit together.
    """
    key = idempotency_key(dossier_code, channel, user_id, flow_id)
    existing = await session.scalar(
        select(PostalRequest).where(PostalRequest.idempotency_key == key)
    )
    if existing is not None:
        return existing, False
    stmt = select(Dossier).where(Dossier.code == dossier_code)
    if not db.is_sqlite:
        stmt = stmt.with_for_update()  # two chats confirming at once: one active request
    dossier = await session.scalar(stmt)
    if dossier is None:
        raise PostalError("unknown")
    if not DossierStatus(dossier.status).allows_postal:
        raise PostalError("closed")
    if await active_request(session, dossier_code) is not None:
        raise PostalError("active")
    for _ in range(8):
        reference = new_reference(now)
        result = await session.execute(
            db.insert_ignore(PostalRequest).values(
                reference=reference,
                idempotency_key=key,
                dossier_code=dossier_code,
                channel=channel,
                user_id=user_id,
                recipient_name=recipient.name,
                phone=recipient.phone,
                street=recipient.street,
                ward_code=recipient.ward_code,
                ward_name=recipient.ward_name,
                province_code=recipient.province_code,
                province_name=recipient.province_name,
                note=recipient.note,
                collect_fee=recipient.collect_fee,
                collect_amount=recipient.collect_amount if recipient.collect_fee else None,
                postal_fee=fee.amount,
                status=PostalStatus.REQUESTED,
                created_at=now,
                updated_at=now,
            )
        )
        request = await session.scalar(
            select(PostalRequest).where(PostalRequest.idempotency_key == key)
        )
        if request is not None:
            if rowcount(result) == 0:  # a concurrent duplicate won the race
                return request, False
            break
    else:  # pragma: no cover - 8 reference collisions in one day
        raise PostalError("reference")
    session.add(PostalEvent(request_id=request.id, status=PostalStatus.REQUESTED, at=now))
    dossier.result_delivery = ResultDelivery.POSTAL
    await session.execute(
        db.insert_ignore(Subscription).values(
            dossier_code=dossier_code, channel=channel, user_id=user_id, created_at=now
        )
    )
    log.info("postal request created", extra={"request_id": request.id})
    return request, True


async def cancel_request(session: AsyncSession, request: PostalRequest, *, now: datetime) -> None:
    """Citizen cancellation, allowed until the post office accepts the item."""
    if not PostalStatus(request.status).is_cancellable:
        raise PostalError("not_cancellable")
    request.status = PostalStatus.CANCELLED
    request.updated_at = now
    session.add(PostalEvent(request_id=request.id, status=PostalStatus.CANCELLED, at=now))
    dossier = await session.get(Dossier, request.dossier_code)
    if dossier is not None and dossier.result_delivery == ResultDelivery.POSTAL:
        dossier.result_delivery = ResultDelivery.DESK
    log.info("postal request cancelled", extra={"request_id": request.id})


# Operator / post-office events -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EventOutcome:
    request: PostalRequest
    duplicate: bool


async def apply_event(
    session: AsyncSession,
    db: Database,
    *,
    request_id: int,
    event_id: str,
    status: str,
    tracking_code: str | None,
    note: str,
    now: datetime,
) -> EventOutcome:
    """Apply one post-office event; idempotent by ``event_id``.

    Raises :class:`PostalError`: ``not_found``, ``bad_status``, ``tracking_required``,
    ``bad_tracking``, ``reason_required``, ``conflict`` (transition not allowed, or the
    event id was used for another request)."""
    request = await session.get(PostalRequest, request_id)
    if request is None:
        raise PostalError("not_found")
    seen = await session.scalar(select(PostalEvent).where(PostalEvent.event_id == event_id))
    if seen is not None:
        if seen.request_id != request.id or seen.status != status:
            raise PostalError("conflict", "event_id already used for another change")
        return EventOutcome(request, True)
    try:
        new = PostalStatus(status)
    except ValueError:
        raise PostalError("bad_status") from None
    if not new.set_by_post_office:
        raise PostalError("bad_status")
    code = None
    if tracking_code:
        code = normalize_s10(tracking_code)
        if code is None or not is_valid_s10(code):
            raise PostalError("bad_tracking")
    if new is PostalStatus.ACCEPTED and code is None:
        raise PostalError("tracking_required")
    if new is PostalStatus.FAILED and not note.strip():
        raise PostalError("reason_required")
    if not new.reachable_from(PostalStatus(request.status)):
        raise PostalError("conflict", f"cannot go from {request.status} to {status}")
    if code is not None and request.tracking_code and code != request.tracking_code:
        if new is not PostalStatus.ACCEPTED:
            raise PostalError("conflict", "tracking code differs from the accepted item")
    inserted = await session.execute(
        db.insert_ignore(PostalEvent).values(
            request_id=request.id, event_id=event_id, status=status, at=now, note=note[:500]
        )
    )
    if rowcount(inserted) == 0:  # the same event arrived twice at once
        return EventOutcome(request, True)
    request.status = new
    if code is not None:
        request.tracking_code = code
    request.updated_at = now
    await _push(session, request, new, note, event_id, now)
    log.info("postal event applied", extra={"request_id": request.id, "status": status})
    return EventOutcome(request, False)


async def _push(
    session: AsyncSession,
    request: PostalRequest,
    status: PostalStatus,
    note: str,
    event_id: str,
    now: datetime,
) -> None:
    """Tell the citizen, through the outbox, in their language at send time."""
    args: dict[str, Any] = {
        "reference": request.reference,
        "tracking": request.tracking_code or "",
        "reason": note[:200],
    }
    await enqueue(
        session,
        channel=request.channel,
        user_id=request.user_id,
        kind="postal",
        payload={
            "key": status.push_key,
            "args": args,
            "buttons": [{"key": "postal-btn-view", "payload": f"pdr:{request.reference}"}],
        },
        dedup_key=f"postal:{request.id}:{hashlib.sha256(event_id.encode()).hexdigest()[:40]}",
        now=now,
    )


# Listing and export ----------------------------------------------------------------------------
EXPORT_FIELDS = (
    "reference",
    "dossier_code",
    "agency_code",
    "agency_name",
    "status",
    "tracking_code",
    "recipient_name",
    "phone",
    "street",
    "ward_code",
    "ward_name",
    "province_code",
    "province_name",
    "note",
    "collect_fee",
    "procedure_fee",
    "postal_fee",
    "created_at",
    "updated_at",
)


async def request_rows(
    session: AsyncSession, *, status: str | None = None, ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Full request records for operators and the post office (the only place with full data)."""
    stmt = (
        select(PostalRequest, Dossier)
        .join(Dossier, Dossier.code == PostalRequest.dossier_code)
        .order_by(PostalRequest.id)
    )
    if status:
        stmt = stmt.where(PostalRequest.status == status)
    if ids is not None:
        stmt = stmt.where(PostalRequest.id.in_(ids))
    rows: list[dict[str, Any]] = []
    for req, dossier in (await session.execute(stmt)).all():
        rows.append(
            {
                "id": req.id,
                "reference": req.reference,
                "dossier_code": req.dossier_code,
                "agency_code": dossier.agency_code,
                "agency_name": dossier.agency_name,
                "status": req.status,
                "tracking_code": req.tracking_code or "",
                "recipient_name": req.recipient_name,
                "phone": req.phone,
                "street": req.street,
                "ward_code": req.ward_code,
                "ward_name": req.ward_name,
                "province_code": req.province_code,
                "province_name": req.province_name,
                "note": req.note,
                "collect_fee": req.collect_fee,
                "procedure_fee": req.collect_amount or 0,
                "postal_fee": req.postal_fee,
                "created_at": req.created_at.isoformat(),
                "updated_at": req.updated_at.isoformat(),
            }
        )
    return rows


async def accepted_on(session: AsyncSession, day: date) -> list[int]:
    """Ids of requests accepted for dispatch on ``day`` (Vietnam date) and still accepted."""
    start = vn_day_start(day)
    end = start + timedelta(days=1)
    ids = await session.scalars(
        select(PostalRequest.id)
        .join(PostalEvent, PostalEvent.request_id == PostalRequest.id)
        .where(
            PostalRequest.status == PostalStatus.ACCEPTED,
            PostalEvent.status == PostalStatus.ACCEPTED,
            PostalEvent.at >= start,
            PostalEvent.at < end,
        )
        .distinct()
    )
    return list(ids)
