"""Talk to a person: the citizen opens a ticket that officers answer on the operators' pages.

Entry: the main menu's button (``hf``), free text ("cho tôi gặp người thật", "talk to a
human"), or :func:`handoff_button` in another feature's answer. While the ticket is open the
conversation is in flow ``handoff``: the citizen's texts go to the ticket instead of search;
commands and the cancel words still work (they end the flow; the ticket stays open for the
officer, whose answer arrives as a push with a button back into the conversation).
Storage, office hours and masking are in ``bot/handoff.py``.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot import handoff
from bot.context import Context
from bot.db.models import HandoffTicket
from bot.messages import Button
from bot.province import DAY_KEYS
from bot.router import Router
from bot.vntime import VN
from handlers.menu import main_menu
from lookup.fold import fold
from lookup.phone import check_phone, mask_phone

router = Router("handoff")

FLOW = "handoff"
STEP_IN_HOURS = "open"
STEP_AFTER_HOURS = "leave"  # outside office hours: the citizen leaves a question (and a phone)
OPEN_PAYLOAD = "hf"  # also written in handlers/menu.py (menu cannot import this module)
CLOSE_PAYLOAD = "hfx"
MAX_WORDS = 12  # longer texts are questions for search, even if they mention an officer


# Teencode and abbreviations, folded, mapped to the words the patterns below expect.
_TEENCODE = {
    "cb": "can bo",
    "canbo": "can bo",
    "nv": "nhan vien",
    "nvien": "nhan vien",
    "ng": "nguoi",
    "ngta": "nguoi",
    "vs": "voi",
    "vz": "voi",
    "ns": "noi",
    "nc": "noi chuyen",
    "nchuyen": "noi chuyen",
    "tvv": "tu van vien",
    "cskh": "cham soc khach hang",
    "mk": "minh",
    "mik": "minh",
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "dc": "duoc",
    "ad": "admin",
}
_PERSON = (
    r"(?:can bo|nhan vien|nguoi that|con nguoi|tu van vien|tong dai vien|chuyen vien|admin"
    r"|nguoi ho tro|nguoi phu trach|cham soc khach hang)"
)
_VI_VERB = (
    r"(?:gap|noi chuyen|noi|chat|lien he|lien lac|ket noi|trao doi|nhan tin|goi|chuyen"
    r"|hoi truc tiep)"
)
_EN_PERSON = (
    r"(?:human|humans|person|people|agent|officer|official|operator|staff|someone|somebody"
    r"|representative|rep)"
)
_INTENT = re.compile(
    rf"\b{_VI_VERB}\b(?: \w+){{0,3}} {_PERSON}\b"
    rf"|\bhoi {_PERSON}\b"
    rf"|\b(?:talk|speak|chat|connect|transfer|put)(?: me)?(?: through)? (?:to|with)"
    rf"(?: (?:a|an|the|some|real|live|actual))* {_EN_PERSON}\b"
    rf"|\b(?:need|want|get)(?: to talk to)?(?: (?:a|an|the|some))? (?:real|live|actual) "
    rf"{_EN_PERSON}\b"
    rf"|\b(?:need|want|get) (?:a|an) (?:human|agent|officer)\b"
)
_ALONE = re.compile(
    rf"^(?:{_PERSON}|(?:a |an )?(?:human|real person|live agent|human agent|agent|operator)"
    r")(?: (?:oi|a|di|voi|please|pls))*$"
)


def _normalise(text: str) -> str:
    return " ".join(_TEENCODE.get(w, w) for w in fold(text).split())


def wants_person(text: str) -> bool:
    """Is this a request to talk to an officer (Vietnamese with or without marks, teencode,
    English)?"""
    words = _normalise(text)
    if not words or len(words.split()) > MAX_WORDS:
        return False
    return bool(_ALONE.match(words) or _INTENT.search(words))


def handoff_button(ctx: Context) -> Button:
    """ "Talk to an officer", for another feature's answer (e.g. nothing found)."""
    return ctx.button("handoff-btn-open", OPEN_PAYLOAD)


def close_button(ctx: Context) -> Button:
    return ctx.button("handoff-btn-close", CLOSE_PAYLOAD)


# The conversation's recent texts ------------------------------------------------------------
@router.observe
def _record(ctx: Context) -> None:
    """Keep the citizen's last texts (masked) in the conversation, for a ticket's excerpt; the
    dialogue saves them with the handler's writes. Texts inside the handoff flow go to the
    ticket itself."""
    if ctx.payload is None and ctx.command is None and ctx.text and ctx.flow != FLOW:
        ctx.remember(handoff.HISTORY_KEY, handoff.remember_text(ctx.conversation.data, ctx.text))


# Opening -----------------------------------------------------------------------------------
def _when(ctx: Context, at: datetime) -> str:
    local = at.astimezone(VN)
    return ctx.t(
        "handoff-when",
        time=local.strftime("%H:%M"),
        day=ctx.t(DAY_KEYS[local.weekday()]),
        date=local.strftime("%d/%m/%Y"),
    )


async def start_handoff(ctx: Context) -> None:
    """Open a ticket (or go back to the open one) and tell the citizen what happens next."""
    settings = ctx.services.settings
    now = ctx.now()
    ticket = await handoff.open_ticket_of(ctx.session, settings, ctx.channel, ctx.user_id, now)
    if ticket is not None:
        step = STEP_IN_HOURS if ticket.in_office_hours else STEP_AFTER_HOURS
        ctx.start_flow(FLOW, step, {"ticket": ticket.id, "acked": True})
        ctx.say("handoff-resumed", [close_button(ctx)])
        return
    hours = await handoff.office_hours_for(ctx.session, settings)
    current = hours.current_range(now)
    ticket = await handoff.open_ticket(
        ctx.session,
        channel=ctx.channel,
        user_id=ctx.user_id,
        history=list(ctx.recall(handoff.HISTORY_KEY) or []),
        in_office_hours=current is not None,
        now=now,
    )
    ctx.remember(handoff.HISTORY_KEY, [])  # the excerpt now lives on the ticket
    if current is not None:
        ctx.start_flow(FLOW, STEP_IN_HOURS, {"ticket": ticket.id, "acked": False})
        text = ctx.t("handoff-opened-in-hours", until=current[1].strftime("%H:%M"))
    else:
        ctx.start_flow(FLOW, STEP_AFTER_HOURS, {"ticket": ticket.id, "acked": False})
        opening = hours.next_opening(now)
        text = ctx.t(
            "handoff-opened-after-hours",
            hours=hours.describe(ctx.lang),
            next=_when(ctx, opening) if opening else ctx.t("handoff-next-unknown"),
        )
    hotline = await handoff.hotline_for(ctx.session, settings, ctx.lang)
    if hotline:
        text += "\n" + ctx.t("handoff-hotline", hotline=hotline)
    ctx.reply(text, [close_button(ctx)])


@router.payload(OPEN_PAYLOAD)
async def open_button(ctx: Context) -> None:
    await start_handoff(ctx)


# Before other flows: asking for a person leaves a half-filled form; inside the handoff flow the
# words are a message for the officer.
@router.text(lambda ctx: ctx.flow != FLOW and wants_person(ctx.text), priority=12, before_flow=True)
async def intent(ctx: Context) -> None:
    await start_handoff(ctx)


# While the ticket is open -------------------------------------------------------------------
async def _flow_ticket(ctx: Context) -> HandoffTicket | None:
    """The flow's ticket if still open; otherwise the flow ends (saying why when the citizen
    was not told yet) and the text is answered as if no ticket had been open."""
    now = ctx.now()
    raw_id = ctx.data.get("ticket")
    ticket = await ctx.session.get(HandoffTicket, raw_id) if isinstance(raw_id, int) else None
    if ticket is not None and ticket.status == handoff.OPEN:
        if not handoff.is_idle(ticket, ctx.services.settings, now):
            return ticket
        handoff.close(ticket, now, handoff.BY_TIMEOUT)
    ctx.end_flow()
    # An officer's closing was pushed to the citizen already.
    if ticket is not None and ticket.closed_reason == handoff.BY_TIMEOUT:
        ctx.say("handoff-ended-timeout")
    if ctx.text and ctx.dispatch is not None:
        await ctx.dispatch(ctx)
    return None


@router.flow(FLOW)
async def on_text(ctx: Context) -> None:
    ticket = await _flow_ticket(ctx)
    if ticket is None:
        return
    had_phone = bool(ticket.phone)
    text = ctx.text
    shared = (ctx.incoming.contact or {}).get("phone", "")
    if not text and shared:  # a shared contact card: its number is the call-back number
        checked = check_phone(shared).phone
        if checked is not None and not ticket.phone:
            ticket.phone = checked.e164
        text = ctx.t("handoff-contact-shared")
    if not text:
        return
    handoff.add_citizen_text(ctx.session, ticket, text, ctx.now())
    first = not ctx.data.get("acked")
    if first:
        ctx.goto(ctx.step or STEP_IN_HOURS, acked=True)
        after_hours = ctx.step == STEP_AFTER_HOURS and not ticket.phone
        lines = [ctx.t("handoff-ack-first-after-hours" if after_hours else "handoff-ack-first")]
    else:
        lines = [ctx.t("handoff-ack")]
    if ticket.phone and not had_phone:
        lines.append(ctx.t("handoff-ack-phone", phone=mask_phone(ticket.phone)))
    # The close button once: on every short acknowledgement it would crowd the chat.
    ctx.reply("\n".join(lines), [close_button(ctx)] if first else [])


@router.payload(CLOSE_PAYLOAD)
async def close_button_pressed(ctx: Context) -> None:
    """Close the chat's open ticket, whether or not the flow is still on (after /start the
    ticket stays open and the push's buttons lead here)."""
    now = ctx.now()
    ticket = await handoff.open_ticket_of(
        ctx.session, ctx.services.settings, ctx.channel, ctx.user_id, now
    )
    if ticket is not None:
        handoff.close(ticket, now, handoff.BY_CITIZEN)
    if ctx.flow == FLOW:
        ctx.end_flow()
    ctx.say("handoff-closed" if ticket is not None else "handoff-close-nothing", main_menu(ctx))
