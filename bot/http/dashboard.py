"""Operator figures per receiving unit: dossiers, online share, postal share, on-time rate.

``GET /api/v1/stats`` (JSON) and ``GET /dashboard`` (an HTML table), both behind the operator
token. Computed by one aggregate query so it stays cheap on millions of dossiers.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import ColumnElement, Integer, case, func, select

from bot.app import App
from bot.db.models import Dossier, Feedback
from bot.domain import FINISHED, WITH_RESULT, ResultDelivery, SubmissionChannel
from bot.http.auth import require_operator
from bot.i18n import normalize_language, t

PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:.3em .8em}}
tr{{border-bottom:1px solid #ddd}} td:nth-child(n+3){{text-align:right}}</style>
<h1>{title}</h1><table><tr>{head}</tr>{rows}</table><p>{note}</p></html>"""
COLUMNS = ("code", "unit", "dossiers", "online", "postal", "on-time", "late")


@dataclass
class UnitStats:
    agency_code: str
    agency_name: str
    dossiers: int
    online_share: float
    postal_share: float
    finished: int
    on_time_rate: float | None
    late_open: int


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def unit_stats(app: App, now: datetime) -> list[UnitStats]:
    def count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((cond, 1), else_=0)).cast(Integer)

    finished = Dossier.status.in_(sorted(WITH_RESULT))
    stmt = (
        select(
            Dossier.agency_code,
            func.max(Dossier.agency_name),
            func.count(),
            count_if(Dossier.channel == SubmissionChannel.ONLINE),
            count_if(
                (Dossier.channel == SubmissionChannel.POSTAL)
                | (Dossier.result_delivery == ResultDelivery.POSTAL)
            ),
            count_if(finished),
            count_if(finished & (Dossier.finished_at <= Dossier.due_at)),
            count_if(Dossier.status.not_in(sorted(FINISHED)) & (Dossier.due_at < now)),
        )
        .group_by(Dossier.agency_code)
        .order_by(Dossier.agency_code)
    )
    async with app.services.db.read() as session:
        rows = (await session.execute(stmt)).all()
    return [
        UnitStats(
            agency_code=code,
            agency_name=name or "",
            dossiers=n,
            online_share=_rate(online or 0, n),
            postal_share=_rate(postal or 0, n),
            finished=fin or 0,
            on_time_rate=_rate(on_time or 0, fin) if fin else None,
            late_open=late or 0,
        )
        for code, name, n, online, postal, fin, on_time, late in rows
    ]


async def feedback_stats(app: App) -> dict[str, int]:
    async with app.services.db.read() as session:
        helpful, total = (
            await session.execute(
                select(func.sum(case((Feedback.helpful, 1), else_=0)), func.count())
            )
        ).one()
    return {"answers_rated": total or 0, "rated_helpful": int(helpful or 0)}


def setup(web_app: web.Application, app: App) -> None:
    async def stats(request: web.Request) -> web.Response:
        await require_operator(request, app)
        units = await unit_stats(app, app.services.clock())
        return web.json_response(
            {
                "units": [asdict(u) for u in units],
                "feedback": await feedback_stats(app),
            }
        )

    async def dashboard(request: web.Request) -> web.Response:
        await require_operator(request, app)
        units = await unit_stats(app, app.services.clock())
        fb = await feedback_stats(app)
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    u.agency_code,
                    u.agency_name,
                    u.dossiers,
                    f"{u.online_share:.0%}",
                    f"{u.postal_share:.0%}",
                    "—" if u.on_time_rate is None else f"{u.on_time_rate:.0%}",
                    u.late_open,
                )
            )
            + "</tr>"
            for u in units
        )
        lang = normalize_language(request.query.get("lang")) or "vi"
        head = "".join(f"<th>{html.escape(t(lang, f'dash-col-{c}'))}</th>" for c in COLUMNS)
        note = html.escape(
            t(lang, "dash-feedback", rated=fb["answers_rated"], helpful=fb["rated_helpful"])
        )
        page = PAGE.format(
            lang=lang, title=html.escape(t(lang, "dash-title")), head=head, rows=rows, note=note
        )
        return web.Response(text=page, content_type="text/html")

    web_app.router.add_get("/api/v1/stats", stats)
    web_app.router.add_get("/dashboard", dashboard)
