"""Shared fixtures: a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL), the
services and dialogue on it, and a ``Chat`` driver that talks to the bot like a user."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from bot import i18n

# The conversation scripts and the command-line tests expect the lexical ranking: search by
# meaning (on by default) re-orders "did you mean" buttons by the model, and every fresh
# database would embed the bundled catalogue again. tests/test_semantic.py turns it on.
os.environ.setdefault("MOTCUA_SEMANTIC_SEARCH", "false")
from bot.app import App, build_dialogue
from bot.catalogue import Catalogue
from bot.channels import telegram, zalo_bot, zalo_oa
from bot.channels.ratelimit import OutgoingLimiter
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Base
from bot.demo import DEMO_NOW, load_demo_if_empty
from bot.messages import Incoming, Reply
from bot.services import Services

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# A fixed "now" for conversation tests: the demo's moment, 2025-07-20 10:00 in Vietnam.
FIXED_NOW = DEMO_NOW
# A missing message or a Fluent formatting error fails the test instead of showing a key.
i18n.STRICT = True


def unpace(monkeypatch: pytest.MonkeyPatch) -> None:
    """Channels built from now on in this test send without per-chat pacing.

    The platforms' pace (about one message a second per chat, after a burst of three) is kept
    and checked by tests/test_fanout.py and tests/test_channel_runtime.py; in a conversation
    script, whose turns come back to back, it only added a second to most turns (about 95 s
    per run of the suite).
    """

    def fast(**kwargs: Any) -> OutgoingLimiter:
        return OutgoingLimiter(**{**kwargs, "chat_per_second": 1000.0, "chat_burst": 100})

    for module in (telegram, zalo_bot, zalo_oa):
        monkeypatch.setattr(module, "OutgoingLimiter", fast)


@pytest.fixture
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """See :func:`unpace`; name it first (``usefixtures``): it must precede the channel."""
    unpace(monkeypatch)


@pytest.fixture(autouse=True)
def no_translation_errors() -> Iterator[None]:
    """Fail a test whose strict ``t()`` raised, even where the dialogue or the outbox caught the
    error and the reply looked fine."""
    i18n.failures.clear()
    yield
    found, i18n.failures[:] = list(i18n.failures), []
    assert not found, "translation errors:\n" + "\n".join(map(str, found))


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db')}/test.db"
    )
    db = Database(url)
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await db.upgrade()
    await db.dispose()
    yield url


async def wipe(db: Database) -> None:
    """Empty every table (faster than recreating the schema for each test)."""
    async with db.engine.begin() as conn:
        if db.is_sqlite:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(table.delete())
        else:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await wipe(database)
    yield database
    await database.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        events_secret=SecretStr("test-events-secret"),
        operator_token=SecretStr("test-operator-token"),
        load_demo_data=True,
    )


@pytest.fixture
async def services(db: Database, settings: Settings) -> AsyncIterator[Services]:
    await load_demo_if_empty(db)
    catalogue = Catalogue()
    await catalogue.reload(db)
    yield Services(settings=settings, db=db, catalogue=catalogue, clock=lambda: FIXED_NOW)


@pytest.fixture
def app(services: Services) -> App:
    return App(services=services, dialogue=build_dialogue(services))


def run_motcua(
    *args: str, stdin: str = "", cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real ``motcua`` command in a child process (never on the test database)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("TEST_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


class Chat:
    """Talks to the dialogue as one user; remembers the last buttons so a test can press them."""

    def __init__(self, app: App, user: str = "u1", channel: str = "test", lang: str | None = None):
        self.app = app
        self.user = user
        self.channel = channel
        self.lang = lang
        self.last: list[Reply] = []
        self._n = 0

    async def send(self, text: str, *, delivery_id: str | None = None) -> list[Reply]:
        return await self._go(
            Incoming(
                self.channel, self.user, text=text, delivery_id=delivery_id, language_hint=self.lang
            )
        )

    async def press(self, label: str) -> list[Reply]:
        """Press the last turn's button whose label contains ``label``."""
        for reply in self.last:
            for b in reply.buttons:
                if label.lower() in b.label.lower():
                    return await self._go(Incoming(self.channel, self.user, payload=b.payload))
        raise AssertionError(f"no button {label!r} in {self.buttons}")

    async def payload(self, payload: str) -> list[Reply]:
        return await self._go(Incoming(self.channel, self.user, payload=payload))

    async def _go(self, incoming: Incoming) -> list[Reply]:
        self.last = await self.app.dialogue.handle(incoming)
        return self.last

    @property
    def text(self) -> str:
        return "\n\n".join(r.plain() for r in self.last)

    @property
    def buttons(self) -> list[str]:
        return [b.label for r in self.last for b in r.buttons]


@pytest.fixture
def chat(app: App) -> Chat:
    return Chat(app)
