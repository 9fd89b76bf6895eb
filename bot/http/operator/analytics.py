"""How the bot is used (``/operator/analytics``): procedure questions per day and channel, the
share answered with a card, with "did you mean" and not found (``question_log``), 👍/👎 per
procedure (``feedback``), the most frequent questions that found nothing (masked when logged;
a CSV too), postal requests by status and pushes by status (``outbox``).

The period is Vietnam calendar days, both included (default: this month); postal requests and
pushes count those created in the period, by their status now. Inspectors, officers, admins.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiMapping
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Feedback, Outbox, PostalRequest, QuestionLog
from bot.domain import PostalStatus
from bot.http.operator.accounts import Role
from bot.http.operator.csvout import csv_response
from bot.http.operator.figures import vn_day
from bot.http.operator.numbers import fmt_int, fmt_percent
from bot.http.operator.security import SignedIn
from bot.http.operator.web import (
    BASE,
    MAX_DAY,
    MAX_PERIOD_DAYS,
    MIN_DAY,
    OperatorWeb,
    default_period,
    page_language,
    render,
)
from bot.i18n import t
from bot.vntime import fmt_datetime, vn_date, vn_day_start

log = logging.getLogger(__name__)

VERDICTS = ("card", "did-you-mean", "not-found")
NOT_FOUND_SHOWN = 50
NOT_FOUND_CSV = 10_000
#: Outbox statuses as operators see them: waiting covers every step before the platform answers.
PUSH_GROUPS = {
    "pending": "waiting",
    "claimed": "waiting",
    "sending": "waiting",
    "sent": "sent",
    "failed": "failed",
    "uncertain": "uncertain",
}
PUSH_KEYS = {
    "sent": "op-an-push-sent",
    "waiting": "op-an-push-waiting",
    "failed": "op-an-push-failed",
    "uncertain": "op-an-push-uncertain",
}
PUSH_ORDER = tuple(PUSH_KEYS)


@dataclass
class DayRow:
    day: date
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())


@dataclass(frozen=True)
class Votes:
    code: str
    name: str
    up: int
    down: int

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def up_rate(self) -> float | None:
        return self.up / self.total if self.total else None

    @property
    def down_rate(self) -> float | None:
        return self.down / self.total if self.total else None


@dataclass
class Analytics:
    start: date
    end: date
    channels: list[str]
    days: list[DayRow]
    verdicts: dict[str, int]
    votes: list[Votes]
    not_found: list[tuple[str, int]]
    postal: dict[str, int]
    pushes: dict[str, int]

    @property
    def questions(self) -> int:
        return sum(self.verdicts.values())

    def share(self, verdict: str) -> float | None:
        return self.verdicts.get(verdict, 0) / self.questions if self.questions else None

    def channel_total(self, channel: str) -> int:
        return sum(d.by_channel.get(channel, 0) for d in self.days)


def parse_period(query: MultiMapping[str], now: datetime) -> tuple[date, date, bool]:
    """``from``/``to`` (Vietnam dates, both included); the default month when absent or bad."""
    start, end = default_period(vn_date(now))
    try:
        start = date.fromisoformat(query["from"]) if query.get("from") else start
        end = date.fromisoformat(query["to"]) if query.get("to") else end
    except ValueError:
        start, end = default_period(vn_date(now))
        return start, end, False
    outside = not (MIN_DAY <= start <= MAX_DAY and MIN_DAY <= end <= MAX_DAY)
    if outside or end < start or (end - start).days >= MAX_PERIOD_DAYS:
        start, end = default_period(vn_date(now))
        return start, end, False
    return start, end, True


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return vn_day_start(start), vn_day_start(date.fromordinal(end.toordinal() + 1))


async def not_found_list(
    session: AsyncSession, start: date, end: date, limit: int
) -> list[tuple[str, int]]:
    low, high = _bounds(start, end)
    n = func.count().label("n")
    rows = await session.execute(
        select(QuestionLog.query, n)
        .where(QuestionLog.at >= low, QuestionLog.at < high, QuestionLog.verdict == "not-found")
        .group_by(QuestionLog.query)
        .order_by(n.desc(), QuestionLog.query)
        .limit(limit)
    )
    return [(str(q), int(c)) for q, c in rows]


async def compute(
    session: AsyncSession, start: date, end: date, name_of: Callable[[str], str]
) -> Analytics:
    """Every figure of the page, by grouped queries over the period's rows."""
    low, high = _bounds(start, end)
    in_period = (QuestionLog.at >= low, QuestionLog.at < high)
    day = vn_day(QuestionLog.at).label("day")
    days: dict[date, DayRow] = {}
    verdicts = dict.fromkeys(VERDICTS, 0)
    channels: set[str] = set()
    for d, channel, verdict, count in await session.execute(
        select(day, QuestionLog.channel, QuestionLog.verdict, func.count())
        .where(*in_period)
        .group_by(day, QuestionLog.channel, QuestionLog.verdict)
    ):
        when = d if isinstance(d, date) else date.fromisoformat(str(d))
        row = days.setdefault(when, DayRow(when))
        row.by_channel[channel] = row.by_channel.get(channel, 0) + int(count)
        verdicts[verdict] = verdicts.get(verdict, 0) + int(count)
        channels.add(channel)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, helpful, count in await session.execute(
        select(Feedback.procedure_code, Feedback.helpful, func.count())
        .where(Feedback.created_at >= low, Feedback.created_at < high)
        .group_by(Feedback.procedure_code, Feedback.helpful)
    ):
        tally[code][0 if helpful else 1] += int(count)
    votes = sorted(
        (Votes(code, name_of(code), up, down) for code, (up, down) in tally.items()),
        key=lambda v: (-v.total, v.code),
    )
    postal = {str(s): 0 for s in PostalStatus}
    for status, count in await session.execute(
        select(PostalRequest.status, func.count())
        .where(PostalRequest.created_at >= low, PostalRequest.created_at < high)
        .group_by(PostalRequest.status)
    ):
        postal[status] = postal.get(status, 0) + int(count)
    pushes = dict.fromkeys(PUSH_ORDER, 0)
    for status, count in await session.execute(
        select(Outbox.status, func.count())
        .where(Outbox.created_at >= low, Outbox.created_at < high)
        .group_by(Outbox.status)
    ):
        group = PUSH_GROUPS.get(status, "waiting")
        pushes[group] += int(count)
    return Analytics(
        start=start,
        end=end,
        channels=sorted(channels),
        days=[days[d] for d in sorted(days)],
        verdicts=verdicts,
        votes=votes,
        not_found=await not_found_list(session, start, end, NOT_FOUND_SHOWN),
        postal=postal,
        pushes=pushes,
    )


class AnalyticsPages:
    def __init__(self, web_views: OperatorWeb) -> None:
        self.web = web_views

    def _name(self, code: str) -> str:
        card = self.web.app.services.catalogue.get(code)
        return card.name if card is not None else ""

    async def page(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        lang = page_language(request)
        now = self.web.now()
        start, end, ok = parse_period(request.query, now)
        async with self.web.db.read() as session:
            figures = await compute(session, start, end, self._name)
        query = urlencode({"from": start.isoformat(), "to": end.isoformat(), "lang": lang})
        return render(
            request,
            "analytics.html",
            lang=lang,
            who=who,
            a=figures,
            bad_period=not ok,
            postal_rows=[(f"postal-status-{s}", n) for s, n in figures.postal.items()],
            push_rows=[(PUSH_KEYS[s], n) for s, n in figures.pushes.items()],
            as_of=fmt_datetime(now),
            query=query,
            fmt_int=lambda n: fmt_int(n, lang),
            fmt_percent=lambda r: fmt_percent(r, lang),
            fmt_day=lambda d: d.strftime("%d/%m/%Y"),
        )

    async def export(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        lang = page_language(request)
        start, end, _ok = parse_period(request.query, self.web.now())
        async with self.web.db.read() as session:
            rows = await not_found_list(session, start, end, NOT_FOUND_CSV)
        log.info("operator export", extra={"operator": who.name, "table": "not-found"})
        return csv_response(
            f"motcua-not-found-{start:%Y%m%d}-{end:%Y%m%d}.csv",
            [t(lang, "op-an-col-message"), t(lang, "op-an-col-times")],
            [[text, count] for text, count in rows],
        )


def setup(web_app: web.Application, views: OperatorWeb) -> None:
    pages = AnalyticsPages(views)
    router = web_app.router
    router.add_get(BASE + "/analytics", views.guarded(Role.INSPECTOR, pages.page))
    router.add_get(BASE + "/analytics/not-found.csv", views.guarded(Role.INSPECTOR, pages.export))
