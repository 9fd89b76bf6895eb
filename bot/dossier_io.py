"""Dossier records: the JSONL import format, validation, and reading one dossier for the chat.

One shape serves three sources, so the chat renders them the same way:

* ``motcua dossiers import FILE`` (JSONL, one dossier per line, see ``docs/dossiers.md``);
* the local ``dossiers`` table (:func:`load_local`);
* an upstream one-stop system that answers with the same JSON object (``bot.upstream``).

Times are ISO 8601 *with* an offset (Vietnam is UTC+7); a time without an offset is refused
rather than guessed. Dates shown to citizens are Vietnam calendar dates: the due date
(*ngày hẹn trả*) is a day, so "late" means the Vietnam date today is after the due date.

Validation is declared once, as pydantic models and field types: :class:`DossierImport` for this
format, and the field types (times, dossier codes, storable text, event ids) that the HTTP API's
models in ``bot.http`` reuse, so that one field is checked the same way wherever it arrives.
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
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import BindParameter, Select, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import insert_ignore
from bot.db.models import Dossier, DossierAccess, DossierEvent, Subscription
from bot.domain import DossierStatus, ResultDelivery, SubmissionChannel, member
from bot.vntime import vn_date
from lookup.dossier_code import parse_code
from lookup.phone import check_phone

LATEST_EVENTS = 3
_ID_NUMBER = re.compile(r"^([0-9]{9}|[0-9]{12})$")  # 9-digit CMND or 12-digit CCCD
# Times outside these bounds are typing errors, and near datetime's limits converting to UTC or
# to Vietnam time overflows; refusing them here keeps every later date computation safe.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
MAX_CODE_CHARS = 100  # a code with spaces is ~30; longer is not a code (and bounds the regex work)


class DossierError(ValueError):
    """A dossier record that cannot be used; the message says why (shown in import reports)."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    status: DossierStatus
    at: datetime
    note: str = ""
    event_id: str | None = None
    seq: int = 0  # arrival order: two steps often share a timestamp (filed and received at once)

    def order(self) -> tuple[datetime, int]:
        """Chronological order, ties broken by arrival."""
        return (self.at, self.seq)


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
    fee_amount: int | None = None  # the fee this dossier states (VND); None: the catalogue's
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
        """The last ``n`` steps, oldest first (the card reads as a timeline ending now)."""
        return sorted(self.history, key=EventRecord.order)[-n:]

    # Conversions -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, obj: Any) -> DossierRecord:
        """Validate one JSON object of the import format (raises DossierError naming every
        problem, e.g. ``status: 11 is not one of the national codes 1-10``)."""
        try:
            data = DossierImport.model_validate(obj)
        except ValidationError as exc:
            raise DossierError(describe(field_problems(exc))) from None
        return cls(
            code=data.code,
            procedure_code=data.procedure_code,
            procedure_name=data.procedure_name,
            agency_code=data.agency_code,
            agency_name=data.agency_name,
            received_at=data.received_at,
            due_at=data.due_at,
            finished_at=data.finished_at,
            status=data.status,
            channel=data.channel,
            result_delivery=data.result_delivery,
            applicant_name=data.applicant_name,
            applicant_phone=data.applicant_phone,
            applicant_id_number=data.applicant_id_number,
            fee_amount=data.fee_amount,
            missing=list(data.missing),
            history=sorted(
                (
                    EventRecord(h.status, h.at, h.note, h.event_id, seq=i)
                    for i, h in enumerate(data.history)
                ),
                key=EventRecord.order,
            ),
        )

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
            status=DossierStatus(d.status),
            channel=SubmissionChannel(d.channel),
            result_delivery=ResultDelivery(d.result_delivery),
            applicant_name=d.applicant_name,
            applicant_phone=d.applicant_phone,
            applicant_id_number=d.applicant_id_number,
            fee_amount=d.fee_amount,
            missing=list(d.missing or []),
            history=sorted(
                (
                    EventRecord(DossierStatus(e.status), e.at, e.note, e.event_id, seq=e.id)
                    for e in events
                ),
                key=EventRecord.order,
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
            "fee_amount": self.fee_amount,
            "missing": list(self.missing),
        }


# Validation: problems ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a payload: where (``history[2].at``; "" for the whole) and what."""

    field: str
    problem: str


# pydantic's wording for its own checks, in the words the rest of our messages use.
_GENERIC_PROBLEMS = {
    "missing": "missing",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
}


def _path(loc: tuple[int | str, ...]) -> str:
    """``("events", 1, "status")`` → ``events[1].status``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def field_problems(exc: ValidationError) -> list[Problem]:
    """Every problem of a failed validation, in field order, without echoing the input."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        kind = err["type"]
        if kind == "too_short" and "List" in err["msg"]:
            text = "must not be empty"
        else:
            text = _GENERIC_PROBLEMS.get(kind, err["msg"].removeprefix("Value error, "))
        problems.append(Problem(_path(err["loc"]), text))
    return problems


def describe(problems: list[Problem]) -> str:
    """``status: 11 is not …; received_at: missing`` (import reports, logs)."""
    return "; ".join(f"{p.field}: {p.problem}" if p.field else p.problem for p in problems)


def _fail(kind: str, message: str, **context: Any) -> PydanticCustomError:
    # The message is a template: values go in through the context, never into the template.
    return PydanticCustomError(kind, message, context or None)


# Validation: field types (shared with bot.http) -------------------------------------------------
def storable(value: str) -> str:
    """Refuse text the database cannot store: PostgreSQL rejects NUL in text, and an unpaired
    surrogate (``"\\ud800"`` in JSON) cannot be encoded to UTF-8 at all."""
    if "\x00" in value:
        raise _fail("nul_character", "contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail("surrogate", "contains an unpaired surrogate (not valid Unicode)") from None
    return value


def _tidy(value: str) -> str:
    """Storable, NFC (decomposed Vietnamese arrives from some systems) and stripped."""
    return unicodedata.normalize("NFC", storable(value)).strip()


def _none_as_empty(value: Any) -> Any:
    return "" if value is None else value


def _none_as_list(value: Any) -> Any:
    return [] if value is None else value


def _max_chars(n: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > n:
            raise _fail("too_long", "longer than {n} characters", n=n)
        return value

    return AfterValidator(check)


def _required(value: str) -> str:
    if not value:
        raise _fail("missing", "missing")
    return value


def _event_id(value: str) -> str:
    value = storable(value).strip()
    if not value or len(value) > 128:
        raise _fail("event_id", "must be a non-empty string of at most 128 characters")
    return value


def aware_time(value: Any) -> datetime:
    """ISO 8601 with an offset → aware datetime in UTC, within EARLIEST..LATEST."""
    if value is None or value == "":
        raise _fail("missing", "missing")
    if not isinstance(value, str):
        raise _fail("time_type", "not an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail("time", "not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise _fail("time_offset", "no UTC offset (write e.g. 2025-07-14T08:30:00+07:00)")
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is in the year 10000 in UTC
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise _fail("time_range", "out of range (years 1900 to 2999)")
    return utc


def _optional_time(value: Any) -> datetime | None:
    return None if value is None or value == "" else aware_time(value)


def _dossier_code(value: str) -> str:
    if not value.strip():
        raise _fail("missing", "missing")
    if len(value) > MAX_CODE_CHARS:
        raise _fail("dossier_code", "not a valid dossier code (too long)")
    parsed = parse_code(value)
    if parsed.code is None:
        problem = parsed.problem.name if parsed.problem else "UNREADABLE"
        raise _fail("dossier_code", "not a valid dossier code ({problem})", problem=problem)
    return str(parsed.code)


#: Text stored as given, but storable (NUL and unpaired surrogates refused).
StorableText = Annotated[str, AfterValidator(storable)]
#: Storable, NFC, stripped.
Text = Annotated[str, AfterValidator(_tidy)]
#: Like Text; null is the same as "".
OptionalText = Annotated[str, BeforeValidator(_none_as_empty), AfterValidator(_tidy)]
#: An idempotency id of a sending system: stripped, 1-128 characters.
EventId = Annotated[str, AfterValidator(_event_id)]
#: ISO 8601 with an offset, as UTC.
AwareTime = Annotated[datetime, PlainValidator(aware_time)]
#: Same, or null / "" for none.
OptionalTime = Annotated[datetime | None, PlainValidator(_optional_time)]
#: A dossier code as people write it, as its canonical form (``lookup.dossier_code``).
DossierCodeText = Annotated[str, AfterValidator(storable), AfterValidator(_dossier_code)]


# Validation: the import format ----------------------------------------------------------------
def _whole_number(value: Any) -> int:
    # Exports write codes as numbers or as strings of digits; both are accepted, nothing else.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        digits = value.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= 9:
            return int(digits)
    raise _fail("number", "missing or not a number")


def _import_status(value: Any) -> DossierStatus:
    number = _whole_number(value)
    status = member(DossierStatus, number)
    if status is None:
        raise _fail("status", "{value} is not one of the national codes 1-10", value=number)
    return status


def _import_channel(value: Any) -> SubmissionChannel:
    if value is None:
        return SubmissionChannel.DIRECT
    number = _whole_number(value)
    channel = member(SubmissionChannel, number)
    if channel is None:
        raise _fail("channel", "{value} is not 1 (direct), 2 (online) or 3 (postal)", value=number)
    return channel


def _result_delivery(value: Any) -> ResultDelivery:
    if value is None or value == "":
        return ResultDelivery.DESK
    delivery = member(ResultDelivery, value.strip()) if isinstance(value, str) else None
    if delivery is None:
        raise _fail("result_delivery", "must be desk or postal")
    return delivery


def _phone(value: str) -> str:
    """E.164 through lookup.phone, the check the chat uses: mobiles and landlines."""
    if not value:
        return ""
    check = check_phone(value)
    if check.phone is None:
        problem = check.problem.value if check.problem else "invalid"
        raise _fail("phone", "not a Vietnamese phone number ({problem})", problem=problem)
    return check.phone.e164


def _id_number(value: str) -> str:
    value = re.sub(r"\s", "", value)
    if value and not _ID_NUMBER.match(value):
        raise _fail("id_number", "must be 12 digits (CCCD) or 9 digits (CMND)")
    return value


def _non_empty_lines(values: list[str]) -> list[str]:
    return [v for v in values if v]


ImportStatus = Annotated[DossierStatus, PlainValidator(_import_status)]


class HistoryLine(BaseModel):
    """One line of a dossier's ``history`` in the import format."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    status: ImportStatus
    at: AwareTime
    note: Annotated[OptionalText, AfterValidator(lambda s: s[:1000])] = ""
    event_id: StorableText | None = None


class DossierImport(BaseModel):
    """One dossier of the import format (docs/dossiers.md), also an upstream system's answer.

    Field order matters: the checks on ``received_at`` and ``due_at`` read the fields above them.
    """

    # A number where text is expected (a procedure code such as 1.001193) is read as its text.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    code: DossierCodeText
    status: ImportStatus
    procedure_code: Annotated[OptionalText, _max_chars(40)] = ""
    procedure_name: Annotated[OptionalText, AfterValidator(_required)]
    agency_code: Annotated[OptionalText, _max_chars(32)] = ""
    agency_name: OptionalText = ""
    channel: Annotated[SubmissionChannel, PlainValidator(_import_channel)] = (
        SubmissionChannel.DIRECT
    )
    result_delivery: Annotated[ResultDelivery, PlainValidator(_result_delivery)] = (
        ResultDelivery.DESK
    )
    received_at: OptionalTime = Field(default=None, validate_default=True)
    due_at: OptionalTime = None
    finished_at: OptionalTime = None
    applicant_name: OptionalText = ""
    applicant_phone: Annotated[OptionalText, AfterValidator(_phone)] = ""
    applicant_id_number: Annotated[OptionalText, AfterValidator(_id_number)] = ""
    fee_amount: Annotated[int | None, Field(ge=0, le=10**12, strict=True)] = None
    missing: Annotated[
        list[Text], BeforeValidator(_none_as_list), AfterValidator(_non_empty_lines)
    ] = Field(default_factory=list)
    history: Annotated[list[HistoryLine], BeforeValidator(_none_as_list)] = Field(
        default_factory=list
    )

    @field_validator("received_at")
    @classmethod
    def _received_once_past_submitted(
        cls, value: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        status = info.data.get("status")
        if value is None and status is not None and status is not DossierStatus.SUBMITTED:
            raise _fail("received_at_required", "required once a dossier has been received")
        return value

    @field_validator("due_at")
    @classmethod
    def _due_after_received(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        received = info.data.get("received_at")
        if value is not None and received is not None and value < received:
            raise _fail("due_before_received", "earlier than received_at")
        return value


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
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                # Decoded per line, so one bad byte rejects its line rather than the whole file.
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                report.rejected.append((n, "not UTF-8"))
                continue
            if not line.strip():
                continue
            try:
                rec = DossierRecord.from_dict(json.loads(line))
            except json.JSONDecodeError as exc:
                report.rejected.append((n, f"invalid JSON: {exc.msg}"))
                continue
            except RecursionError:
                report.rejected.append((n, "invalid JSON: nested too deeply"))
                continue
            except DossierError as exc:
                report.rejected.append((n, str(exc)))
                continue
            except ValueError as exc:  # json's own limits, e.g. an integer of 5000 digits
                report.rejected.append((n, f"invalid JSON: {exc}"))
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
    events_total: int = 0  # all steps, where the record holds only the latest


@cache
def _card_query(with_chat: bool) -> Select[Any]:
    """Built once: parameters ``code`` (and ``channel``, ``user_id``) are bound at execution."""
    d, e = Dossier.__table__, DossierEvent.__table__
    code: BindParameter[str] = bindparam("code")
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
        e.c.id.label("ev_seq"),
        select(func.count())
        .select_from(e)
        .where(e.c.dossier_code == code)
        .scalar_subquery()
        .label("ev_total"),
    ]
    if with_chat:
        channel: BindParameter[str] = bindparam("channel")
        user_id: BindParameter[str] = bindparam("user_id")
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
        EventRecord(DossierStatus(r.ev_status), r.ev_at, r.ev_note or "", r.ev_id, r.ev_seq)
        for r in rows
        if r.ev_status is not None
    ]
    record = DossierRecord(**fields, history=sorted(events, key=EventRecord.order))
    verified = with_chat and first.get("verified_at") is not None
    return CardData(record, verified, bool(first.get("subscribed")), int(first["ev_total"] or 0))


async def load_history(session: AsyncSession, code: str) -> list[EventRecord] | None:
    """Every step of the dossier, oldest first; None when there is no such dossier."""
    if await session.get(Dossier, code) is None:
        return None
    rows = await session.scalars(
        select(DossierEvent)
        .where(DossierEvent.dossier_code == code)
        .order_by(DossierEvent.at, DossierEvent.id)
    )
    return [EventRecord(DossierStatus(e.status), e.at, e.note, e.event_id, seq=e.id) for e in rows]


async def load_local(session: AsyncSession, code: str) -> DossierRecord | None:
    """The dossier and its latest events from the local tables."""
    card = await load_card(session, code)
    return card.record if card else None
