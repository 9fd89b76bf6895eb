"""Dossier status by code: the card, malformed-code help, second factor, following, /hoso.

Entry points: a code anywhere in a message (text matcher, priority 20, before procedure
search); the main-menu button ``ds`` (flow ``dossier_code``: the next text is read as a code);
``/start d_<code with dots as _>`` deep links (see ``lookup.deeplink`` and docs/dossiers.md);
and button payloads (≤ 64 bytes, code only, never personal data):

=============  =============================================================
``dc:<code>``  show the card (push messages and /hoso use it)
``dv:<code>``  verify: ask the last 4 digits of the registered phone or ID number
``dn:<code>``  notify me: subscribe this chat to status changes
``du:<code>``  stop notifications
``dh:<code>``  the full history (every step, oldest first)
``dx``         leave the code prompt
``pd:<code>``  postal delivery (handled by ``handlers.postal``)
=============  =============================================================

Public API for other features: ``show_card``, ``explain_problem`` and ``open_deep_link``
(``/start <payload>``; True when the payload named a dossier). The allowance and the second
factor are in ``handlers.gates``.

The card with the code alone shows procedure, agency, dates, status and history; the masked
applicant name and phone appear only after the second factor. Rate limits and lock-outs are
in ``handlers.gates`` (on ``bot.access``). In upstream mode (``MOTCUA_UPSTREAM_URL_TEMPLATE``)
the card is read from the one-stop system; notifications and postal delivery need the local
table and are not offered.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select

from bot import access, province
from bot.context import Context
from bot.db.engine import insert_ignore, rowcount
from bot.db.models import Dossier, Subscription
from bot.domain import DossierStatus, ResultDelivery
from bot.dossier_io import CardData, DossierRecord, EventRecord, load_card, load_history
from bot.i18n import bundle
from bot.messages import Button
from bot.router import Router
from bot.vntime import fmt_date, fmt_datetime, vn_date
from handlers import gates
from handlers.gates import upstream_mode
from handlers.menu import back_to_menu, show_menu
from lookup.deeplink import decode_start_payload
from lookup.dossier_code import CodeParse, find_code, parse_code
from lookup.phone import mask_name, mask_phone

log = logging.getLogger(__name__)
router = Router("dossiers")

CODE_FLOW = "dossier_code"
MAX_LIST_BUTTONS = 5


# Helpers ----------------------------------------------------------------------------------
def _valid_code(arg: str) -> str | None:
    """The canonical code of a payload argument (payloads can be typed on some channels)."""
    parsed = parse_code(arg) if arg else None
    return str(parsed.code) if parsed is not None and parsed.code is not None else None


async def _subscribed(ctx: Context, code: str) -> bool:
    found = await ctx.session.scalar(
        select(Subscription.id).where(
            Subscription.dossier_code == code,
            Subscription.channel == ctx.channel,
            Subscription.user_id == ctx.user_id,
        )
    )
    return found is not None


# The card ---------------------------------------------------------------------------------
def timing_line(ctx: Context, rec: DossierRecord, now: datetime, hotline: str = "") -> str | None:
    """Late / due today / on schedule / finished on time; None when timing does not apply.
    A late dossier's line names ``hotline`` when there is one to call."""
    if rec.due_at is None or not rec.status.can_be_late:
        return None
    days = rec.late_days(now)
    if rec.status.has_result:
        if rec.finished_at is None:
            return None
        return ctx.t("ds-finished-late", days=days) if days else ctx.t("ds-finished-on-time")
    if days:
        if hotline:
            return ctx.t("ds-late-hotline", days=days, hotline=hotline)
        return ctx.t("ds-late", days=days)
    left = (vn_date(rec.due_at) - vn_date(now)).days
    return ctx.t("ds-due-today") if left == 0 else ctx.t("ds-on-track", days=left)


def render_card(
    ctx: Context,
    rec: DossierRecord,
    *,
    verified: bool,
    subscribed: bool,
    events_total: int = 0,
    hotline: str = "",
) -> None:
    """Append the dossier card. Personal data only when ``verified``. ``events_total`` is
    how many steps the dossier has: more than the card shows offers the full history;
    ``hotline`` is named when the dossier is late (see :func:`late_hotline`)."""
    now = ctx.now()
    status = ctx.t(rec.status.key)
    lines = [
        ctx.t("ds-card-procedure-code", name=rec.procedure_name, code=rec.procedure_code)
        if rec.procedure_code
        else ctx.t("ds-card-procedure", name=rec.procedure_name),
        ctx.t("ds-card-agency", agency=rec.agency_name or rec.agency_code),
        ctx.t("ds-card-channel", channel=ctx.t(rec.channel.key)),
        ctx.t("ds-card-received", date=fmt_date(rec.received_at))
        if rec.received_at
        else ctx.t("ds-card-not-received"),
    ]
    if rec.due_at:
        lines.append(ctx.t("ds-card-due", date=fmt_date(rec.due_at)))
    if rec.finished_at and rec.status.has_result:
        lines.append(ctx.t("ds-card-finished", date=fmt_date(rec.finished_at)))
    lines.append("")
    lines.append(ctx.t("ds-card-status", status=status))
    lines.append(ctx.t(f"{rec.status.key}-hint"))
    timing = timing_line(ctx, rec, now, hotline)
    if timing:
        lines.append(timing)
    if rec.status.waits_on_citizen:
        lines.append("")
        lines.append(ctx.t(f"ds-missing-{rec.status}-title"))
        lines.extend(f"• {m}" for m in rec.missing) if rec.missing else lines.append(
            ctx.t("ds-missing-none")
        )
        lines.append(ctx.t(f"ds-missing-{rec.status}-todo", agency=rec.agency_name))
    if rec.result_delivery is ResultDelivery.POSTAL and rec.status.allows_postal:
        lines.append(ctx.t("ds-card-result-postal"))
    events = rec.latest_events()
    if events:
        lines.append("")
        lines.append(ctx.t("ds-card-history"))
        lines.extend(event_lines(ctx, events))
    lines.append("")
    if verified:
        if rec.applicant_name:
            lines.append(ctx.t("ds-card-applicant", name=mask_name(rec.applicant_name)))
        if rec.applicant_phone:
            lines.append(ctx.t("ds-card-phone", phone=mask_phone(rec.applicant_phone)))
    else:
        lines.append(ctx.t("ds-card-private"))

    buttons: list[Button] = []
    if not verified and access.has_secret(rec):
        buttons.append(ctx.button("ds-btn-verify", f"dv:{rec.code}"))
    upstream = upstream_mode(ctx)
    if not upstream:
        if subscribed:
            buttons.append(ctx.button("ds-btn-unnotify", f"du:{rec.code}"))
        elif rec.status is not DossierStatus.RETURNED:
            buttons.append(ctx.button("ds-btn-notify", f"dn:{rec.code}"))
        if rec.status.allows_postal:
            buttons.append(ctx.button("ds-btn-postal", f"pd:{rec.code}"))
    if events_total > len(events):
        buttons.append(ctx.button("ds-btn-history", f"dh:{rec.code}", count=events_total))
    buttons.append(ctx.button("ds-btn-menu", "menu"))
    ctx.reply("\n".join(lines).strip(), buttons, title=ctx.t("ds-card-title", code=rec.code))


def event_lines(ctx: Context, events: list[EventRecord]) -> list[str]:
    """One line per step: when, what, and the agency's note if any."""
    lines = []
    for e in events:
        st = ctx.t(e.status.key)
        if e.note:
            lines.append(
                ctx.t("ds-card-event-note", date=fmt_datetime(e.at), status=st, note=e.note)
            )
        else:
            lines.append(ctx.t("ds-card-event", date=fmt_datetime(e.at), status=st))
    return lines


async def late_hotline(ctx: Context, rec: DossierRecord) -> str:
    """The number to call about a late dossier: the receiving desk's from the province
    profile, else the province's, else ``MOTCUA_OFFICE_HOTLINE``; "" when it is not late (the
    profile is read only then)."""
    if rec.due_at is None or not rec.status.can_be_late or rec.status.has_result:
        return ""
    if not rec.late_days(ctx.now()):
        return ""
    profile = await province.load_profile(ctx.session)
    if profile is not None:
        number = profile.hotline_text(ctx.lang, profile.desk_for(rec.agency_name or ""))
        if number:
            return number
    return ctx.services.settings.office_hotline


async def show_card(ctx: Context, code: str, *, count: bool = True) -> None:
    """Look up ``code`` (canonical) and answer with its card or why not."""
    if upstream_mode(ctx):
        rec = await gates.load_dossier(ctx, code, count=count)
        if rec is None:
            return
        verified = await access.is_verified(ctx.session, rec.code, ctx.channel, ctx.user_id)
        card = CardData(rec, verified, False, len(rec.history))
    else:
        if not await gates.allowance_left(ctx):
            return
        if count and not await gates.count_lookup(ctx):
            return
        found = await load_card(ctx.session, code, ctx.channel, ctx.user_id)
        if found is None:
            await gates.not_found(ctx, code)
            return
        card = found
    render_card(
        ctx,
        card.record,
        verified=card.verified,
        subscribed=card.subscribed,
        events_total=card.events_total,
        hotline=await late_hotline(ctx, card.record),
    )
    log.info("dossier card shown", extra={"channel": ctx.channel, "verified": card.verified})


def explain_problem(ctx: Context, parse: CodeParse) -> None:
    """Say precisely which part of a malformed code is wrong."""
    problem = parse.problem.name.lower().replace("_", "-") if parse.problem else "other"
    key = f"ds-problem-{problem}"
    if not bundle(ctx.lang).has_message(key):
        key = "ds-problem-other"
    fragment = parse.fragment.strip()[:60] or ctx.text[:60]
    text = "\n".join(
        [
            ctx.t("ds-problem-intro", fragment=fragment),
            ctx.t(key),
            ctx.t("ds-problem-example"),
        ]
    )
    ctx.reply(text, back_to_menu(ctx))


async def answer_code_text(ctx: Context, parse: CodeParse) -> None:
    if parse.code is None:
        explain_problem(ctx, parse)
        return
    ctx.end_flow()
    await show_card(ctx, str(parse.code))


# Routes -----------------------------------------------------------------------------------
def _find(ctx: Context, text: str) -> CodeParse | None:
    """The code attempt in ``text``; dates after today (Vietnam) are reported as such."""
    return find_code(text, today=vn_date(ctx.now()))


def _has_code(ctx: Context) -> bool:
    return bool(ctx.text) and find_code(ctx.text) is not None


@router.text(_has_code, priority=20)
async def code_in_text(ctx: Context) -> None:
    parse = _find(ctx, ctx.text)
    assert parse is not None
    await answer_code_text(ctx, parse)


@router.payload("ds")
async def prompt(ctx: Context) -> None:
    ctx.start_flow(CODE_FLOW, "code")
    ctx.say("ds-prompt", [ctx.button("ds-btn-leave", "dx")])


@router.flow(CODE_FLOW)
async def code_flow(ctx: Context) -> None:
    """Everything typed after "check a dossier" is read as a code, never as a search."""
    parse = _find(ctx, ctx.text)
    if parse is None:
        ctx.say("ds-not-a-code", [ctx.button("ds-btn-leave", "dx")])
        return
    await answer_code_text(ctx, parse)


@router.payload("dx")
async def leave(ctx: Context) -> None:
    ctx.end_flow()
    show_menu(ctx, "menu-title")


@router.payload("dc")
async def card_button(ctx: Context) -> None:
    code = _valid_code(ctx.payload_arg)
    if code is None:
        ctx.say("button-expired", back_to_menu(ctx))
        return
    await show_card(ctx, code)


async def open_deep_link(ctx: Context, payload: str) -> bool:
    """``/start d_000_00_00_H31-250714-0001`` (Telegram) or a code as is (other channels)."""
    code = decode_start_payload(payload)
    parse = parse_code(code) if code else _find(ctx, payload)
    if parse is None:
        return False
    await answer_code_text(ctx, parse)
    return True


@router.payload("dh")
async def full_history(ctx: Context) -> None:
    """Every step of the dossier, oldest first (statuses and notes only, as on the card)."""
    code = _valid_code(ctx.payload_arg)
    if code is None:
        ctx.say("button-expired", back_to_menu(ctx))
        return
    events: list[EventRecord] | None
    if upstream_mode(ctx):
        rec = await gates.load_dossier(ctx, code)
        if rec is None:
            return
        events = sorted(rec.history, key=EventRecord.order)
    else:
        if not await gates.allowance_left(ctx) or not await gates.count_lookup(ctx):
            return
        events = await load_history(ctx.session, code)
        if events is None:
            await gates.not_found(ctx, code)
            return
    lines = event_lines(ctx, events) or [ctx.t("ds-history-empty")]
    buttons = [ctx.button("ds-btn-show", f"dc:{code}"), ctx.button("ds-btn-menu", "menu")]
    ctx.reply("\n".join(lines), buttons, title=ctx.t("ds-history-title", code=code))


# Second factor ----------------------------------------------------------------------------
@router.payload("dv")
async def verify_button(ctx: Context) -> None:
    code = _valid_code(ctx.payload_arg)
    if code is None:
        ctx.say("button-expired", back_to_menu(ctx))
        return
    if await access.is_verified(ctx.session, code, ctx.channel, ctx.user_id):
        await show_card(ctx, code, count=False)
        return
    await gates.require_verification(ctx, code, f"dc:{code}")


# Following --------------------------------------------------------------------------------
@router.payload("dn")
async def notify_on(ctx: Context) -> None:
    code = _valid_code(ctx.payload_arg)
    if code is None or upstream_mode(ctx):
        ctx.say("button-expired", back_to_menu(ctx))
        return
    rec = await gates.load_dossier(ctx, code, count=False)
    if rec is None:
        return
    added = await ctx.session.execute(
        insert_ignore(ctx.session, Subscription).values(
            dossier_code=code, channel=ctx.channel, user_id=ctx.user_id, created_at=ctx.now()
        )
    )
    buttons = [ctx.button("ds-btn-unnotify", f"du:{code}"), ctx.button("ds-btn-menu", "menu")]
    ctx.say("ds-notify-on" if rowcount(added) else "ds-notify-already", buttons, code=code)


@router.payload("du")
async def notify_off(ctx: Context) -> None:
    code = _valid_code(ctx.payload_arg)
    if code is None:
        ctx.say("button-expired", back_to_menu(ctx))
        return
    gone = await ctx.session.execute(
        delete(Subscription).where(
            Subscription.dossier_code == code,
            Subscription.channel == ctx.channel,
            Subscription.user_id == ctx.user_id,
        )
    )
    key = "ds-notify-off" if rowcount(gone) else "ds-notify-none"
    ctx.say(
        key, [ctx.button("ds-btn-show", f"dc:{code}"), ctx.button("ds-btn-menu", "menu")], code=code
    )


@router.command("hoso", "dossiers", "theodoi")
async def followed(ctx: Context) -> None:
    """List what this chat follows, each with its current status and an unfollow button."""
    rows = (
        await ctx.session.execute(
            select(Subscription.dossier_code, Dossier.status)
            .outerjoin(Dossier, Dossier.code == Subscription.dossier_code)
            .where(Subscription.channel == ctx.channel, Subscription.user_id == ctx.user_id)
            .order_by(Subscription.id)
        )
    ).all()
    if not rows:
        ctx.say(
            "ds-list-empty", [ctx.button("menu-dossier", "ds"), ctx.button("ds-btn-menu", "menu")]
        )
        return
    lines = [ctx.t("ds-list-title", count=len(rows))]
    for code, status in rows:
        if status is None:
            lines.append(ctx.t("ds-list-line-gone", code=code))
        else:
            lines.append(ctx.t("ds-list-line", code=code, status=ctx.t(DossierStatus(status).key)))
    buttons = [
        ctx.button("ds-btn-unfollow", f"du:{code}", short="-".join(code.rsplit("-", 2)[1:]))
        for code, _ in rows[: MAX_LIST_BUTTONS - 1]
    ]
    buttons.append(ctx.button("ds-btn-menu", "menu"))
    ctx.reply("\n".join(lines), buttons)
