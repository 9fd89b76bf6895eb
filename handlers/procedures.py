"""Procedure questions: search the catalogue, answer with a card, "did you mean", or not found."""

from __future__ import annotations

import re

from sqlalchemy import insert

from bot.channels.render import distinct_labels
from bot.context import Context
from bot.db.models import Feedback, Procedure, ProcedureMethod
from bot.messages import Button
from bot.router import Router
from handlers.handoff import handoff_button
from lookup.search import Verdict, decide

router = Router("procedures")

CHANNEL_ORDER = ("truc_tuyen", "truc_tiep", "buu_chinh")
MAX_DOCS_ON_CARD = 5
MAX_LABEL = 60
MAX_DOC_ON_CARD = 160  # the card summarises; "All documents" shows every name in full
_PERSONAL = re.compile(r"\d{9,}")  # phone or ID numbers: not needed to answer a question


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, never mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:(")
    return cut + "…"


def method_line(ctx: Context, m: ProcedureMethod) -> str:
    """ "Online: 3 working days · free" — time and fee differ per submission channel."""
    channel = ctx.t(f"proc-channel-{m.channel}")
    if m.time_value is not None and m.time_unit:
        value = f"{m.time_value:g}"
        time = ctx.t(f"proc-unit-{m.time_unit}", n=value)
    else:
        time = m.time_text or ctx.t("proc-unknown")
    if m.fee_amount == 0:
        fee = ctx.t("proc-fee-free")
    elif m.fee_amount:
        fee = ctx.money(m.fee_amount)
    else:
        fee = m.fee_text or ctx.t("proc-fee-unstated")
    return ctx.t("proc-method-line", channel=channel, time=time, fee=fee)


def render_card(ctx: Context, p: Procedure) -> None:
    lines: list[str] = []
    if p.levels:
        levels = ", ".join(ctx.t(f"proc-level-{lv}") for lv in p.levels)
        agency = p.agency or p.implementing_agency
        lines.append(
            ctx.t("proc-where", levels=levels, agency=agency)
            if agency
            else ctx.t("proc-where-levels", levels=levels)
        )
    methods = sorted(
        p.methods, key=lambda m: CHANNEL_ORDER.index(m.channel) if m.channel in CHANNEL_ORDER else 9
    )
    if methods:
        lines.append(ctx.t("proc-methods-title"))
        lines.extend(method_line(ctx, m) for m in methods)
    if p.documents:
        lines.append(ctx.t("proc-docs-title", count=len(p.documents)))
        for d in p.documents[:MAX_DOCS_ON_CARD]:
            lines.append(f"• {shorten(d['name'], MAX_DOC_ON_CARD)}")
        if len(p.documents) > MAX_DOCS_ON_CARD:
            lines.append(ctx.t("proc-docs-more", count=len(p.documents) - MAX_DOCS_ON_CARD))
    if p.result:
        lines.append(ctx.t("proc-result", result=p.result))
    online = p.online_level or (
        "unstated" if any(m.channel == "truc_tuyen" for m in p.methods) else "none"
    )
    lines.append(ctx.t(f"proc-online-{online}"))
    if p.url:
        lines.append(ctx.t("proc-link", url=p.url))
    buttons = [
        ctx.button("proc-btn-docs", f"pm:{p.code}:d"),
        ctx.button("proc-btn-steps", f"pm:{p.code}:s"),
        ctx.button("proc-btn-legal", f"pm:{p.code}:l"),
        Button("👍", f"fb:{p.code}:1"),
        Button("👎", f"fb:{p.code}:0"),
    ]
    ctx.reply("\n".join(lines), buttons, title=f"{p.name} ({p.code})")


@router.payload("pq")
async def prompt(ctx: Context) -> None:
    ctx.say("proc-prompt")


async def answer(ctx: Context, query: str) -> None:
    """Search and answer; used for free text and by other features."""
    hits = ctx.services.catalogue.search(query, limit=5)
    verdict = decide(hits)
    ctx.remember("last_query", _PERSONAL.sub("…", query)[:200])
    if verdict is Verdict.CONFIDENT:
        p = ctx.services.catalogue.get(hits[0].code)
        if p is not None:
            render_card(ctx, p)
            return
    if verdict is Verdict.AMBIGUOUS or (verdict is Verdict.CONFIDENT and hits):
        top = hits[:3]
        labels = distinct_labels([h.name for h in top], MAX_LABEL)
        buttons = [Button(label, f"p:{h.code}") for label, h in zip(labels, top, strict=True)]
        buttons.append(ctx.button("proc-btn-none", "pn"))
        ctx.say("proc-did-you-mean", buttons)
        return
    ctx.say("proc-not-found", [handoff_button(ctx), ctx.button("menu-back", "menu")])


@router.payload("p")
async def show(ctx: Context) -> None:
    p = ctx.services.catalogue.get(ctx.payload_arg)
    if p is None:
        ctx.say("proc-gone")
        return
    render_card(ctx, p)


@router.payload("pn")
async def none_of_these(ctx: Context) -> None:
    ctx.say("proc-not-found", [handoff_button(ctx), ctx.button("menu-back", "menu")])


@router.payload("pm")
async def more(ctx: Context) -> None:
    code, _, section = ctx.payload_arg.rpartition(":")
    p = ctx.services.catalogue.get(code)
    if p is None:
        ctx.say("proc-gone")
        return
    lines: list[str] = []
    if section == "d":
        for d in p.documents:
            counts = ctx.t("proc-doc-counts", original=d.get("original", 0), copy=d.get("copy", 0))
            form = f" — {d['form']}" if d.get("form") else ""
            lines.append(f"• {d['name']} ({counts}){form}")
        title = ctx.t("proc-docs-title", count=len(p.documents))
    elif section == "s":
        lines = [f"{i}. {s}" for i, s in enumerate(p.steps, 1)]
        title = ctx.t("proc-steps-title")
    elif section == "l":
        lines = [
            f"• {b['name']}" + (f" ({b['number']})" if b.get("number") else "")
            for b in p.legal_basis
        ]
        title = ctx.t("proc-legal-title")
    else:
        ctx.say("button-expired")
        return
    text = "\n".join(lines) if lines else ctx.t("proc-section-empty")
    ctx.reply(text, [ctx.button("proc-btn-back-card", f"p:{p.code}")], title=f"{title} — {p.name}")


@router.payload("fb")
async def feedback(ctx: Context) -> None:
    code, _, vote = ctx.payload_arg.rpartition(":")
    if vote not in ("0", "1") or not code:
        ctx.say("button-expired")
        return
    await ctx.session.execute(
        insert(Feedback).values(
            channel=ctx.channel,
            query=str(ctx.recall("last_query", "")),
            procedure_code=code[:40],
            helpful=vote == "1",
            created_at=ctx.now(),
        )
    )
    ctx.say("proc-feedback-thanks" if vote == "1" else "proc-feedback-sorry")


@router.text(lambda ctx: bool(_PERSONAL.search(ctx.text)), priority=90)
async def personal_data(ctx: Context) -> None:
    ctx.say("proc-personal-data")


@router.text(lambda ctx: True, priority=100)
async def free_text(ctx: Context) -> None:
    await answer(ctx, ctx.text)
