"""The admins' lexicon entries (``lexicon_entries``, edited on the operator web) as lines of
``lookup/data/lexicon.tsv``, loaded into the search before every index build (``bot.catalogue``),
so the stored index, every worker and the import see the same words."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import LexiconEntry
from lookup.search import check_lexicon_lines, set_extra_lexicon

log = logging.getLogger(__name__)


def line_of(phrase: str, expansion: str, mode: str, condition: str) -> str:
    """An entry in the columns of ``lookup/data/lexicon.tsv``."""
    cells = [phrase, expansion, mode] + ([condition] if condition else [])
    return "\t".join(cells)


async def lexicon_lines(session: AsyncSession) -> list[str]:
    """The admins' entries as lexicon lines: for one phrase, conditional entries first (an
    unconditional entry ends a phrase's list), then in the order they were added."""
    rows = await session.execute(
        select(
            LexiconEntry.phrase, LexiconEntry.expansion, LexiconEntry.mode, LexiconEntry.condition
        ).order_by(case((LexiconEntry.condition == "", 1), else_=0), LexiconEntry.id)
    )
    return [line_of(*row) for row in rows]


def usable(lines: Sequence[str]) -> list[str]:
    """The lines that load; a bad one (stored before a rule changed) is logged and left out
    rather than keeping every entry from search."""
    try:
        check_lexicon_lines(lines)
        return list(lines)
    except ValueError:
        pass
    good = []
    for line in lines:
        try:
            check_lexicon_lines([line])
        except ValueError as exc:
            log.error("lexicon entry left out", extra={"entry": line, "error": str(exc)})
        else:
            good.append(line)
    return good


async def load(db: Database) -> int:
    """Put the stored entries into the search's lexicon; returns how many loaded."""
    async with db.read() as session:
        lines = usable(await lexicon_lines(session))
    set_extra_lexicon(lines)
    return len(lines)
