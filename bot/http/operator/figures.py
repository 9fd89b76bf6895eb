"""The inspection dashboard's figures, computed by the database.

One statement, a ``UNION ALL`` of three grouped range scans over ``dossiers``, each on its own
index that holds every column it reads (migration 0011), so none reads the table itself:

- *received*: dossiers received in the period, per unit and Vietnam week of receipt, by
  submission channel (``ix_dossiers_received_cover``);
- *finished*: dossiers whose result was ready in the period, per unit and week of finishing:
  on time, returned, returned by post, processing days (``ix_dossiers_finished_cover``);
- *late now*: open dossiers past their due date today, per unit, whatever the period:
  lateness is a state of today. Read from a partial index of open dossiers by unit
  (``ix_dossiers_open_unit``) alone, however large the backlog.

Python only adds those rows up (units × weeks, a few hundred rows even on millions of
dossiers). The list of late dossiers is a second query that walks the partial index of open
dossiers by due date (``ix_dossiers_open_due``) in its order and stops at its limit. A unit is
an agency *name*: the receiving-unit code prefix differs between desks of one agency.

Rules, the same as the citizen's dossier card (``DossierRecord.late_days``): lateness compares
Vietnam calendar days, so a dossier finished on its due day is on time and an open dossier is
late from the day after its due date; a dossier without a due date is never late. Processing
time is elapsed calendar days from receipt to result (not working days).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    Integer,
    TextClause,
    case,
    func,
    literal_column,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import CompoundSelect, Select

from bot.db.engine import Database
from bot.db.models import OPEN_LATE_SQL, Dossier
from bot.domain import WITH_RESULT, DossierStatus, ResultDelivery, SubmissionChannel
from bot.vntime import VN, vn_date, vn_day_start

#: Statuses in which a dossier past its due date is late now: not finished, and lateness
#: applies (everything but refused, withdrawn, stopped).
OPEN_LATE = tuple(sorted(s for s in DossierStatus if not s.is_finished and s.can_be_late))
# The same set as the partial index's predicate, in its very text (literals, not parameters),
# so that SQLite and PostgreSQL match the index to the query.
if OPEN_LATE_SQL != f"status IN ({', '.join(str(int(s)) for s in OPEN_LATE)})":
    raise RuntimeError("OPEN_LATE_SQL in bot/db/models.py no longer matches OPEN_LATE")
LATE_LIST_LIMIT = 200
_OFFSET_HOURS = int(VN.utcoffset(None).total_seconds() // 3600)


# Vietnam calendar arithmetic in SQL, one spelling per dialect --------------------------------
class vn_day(FunctionElement[date]):
    """The Vietnam calendar date of a stored UTC time."""

    type = Date()
    inherit_cache = True
    name = "vn_day"


class vn_week(FunctionElement[date]):
    """The Monday (Vietnam calendar) of the week of a stored UTC time."""

    type = Date()
    inherit_cache = True
    name = "vn_week"


class days_between(FunctionElement[float]):
    """Elapsed days, with fractions, from the first time to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


def _args(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(vn_day, "sqlite")
def _vn_day_sqlite(element: vn_day, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = _args(element, compiler, **kw)
    return f"date({at}, '+{_OFFSET_HOURS} hours')"


@compiles(vn_day, "postgresql")
def _vn_day_pg(element: vn_day, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = _args(element, compiler, **kw)
    return f"CAST(timezone('UTC', {at}) + INTERVAL '{_OFFSET_HOURS} hours' AS DATE)"


@compiles(vn_week, "sqlite")
def _vn_week_sqlite(element: vn_week, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = _args(element, compiler, **kw)
    # 'weekday 0' moves forward to Sunday (or stays), six days back is that week's Monday.
    return f"date({at}, '+{_OFFSET_HOURS} hours', 'weekday 0', '-6 days')"


@compiles(vn_week, "postgresql")
def _vn_week_pg(element: vn_week, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = _args(element, compiler, **kw)
    return (
        f"CAST(date_trunc('week', timezone('UTC', {at}) + INTERVAL '{_OFFSET_HOURS} hours')"
        " AS DATE)"
    )


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _args(element, compiler, **kw)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _args(element, compiler, **kw)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


# What was asked, and what came back ---------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """A period of Vietnam calendar days (both ends included) and optional narrowing."""

    start: date
    end: date
    unit: str | None = None  # agency name
    procedure: str | None = None  # procedure code
    channel: SubmissionChannel | None = None


@dataclass
class Tally:
    received: int = 0
    direct: int = 0
    online: int = 0
    postal: int = 0
    finished: int = 0  # a result became ready in the period
    on_time: int = 0
    returned: int = 0  # of those, handed over
    returned_by_post: int = 0
    timed: int = 0  # finished with a known receipt time
    days: float = 0.0  # their processing days, summed
    late_now: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def online_share(self) -> float | None:
        return self.online / self.received if self.received else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.finished if self.finished else None

    @property
    def post_share(self) -> float | None:
        return self.returned_by_post / self.returned if self.returned else None

    @property
    def average_days(self) -> float | None:
        return self.days / self.timed if self.timed else None


@dataclass
class UnitRow:
    name: str
    tally: Tally
    rank: int | None = None  # by on-time rate; None when nothing finished


@dataclass(frozen=True)
class LateDossier:
    code: str
    procedure_code: str
    procedure_name: str
    unit: str
    due: date
    days_late: int


@dataclass
class Figures:
    filters: Filters
    now: datetime
    units: list[UnitRow]  # every unit, ranked, whatever unit was chosen
    total: Tally
    selected: Tally  # the chosen unit's, or the total
    weeks: list[tuple[date, Tally]]  # the chosen unit's (or all units'), every week shown
    late: list[LateDossier]  # the first LATE_LIST_LIMIT
    unit_names: list[str] = field(default_factory=list)


# The queries --------------------------------------------------------------------------------
def _count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0).cast(Integer)


def _narrowing(f: Filters, *, with_unit: bool) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.procedure:
        conds.append(Dossier.procedure_code == f.procedure)
    if f.channel is not None:
        conds.append(Dossier.channel == f.channel)
    if with_unit and f.unit is not None:
        conds.append(Dossier.agency_name == f.unit)
    return conds


def _open_late() -> TextClause:
    """Open and lateness applies: the partial index's predicate, as that index spells it."""
    return text(OPEN_LATE_SQL)


def period_bounds(f: Filters) -> tuple[datetime, datetime]:
    """[start, end) in UTC for the Vietnam days of the period."""
    return vn_day_start(f.start), vn_day_start(f.end + timedelta(days=1))


def late_cutoff(now: datetime) -> datetime:
    """Due before this (today 00:00 in Vietnam) and still open: late by at least a day."""
    return vn_day_start(vn_date(now))


def tally_statement(f: Filters, now: datetime) -> CompoundSelect[Any]:
    start, end = period_bounds(f)
    conds = _narrowing(f, with_unit=False)
    zero = literal_column("0", Integer)
    zero_days = literal_column("0.0", Float)
    received_week = vn_week(Dossier.received_at)
    received = (
        select(
            literal_column("0", Integer).label("kind"),
            Dossier.agency_name.label("unit"),
            received_week.label("week"),
            func.count().label("a"),
            _count_if(Dossier.channel == SubmissionChannel.DIRECT).label("b"),
            _count_if(Dossier.channel == SubmissionChannel.ONLINE).label("c"),
            _count_if(Dossier.channel == SubmissionChannel.POSTAL).label("d"),
            zero.label("e"),
            zero_days.label("f"),
        )
        .where(Dossier.received_at >= start, Dossier.received_at < end, *conds)
        .group_by(Dossier.agency_name, received_week)
    )
    finished_week = vn_week(Dossier.finished_at)
    on_time = Dossier.due_at.is_(None) | (vn_day(Dossier.finished_at) <= vn_day(Dossier.due_at))
    returned = Dossier.status == DossierStatus.RETURNED
    finished = (
        select(
            literal_column("1", Integer),
            Dossier.agency_name,
            finished_week,
            func.count(),
            _count_if(on_time),
            _count_if(returned),
            _count_if(returned & (Dossier.result_delivery == ResultDelivery.POSTAL)),
            _count_if(Dossier.received_at.is_not(None)),
            func.coalesce(func.sum(days_between(Dossier.received_at, Dossier.finished_at)), 0.0),
        )
        .where(
            Dossier.finished_at >= start,
            Dossier.finished_at < end,
            Dossier.status.in_(sorted(WITH_RESULT)),
            *conds,
        )
        .group_by(Dossier.agency_name, finished_week)
    )
    late = (
        select(
            literal_column("2", Integer),
            Dossier.agency_name,
            null(),
            func.count(),
            zero,
            zero,
            zero,
            zero,
            zero_days,
        )
        .where(_open_late(), Dossier.due_at < late_cutoff(now), *conds)
        .group_by(Dossier.agency_name)
    )
    return union_all(received, finished, late)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def weeks_of(f: Filters) -> list[date]:
    monday = f.start - timedelta(days=f.start.weekday())
    weeks = []
    while monday <= f.end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


async def compute(db: Database, f: Filters, now: datetime) -> Figures:
    per_unit: dict[str, Tally] = defaultdict(Tally)
    per_week: dict[date, Tally] = defaultdict(Tally)
    async with db.read() as session:
        rows = (await session.execute(tally_statement(f, now))).all()
        late = await late_dossiers(session, f, now, limit=LATE_LIST_LIMIT)
    for kind, unit, week, a, b, c, d, e, days in rows:
        part = Tally()
        if kind == 0:
            part.received, part.direct, part.online, part.postal = a, b, c, d
        elif kind == 1:
            part.finished, part.on_time, part.returned, part.returned_by_post = a, b, c, d
            part.timed, part.days = e, float(days or 0)
        else:
            part.late_now = a
        per_unit[unit].add(part)
        start = _as_date(week)
        if start is not None and (f.unit is None or unit == f.unit):
            per_week[start].add(part)
    units = rank(per_unit)
    total = Tally()
    for row in units:
        total.add(row.tally)
    selected = per_unit.get(f.unit, Tally()) if f.unit is not None else total
    names = sorted({*per_unit, *([f.unit] if f.unit else [])})
    return Figures(
        filters=f,
        now=now,
        units=units,
        total=total,
        selected=selected,
        weeks=[(w, per_week.get(w, Tally())) for w in weeks_of(f)],
        late=late,
        unit_names=names,
    )


def rank(per_unit: dict[str, Tally]) -> list[UnitRow]:
    """Best on-time rate first; ties by more dossiers finished, then name. Units with nothing
    finished in the period have no rank and come last."""
    rows = [UnitRow(name, tally) for name, tally in per_unit.items()]
    rows.sort(
        key=lambda r: (
            r.tally.on_time_rate is None,
            -(r.tally.on_time_rate or 0.0),
            -r.tally.finished,
            r.name,
        )
    )
    for position, row in enumerate(rows, start=1):
        if row.tally.on_time_rate is not None:
            row.rank = position
    return rows


def late_statement(
    f: Filters, now: datetime, *, limit: int | None
) -> Select[str, str, str, str, datetime | None]:
    """The late list's query: open and past due, in the due-date index's order."""
    stmt = (
        select(
            Dossier.code,
            Dossier.procedure_code,
            Dossier.procedure_name,
            Dossier.agency_name,
            Dossier.due_at,
        )
        .where(
            _open_late(),
            Dossier.due_at < late_cutoff(now),
            *_narrowing(f, with_unit=True),
        )
        # The index's own order: the rows come sorted, and the limit stops the scan.
        .order_by(Dossier.due_at, Dossier.code)
    )
    return stmt if limit is None else stmt.limit(limit)


async def late_dossiers(
    session: AsyncSession, f: Filters, now: datetime, *, limit: int | None
) -> list[LateDossier]:
    """Open dossiers past their due date, longest late first. Codes, procedures, units and
    dates only: nothing about the applicant."""
    stmt = late_statement(f, now, limit=limit)
    today = vn_date(now)
    return [
        LateDossier(code, pcode, pname, unit, vn_date(due), (today - vn_date(due)).days)
        for code, pcode, pname, unit, due in (await session.execute(stmt)).all()
        if due is not None  # the query asks for due_at < cutoff
    ]
