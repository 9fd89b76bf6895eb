"""Bundled demo data: the curated catalogue and demo dossiers, loaded into an empty database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from bot.catalogue_io import read_records, upsert_records
from bot.db.engine import Database
from bot.db.models import Dossier, Procedure

log = logging.getLogger(__name__)

# The demo dossiers were filed in July 2025. `motcua demo` runs its clock from this moment
# (10:00 on 20 July 2025, Vietnam time) so that due dates, "late" and "on time" read as they
# would on the day; tests use the same moment.
DEMO_NOW = datetime(2025, 7, 20, 3, 0, tzinfo=UTC)


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
                from bot.dossier_io import import_dossier_file

                report = await import_dossier_file(session, path)
                log.info("demo dossiers loaded", extra={"dossiers": report.imported})
