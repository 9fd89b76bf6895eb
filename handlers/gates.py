"""Gates every path to a dossier passes: the lookup allowance and the second factor.

Dossier codes are printed on paper slips and partly guessable, so each feature that takes a code
(the dossier card, following, postal delivery, tracking codes) goes through the same two gates:

* **the allowance** (:func:`allowance_left`, :func:`count_lookup`, :func:`count_unknown`): a
  chat gets ``lookup_rate_limit`` lookups per window and a smaller allowance of *unknown* codes;
  once the unknown allowance is spent, every path refuses until the window ends, so switching
  from text to a button or to the postal entry gains a prober nothing;
* **the second factor** (:func:`require_verification`): the last 4 digits of the phone or ID
  number registered with the dossier, locked for the day after too many wrong answers. On a
  correct answer the conversation continues with the payload the caller gave, through the
  running router (:meth:`bot.context.Context.continue_with`), as if that button was pressed;
  the continuation is plain data in the conversation row, so it survives a restart.

The counters live in the database (``bot.access``), shared by every worker.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from bot import access
from bot.context import Context
from bot.dossier_io import DossierRecord, load_local
from bot.router import Router
from bot.upstream import UpstreamDown, fetch_dossier
from bot.vntime import VN, vn_date
from handlers.menu import back_to_menu

log = logging.getLogger(__name__)
router = Router("gates")

VERIFY_FLOW = "dossier_verify"


class _Window(TypedDict):
    limit: int
    window_seconds: int
    now: datetime


# The allowance -------------------------------------------------------------------------------
def retry_text(ctx: Context, at: datetime) -> str:
    """When the citizen may try again: the time today, or time and date."""
    local = at.astimezone(VN)
    if vn_date(at) == vn_date(ctx.now()):
        return local.strftime("%H:%M")
    return local.strftime("%H:%M %d/%m/%Y")


def _counter(ctx: Context, kind: str) -> tuple[AsyncSession, str, str, str]:
    """Which counter: this chat's ``kind`` (lookups, unknown codes)."""
    return ctx.session, ctx.channel, ctx.user_id, kind


def _window(ctx: Context, kind: str) -> _Window:
    """The counter's limit and window, from the settings."""
    s = ctx.services.settings
    limit = access.unknown_limit(s) if kind == access.UNKNOWN else s.lookup_rate_limit
    return {"limit": limit, "window_seconds": s.lookup_rate_window_seconds, "now": ctx.now()}


async def allowance_left(ctx: Context) -> bool:
    """False (and the citizen told when to come back) once the unknown-code allowance is spent.

    Checked before every lookup by code, on every path; counting is :func:`count_unknown`."""
    result = await access.check(*_counter(ctx, access.UNKNOWN), **_window(ctx, access.UNKNOWN))
    if result.allowed:
        return True
    ctx.end_flow()
    retry = result.retry_at or ctx.now()
    ctx.say("ds-unknown-limited", back_to_menu(ctx), time=retry_text(ctx, retry))
    return False


async def count_lookup(ctx: Context) -> bool:
    """Count one lookup against the chat's rate; False (and said) when the rate is spent."""
    result = await access.hit(*_counter(ctx, access.LOOKUP), **_window(ctx, access.LOOKUP))
    if result.allowed:
        return True
    retry = result.retry_at or ctx.now()
    ctx.say("ds-rate-limited", back_to_menu(ctx), time=retry_text(ctx, retry))
    return False


async def count_unknown(ctx: Context) -> None:
    """Count one unknown code; :func:`allowance_left` refuses once there are too many."""
    await access.hit(*_counter(ctx, access.UNKNOWN), **_window(ctx, access.UNKNOWN))


def upstream_mode(ctx: Context) -> bool:
    """Dossiers are read from the one-stop system, not the local table."""
    return bool(ctx.services.settings.upstream_url_template)


async def load_dossier(ctx: Context, code: str, *, count: bool = True) -> DossierRecord | None:
    """The dossier ``code`` (canonical) through the allowance, or None when already answered
    (allowance spent, not found, upstream down). ``count`` is False for a second look at a
    dossier the chat already reached (a verification answer): the unknown-code allowance is
    still checked, the lookup rate is not charged twice."""
    if not await allowance_left(ctx):
        return None
    if count and not await count_lookup(ctx):
        return None
    try:
        if upstream_mode(ctx):
            rec = await fetch_dossier(ctx.services.settings, code)
        else:
            rec = await load_local(ctx.session, code)
    except UpstreamDown:
        ctx.say("ds-upstream-down", back_to_menu(ctx))
        return None
    if rec is None:
        await not_found(ctx, code)
    return rec


async def not_found(ctx: Context, code: str) -> None:
    """Say that no dossier has this code, and count it against the unknown-code allowance."""
    await count_unknown(ctx)
    ctx.say("ds-not-found", back_to_menu(ctx), code=code)


# The second factor ---------------------------------------------------------------------------
async def require_verification(ctx: Context, code: str, then_payload: str) -> bool:
    """True if this chat passed the second factor for ``code``. Otherwise starts it (or says
    why it cannot) and returns False; after a correct answer the conversation continues with
    ``then_payload`` (e.g. ``"pd:<code>"``)."""
    if await access.is_verified(ctx.session, code, ctx.channel, ctx.user_id):
        return True
    await _start_verify(ctx, code, then_payload)
    return False


async def _start_verify(ctx: Context, code: str, then: str) -> None:
    rec = await load_dossier(ctx, code, count=False)
    if rec is None:
        return
    s = ctx.services.settings
    until = await access.locked_until(ctx.session, rec.code, ctx.channel, ctx.user_id, ctx.now(), s)
    if until is not None:
        _say_locked(ctx, until)
        return
    if not access.has_secret(rec):
        ctx.say("ds-verify-no-secret", back_to_menu(ctx))
        return
    ctx.start_flow(VERIFY_FLOW, "answer", {"code": rec.code, "then": then})
    ctx.say("ds-verify-prompt", code=rec.code)


def _say_locked(ctx: Context, until: datetime) -> None:
    local = until.astimezone(VN)
    ctx.end_flow()
    ctx.say(
        "ds-verify-locked",
        back_to_menu(ctx),
        time=local.strftime("%H:%M"),
        date=local.strftime("%d/%m/%Y"),
    )


@router.flow(VERIFY_FLOW)
async def verify_answer(ctx: Context) -> None:
    digits = "".join(ch for ch in ctx.text if ch.isdigit())
    if len(digits) != 4 or len(ctx.text.strip()) > 12:
        ctx.say("ds-verify-not-digits")
        return
    code = str(ctx.data.get("code", ""))
    then = str(ctx.data.get("then", ""))
    rec = await load_dossier(ctx, code, count=False)
    if rec is None:
        ctx.end_flow()
        return
    verdict = await access.verify(
        ctx.session, rec, ctx.channel, ctx.user_id, digits, ctx.now(), ctx.services.settings
    )
    if verdict.locked_until is not None:
        log.info("dossier verification locked", extra={"channel": ctx.channel})
        _say_locked(ctx, verdict.locked_until)
        return
    if not verdict.ok:
        ctx.say("ds-verify-wrong", left=verdict.left)
        return
    ctx.end_flow()
    ctx.say("ds-verify-ok")
    log.info("dossier verified", extra={"channel": ctx.channel})
    if then:
        await ctx.continue_with(then)
