"""Who may see what: the dossier second factor, its daily lock-out, and per-user rate limits.

A dossier code is printed on a paper slip and is partly guessable (unit, date, sequence), so
the code alone shows no personal data. The second factor is the last 4 digits of the phone or
ID number registered with the dossier; wrong answers are counted per dossier, per chat, per
Vietnam calendar day, and after ``settings.verify_max_failures`` the chat must wait until the
next midnight in Vietnam. Lookups and unknown codes are rate-limited per chat with fixed
windows in the ``rate_counters`` table, so several workers share one count.

All functions run inside the dialogue's transaction; the conversation row lock already orders
one user's messages, so these per-user rows see no concurrent writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert, ReturningInsert

from bot.config import Settings
from bot.db.engine import insert_ignore
from bot.db.models import DossierAccess, RateCounter, UTCDateTime
from bot.dossier_io import DossierRecord
from bot.vntime import vn_date, vn_midnight_after
from lookup.phone import last4_matches

LOOKUP = "lookup"
UNKNOWN = "unknown_code"
# Unknown codes get a quarter of the lookup allowance in the same window (at least 3): a citizen
# mistypes a code once or twice; a script trying codes hits this long before the lookup limit.
UNKNOWN_SHARE = 4
UNKNOWN_MIN = 3


@dataclass(frozen=True)
class Verdict:
    """Outcome of a second-factor answer."""

    ok: bool
    left: int = 0  # tries left today (when not ok and not locked)
    locked_until: datetime | None = None


@dataclass(frozen=True)
class RateResult:
    allowed: bool
    retry_at: datetime | None = None


# Second factor ----------------------------------------------------------------------------
async def _access_row(
    session: AsyncSession, code: str, channel: str, user_id: str
) -> DossierAccess | None:
    return await session.get(DossierAccess, (code, channel, user_id), populate_existing=True)


async def is_verified(session: AsyncSession, dossier_code: str, channel: str, user_id: str) -> bool:
    """True when this chat has answered the second factor for this dossier."""
    verified = await session.scalar(
        select(DossierAccess.verified_at).where(
            DossierAccess.dossier_code == dossier_code,
            DossierAccess.channel == channel,
            DossierAccess.user_id == user_id,
        )
    )
    return verified is not None


def has_secret(rec: DossierRecord) -> bool:
    """A dossier without a registered phone or ID number cannot be verified by chat."""
    return len(_digits(rec.applicant_phone)) >= 4 or len(_digits(rec.applicant_id_number)) >= 4


async def locked_until(
    session: AsyncSession,
    code: str,
    channel: str,
    user_id: str,
    now: datetime,
    settings: Settings,
) -> datetime | None:
    """When the lock-out for this dossier and chat ends, or None when not locked."""
    if await _failures_today(session, code, now) >= settings.verify_max_failures_per_dossier:
        return vn_midnight_after(now)
    row = await _access_row(session, code, channel, user_id)
    if row is None or row.failures_day != vn_date(now):
        return None
    if row.failures >= settings.verify_max_failures:
        return vn_midnight_after(now)
    return None


async def verify(
    session: AsyncSession,
    rec: DossierRecord,
    channel: str,
    user_id: str,
    answer: str,
    now: datetime,
    settings: Settings,
) -> Verdict:
    """Check 4 digits against the registered phone and ID number (constant time for each)."""
    await session.execute(
        insert_ignore(session, DossierAccess).values(
            dossier_code=rec.code, channel=channel, user_id=user_id, failures=0
        )
    )
    row = await _access_row(session, rec.code, channel, user_id)
    assert row is not None
    today = vn_date(now)
    if row.failures_day != today:
        row.failures, row.failures_day = 0, today
    limit = settings.verify_max_failures
    if row.failures >= limit:
        return Verdict(False, 0, vn_midnight_after(now))
    # Every chat gets its own tries, so the dossier also has a daily total across all chats and
    # channels: k new chats must not mean k times the guesses.
    everyone = await _failures_today(session, rec.code, now)
    if everyone >= settings.verify_max_failures_per_dossier:
        return Verdict(False, 0, vn_midnight_after(now))
    phone_ok = last4_matches(_digits(rec.applicant_phone), answer)
    id_ok = last4_matches(_digits(rec.applicant_id_number), answer)
    if (phone_ok or id_ok) and has_secret(rec):
        row.verified_at = now
        row.failures = 0
        return Verdict(True)
    row.failures += 1
    left = min(limit - row.failures, settings.verify_max_failures_per_dossier - everyone - 1)
    if left <= 0:
        return Verdict(False, 0, vn_midnight_after(now))
    return Verdict(False, left)


async def _failures_today(session: AsyncSession, code: str, now: datetime) -> int:
    """Wrong answers for this dossier today (Vietnam date), from every chat and channel."""
    total = await session.scalar(
        select(func.coalesce(func.sum(DossierAccess.failures), 0)).where(
            DossierAccess.dossier_code == code, DossierAccess.failures_day == vn_date(now)
        )
    )
    return int(total or 0)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


# Rate limits ------------------------------------------------------------------------------
def unknown_limit(settings: Settings) -> int:
    return max(UNKNOWN_MIN, settings.lookup_rate_limit // UNKNOWN_SHARE)


@cache
def _hit_stmt(dialect: str) -> ReturningInsert[int, datetime]:
    """Built once per dialect; ``now`` and ``cutoff`` (now - window) are bound per call."""
    now = bindparam("now", type_=UTCDateTime())
    stale = RateCounter.window_start <= bindparam("cutoff", type_=UTCDateTime())
    values = {
        "channel": bindparam("channel"),
        "user_id": bindparam("user_id"),
        "kind": bindparam("kind"),
        "window_start": now,
        "count": 1,
    }
    index_elements = ["channel", "user_id", "kind"]
    set_ = {
        "count": case((stale, 1), else_=RateCounter.count + 1),
        "window_start": case((stale, now), else_=RateCounter.window_start),
    }
    upsert: Insert
    if dialect == "sqlite":
        upsert = (
            sqlite.insert(RateCounter)
            .values(**values)
            .on_conflict_do_update(index_elements=index_elements, set_=set_)
        )
    else:
        upsert = (
            postgresql.insert(RateCounter)
            .values(**values)
            .on_conflict_do_update(index_elements=index_elements, set_=set_)
        )
    return upsert.returning(RateCounter.count, RateCounter.window_start)


_CHECK = select(RateCounter.count, RateCounter.window_start).where(
    RateCounter.channel == bindparam("channel"),
    RateCounter.user_id == bindparam("user_id"),
    RateCounter.kind == bindparam("kind"),
)


async def hit(
    session: AsyncSession,
    channel: str,
    user_id: str,
    kind: str,
    *,
    limit: int,
    window_seconds: int,
    now: datetime,
) -> RateResult:
    """Count one use in a fixed window; refused once the window's count passes ``limit``.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite and PostgreSQL): a stale window
    restarts at ``now``; the row lock of the upsert makes concurrent workers count correctly.
    """
    window = timedelta(seconds=window_seconds)
    params = {
        "channel": channel,
        "user_id": user_id,
        "kind": kind,
        "now": now,
        "cutoff": now - window,
    }
    count, window_start = (
        await session.execute(_hit_stmt(session.get_bind().dialect.name), params)
    ).one()
    if count > limit:
        return RateResult(False, window_start + window)
    return RateResult(True)


async def check(
    session: AsyncSession,
    channel: str,
    user_id: str,
    kind: str,
    *,
    limit: int,
    window_seconds: int,
    now: datetime,
) -> RateResult:
    """Like :func:`hit` but without counting (is the allowance already spent?)."""
    window = timedelta(seconds=window_seconds)
    params = {"channel": channel, "user_id": user_id, "kind": kind}
    row = (await session.execute(_CHECK, params)).one_or_none()
    if row is None:
        return RateResult(True)
    # Unpacked, not ``row.count``: on a Row that name is tuple.count (also in the stubs).
    count, window_start = row
    if window_start + window <= now or count < limit:
        return RateResult(True)
    return RateResult(False, window_start + window)
