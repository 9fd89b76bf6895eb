"""Sub-commands of the ``motcua`` command line, one module each."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings, get_settings


def add_db_option(parser: argparse._ActionsContainer) -> None:
    """Add ``--db`` to a parser or to an argument group (e.g. a mutually exclusive one)."""
    parser.add_argument("--db", metavar="URL", help="database URL (default: MOTCUA_DATABASE_URL)")


def settings_for(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Settings with the command line's --db (and other overrides) applied."""
    settings = get_settings()
    updates = dict(overrides)
    if getattr(args, "db", None):
        updates["database_url"] = args.db
    return settings.model_copy(update=updates) if updates else settings
