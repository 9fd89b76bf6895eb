"""Vietnam time (UTC+7, no daylight saving): what citizens read and what "today" means.

Times are stored in UTC; every date a user sees, and every "per day" rule (late, lock-out,
today's post-office list), uses the Vietnam calendar through these helpers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

VN = timezone(timedelta(hours=7), "ICT")


def vn_date(at: datetime) -> date:
    """The Vietnam calendar date of an aware datetime."""
    return at.astimezone(VN).date()


def vn_day_start(day: date) -> datetime:
    """00:00 in Vietnam on ``day``, as a UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=VN).astimezone(UTC)


def vn_midnight_after(at: datetime) -> datetime:
    """The next 00:00 in Vietnam after ``at`` (when a daily lock-out ends)."""
    return vn_day_start(vn_date(at) + timedelta(days=1))


def fmt_date(at: datetime) -> str:
    """dd/mm/yyyy in Vietnam time, as on official slips."""
    return at.astimezone(VN).strftime("%d/%m/%Y")


def fmt_datetime(at: datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    return at.astimezone(VN).strftime("%d/%m/%Y %H:%M")
