"""Long-lived services shared by handlers, channels and the server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.catalogue import Catalogue
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import utcnow
from bot.demo import load_demo_if_empty


@dataclass
class Services:
    """Settings, storage, the in-memory catalogue index and a clock tests can move."""

    settings: Settings
    db: Database
    catalogue: Catalogue
    clock: Callable[[], datetime] = utcnow
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def create(cls, settings: Settings, *, migrate: bool = True) -> Services:
        """Open the database, apply migrations, load demo data if empty, index the catalogue."""
        db = Database(settings.database_url)
        if migrate:
            await db.upgrade()
        if settings.load_demo_data:
            await load_demo_if_empty(db)
        catalogue = Catalogue(semantic=settings.semantic_search)
        await catalogue.reload(db)
        return cls(settings=settings, db=db, catalogue=catalogue)

    async def close(self) -> None:
        await self.db.dispose()
