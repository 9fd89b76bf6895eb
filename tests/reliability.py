"""Figures the reliability suite records for ``docs/reliability.md``.

A test that proves a guarantee calls :func:`record` with what it tried (inputs, trials, faults
injected) and what went wrong (lost, duplicated, errors; target 0). Each call writes one small
JSON file under ``var/reliability/`` named after the test, so tests in other processes (a crash
suite driving ``motcua serve`` children, a benchmark) can record too without sharing a file.
``bench/reliability_report.py`` renders every file found there, with the test outcomes of the
last run (pytest's ``--junitxml``).

Usage::

    from tests.reliability import record
    record("tests/test_crash.py::test_kill_9", "Nothing acknowledged is lost",
           trials=20, faults=20, lost=0, duplicated=0)
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Where figures are written; ``MOTCUA_RELIABILITY_DIR`` moves it (a test run in a temporary
#: tree, CI artefacts).
FIGURES_DIR = Path(os.environ.get("MOTCUA_RELIABILITY_DIR", ROOT / "var" / "reliability"))


def _slug(test: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test).strip("_")[:150] or "figure"


def record(
    test: str, guarantee: str, *, database: str | None = None, **figures: int | float
) -> Path:
    """Write the figures of one test run (``test`` is its node id, ``guarantee`` the sentence it
    proves); a later run of the same test on the same database replaces them. ``database`` is
    the test database's kind unless given (a benchmark names its own)."""
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    if database is None:
        database = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    path = FIGURES_DIR / f"{_slug(test)}.{database}.json"
    entry = {
        "test": test,
        "guarantee": guarantee,
        "database": database,
        "figures": figures,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    # Write then rename: the report never reads half a file.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entry, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path
