"""Bundled demo data: the curated catalogue, demo dossiers and the sample province profile,
loaded into an empty database."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.catalogue_io import read_records, upsert_records
from bot.db.engine import Database
from bot.db.models import Dossier, Procedure
from bot.dossier_io import import_dossier_file
from bot.province import load_bundled_if_empty
from lookup.dossier_code import parse_code

if TYPE_CHECKING:
    from bot.services import Services  # bot.services imports this module

log = logging.getLogger(__name__)

# The demo dossiers were filed in July 2025. `motcua demo` runs its clock from this moment
# (10:00 on 20 July 2025, Vietnam time) so that due dates, "late" and "on time" read as they
# would on the day; tests use the same moment.
DEMO_NOW = datetime(2025, 7, 20, 3, 0, tzinfo=UTC)
# The demo dossier the hints and the README use.
DEMO_CODE = "000.00.00.H31-250714-0001"


def demo_clock() -> Callable[[], datetime]:
    """A clock that starts at DEMO_NOW and runs at real speed."""
    offset = DEMO_NOW - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


def data_path(name: str) -> Path:
    return Path(str(resources.files("bot") / "data" / name))


async def load_demo_if_empty(db: Database) -> None:
    """Load what is missing; an operator's own data is never overwritten."""
    async with db.transaction() as session:
        if not await session.scalar(select(func.count()).select_from(Procedure)):
            records = [r for _, r in read_records(data_path("catalogue.jsonl"))]
            good = [r for r in records if not isinstance(r, Exception)]
            await upsert_records(session, good)
            log.info("demo catalogue loaded", extra={"procedures": len(good)})
        if not await session.scalar(select(func.count()).select_from(Dossier)):
            path = data_path("dossiers.jsonl")
            if path.exists():
                report = await import_dossier_file(session, path)
                log.info("demo dossiers loaded", extra={"dossiers": report.imported})
        # The province's own facts (bot/province.py): a sample until the province imports its
        # own file with `motcua province import`.
        if await load_bundled_if_empty(session):
            log.info("sample province profile loaded")


@cache
def demo_dossier_codes() -> frozenset[str]:
    """The codes of the bundled demo dossiers, canonical."""
    codes = set()
    for line in data_path("dossiers.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            code = parse_code(str(json.loads(line)["code"])).code
            if code is not None:
                codes.add(str(code))
    return frozenset(codes)


async def holds_demo_data(db: Database) -> bool:
    """True when the database's dossiers are exactly the bundled demo dossiers.

    The demo data is its own marker (no schema change): once an operator imports a dossier of
    their own, dates are theirs and the real clock applies.
    """
    demo = demo_dossier_codes()
    async with db.read() as session:
        codes = await session.scalars(select(Dossier.code).limit(len(demo) + 1))
        return set(codes) == demo


async def use_demo_clock(services: Services, *, real_clock: bool = False) -> bool:
    """Run ``services`` on the demo clock when its database holds the demo data (unless
    ``real_clock``), so that every command tells the demo dossiers' story on the same dates.
    True when the demo clock is in use."""
    if real_clock or not await holds_demo_data(services.db):
        return False
    services.clock = demo_clock()
    return True
