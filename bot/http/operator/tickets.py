"""Officers answer citizens who asked for a person (``handlers/handoff.py``).

``/operator/tickets`` lists tickets (open first), ``/operator/tickets/{id}`` shows one with the
conversation excerpt and a reply form. A reply is stored with who wrote it and reaches the
citizen through the outbox, rendered in the citizen's language at send time. Officers and admins
only: an inspector watches figures, not conversations. Idle tickets are closed lazily here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import case, func, select

from bot import handoff
from bot.config import Settings
from bot.db.models import HandoffMessage, HandoffTicket
from bot.http.errors import row_id
from bot.http.operator.accounts import Role
from bot.http.operator.security import SignedIn
from bot.http.operator.web import BASE, SECURITY_HEADERS, OperatorWeb, page_language, render
from bot.i18n import t
from bot.outbox import enqueue
from bot.vntime import fmt_datetime
from lookup.phone import parse_phone

log = logging.getLogger(__name__)

LIST_LIMIT = 200  # open tickets always come first; old closed ones beyond this are not shown
PREVIEW = 120  # characters of the last message in the list
OFFICER_REPLY_OPEN = {"key": "handoff-btn-reply", "payload": "hf"}
OFFICER_REPLY_CLOSE = {"key": "handoff-btn-close", "payload": "hfx"}
CLOSED_KEYS = {
    handoff.BY_CITIZEN: "op-ticket-closed-citizen",
    handoff.BY_OFFICER: "op-ticket-closed-officer",
    handoff.BY_TIMEOUT: "op-ticket-closed-timeout",
}
AUTHOR_KEYS = {
    handoff.HISTORY: "op-ticket-author-history",
    handoff.CITIZEN: "op-ticket-author-citizen",
    handoff.OFFICER: "op-ticket-author-officer",
}


@dataclass(frozen=True)
class Row:
    """One line of the list."""

    id: int
    open: bool
    channel: str
    user: str
    age: str
    last_at: str
    last_text: str


def age(lang: str, since: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit: minutes, hours, days."""
    elapsed = max(now - since, timedelta(0))
    if elapsed < timedelta(hours=1):
        return t(lang, "op-age-minutes", n=int(elapsed.total_seconds() // 60))
    if elapsed < timedelta(days=1):
        return t(lang, "op-age-hours", n=int(elapsed.total_seconds() // 3600))
    return t(lang, "op-age-days", n=elapsed.days)


def shown_phone(e164: str) -> str:
    parsed = parse_phone(e164) if e164 else None
    return parsed.national if parsed else e164


class TicketPages:
    """The ticket pages, sharing the operator application's guards and templates."""

    def __init__(self, web_views: OperatorWeb) -> None:
        self.web = web_views

    @property
    def settings(self) -> Settings:
        return self.web.app.services.settings

    async def list_page(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        lang = page_language(request)
        now = self.web.now()
        db = self.web.db
        async with db.transaction() as session:
            await handoff.close_idle(session, self.settings, now)
        async with db.read() as session:
            tickets = (
                await session.scalars(
                    select(HandoffTicket)
                    .order_by(
                        case((HandoffTicket.status == handoff.OPEN, 0), else_=1),
                        HandoffTicket.last_activity_at.desc(),
                    )
                    .limit(LIST_LIMIT)
                )
            ).all()
            ids = [x.id for x in tickets]
            last_ids = (
                select(func.max(HandoffMessage.id))
                .where(HandoffMessage.ticket_id.in_(ids))
                .group_by(HandoffMessage.ticket_id)
            )
            last = {
                m.ticket_id: m
                for m in (
                    await session.scalars(
                        select(HandoffMessage).where(HandoffMessage.id.in_(last_ids))
                    )
                ).all()
            }
        rows = []
        for ticket in tickets:
            message = last.get(ticket.id)
            text = message.text if message else ""
            rows.append(
                Row(
                    id=ticket.id,
                    open=ticket.status == handoff.OPEN,
                    channel=ticket.channel,
                    user=handoff.mask_user(ticket.user_id),
                    age=age(lang, ticket.opened_at, now),
                    last_at=fmt_datetime(ticket.last_activity_at),
                    last_text=text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…",
                )
            )
        return render(request, "tickets.html", lang=lang, who=who, rows=rows)

    async def _ticket(self, request: web.Request) -> int:
        found = row_id(request.match_info["id"])
        if found is None:
            raise web.HTTPNotFound()
        return found

    async def view(
        self,
        request: web.Request,
        who: SignedIn,
        *,
        error: str | None = None,
        status: int = 200,
        draft: str = "",
    ) -> web.StreamResponse:
        lang = page_language(request)
        ticket_id = await self._ticket(request)
        now = self.web.now()
        async with self.web.db.transaction() as session:
            ticket = await session.get(HandoffTicket, ticket_id)
            if ticket is None:
                raise web.HTTPNotFound()
            if ticket.status == handoff.OPEN and handoff.is_idle(ticket, self.settings, now):
                handoff.close(ticket, now, handoff.BY_TIMEOUT)
            messages = (
                await session.scalars(
                    select(HandoffMessage)
                    .where(HandoffMessage.ticket_id == ticket_id)
                    .order_by(HandoffMessage.id)
                )
            ).all()
        return render(
            request,
            "ticket.html",
            lang=lang,
            who=who,
            status=status,
            ticket=ticket,
            is_open=ticket.status == handoff.OPEN,
            user=handoff.mask_user(ticket.user_id),
            phone=shown_phone(ticket.phone),
            opened=fmt_datetime(ticket.opened_at),
            closed_key=CLOSED_KEYS.get(ticket.closed_reason, "op-ticket-closed-officer"),
            closed_at=fmt_datetime(ticket.closed_at) if ticket.closed_at else "",
            history=[m for m in messages if m.author == handoff.HISTORY],
            messages=[m for m in messages if m.author != handoff.HISTORY],
            author_key=lambda author: AUTHOR_KEYS.get(author, "op-ticket-author-citizen"),
            fmt_datetime=fmt_datetime,
            error_key=error,
            notice_key={"sent": "op-ticket-sent", "closed": "op-ticket-closed"}.get(
                request.query.get("done", "")
            ),
            draft=draft,
            max_reply=handoff.MAX_TEXT,
        )

    async def view_get(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        return await self.view(request, who)

    def _back(self, request: web.Request, ticket_id: int, done: str) -> web.HTTPSeeOther:
        query = urlencode({"done": done, "lang": page_language(request)})
        return web.HTTPSeeOther(f"{BASE}/tickets/{ticket_id}?{query}", headers=SECURITY_HEADERS)

    async def reply(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        ticket_id = await self._ticket(request)
        form = await request.post()
        raw = form.get("text")
        text = raw.strip().replace("\r\n", "\n") if isinstance(raw, str) else ""
        if not text:
            return await self.view(request, who, error="op-ticket-err-empty", status=422)
        if len(text) > handoff.MAX_TEXT:
            return await self.view(
                request, who, error="op-ticket-err-long", status=422, draft=text[: handoff.MAX_TEXT]
            )
        now = self.web.now()
        services = self.web.app.services
        async with services.db.transaction() as session:
            ticket = await session.get(HandoffTicket, ticket_id)
            if ticket is None:
                raise web.HTTPNotFound()
            if ticket.status != handoff.OPEN or handoff.is_idle(ticket, self.settings, now):
                if ticket.status == handoff.OPEN:
                    handoff.close(ticket, now, handoff.BY_TIMEOUT)
                closed = True
            else:
                closed = False
                message = HandoffMessage(
                    ticket_id=ticket.id,
                    author=handoff.OFFICER,
                    operator_id=who.operator_id,
                    operator_name=who.name,
                    text=text,
                    at=now,
                )
                session.add(message)
                ticket.last_activity_at = now
                await session.flush()
                # The reply and its push commit together: no answer is stored and never sent.
                await enqueue(
                    session,
                    channel=ticket.channel,
                    user_id=ticket.user_id,
                    kind="handoff",
                    payload={
                        "key": "handoff-push-reply",
                        "args": {"text": text},
                        "buttons": [OFFICER_REPLY_OPEN, OFFICER_REPLY_CLOSE],
                    },
                    dedup_key=f"handoff:{ticket.id}:reply:{message.id}",
                    now=now,
                )
        if closed:
            return await self.view(request, who, error="op-ticket-err-closed", status=409)
        services.outbox_wakeup.set()
        log.info("handoff reply", extra={"operator": who.name, "ticket": ticket_id})
        raise self._back(request, ticket_id, "sent")

    async def close(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        ticket_id = await self._ticket(request)
        now = self.web.now()
        services = self.web.app.services
        async with services.db.transaction() as session:
            ticket = await session.get(HandoffTicket, ticket_id)
            if ticket is None:
                raise web.HTTPNotFound()
            pushed = ticket.status == handoff.OPEN
            if pushed:
                handoff.close(ticket, now, handoff.BY_OFFICER, who.name)
                await enqueue(
                    session,
                    channel=ticket.channel,
                    user_id=ticket.user_id,
                    kind="handoff",
                    payload={"key": "handoff-push-closed"},
                    dedup_key=f"handoff:{ticket.id}:closed",
                    now=now,
                )
        if pushed:
            services.outbox_wakeup.set()
            log.info("handoff closed", extra={"operator": who.name, "ticket": ticket_id})
        raise self._back(request, ticket_id, "closed")


def setup(web_app: web.Application, views: OperatorWeb) -> None:
    """Officers and admins only: an inspector watches figures, not conversations."""
    pages = TicketPages(views)
    router = web_app.router
    router.add_get(BASE + "/tickets", views.guarded(Role.OFFICER, pages.list_page))
    router.add_get(BASE + "/tickets/{id}", views.guarded(Role.OFFICER, pages.view_get))
    router.add_post(BASE + "/tickets/{id}/reply", views.guarded(Role.OFFICER, pages.reply))
    router.add_post(BASE + "/tickets/{id}/close", views.guarded(Role.OFFICER, pages.close))
