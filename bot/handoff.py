"""Handoff to a person: office hours (from the province profile), the privacy mask of ticket
texts, and ticket storage.

Shared by the conversation (``handlers/handoff.py``) and the officers' pages
(``bot/http/operator/tickets.py``). A ticket is open until the citizen, an officer or the idle
timeout (``settings.handoff_close_hours``) closes it; the timeout is applied lazily, whenever a
ticket is read, so no background job is needed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import province
from bot.config import Settings
from bot.db.engine import rowcount
from bot.db.models import HandoffMessage, HandoffTicket
from bot.province import OfficeHours, parse_ranges
from lookup.phone import check_phone, mask_phone

OPEN = "open"
CLOSED = "closed"
# Who closed a ticket (``HandoffTicket.closed_reason``).
BY_CITIZEN = "citizen"
BY_OFFICER = "officer"
BY_TIMEOUT = "timeout"
# ``HandoffMessage.author``
HISTORY = "history"
CITIZEN = "citizen"
OFFICER = "officer"

HISTORY_KEY = "handoff_recent"  # conversation data: the citizen's last texts, already masked
HISTORY_SIZE = 10
HISTORY_TEXT = 500  # characters kept of each remembered text
MAX_TEXT = 2000  # a ticket line, like the dialogue's own limit on a message

# A run of digits, possibly broken by spaces, dots, dashes or a leading +: phone numbers are
# written "0912 345 678" or "+84-912-345-678" as often as in one piece. A dossier code's tail
# ("H01-260320-0001") is matched first so that it is left alone: officers need the code.
_NUMBER = re.compile(
    r"(?P<code>[A-Za-z]\d+(?:\s*-\s*\d+)+)|(?P<number>\+?\d(?:\d|[ .\-](?=\d)){7,})"
)


# Office hours ------------------------------------------------------------------------------
# Officers answer during the provincial centre's hours from the province profile
# (``bot/province.py``, stored in the database so every worker reads the same); the settings
# are the fallback for a database without a profile. ``MOTCUA_OFFICE_HOLIDAYS`` adds days off
# to the profile's own holidays: a day off announced at short notice needs no new import.
@lru_cache(maxsize=8)
def parse_office_hours(ranges: str, holidays: str) -> OfficeHours:
    """``"07:30-11:30,13:30-17:00"`` (Monday to Friday) and ``"2026-04-30,2026-05-01"``;
    raises ValueError on a time or date that does not exist (the settings' pattern already
    checked the shape)."""
    days = frozenset(date.fromisoformat(d.strip()) for d in holidays.split(",") if d.strip())
    return OfficeHours.weekdays(parse_ranges(ranges.split(",")), days)


def office_hours(settings: Settings) -> OfficeHours:
    """The settings' hours, without the profile (see :func:`office_hours_for`)."""
    return parse_office_hours(settings.office_hours, settings.office_holidays)


async def office_hours_for(db: province.Executor, settings: Settings) -> OfficeHours:
    """Officers' hours: the provincial centre's from the profile, else the settings'."""
    fallback = office_hours(settings)
    profile = await province.load_profile(db)
    if profile is None:
        return fallback
    return profile.hours_of(profile.centre).with_holidays(fallback.holidays)


async def hotline_for(db: province.Executor, settings: Settings, lang: str) -> str:
    """The number to call: the profile's (with whose it is), else ``MOTCUA_OFFICE_HOTLINE``."""
    profile = await province.load_profile(db)
    text = profile.hotline_text(lang) if profile is not None else ""
    return text or settings.office_hotline


# Privacy -----------------------------------------------------------------------------------
def _mask_number(found: re.Match[str]) -> str:
    text = found.group(0)
    digits = re.sub(r"\D", "", text)
    if found.group("code") or len(digits) < 9:  # dossier codes, dates, amounts: not personal
        return text
    if check_phone(text).phone is not None:
        return mask_phone(text)
    # An ID card (12 digits), a bank account: only the last two stay, as on a phone mask.
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_numbers(text: str) -> str:
    """Personal numbers masked: runs of 9 or more digits (phones via ``mask_phone``)."""
    return _NUMBER.sub(_mask_number, text)


def phone_in(text: str) -> str:
    """A Vietnamese phone number written in ``text`` (E.164), or ""."""
    for found in _NUMBER.finditer(text):
        if found.group("code"):
            continue
        phone = check_phone(found.group(0)).phone
        if phone is not None:
            return phone.e164
    return ""


def remember_text(data: dict[str, Any], text: str) -> list[str]:
    """The conversation's recent texts with ``text`` added, oldest first, masked."""
    recent = [str(x) for x in data.get(HISTORY_KEY) or []]
    recent.append(mask_numbers(text[:HISTORY_TEXT]))
    return recent[-HISTORY_SIZE:]


def mask_user(user_id: str) -> str:
    """A chat id as officers see it in lists: enough to tell two chats apart, not to find
    the person on the platform."""
    if len(user_id) <= 4:
        return "*" * len(user_id)
    return user_id[:2] + "*" * (len(user_id) - 4) + user_id[-2:]


# Tickets -----------------------------------------------------------------------------------
def open_key(channel: str, user_id: str) -> str:
    return f"{channel}:{user_id}"


def idle_limit(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(hours=settings.handoff_close_hours)


async def close_idle(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Close every open ticket idle for ``handoff_close_hours``; returns how many."""
    result = await session.execute(
        update(HandoffTicket)
        .where(
            HandoffTicket.status == OPEN,
            HandoffTicket.last_activity_at < idle_limit(settings, now),
        )
        .values(status=CLOSED, open_key=None, closed_at=now, closed_reason=BY_TIMEOUT)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def close(ticket: HandoffTicket, now: datetime, reason: str, by: str = "") -> None:
    ticket.status = CLOSED
    ticket.open_key = None
    ticket.closed_at = now
    ticket.closed_reason = reason
    ticket.closed_by = by[:64]


def is_idle(ticket: HandoffTicket, settings: Settings, now: datetime) -> bool:
    return ticket.last_activity_at < idle_limit(settings, now)


async def open_ticket_of(
    session: AsyncSession, settings: Settings, channel: str, user_id: str, now: datetime
) -> HandoffTicket | None:
    """The chat's open ticket; one idle too long is closed here and not returned."""
    ticket = await session.scalar(
        select(HandoffTicket).where(HandoffTicket.open_key == open_key(channel, user_id))
    )
    if ticket is not None and is_idle(ticket, settings, now):
        close(ticket, now, BY_TIMEOUT)
        await session.flush()  # frees open_key before a new ticket takes it
        return None
    return ticket


async def open_ticket(
    session: AsyncSession,
    *,
    channel: str,
    user_id: str,
    history: list[str],
    in_office_hours: bool,
    now: datetime,
) -> HandoffTicket:
    """A new open ticket with the conversation's recent texts as its excerpt. The caller has
    checked there is none open (the dialogue holds the user's lock; ``open_key`` is the
    database's own guard)."""
    ticket = HandoffTicket(
        channel=channel,
        user_id=user_id,
        open_key=open_key(channel, user_id),
        status=OPEN,
        in_office_hours=in_office_hours,
        phone="",
        opened_at=now,
        last_activity_at=now,
        closed_reason="",
        closed_by="",
    )
    session.add(ticket)
    await session.flush()
    for text in history:
        session.add(
            HandoffMessage(
                ticket_id=ticket.id,
                author=HISTORY,
                operator_name="",
                text=mask_numbers(text)[:MAX_TEXT],
                at=now,
            )
        )
    return ticket


def add_citizen_text(
    session: AsyncSession, ticket: HandoffTicket, text: str, now: datetime
) -> None:
    """The citizen's message on the ticket (masked); a phone number in it is kept apart, in
    full, as the call-back number the citizen was asked for."""
    if not ticket.phone:
        ticket.phone = phone_in(text)
    ticket.last_activity_at = now
    session.add(
        HandoffMessage(
            ticket_id=ticket.id,
            author=CITIZEN,
            operator_name="",
            text=mask_numbers(text)[:MAX_TEXT],
            at=now,
        )
    )
