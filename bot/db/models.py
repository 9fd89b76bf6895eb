"""Database models. Times are stored in UTC; the bot shows them in Vietnam time (UTC+7).

The schema is created by Alembic migrations (``bot/db/migrations``), never by ``create_all``,
so SQLite and PostgreSQL deployments evolve the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in, UTC out, on SQLite (which drops offsets) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Conversation(Base):
    """Per (channel, user) dialogue state, so any worker can continue any conversation."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcessedDelivery(Base):
    """Delivery ids already handled: platforms retry, users must not get two answers."""

    __tablename__ = "processed_deliveries"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class InboxUpdate(Base):
    """A messenger update written before the webhook answers 200, so a crash loses nothing
    that was acknowledged. ``(channel, delivery_id)`` is unique: a re-delivery is ignored.

    ``owner``/``lease_until`` say which process is handling it (renewed while it works);
    ``replies`` are the dialogue's answers, stored in the dialogue's own transaction, so an
    update handled but not yet answered when the process died is answered from them rather
    than handled twice; ``done_at`` is set once the answer went out (or failed for good)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "delivery_id"),
        # Pending rows only: order per user and the recovery sweep read nothing else.
        Index(
            "ix_inbox_pending",
            "channel",
            "user_id",
            "id",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
        Index("ix_inbox_done", "done_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[list[Any] | None] = mapped_column(JSON)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Procedure(Base):
    """A procedure, shaped like the National Database on Administrative Procedures."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(Text, default="")
    levels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    subjects: Mapped[str] = mapped_column(Text, default="")
    agency: Mapped[str] = mapped_column(Text, default="")
    implementing_agency: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    documents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    conditions: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[list[Any]] = mapped_column(JSON, default=list)
    online_level: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    popular: Mapped[bool] = mapped_column(Boolean, default=False)
    # Curated content (bundled catalogue): English texts, the source page and the day it was
    # checked; empty / None for national rows imported without them.
    name_en: Mapped[str] = mapped_column(Text, default="")
    agency_en: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    checked_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    methods: Mapped[list[ProcedureMethod]] = relationship(
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="ProcedureMethod.position",
        lazy="selectin",
    )


class ProcedureMethod(Base):
    """How a procedure can be filed: channel, processing time and fee differ per channel."""

    __tablename__ = "procedure_methods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedures.code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(16))  # truc_tiep | truc_tuyen | buu_chinh
    time_value: Mapped[float | None]
    time_unit: Mapped[str | None] = mapped_column(String(24))
    time_text: Mapped[str] = mapped_column(Text, default="")
    fee_amount: Mapped[int | None] = mapped_column(BigInteger)
    fee_text: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")

    procedure: Mapped[Procedure] = relationship(back_populates="methods")


class Dossier(Base):
    """A filed dossier (hồ sơ), keyed by its Circular 01/2018 code."""

    __tablename__ = "dossiers"
    __table_args__ = (Index("ix_dossiers_agency_status", "agency_code", "status"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(40), default="")
    procedure_name: Mapped[str] = mapped_column(Text, default="")
    agency_code: Mapped[str] = mapped_column(String(32), default="")
    agency_name: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(Integer)
    channel: Mapped[int] = mapped_column(Integer, default=1)  # 1 direct, 2 online, 3 postal
    result_delivery: Mapped[str] = mapped_column(String(8), default="desk")  # desk | postal
    applicant_name: Mapped[str] = mapped_column(Text, default="")
    applicant_phone: Mapped[str] = mapped_column(String(32), default="")
    applicant_id_number: Mapped[str] = mapped_column(String(32), default="")
    # The fee (VND) this dossier was charged or will be, when the one-stop system states it; it
    # wins over the catalogue's fee for collecting on delivery (fees differ per case).
    fee_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    missing: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierEvent.at"
    )


class DossierEvent(Base):
    """One step of a dossier's history; ``event_id`` makes upstream pushes idempotent."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_code: Mapped[str] = mapped_column(
        ForeignKey("dossiers.code", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    status: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class Subscription(Base):
    """A chat that asked to be told when a dossier changes."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("dossier_code", "channel", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_code: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Outbox(Base):
    """A push message waiting to be sent; written in the transaction that caused it.

    ``dedup_key`` makes the cause idempotent; ``status`` moves pending → sending → sent/failed.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # Claiming keeps one chat's pushes in order: "is an older row of this chat unsent?"
        Index("ix_outbox_chat", "channel", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The process holding the claim (bot.owners): one gone from this host loses it at once.
    owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DossierAccess(Base):
    """Second-factor state of one user for one dossier: verified, failures today, lock-out."""

    __tablename__ = "dossier_access"

    dossier_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    failures_day: Mapped[date | None] = mapped_column(Date)


class RateCounter(Base):
    """Fixed-window counters for per-user limits (lookups, unknown codes)."""

    __tablename__ = "rate_counters"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Feedback(Base):
    """👍/👎 on an answer, stored with the query that produced it."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    query: Mapped[str] = mapped_column(Text, default="")
    procedure_code: Mapped[str] = mapped_column(String(40), default="")
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostalRequest(Base):
    """A citizen's request to receive a dossier's result by the public postal service."""

    __tablename__ = "postal_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    dossier_code: Mapped[str] = mapped_column(ForeignKey("dossiers.code"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    recipient_name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(32))
    street: Mapped[str] = mapped_column(Text)
    ward_code: Mapped[str] = mapped_column(String(16))
    ward_name: Mapped[str] = mapped_column(Text)
    province_code: Mapped[str] = mapped_column(String(16))
    province_name: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    collect_fee: Mapped[bool] = mapped_column(Boolean, default=False)
    # The procedure fee the citizen agreed to pay the courier, fixed when they confirmed.
    collect_amount: Mapped[int | None] = mapped_column(BigInteger)
    postal_fee: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    tracking_code: Mapped[str | None] = mapped_column(String(13))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[PostalEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="PostalEvent.at"
    )


class PostalEvent(Base):
    """One step of a postal request (accepted, in transit, delivered, failed, returned)."""

    __tablename__ = "postal_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("postal_requests.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[PostalRequest] = relationship(back_populates="events")


class ZaloOAToken(Base):
    """The Zalo Official Account's current OAuth pair, shared by every worker.

    The refresh token is single use and rotated on every refresh, so the pair lives here rather
    than in settings, and a refresh happens under this row's lock (``bot.channels.zalo_oa``)."""

    __tablename__ = "zalo_oa_tokens"

    app_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: unknown (seeded)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ZaloOAUser(Base):
    """When a Zalo OA user last wrote: the OA may send ``cs`` messages only within a window."""

    __tablename__ = "zalo_oa_users"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_inbound_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Operators' web application (bot/http/operator) -----------------------------------------------
class Operator(Base):
    """A person who signs in to the operators' web application (``motcua operator add``).

    Only an Argon2 hash of the password is kept. ``role`` is inspector, officer or admin
    (``bot.http.operator.accounts.Role``)."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OperatorSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the table cannot be replayed as cookies."""

    __tablename__ = "operator_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("operators.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class OperatorSignInFailure(Base):
    """One wrong password (or unknown name), for the lock-out per account and per address.

    The name is the one typed, whether or not such an account exists: the lock-out must not
    reveal which names are real. The password is never stored or logged."""

    __tablename__ = "operator_signin_failures"
    __table_args__ = (
        Index("ix_operator_signin_failures_name_at", "name", "at"),
        Index("ix_operator_signin_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# The inspection dashboard's three range scans over dossiers: received in a period, finished in
# a period, open past the due date (status IN the open statuses AND due_at < today). The first
# two hold every column their tally reads, so a month of a million-dossier table is counted from
# the index alone, without a table read per dossier (migration 0011; 0005 had the times only).
Index("ix_dossiers_received_cover", Dossier.received_at, Dossier.agency_name, Dossier.channel)
Index(
    "ix_dossiers_finished_cover",
    Dossier.finished_at,
    Dossier.agency_name,
    Dossier.status,
    Dossier.due_at,
    Dossier.received_at,
    Dossier.result_delivery,
)
# Open dossiers that can be late (bot/http/operator/figures.py OPEN_LATE): two partial indexes,
# small because open dossiers are a small share of all, and updated only while a dossier is
# open. By due date: the late list walks it in its own order and stops at its limit (with the
# unit in the index, a unit's list reads the table only for the rows it shows). By unit: the
# "late now" tally per unit reads it alone, already grouped (no sort of the backlog). The
# predicate is spelled with literals, and the queries use this very text: planners match a
# partial index on the query's terms, not on bound parameters. They replaced (status, due_at)
# of migration 0005, which SQLite preferred even where it had to read the table for most rows.
OPEN_LATE_SQL = "status IN (1, 2, 4, 5, 6)"
Index(
    "ix_dossiers_open_due",
    Dossier.due_at,
    Dossier.code,
    Dossier.agency_name,
    sqlite_where=text(OPEN_LATE_SQL),
    postgresql_where=text(OPEN_LATE_SQL),
)
Index(
    "ix_dossiers_open_unit",
    Dossier.agency_name,
    Dossier.due_at,
    Dossier.status,  # SQLite counts a partial index as covering only if it holds its columns
    sqlite_where=text(OPEN_LATE_SQL),
    postgresql_where=text(OPEN_LATE_SQL),
)


# Handoff to a person (handlers/handoff.py, bot/http/operator/tickets.py) ---------------------
class HandoffTicket(Base):
    """A citizen's request to talk to an officer, open until an officer, the citizen or the
    idle timeout closes it.

    ``open_key`` is ``channel:user_id`` while the ticket is open and NULL once closed: a unique
    column that many NULLs may share, so "one open ticket per chat" holds on SQLite and
    PostgreSQL alike without a partial index. ``phone`` is a number the citizen left for a
    call-back (E.164); message texts themselves are stored with personal numbers masked."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (Index("ix_handoff_tickets_status_activity", "status", "last_activity_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    open_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    in_office_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str] = mapped_column(String(12), default="")
    closed_by: Mapped[str] = mapped_column(String(64), default="")


class HandoffMessage(Base):
    """One line of a ticket: ``history`` (the citizen's texts before the ticket, the excerpt),
    ``citizen`` (written to the officer) or ``officer`` (a reply, with who wrote it)."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_tickets.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(12))
    # The account's name is kept as well as its id: the record of who answered outlives the account.
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id", ondelete="SET NULL"))
    operator_name: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Bot analytics and aliases added by admins (bot/http/operator/analytics.py, aliases.py) ------
class QuestionLog(Base):
    """One procedure question and what the bot did with it: ``card``, ``did-you-mean`` or
    ``not-found`` (``handlers/procedures.answer``). The text is kept only when nothing was found,
    with personal numbers masked, so that an admin can add the phrasing as an alias."""

    __tablename__ = "question_log"
    __table_args__ = (Index("ix_question_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verdict: Mapped[str] = mapped_column(String(16))
    procedure_code: Mapped[str] = mapped_column(String(40), default="")
    query: Mapped[str] = mapped_column(String(200), default="")


class ProcedureAlias(Base):
    """An everyday phrasing of a procedure added by an admin at ``/operator/aliases``; merged
    with ``lookup/data/aliases.tsv`` when the catalogue is indexed (``bot.catalogue``)."""

    __tablename__ = "procedure_aliases"
    __table_args__ = (UniqueConstraint("code", "text", name="uq_procedure_aliases_code_text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProcedureAliasAudit(Base):
    """Who added or deleted which alias, and when; kept after the alias itself is deleted."""

    __tablename__ = "procedure_alias_audit"
    __table_args__ = (Index("ix_procedure_alias_audit_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(8))  # add | delete
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(200))
    operator_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LexiconEntry(Base):
    """An everyday word → official wording added by an admin at ``/operator/lexicon``, in the
    columns of ``lookup/data/lexicon.tsv``; loaded ahead of that file, so it wins for its
    phrase (``bot/http/operator/vocabulary.py``)."""

    __tablename__ = "lexicon_entries"
    __table_args__ = (
        UniqueConstraint("phrase", "condition", name="uq_lexicon_entries_phrase_condition"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phrase: Mapped[str] = mapped_column(String(100))
    expansion: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(8))  # replace | add | drop | abbr
    condition: Mapped[str] = mapped_column(String(200))  # "if=a|b;unless=c", or empty
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LexiconAudit(Base):
    """Who added, changed or deleted which lexicon entry, and when: the entry as it was after
    the change (as it was before, for a deletion), and for a change also what it was."""

    __tablename__ = "lexicon_audit"
    __table_args__ = (Index("ix_lexicon_audit_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(8))  # add | edit | delete
    entry_id: Mapped[int] = mapped_column(Integer)
    phrase: Mapped[str] = mapped_column(String(100))
    expansion: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(8))
    condition: Mapped[str] = mapped_column(String(200))
    previous: Mapped[str] = mapped_column(String(600))  # an edit: the entry before, as a line
    operator_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VocabularyRevision(Base):
    """One row (id 1) counting changes to the words search reads from the database (aliases
    and lexicon entries), bumped in the transaction of each change. Every worker compares it
    with the revision it indexed and reloads when it moved (``bot/http/operator/vocabulary``)."""

    __tablename__ = "vocabulary_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The deploying province's own facts (bot/province.py) --------------------------------------
class ProvinceProfileRow(Base):
    """The province profile (one-stop centre, commune-level desks, hours, holidays) as the
    validated JSON document ``motcua province import`` stored. One row: an import replaces it
    in one transaction, so every worker reads either the old profile or the new one."""

    __tablename__ = "province_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    province: Mapped[str] = mapped_column(String(100))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The stored search index's revision reads max(updated_at) at every start: with this index it
# is one lookup instead of a scan of every procedure's text (0.45 s at 26,420 procedures).
Index("ix_procedures_updated_at", Procedure.updated_at)


class SearchIndexRow(Base):
    """The catalogue's search index and cards, built once and loaded by every start and worker
    (``bot.search_index``); rebuilt when ``format`` (code) or ``revision`` (catalogue) differs."""

    __tablename__ = "search_index"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    format: Mapped[str] = mapped_column(String(64))
    revision: Mapped[str] = mapped_column(String(64))
    procedures: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # gzip(pickle(index, card table))
    cards: Mapped[bytes] = mapped_column(LargeBinary)  # every card, end to end


class ProcedureVector(Base):
    """One procedure's embedding for the optional re-ranking by meaning (``bot.semantic``):
    computed once per text and model (``digest``), reused by every start and worker."""

    __tablename__ = "procedure_vectors"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    digest: Mapped[str] = mapped_column(String(32))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
