"""Dossier records: the JSONL import format, validation, and reading one dossier for the chat.

One shape serves three sources, so the chat renders them the same way:

* ``motcua dossiers import FILE`` (JSONL, one dossier per line, see ``docs/dossiers.md``);
* the local ``dossiers`` table (:func:`load_local`);
* an upstream one-stop system that answers with the same JSON object (``bot.upstream``).

Times are ISO 8601 *with* an offset (Vietnam is UTC+7); a time without an offset is refused
rather than guessed. Dates shown to citizens are Vietnam calendar dates: the due date
(*ngày hẹn trả*) is a day, so "late" means the Vietnam date today is after the due date.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import insert_ignore
from bot.db.models import Dossier, DossierAccess, DossierEvent, Subscription
from bot.domain import DossierStatus, ResultDelivery, SubmissionChannel, member
from bot.vntime import vn_date
from lookup.dossier_code import parse_code

LATEST_EVENTS = 3
_PHONE_VN = re.compile(r"^\+84[1-9]\d{8}$")
_ID_NUMBER = re.compile(r"^(\d{9}|\d{12})$")  # 9-digit CMND or 12-digit CCCD


class DossierError(ValueError):
    """A dossier record that cannot be used; the message says why (shown in import reports)."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    status: DossierStatus
    at: datetime
    note: str = ""
    event_id: str | None = None


@dataclass(slots=True)
class DossierRecord:
    """A dossier as the chat needs it, whatever the source."""

    code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    status: DossierStatus
    channel: SubmissionChannel = SubmissionChannel.DIRECT
    result_delivery: ResultDelivery = ResultDelivery.DESK
    applicant_name: str = ""
    applicant_phone: str = ""
    applicant_id_number: str = ""
    missing: list[str] = field(default_factory=list)
    history: list[EventRecord] = field(default_factory=list)  # oldest first

    # Derived facts -----------------------------------------------------------------------
    def __post_init__(self) -> None:
        # Rows and JSON carry plain numbers and words; the record always holds the enums.
        self.status = DossierStatus(self.status)
        self.channel = SubmissionChannel(self.channel)
        self.result_delivery = ResultDelivery(self.result_delivery)

    @property
    def finished(self) -> bool:
        return self.status.is_finished

    def late_days(self, now: datetime) -> int:
        """Days past the due date (Vietnam calendar), 0 when not late.

        Open dossier: compared with today. Finished with a result: compared with the day it
        finished. Refused, withdrawn or stopped dossiers are never late.
        """
        if self.due_at is None or not self.status.can_be_late:
            return 0
        if self.status.has_result:
            end = self.finished_at
            if end is None:
                return 0
        else:
            end = now
        return max(0, (vn_date(end) - vn_date(self.due_at)).days)

    def latest_events(self, n: int = LATEST_EVENTS) -> list[EventRecord]:
        return sorted(self.history, key=lambda e: e.at, reverse=True)[:n]

    # Conversions -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, obj: Any) -> DossierRecord:
        """Validate one JSON object of the import format (raises DossierError)."""
        if not isinstance(obj, dict):
            raise DossierError("not a JSON object")
        raw_code = _text(obj.get("code"))
        if not raw_code:
            raise DossierError("code: missing")
        parsed = parse_code(raw_code)
        if parsed.code is None:
            problem = parsed.problem.name if parsed.problem else "UNREADABLE"
            raise DossierError(f"code: not a valid dossier code ({problem})")
        code = str(parsed.code)
        status = _int(obj.get("status"), "status")
        if member(DossierStatus, status) is None:
            raise DossierError(f"status: {status} is not one of the national codes 1-10")
        channel = _int(obj.get("channel", 1), "channel")
        if member(SubmissionChannel, channel) is None:
            raise DossierError(f"channel: {channel} is not 1 (direct), 2 (online) or 3 (postal)")
        delivery = _text(obj.get("result_delivery") or "desk")
        if member(ResultDelivery, delivery) is None:
            raise DossierError("result_delivery: must be desk or postal")
        name = _text(obj.get("procedure_name"))
        if not name:
            raise DossierError("procedure_name: missing")
        missing = obj.get("missing") or []
        if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
            raise DossierError("missing: must be a list of strings")
        history_raw = obj.get("history") or []
        if not isinstance(history_raw, list):
            raise DossierError("history: must be a list")
        history = []
        for i, h in enumerate(history_raw):
            if not isinstance(h, dict):
                raise DossierError(f"history[{i}]: not an object")
            st = _int(h.get("status"), f"history[{i}].status")
            if member(DossierStatus, st) is None:
                raise DossierError(f"history[{i}].status: {st} is not 1-10")
            at = parse_time(h.get("at"), f"history[{i}].at")
            assert at is not None
            history.append(
                EventRecord(DossierStatus(st), at, _text(h.get("note"))[:1000], h.get("event_id"))
            )
        rec = cls(
            code=code,
            procedure_code=_limit(_text(obj.get("procedure_code")), 40, "procedure_code"),
            procedure_name=name,
            agency_code=_limit(_text(obj.get("agency_code")), 32, "agency_code"),
            agency_name=_text(obj.get("agency_name")),
            received_at=parse_time(obj.get("received_at"), "received_at", optional=True),
            due_at=parse_time(obj.get("due_at"), "due_at", optional=True),
            finished_at=parse_time(obj.get("finished_at"), "finished_at", optional=True),
            status=DossierStatus(status),
            channel=SubmissionChannel(channel),
            result_delivery=ResultDelivery(delivery),
            applicant_name=_text(obj.get("applicant_name")),
            applicant_phone=normalize_phone(obj.get("applicant_phone")),
            applicant_id_number=normalize_id_number(obj.get("applicant_id_number")),
            missing=[_text(m) for m in missing if _text(m)],
            history=sorted(history, key=lambda e: e.at),
        )
        if rec.status is not DossierStatus.SUBMITTED and rec.received_at is None:
            raise DossierError("received_at: required once a dossier has been received")
        if rec.received_at and rec.due_at and rec.due_at < rec.received_at:
            raise DossierError("due_at: earlier than received_at")
        return rec

    @classmethod
    def from_model(cls, d: Dossier, events: list[DossierEvent]) -> DossierRecord:
        return cls(
            code=d.code,
            procedure_code=d.procedure_code,
            procedure_name=d.procedure_name,
            agency_code=d.agency_code,
            agency_name=d.agency_name,
            received_at=d.received_at,
            due_at=d.due_at,
            finished_at=d.finished_at,
            status=d.status,
            channel=d.channel,
            result_delivery=d.result_delivery,
            applicant_name=d.applicant_name,
            applicant_phone=d.applicant_phone,
            applicant_id_number=d.applicant_id_number,
            missing=list(d.missing or []),
            history=sorted(
                (EventRecord(DossierStatus(e.status), e.at, e.note, e.event_id) for e in events),
                key=lambda e: e.at,
            ),
        )

    def columns(self) -> dict[str, Any]:
        """Values for the ``dossiers`` table."""
        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "agency_code": self.agency_code,
            "agency_name": self.agency_name,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "channel": self.channel,
            "result_delivery": self.result_delivery,
            "applicant_name": self.applicant_name,
            "applicant_phone": self.applicant_phone,
            "applicant_id_number": self.applicant_id_number,
            "missing": list(self.missing),
        }


# Small parsers -------------------------------------------------------------------------------
def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""


def _limit(value: str, n: int, name: str) -> str:
    if len(value) > n:
        raise DossierError(f"{name}: longer than {n} characters")
    return value


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or value is None:
        raise DossierError(f"{name}: missing or not a number")
    try:
        return int(str(value).strip())
    except ValueError:
        raise DossierError(f"{name}: not a number") from None


def parse_time(value: Any, name: str, *, optional: bool = False) -> datetime | None:
    """ISO 8601 with an offset → aware datetime in UTC."""
    if value is None or value == "":
        if optional:
            return None
        raise DossierError(f"{name}: missing")
    if not isinstance(value, str):
        raise DossierError(f"{name}: not an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DossierError(f"{name}: not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise DossierError(f"{name}: no UTC offset (write e.g. 2025-07-14T08:30:00+07:00)")
    return parsed.astimezone(UTC)


def normalize_phone(value: Any) -> str:
    """Vietnamese phone → E.164 (+84…); empty stays empty."""
    raw = re.sub(r"[\s.\-()]", "", _text(value))
    if not raw:
        return ""
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif raw.startswith("0"):
        raw = "+84" + raw[1:]
    elif raw.startswith("84"):
        raw = "+" + raw
    if not _PHONE_VN.match(raw):
        raise DossierError("applicant_phone: not a Vietnamese phone number")
    return raw


def normalize_id_number(value: Any) -> str:
    raw = re.sub(r"\s", "", _text(value))
    if raw and not _ID_NUMBER.match(raw):
        raise DossierError("applicant_id_number: must be 12 digits (CCCD) or 9 digits (CMND)")
    return raw


# Import --------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"imported {self.imported}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {len(self.rejected)}"
        )


def _import_event_id(code: str, e: EventRecord) -> str:
    """A stable id for a history line of a file, so importing the file twice adds nothing."""
    if e.event_id:
        return str(e.event_id)[:128]
    digest = hashlib.sha256(f"{code}|{e.status}|{e.at.isoformat()}".encode()).hexdigest()
    return f"imp:{digest[:32]}"


async def import_records(
    session: AsyncSession, records: list[tuple[int, DossierRecord]], report: ImportReport
) -> None:
    """Upsert validated records (the caller owns the transaction)."""
    for _line, rec in records:
        existing = await session.get(Dossier, rec.code)
        values = rec.columns()
        if existing is None:
            session.add(Dossier(**values))
            report.imported += 1
        else:
            changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
            for k, v in changed.items():
                setattr(existing, k, v)
            new_events = await _missing_events(session, rec)
            if changed or new_events:
                report.updated += 1
            else:
                report.unchanged += 1
        await session.flush()
        for e in rec.history:
            await session.execute(
                insert_ignore(session, DossierEvent).values(
                    dossier_code=rec.code,
                    event_id=_import_event_id(rec.code, e),
                    status=e.status,
                    at=e.at,
                    note=e.note,
                )
            )


async def _missing_events(session: AsyncSession, rec: DossierRecord) -> bool:
    if not rec.history:
        return False
    ids = [_import_event_id(rec.code, e) for e in rec.history]
    known = set(
        (await session.execute(select(DossierEvent.event_id).where(DossierEvent.event_id.in_(ids))))
        .scalars()
        .all()
    )
    return bool(set(ids) - known)


def read_dossier_file(path: Path) -> tuple[list[tuple[int, DossierRecord]], ImportReport]:
    """Parse and validate a JSONL file; bad lines go to the report, good ones are returned."""
    report = ImportReport()
    good: dict[str, tuple[int, DossierRecord]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = DossierRecord.from_dict(json.loads(line))
            except json.JSONDecodeError as exc:
                report.rejected.append((n, f"invalid JSON: {exc.msg}"))
                continue
            except DossierError as exc:
                report.rejected.append((n, str(exc)))
                continue
            good[rec.code] = (n, rec)  # a code repeated later in the file wins
    return list(good.values()), report


async def import_dossier_file(session: AsyncSession, path: Path | str) -> ImportReport:
    """Import a JSONL file into the open transaction of ``session``.

    Idempotent: dossiers are upserted by code and history lines get stable ids, so a second
    run changes nothing. Bad rows are reported with their line number; good rows are kept.
    An import is a bulk sync: it does not notify subscribers (status pushes come from the
    events API, which knows what changed and when).
    """
    records, report = read_dossier_file(Path(path))
    await import_records(session, records, report)
    return report


# Reading one dossier -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CardData:
    """A dossier plus what the card needs to know about the asking chat."""

    record: DossierRecord
    verified: bool = False
    subscribed: bool = False


@cache
def _card_query(with_chat: bool) -> Select[Any]:
    """Built once: parameters ``code`` (and ``channel``, ``user_id``) are bound at execution."""
    d, e = Dossier.__table__, DossierEvent.__table__
    code = bindparam("code")
    latest = (
        select(e.c.id)
        .where(e.c.dossier_code == code)
        .order_by(e.c.at.desc(), e.c.id.desc())
        .limit(LATEST_EVENTS)
    )
    cols: list[Any] = [
        *d.c,
        e.c.status.label("ev_status"),
        e.c.at.label("ev_at"),
        e.c.note.label("ev_note"),
        e.c.event_id.label("ev_id"),
    ]
    if with_chat:
        channel, user_id = bindparam("channel"), bindparam("user_id")
        cols.append(
            select(DossierAccess.verified_at)
            .where(
                DossierAccess.dossier_code == code,
                DossierAccess.channel == channel,
                DossierAccess.user_id == user_id,
            )
            .scalar_subquery()
            .label("verified_at")
        )
        cols.append(
            exists()
            .where(
                Subscription.dossier_code == code,
                Subscription.channel == channel,
                Subscription.user_id == user_id,
            )
            .label("subscribed")
        )
    return (
        select(*cols)
        .select_from(d.outerjoin(e, e.c.id.in_(latest.scalar_subquery())))
        .where(d.c.code == code)
    )


async def load_card(
    session: AsyncSession, code: str, channel: str | None = None, user_id: str | None = None
) -> CardData | None:
    """The dossier, its latest events and (given a chat) whether that chat verified and
    follows it — in one statement, because each round trip costs more than the query."""
    with_chat = channel is not None and user_id is not None
    params = {"code": code, "channel": channel, "user_id": user_id} if with_chat else {"code": code}
    rows = (await session.execute(_card_query(with_chat), params)).all()
    if not rows:
        return None
    first = rows[0]._mapping
    fields = {c.name: first[c] for c in Dossier.__table__.c if c.name != "updated_at"}
    fields["missing"] = list(fields["missing"] or [])
    events = [
        EventRecord(DossierStatus(r.ev_status), r.ev_at, r.ev_note or "", r.ev_id)
        for r in rows
        if r.ev_status is not None
    ]
    record = DossierRecord(**fields, history=sorted(events, key=lambda ev: ev.at))
    verified = with_chat and first.get("verified_at") is not None
    return CardData(record, verified, bool(first.get("subscribed")))


async def load_local(session: AsyncSession, code: str) -> DossierRecord | None:
    """The dossier and its latest events from the local tables."""
    card = await load_card(session, code)
    return card.record if card else None
