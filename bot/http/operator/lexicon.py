"""The lexicon by admins (``/operator/lexicon``): everyday words → official wording ("sổ đỏ" →
"giấy chứng nhận quyền sử dụng đất"), listed, added, changed and deleted on the web, stored in
``lexicon_entries`` with every change in ``lexicon_audit`` (who, what, when, what it was).

Entries have the columns of ``lookup/data/lexicon.tsv`` (phrase, expansion, mode, optional
conditions) and load ahead of that file, so an admin's entry wins for its phrase. Each change
bumps the vocabulary revision in its transaction; this worker then reloads at once and the
others within a poll (``vocabulary``). The shipped entries are shown read-only. Admins only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LexiconAudit, LexiconEntry
from bot.http.errors import row_id
from bot.http.operator.accounts import Role
from bot.http.operator.aliases import clean_text
from bot.http.operator.security import SignedIn
from bot.http.operator.vocabulary import Vocabulary, bump
from bot.http.operator.web import BASE, SECURITY_HEADERS, OperatorWeb, page_language, render
from bot.lexicon import line_of
from bot.vntime import fmt_datetime
from lookup.search import LEXICON_PATH, check_lexicon_lines

log = logging.getLogger(__name__)

MODES = ("replace", "add", "drop", "abbr")
MODE_KEYS = {
    "replace": "op-lx-mode-replace",
    "add": "op-lx-mode-add",
    "drop": "op-lx-mode-drop",
    "abbr": "op-lx-mode-abbr",
}
ACTION_KEYS = {
    "add": "op-lx-action-add",
    "edit": "op-lx-action-edit",
    "delete": "op-lx-action-delete",
}
MAX_PHRASE = 100
MAX_EXPANSION = 200
MAX_CONDITION = 200
AUDIT_SHOWN = 100
NOTICES = {"added": "op-lx-added", "changed": "op-lx-changed", "deleted": "op-lx-deleted"}
FIELDS = ("phrase", "expansion", "mode", "when", "unless")


@dataclass(frozen=True)
class Columns:
    """A lexicon entry's columns (a form's, a stored line's, the shipped file's)."""

    phrase: str
    expansion: str
    mode: str
    condition: str


@cache
def shipped_entries() -> tuple[Columns, ...]:
    """``lookup/data/lexicon.tsv`` as rows (read once: the file changes with a release)."""
    out = []
    for raw in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        out.append(parse_line(raw))
    return tuple(out)


def _phrases(raw: str) -> list[str]:
    return [p for p in (clean_text(x) for x in raw.split("|")) if p]


def condition_of(when: str, unless: str) -> str:
    """The fourth column from the two form fields ("a | b" each): ``if=a|b;unless=c``."""
    parts = []
    if _phrases(when):
        parts.append("if=" + "|".join(_phrases(when)))
    if _phrases(unless):
        parts.append("unless=" + "|".join(_phrases(unless)))
    return ";".join(parts)


def split_condition(condition: str) -> tuple[str, str]:
    """The form fields of a stored condition."""
    when = unless = ""
    for part in filter(None, condition.split(";")):
        key, _, values = part.partition("=")
        shown = " | ".join(values.split("|"))
        if key == "if":
            when = shown
        elif key == "unless":
            unless = shown
    return when, unless


def parse_line(line: str) -> Columns:
    """A stored lexicon line (an audit's "before") as its columns, for showing."""
    cells = line.split("\t")
    phrase, expansion, mode = [*cells, "", ""][:3]
    return Columns(phrase, expansion, mode.strip(), cells[3] if len(cells) > 3 else "")


def parse_form(form: dict[str, str]) -> tuple[Columns | None, str | None]:
    """The entry a form describes, or the locale key of what is wrong with it."""
    phrase = clean_text(form.get("phrase", ""))
    mode = form.get("mode", "").strip()
    expansion = clean_text(form.get("expansion", "")) if mode != "drop" else ""
    condition = condition_of(form.get("when", ""), form.get("unless", ""))
    if mode not in MODES:
        return None, "op-lx-err-mode"
    if not phrase or len(phrase) > MAX_PHRASE:
        return None, "op-lx-err-phrase"
    if (mode != "drop" and not expansion) or len(expansion) > MAX_EXPANSION:
        return None, "op-lx-err-expansion"
    # ";" and "=" separate the parts of the condition column: not allowed inside a phrase.
    spelled = form.get("when", "") + form.get("unless", "")
    if len(condition) > MAX_CONDITION or ";" in spelled or "=" in spelled:
        return None, "op-lx-err-condition"
    try:
        # The search's own reader decides: what it would refuse at load is refused here.
        check_lexicon_lines([line_of(phrase, expansion, mode, condition)])
    except ValueError:
        return None, "op-lx-err-invalid"
    return Columns(phrase, expansion, mode, condition), None


class LexiconPages:
    def __init__(self, web_views: OperatorWeb, vocabulary: Vocabulary) -> None:
        self.web = web_views
        self.vocabulary = vocabulary

    async def page(
        self,
        request: web.Request,
        who: SignedIn,
        *,
        error: str | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
        editing: int | None = None,
    ) -> web.Response:
        lang = page_language(request)
        async with self.web.db.read() as session:
            entries = (
                await session.scalars(
                    select(LexiconEntry).order_by(LexiconEntry.phrase, LexiconEntry.id)
                )
            ).all()
            audit = (
                await session.scalars(
                    select(LexiconAudit).order_by(LexiconAudit.id.desc()).limit(AUDIT_SHOWN)
                )
            ).all()
        if form is None:
            edit_id = request.query.get("edit", "")
            chosen = next((e for e in entries if str(e.id) == edit_id), None)
            if chosen is not None:
                editing = chosen.id
                when, unless = split_condition(chosen.condition)
                form = {
                    "phrase": chosen.phrase,
                    "expansion": chosen.expansion,
                    "mode": chosen.mode,
                    "when": when,
                    "unless": unless,
                }
            else:
                form = {"phrase": request.query.get("phrase", "")[:MAX_PHRASE], "mode": "replace"}
        return render(
            request,
            "lexicon.html",
            lang=lang,
            who=who,
            status=status,
            entries=entries,
            audit=audit,
            shipped=shipped_entries(),
            modes=MODES,
            mode_key=lambda mode: MODE_KEYS.get(mode, "op-lx-mode-replace"),
            action_key=lambda action: ACTION_KEYS.get(action, "op-lx-action-edit"),
            split_condition=split_condition,
            parse_line=parse_line,
            error_key=error,
            notice_key=NOTICES.get(request.query.get("done", "")),
            form=form,
            editing=editing,
            fmt_datetime=fmt_datetime,
            max_phrase=MAX_PHRASE,
            max_expansion=MAX_EXPANSION,
        )

    async def page_get(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        return await self.page(request, who)

    def _back(self, request: web.Request, done: str) -> web.HTTPSeeOther:
        query = urlencode({"done": done, "lang": page_language(request)})
        return web.HTTPSeeOther(f"{BASE}/lexicon?{query}", headers=SECURITY_HEADERS)

    @staticmethod
    def _entry_id(request: web.Request) -> int:
        found = row_id(request.match_info["id"])  # "²" passes isdigit() but not int()
        if found is None:
            raise web.HTTPNotFound()
        return found

    async def _form(self, request: web.Request) -> dict[str, str]:
        posted = await request.post()
        form: dict[str, str] = {}
        for key in FIELDS:
            value = posted.get(key)
            if isinstance(value, str):
                form[key] = value
        return form

    async def add(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        form = await self._form(request)
        entry, error = parse_form(form)
        if entry is None:
            return await self.page(request, who, error=error, status=422, form=form)
        now = self.web.now()
        try:
            async with self.web.db.transaction() as session:
                if await self._taken(session, entry, None):
                    raise IntegrityError("duplicate lexicon entry", None, ValueError(entry.phrase))
                row = LexiconEntry(
                    phrase=entry.phrase,
                    expansion=entry.expansion,
                    mode=entry.mode,
                    condition=entry.condition,
                    created_by=who.name,
                    created_at=now,
                    updated_by=who.name,
                    updated_at=now,
                )
                session.add(row)
                await session.flush()
                session.add(self._audit("add", row, who, now))
                await bump(session, now)
        except IntegrityError:
            return await self.page(request, who, error="op-lx-err-taken", status=409, form=form)
        await self.vocabulary.refresh()
        log.info("lexicon entry added", extra={"operator": who.name, "phrase": entry.phrase})
        raise self._back(request, "added")

    async def edit(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        entry_id = self._entry_id(request)
        form = await self._form(request)
        entry, error = parse_form(form)
        if entry is None:
            return await self.page(
                request, who, error=error, status=422, form=form, editing=entry_id
            )
        now = self.web.now()
        try:
            async with self.web.db.transaction() as session:
                row = await session.get(LexiconEntry, entry_id)
                if row is None:
                    raise web.HTTPNotFound()
                if await self._taken(session, entry, entry_id):
                    raise IntegrityError("duplicate lexicon entry", None, ValueError(entry.phrase))
                previous = line_of(row.phrase, row.expansion, row.mode, row.condition)
                row.phrase, row.expansion = entry.phrase, entry.expansion
                row.mode, row.condition = entry.mode, entry.condition
                row.updated_by, row.updated_at = who.name, now
                session.add(self._audit("edit", row, who, now, previous=previous))
                await bump(session, now)
        except IntegrityError:
            return await self.page(
                request, who, error="op-lx-err-taken", status=409, form=form, editing=entry_id
            )
        await self.vocabulary.refresh()
        log.info("lexicon entry changed", extra={"operator": who.name, "phrase": entry.phrase})
        raise self._back(request, "changed")

    async def delete(self, request: web.Request, who: SignedIn) -> web.StreamResponse:
        entry_id = self._entry_id(request)
        now = self.web.now()
        async with self.web.db.transaction() as session:
            row = await session.get(LexiconEntry, entry_id)
            if row is None:
                raise web.HTTPNotFound()
            phrase = row.phrase
            session.add(self._audit("delete", row, who, now))
            await session.delete(row)
            await bump(session, now)
        await self.vocabulary.refresh()
        log.info("lexicon entry deleted", extra={"operator": who.name, "phrase": phrase})
        raise self._back(request, "deleted")

    @staticmethod
    async def _taken(session: AsyncSession, entry: Columns, other_than: int | None) -> bool:
        """Another entry with this phrase and condition (the unique key, checked first so the
        answer is a 409 on both databases rather than a failed transaction)."""
        stmt = select(LexiconEntry.id).where(
            LexiconEntry.phrase == entry.phrase, LexiconEntry.condition == entry.condition
        )
        if other_than is not None:
            stmt = stmt.where(LexiconEntry.id != other_than)
        found = await session.scalar(stmt)
        return found is not None

    @staticmethod
    def _audit(
        action: str, row: LexiconEntry, who: SignedIn, now: datetime, *, previous: str = ""
    ) -> LexiconAudit:
        return LexiconAudit(
            action=action,
            entry_id=row.id,
            phrase=row.phrase,
            expansion=row.expansion,
            mode=row.mode,
            condition=row.condition,
            previous=previous,
            operator_name=who.name,
            at=now,
        )


def setup(web_app: web.Application, views: OperatorWeb, vocabulary: Vocabulary) -> None:
    pages = LexiconPages(views, vocabulary)
    router = web_app.router
    router.add_get(BASE + "/lexicon", views.guarded(Role.ADMIN, pages.page_get))
    router.add_post(BASE + "/lexicon", views.guarded(Role.ADMIN, pages.add))
    router.add_post(BASE + "/lexicon/{id}", views.guarded(Role.ADMIN, pages.edit))
    router.add_post(BASE + "/lexicon/{id}/delete", views.guarded(Role.ADMIN, pages.delete))
