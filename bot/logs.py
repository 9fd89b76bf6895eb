"""Structured logging: JSON lines when stderr is not a terminal, readable lines when it is.

Log records carry ids and counts, never personal data (names, phones, addresses, ID numbers,
message text): handlers log events, not content.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from bot.config import get_settings


def setup_logging(level: str | None = None) -> None:
    level = (level or get_settings().log_level).upper()
    handler = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty():
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(
            JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=False)
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "alembic", "telegram.ext"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
