"""The operators' web application under ``/operator/``: sign-in, the inspection dashboard with
CSV downloads, account management for admins, and the officers' answers to citizens
(``tickets``).

Every page needs a signed-in operator (``security``); a role check follows, then, for a POST,
the CSRF check, before the handler runs. Pages are Jinja2 templates with autoescaping on; every
label comes from ``locales/*/operator.ftl`` (Vietnamese by default, ``?lang=en``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web
from multidict import MultiMapping

from bot.app import App
from bot.db.models import Operator
from bot.domain import SubmissionChannel, member
from bot.http.errors import row_id, storable
from bot.http.operator import accounts, security
from bot.http.operator.accounts import AccountError, Role
from bot.http.operator.charts import UnitBar, WeekBar, trend_chart, unit_chart
from bot.http.operator.csvout import csv_response
from bot.http.operator.figures import (
    Figures,
    Filters,
    LateDossier,
    Tally,
    compute,
    late_dossiers,
)
from bot.http.operator.numbers import fmt_decimal, fmt_int, fmt_percent
from bot.http.operator.security import SignedIn
from bot.i18n import normalize_language, t
from bot.vntime import fmt_datetime, vn_date

log = logging.getLogger(__name__)

BASE = "/operator"
MAX_PERIOD_DAYS = 731
MAX_FILTER_TEXT = 300
LATE_CSV_LIMIT = 100_000  # a whole province's backlog; beyond that the CSV would not open

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.http.operator", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelled variable fails a test, not a page
    trim_blocks=True,
    lstrip_blocks=True,
)

# Page headers: nothing loads from elsewhere, no framing, no caching of figures.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

ACCOUNT_ERRORS = {
    "bad-name": "op-err-bad-name",
    "short-password": "op-err-short-password",
    "long-password": "op-err-long-password",
    "bad-role": "op-err-bad-role",
    "name-taken": "op-err-name-taken",
}
ACCOUNT_NOTICES = {"created": "op-accounts-created", "changed": "op-accounts-changed"}
ROLE_KEYS = {
    Role.INSPECTOR: "op-role-inspector",
    Role.OFFICER: "op-role-officer",
    Role.ADMIN: "op-role-admin",
}


# Table columns: one definition for the page and the CSV ------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    kind: str  # int | percent | days
    value: Callable[[Tally], int | float | None]


TALLY_COLUMNS = (
    Column("op-col-received", "int", lambda x: x.received),
    Column("op-col-direct", "int", lambda x: x.direct),
    Column("op-col-online", "int", lambda x: x.online),
    Column("op-col-postal", "int", lambda x: x.postal),
    Column("op-col-online-share", "percent", lambda x: x.online_share),
    Column("op-col-finished", "int", lambda x: x.finished),
    Column("op-col-on-time", "int", lambda x: x.on_time),
    Column("op-col-on-time-rate", "percent", lambda x: x.on_time_rate),
    Column("op-col-returned-by-post", "int", lambda x: x.returned_by_post),
    Column("op-col-avg-days", "days", lambda x: x.average_days),
    Column("op-col-late-now", "int", lambda x: x.late_now),
)
# Late-now is a state of today, not of a week.
WEEK_COLUMNS = tuple(c for c in TALLY_COLUMNS if c.key != "op-col-late-now")


def shown(column: Column, tally: Tally, lang: str) -> str:
    value = column.value(tally)
    if column.kind == "percent":
        return fmt_percent(value, lang)
    if column.kind == "days":
        return fmt_decimal(value, lang)
    return fmt_int(int(value or 0), lang)


def raw(column: Column, tally: Tally) -> int | float | str:
    """CSV cells: plain numbers a spreadsheet can compute with (percent with one decimal)."""
    value = column.value(tally)
    if value is None:
        return ""
    if column.kind == "percent":
        return round(value * 100, 1)
    if column.kind == "days":
        return round(value, 2)
    return value


# Query parameters ---------------------------------------------------------------------------
def default_period(today: date) -> tuple[date, date]:
    """This month, in the Vietnam calendar."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


# The days a period may run between: any other year is a typo, and a period's bounds (the day
# after its end, midnight in Vietnam as UTC) fall off the calendar at 0001-01-01 or 9999-12-31.
MIN_DAY, MAX_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _day(text: str | None) -> date | None:
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is None or MIN_DAY <= day <= MAX_DAY else None


def parse_filters(query: MultiMapping[str], now: datetime) -> tuple[Filters, list[str]]:
    """The filters asked for, and the locale keys of the problems found (each problem falls
    back to the default for that field)."""
    problems: list[str] = []
    start, end = default_period(vn_date(now))
    asked_start, asked_end = _day(query.get("from")), _day(query.get("to"))
    if query.get("from") and asked_start is None:
        problems.append("op-err-bad-date")
    if query.get("to") and asked_end is None:
        problems.append("op-err-bad-date")
    start, end = asked_start or start, asked_end or end
    if end < start or (end - start).days >= MAX_PERIOD_DAYS:
        problems.append("op-err-bad-period")
        start, end = default_period(vn_date(now))
    channel = None
    if query.get("channel"):
        raw_channel = query["channel"]
        # ASCII and short: "²" passes isdigit() but not int(), and 5,000 digits are too many.
        numeric = raw_channel.isascii() and raw_channel.isdigit() and len(raw_channel) <= 3
        channel = member(SubmissionChannel, int(raw_channel)) if numeric else None
        if channel is None:
            problems.append("op-err-bad-channel")
    # Without NUL and unpaired surrogates, which PostgreSQL would refuse in the query.
    unit = storable(query.get("unit") or "").strip()[:MAX_FILTER_TEXT] or None
    procedure = storable(query.get("procedure") or "").strip()[:MAX_FILTER_TEXT] or None
    return Filters(start, end, unit, procedure, channel), list(dict.fromkeys(problems))


def filter_query(f: Filters, lang: str) -> str:
    params = {"from": f.start.isoformat(), "to": f.end.isoformat(), "lang": lang}
    if f.unit:
        params["unit"] = f.unit
    if f.procedure:
        params["procedure"] = f.procedure
    if f.channel is not None:
        params["channel"] = str(int(f.channel))
    return urlencode(params)


def page_language(request: web.Request) -> str:
    return normalize_language(request.query.get("lang")) or "vi"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this application, never another site."""
    if (
        target
        and target.startswith(BASE + "/")
        and "//" not in target
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return BASE + "/"


# Rendering ----------------------------------------------------------------------------------
def render(
    request: web.Request,
    template: str,
    *,
    lang: str,
    who: SignedIn | None = None,
    status: int = 200,
    **context: Any,
) -> web.Response:
    def tr(key: str, **args: Any) -> str:
        return t(lang, key, **args)

    other = "en" if lang == "vi" else "vi"

    html = TEMPLATES.get_template(template).render(
        t=tr,
        lang=lang,
        who=who,
        base=BASE,
        is_admin=who is not None and who.role.allows(Role.ADMIN),
        is_officer=who is not None and who.role.allows(Role.OFFICER),
        role_name=tr(ROLE_KEYS[who.role]) if who else "",
        other_lang=other,
        switch_href=request.path + "?" + urlencode({**request.query, "lang": other}),
        **context,
    )
    return web.Response(
        text=html, content_type="text/html", status=status, headers=SECURITY_HEADERS
    )


def refuse(
    request: web.Request, lang: str, who: SignedIn | None, status: int, key: str
) -> web.Response:
    return render(request, "error.html", lang=lang, who=who, status=status, message_key=key)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Guarded = Callable[[web.Request, SignedIn], Awaitable[web.StreamResponse]]


class OperatorWeb:
    """The handlers, bound to the running App (its database and clock)."""

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def db(self) -> Any:
        return self.app.services.db

    def now(self) -> datetime:
        return self.app.services.clock()

    # Guards -------------------------------------------------------------------------------
    def guarded(self, role: Role, handler: Guarded) -> Handler:
        """Sign-in, then role, then (for a POST) the session's CSRF token."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            lang = page_language(request)
            who = await security.load_session(
                self.db, request.cookies.get(security.SESSION_COOKIE), self.now()
            )
            if who is None:
                target = request.path_qs if request.method == "GET" else BASE + "/"
                query = urlencode({"next": target, "lang": lang})
                raise web.HTTPSeeOther(f"{BASE}/login?{query}", headers=SECURITY_HEADERS)
            if not who.role.allows(role):
                return refuse(request, lang, who, 403, "op-err-forbidden")
            if request.method == "POST":
                form = await request.post()
                given = form.get("csrf")
                if not security.same_token(given if isinstance(given, str) else None, who.csrf):
                    log.warning(
                        "operator form refused: bad CSRF token", extra={"path": request.path}
                    )
                    return refuse(request, lang, who, 403, "op-err-csrf")
            return await handler(request, who)

        return wrapped

    # Sign-in and sign-out -----------------------------------------------------------------
    async def login_form(self, request: web.Request) -> web.StreamResponse:
        lang = page_language(request)
        who = await security.load_session(
            self.db, request.cookies.get(security.SESSION_COOKIE), self.now()
        )
        if who is not None:
            raise web.HTTPSeeOther(safe_next(request.query.get("next")))
        return self._login_page(request, lang, next_page=request.query.get("next"))

    def _login_page(
        self,
        request: web.Request,
        lang: str,
        *,
        next_page: str | None,
        error: str | None = None,
        status: int = 200,
        name: str = "",
    ) -> web.Response:
        token = security.new_token()
        response = render(
            request,
            "login.html",
            lang=lang,
            status=status,
            csrf=token,
            next_page=safe_next(next_page),
            error_key=error,
            name=name,
        )
        security.set_cookie(
            response, request, security.SIGNIN_COOKIE, token, security.SIGNIN_FORM_LIFETIME
        )
        return response

    async def login(self, request: web.Request) -> web.StreamResponse:
        lang = page_language(request)
        form = await request.post()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        next_page = fields.get("next")
        if not security.same_token(
            fields.get("csrf"), request.cookies.get(security.SIGNIN_COOKIE, "")
        ):
            return self._login_page(
                request, lang, next_page=next_page, error="op-err-csrf", status=403
            )
        name = accounts.normalize_name(fields.get("name", ""))[:64]
        password = fields.get("password", "")
        client = security.client_address(request)
        now = self.now()
        if await security.is_locked(self.db, name, client, now):
            log.warning("operator sign-in refused: locked out", extra=_who(name, client))
            return self._login_page(
                request, lang, next_page=next_page, error="op-err-locked", status=429, name=name
            )
        async with self.db.read() as session:
            operator = await accounts.find(session, name) if name else None
        usable = operator if operator is not None and operator.active else None
        if not await accounts.verify_password_async(
            usable.password_hash if usable else None, password
        ):
            await security.record_failure(self.db, name, client, now)
            log.warning("operator sign-in failed", extra=_who(name, client))
            return self._login_page(
                request, lang, next_page=next_page, error="op-err-sign-in", status=401, name=name
            )
        assert usable is not None
        await security.forget_failures(self.db, name)
        if accounts.needs_rehash(usable.password_hash):
            async with self.db.transaction() as session:
                fresh = await session.get(Operator, usable.id)
                if fresh is not None:
                    fresh.password_hash = await accounts.hash_password_async(password)
        old = request.cookies.get(security.SESSION_COOKIE)
        if old:  # a fresh token at every sign-in: a planted cookie never becomes a session
            await security.close_session(self.db, security.token_hash(old))
        token, _csrf = await security.open_session(self.db, usable.id, now)
        log.info("operator signed in", extra=_who(name, client))
        response = see_other(safe_next(next_page))
        security.set_cookie(
            response, request, security.SESSION_COOKIE, token, security.SESSION_LIFETIME
        )
        security.clear_cookie(response, security.SIGNIN_COOKIE)
        return response

    async def logout(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        await security.close_session(self.db, who.token_hash)
        log.info("operator signed out", extra={"operator": who.name})
        response = see_other(f"{BASE}/login?{urlencode({'lang': page_language(request)})}")
        security.clear_cookie(response, security.SESSION_COOKIE)
        return response

    # The dashboard ------------------------------------------------------------------------
    async def dashboard(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        lang = page_language(request)
        now = self.now()
        filters, problems = parse_filters(request.query, now)
        figures = await compute(self.db, filters, now)
        return render(
            request,
            "dashboard.html",
            lang=lang,
            who=who,
            f=filters,
            problems=problems,
            figures=figures,
            as_of=fmt_datetime(now),
            query=filter_query(filters, lang),
            channels=[(int(c), c.key) for c in SubmissionChannel],
            columns=TALLY_COLUMNS,
            week_columns=WEEK_COLUMNS,
            shown=lambda column, tally: shown(column, tally, lang),
            fmt_int=lambda n: fmt_int(n, lang),
            fmt_percent=lambda r: fmt_percent(r, lang),
            fmt_decimal=lambda v: fmt_decimal(v, lang),
            fmt_date=fmt_day,
            trend=self._trend(figures, lang),
            unit_bars=unit_chart(
                [UnitBar(u.name, u.tally.on_time_rate, u.tally.finished) for u in figures.units],
                title=t(lang, "op-chart-units"),
                lang=lang,
            ),
            procedure_name=self._procedure_name(filters.procedure),
        )

    def _trend(self, figures: Figures, lang: str) -> Any:
        return trend_chart(
            [
                WeekBar(start, (x.direct, x.online, x.postal), x.on_time_rate)
                for start, x in figures.weeks
            ],
            title=t(lang, "op-chart-trend"),
            series=(
                t(lang, "op-col-direct"),
                t(lang, "op-col-online"),
                t(lang, "op-col-postal"),
            ),
            rate_label=t(lang, "op-col-on-time-rate"),
            lang=lang,
        )

    def _procedure_name(self, code: str | None) -> str:
        if not code:
            return ""
        card = self.app.services.catalogue.get(code)
        return card.name if card is not None else ""

    async def export(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        lang = page_language(request)
        table = request.match_info["table"]
        now = self.now()
        filters, _problems = parse_filters(request.query, now)
        stamp = f"{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
        if table == "units":
            figures = await compute(self.db, filters, now)
            header = [t(lang, "op-col-rank"), t(lang, "op-col-unit")] + [
                t(lang, c.key) for c in TALLY_COLUMNS
            ]
            rows: list[list[object]] = [
                [u.rank or "", u.name, *(raw(c, u.tally) for c in TALLY_COLUMNS)]
                for u in figures.units
            ]
            rows.append(["", t(lang, "op-total"), *(raw(c, figures.total) for c in TALLY_COLUMNS)])
        elif table == "weeks":
            figures = await compute(self.db, filters, now)
            header = [t(lang, "op-col-week")] + [t(lang, c.key) for c in WEEK_COLUMNS]
            rows = [
                [start.isoformat(), *(raw(c, x) for c in WEEK_COLUMNS)]
                for start, x in figures.weeks
            ]
        elif table == "late":
            async with self.db.read() as session:
                late = await late_dossiers(session, filters, now, limit=LATE_CSV_LIMIT)
            header = [t(lang, k) for k in LATE_COLUMNS]
            rows = [late_row(d) for d in late]
        else:
            raise web.HTTPNotFound()
        log.info("operator export", extra={"operator": who.name, "table": table})
        return csv_response(f"motcua-{table}-{stamp}.csv", header, rows)

    # Accounts (admins) --------------------------------------------------------------------
    async def accounts_page(
        self,
        request: web.Request,
        who: SignedIn,
        *,
        error: str | None = None,
        status: int = 200,
        form: Mapping[str, str] | None = None,
    ) -> web.Response:
        lang = page_language(request)
        async with self.db.read() as session:
            operators = await accounts.all_operators(session)
        notice = ACCOUNT_NOTICES.get(request.query.get("done", ""))
        return render(
            request,
            "accounts.html",
            lang=lang,
            who=who,
            status=status,
            operators=operators,
            roles=[(r.value, ROLE_KEYS[r]) for r in Role],
            role_key=lambda value: ROLE_KEYS[Role(value)],
            error_key=error,
            notice_key=notice,
            form=form or {},
            fmt_datetime=fmt_datetime,
            min_password=accounts.MIN_PASSWORD,
        )

    async def accounts_get(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        return await self.accounts_page(request, who)

    async def accounts_create(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if form.get("password", "") != form.get("password2", ""):
            return await self.accounts_page(
                request, who, error="op-err-password-mismatch", status=422, form=form
            )
        try:
            async with self.db.transaction() as session:
                created = await accounts.create(
                    session, form.get("name", ""), form.get("role", ""), form.get("password", "")
                )
        except AccountError as exc:
            key = ACCOUNT_ERRORS.get(exc.code, "op-err-bad-name")
            return await self.accounts_page(request, who, error=key, status=422, form=form)
        log.info(
            "operator account created",
            extra={"operator": who.name, "account": created.name, "role": created.role},
        )
        query = urlencode({"done": "created", "lang": page_language(request)})
        raise web.HTTPSeeOther(f"{BASE}/accounts?{query}", headers=SECURITY_HEADERS)

    async def accounts_active(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        account_id = row_id(request.match_info["id"])
        form = await request.post()
        active = form.get("active") == "1"
        if account_id is None:
            raise web.HTTPNotFound()
        if account_id == who.operator_id and not active:
            return await self.accounts_page(request, who, error="op-err-self-disable", status=422)
        async with self.db.transaction() as session:
            operator = await session.get(Operator, account_id)
            if operator is None:
                raise web.HTTPNotFound()
            await accounts.set_active(session, operator, active)
            name = operator.name
        log.info(
            "operator account changed",
            extra={"operator": who.name, "account": name, "active": active},
        )
        query = urlencode({"done": "changed", "lang": page_language(request)})
        raise web.HTTPSeeOther(f"{BASE}/accounts?{query}", headers=SECURITY_HEADERS)


LATE_COLUMNS = (
    "op-col-code",
    "op-col-procedure-code",
    "op-col-procedure",
    "op-col-unit",
    "op-col-due",
    "op-col-days-late",
)


def late_row(d: LateDossier) -> list[object]:
    return [d.code, d.procedure_code, d.procedure_name, d.unit, d.due.isoformat(), d.days_late]


def see_other(location: str) -> web.Response:
    """A 303 that can carry cookies (aiohttp wants HTTPException raised, not returned)."""
    return web.Response(status=303, headers={**SECURITY_HEADERS, "Location": location})


def fmt_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _who(name: str, client: str) -> dict[str, str]:
    # Never the password, not even its length.
    return {"operator": name, "client": client}


def setup(web_app: web.Application, app: App) -> OperatorWeb:
    """Add the pages; returns the views, whose guards the ticket pages share (``tickets``)."""
    views = OperatorWeb(app)

    async def to_index(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(BASE + "/")

    router = web_app.router
    router.add_get(BASE, to_index)
    router.add_get(BASE + "/", views.guarded(Role.INSPECTOR, views.dashboard))
    router.add_get(
        BASE + "/export/{table:units|weeks|late}.csv", views.guarded(Role.INSPECTOR, views.export)
    )
    router.add_get(BASE + "/login", views.login_form)
    router.add_post(BASE + "/login", views.login)
    router.add_post(BASE + "/logout", views.guarded(Role.INSPECTOR, views.logout))
    router.add_get(BASE + "/accounts", views.guarded(Role.ADMIN, views.accounts_get))
    router.add_post(BASE + "/accounts", views.guarded(Role.ADMIN, views.accounts_create))
    router.add_post(
        BASE + "/accounts/{id}/active", views.guarded(Role.ADMIN, views.accounts_active)
    )
    return views
