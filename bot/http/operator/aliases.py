"""Aliases by admins (``/operator/aliases``): an everyday phrasing of a procedure ("làm sổ hộ
khẩu cho con") added, listed and deleted on the web, stored in ``procedure_aliases`` with every
change in ``procedure_alias_audit`` (who, what, when).

Each change bumps the vocabulary revision in its own transaction; this worker then rebuilds its
catalogue snapshot at once (``Catalogue.reload``, which merges these aliases with
``lookup/data/aliases.tsv``), so the next chat message finds the procedure by the new phrasing,
and every other worker does within a poll (``vocabulary``). Admins only.
"""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db.models import ProcedureAlias, ProcedureAliasAudit
from bot.http.errors import row_id, storable
from bot.http.operator.accounts import Role
from bot.http.operator.security import SignedIn
from bot.http.operator.vocabulary import Vocabulary, bump
from bot.http.operator.web import BASE, SECURITY_HEADERS, OperatorWeb, page_language, render
from bot.vntime import fmt_datetime

log = logging.getLogger(__name__)

MIN_TEXT = 3
MAX_TEXT = 200
MAX_CODE = 40
AUDIT_SHOWN = 100
NOTICES = {"added": "op-al-added", "deleted": "op-al-deleted"}


def clean_text(raw: str) -> str:
    """NFC, one space between words: the form stored, compared and indexed. Without NUL and
    unpaired surrogates, which PostgreSQL would refuse."""
    return " ".join(unicodedata.normalize("NFC", storable(raw)).split())


class AliasPages:
    def __init__(self, web_views: OperatorWeb, vocabulary: Vocabulary) -> None:
        self.web = web_views
        self.vocabulary = vocabulary

    def _name(self, code: str) -> str:
        card = self.web.app.services.catalogue.get(code)
        return card.name if card is not None else ""

    async def page(
        self,
        request: web.Request,
        who: SignedIn,
        *,
        error: str | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
    ) -> web.Response:
        lang = page_language(request)
        async with self.web.db.read() as session:
            aliases = (
                await session.scalars(
                    select(ProcedureAlias).order_by(ProcedureAlias.code, ProcedureAlias.id)
                )
            ).all()
            audit = (
                await session.scalars(
                    select(ProcedureAliasAudit)
                    .order_by(ProcedureAliasAudit.id.desc())
                    .limit(AUDIT_SHOWN)
                )
            ).all()
        initial = form or {
            "code": request.query.get("code", "")[:MAX_CODE],
            "text": request.query.get("text", "")[:MAX_TEXT],
        }
        return render(
            request,
            "aliases.html",
            lang=lang,
            who=who,
            status=status,
            aliases=aliases,
            audit=audit,
            name_of=self._name,
            error_key=error,
            notice_key=NOTICES.get(request.query.get("done", "")),
            form=initial,
            fmt_datetime=fmt_datetime,
            max_text=MAX_TEXT,
        )

    async def page_get(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        return await self.page(request, who)

    def _back(self, request: web.Request, done: str) -> web.HTTPSeeOther:
        query = urlencode({"done": done, "lang": page_language(request)})
        return web.HTTPSeeOther(f"{BASE}/aliases?{query}", headers=SECURITY_HEADERS)

    async def add(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        code = form.get("code", "").strip()[:MAX_CODE]
        text = clean_text(form.get("text", ""))
        shown = {"code": code, "text": text[:MAX_TEXT]}
        if self.web.app.services.catalogue.get(code) is None:
            return await self.page(request, who, error="op-al-err-code", status=422, form=shown)
        if len(text) < MIN_TEXT or len(text) > MAX_TEXT:
            return await self.page(request, who, error="op-al-err-text", status=422, form=shown)
        now = self.web.now()
        try:
            async with self.web.db.transaction() as session:
                taken = await session.scalar(
                    select(ProcedureAlias.id).where(
                        ProcedureAlias.code == code, ProcedureAlias.text == text
                    )
                )
                if taken is not None:
                    raise IntegrityError("duplicate alias", None, ValueError(text))
                session.add(
                    ProcedureAlias(code=code, text=text, created_by=who.name, created_at=now)
                )
                session.add(
                    ProcedureAliasAudit(
                        action="add", code=code, text=text, operator_name=who.name, at=now
                    )
                )
                await bump(session, now)
        except IntegrityError:
            return await self.page(request, who, error="op-al-err-taken", status=409, form=shown)
        await self.vocabulary.refresh()
        log.info("procedure alias added", extra={"operator": who.name, "code": code})
        raise self._back(request, "added")

    async def delete(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        alias_id = row_id(request.match_info["id"])
        if alias_id is None:
            raise web.HTTPNotFound()
        now = self.web.now()
        async with self.web.db.transaction() as session:
            alias = await session.get(ProcedureAlias, alias_id)
            if alias is None:
                raise web.HTTPNotFound()
            code = alias.code
            session.add(
                ProcedureAliasAudit(
                    action="delete", code=code, text=alias.text, operator_name=who.name, at=now
                )
            )
            await session.delete(alias)
            await bump(session, now)
        await self.vocabulary.refresh()
        log.info("procedure alias deleted", extra={"operator": who.name, "code": code})
        raise self._back(request, "deleted")


def setup(web_app: web.Application, views: OperatorWeb, vocabulary: Vocabulary) -> None:
    pages = AliasPages(views, vocabulary)
    router = web_app.router
    router.add_get(BASE + "/aliases", views.guarded(Role.ADMIN, pages.page_get))
    router.add_post(BASE + "/aliases", views.guarded(Role.ADMIN, pages.add))
    router.add_post(BASE + "/aliases/{id}/delete", views.guarded(Role.ADMIN, pages.delete))
