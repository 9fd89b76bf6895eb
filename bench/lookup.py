"""Dossier status lookup at 1,000,000 dossiers in SQLite: p50/p99 of the query and of the reply.

``python -m bench.lookup [--dossiers N] [--lookups N]``

1. Builds a temporary SQLite file with the project's migrations, then bulk-inserts N dossiers
   (3 history events each) with plain ``sqlite3.executemany`` (about a minute for 1M).
2. *query*: ``bot.dossier_io.load_local`` — the dossier row and its latest events, through the
   async engine the bot uses (SQLAlchemy async; for SQLite its calls run on the event loop, see
   ``bot/db/sqlite_inloop.py``).
3. *reply*: a user types a code and the dialogue answers with the rendered card — the whole
   in-process path: transaction, conversation row, rate-limit counters, lookup, verification
   and subscription checks, Fluent rendering, commit.

Also printed, *sql*: the same SQL through the synchronous ``sqlite3`` module, i.e. the
database's own share; the rest of *query* is SQLAlchemy's async layer and result handling.

Targets from issue 4: query p99 ≤ 1 ms, reply p99 ≤ 5 ms. Every lookup hits an existing
dossier chosen at random, so the page cache is warm but the rows differ each time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App, build_dialogue
from bot.catalogue import Catalogue
from bot.config import Settings
from bot.db.engine import Database
from bot.dossier_io import load_local
from bot.messages import Incoming
from bot.services import Services

UNITS = [f"000.{a:02d}.{b:02d}.H31" for a in range(10) for b in range(5)]
START = datetime(2024, 7, 1, 1, 0, tzinfo=UTC)
DAYS = 365
AGENCY = "UBND phường Lê Chân, thành phố Hải Phòng"
PROCEDURE = ("1.001193", "Thủ tục đăng ký khai sinh")


def codes(n: int) -> list[str]:
    """N distinct codes spread over 50 units and a year of dates."""
    out = []
    per_slot = n // (len(UNITS) * DAYS) + 1
    for u in UNITS:
        for d in range(DAYS):
            day = (START + timedelta(days=d)).strftime("%y%m%d")
            for s in range(1, per_slot + 1):
                out.append(f"{u}-{day}-{s:04d}")
                if len(out) == n:
                    return out
    return out


def fill(path: Path, n: int) -> list[str]:
    all_codes = codes(n)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    batch = 50_000
    for start in range(0, n, batch):
        rows, events = [], []
        for i, code in enumerate(all_codes[start : start + batch], start):
            received = START + timedelta(days=i % DAYS, minutes=i % 480)
            due = received + timedelta(days=5)
            status = (i % 10) + 1
            finished = (received + timedelta(days=3)).strftime(fmt) if status >= 9 else None
            rows.append(
                (
                    code,
                    PROCEDURE[0],
                    PROCEDURE[1],
                    code.rsplit("-", 2)[0],
                    AGENCY,
                    received.strftime(fmt),
                    due.strftime(fmt),
                    finished,
                    status,
                    1 + i % 3,
                    "desk",
                    "Nguyễn Văn An",
                    f"+8490{i:07d}",
                    f"031{i:09d}",
                    "[]",
                    received.strftime(fmt),
                )
            )
            for k, st in enumerate((2, 4, status)):
                at = (received + timedelta(hours=k * 20)).strftime(fmt)
                events.append((code, None, st, at, "ghi chú" if k == 2 else ""))
        con.executemany(
            "INSERT INTO dossiers (code, procedure_code, procedure_name, agency_code, agency_name,"
            " received_at, due_at, finished_at, status, channel, result_delivery, applicant_name,"
            " applicant_phone, applicant_id_number, missing, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        con.executemany(
            "INSERT INTO dossier_events (dossier_code, event_id, status, at, note)"
            " VALUES (?,?,?,?,?)",
            events,
        )
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()
    return all_codes


RAW_SQL = (
    "SELECT d.*, e.status, e.at, e.note FROM dossiers d LEFT JOIN dossier_events e"
    " ON e.id IN (SELECT id FROM dossier_events WHERE dossier_code = ?"
    " ORDER BY at DESC, id DESC LIMIT 3) WHERE d.code = ?"
)


def raw_sql_times(path: Path, sample: list[str]) -> list[float]:
    """The same lookup through the synchronous sqlite3 module: the database's own share."""
    con = sqlite3.connect(path)
    out = []
    for code in sample:
        t = time.perf_counter()
        rows = con.execute(RAW_SQL, (code, code)).fetchall()
        out.append(time.perf_counter() - t)
        assert rows
    con.close()
    return out


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def report(name: str, samples: list[float], target: float) -> bool:
    ms = [x * 1000 for x in samples]
    p50, p99 = pct(ms, 50), pct(ms, 99)
    ok = p99 <= target
    print(
        f"{name:<6} n={len(ms):>6}  p50 {p50:6.3f} ms  p99 {p99:6.3f} ms  "
        f"mean {statistics.fmean(ms):6.3f} ms  max {max(ms):7.3f} ms  "
        f"(target p99 ≤ {target:g} ms: {'met' if ok else 'NOT met'})",
        flush=True,
    )
    return ok


async def run(n: int, lookups: int) -> int:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        t0 = time.perf_counter()
        all_codes = fill(path, n)
        size_mb = path.stat().st_size / 1e6
        print(
            f"filled {n:,} dossiers + {3 * n:,} events in {time.perf_counter() - t0:.0f} s "
            f"({size_mb:.0f} MB)",
            flush=True,
        )
        settings = Settings(
            _env_file=None,
            database_url=url,
            load_demo_data=False,
            lookup_rate_limit=10**9,
        )
        db = Database(url)
        services = Services(settings=settings, db=db, catalogue=Catalogue())
        now = START + timedelta(days=DAYS + 30)
        services.clock = lambda: now
        app = App(services=services, dialogue=build_dialogue(services))
        rng = random.Random(4)
        sample = [rng.choice(all_codes) for _ in range(lookups)]
        try:
            # Warm-up: connections, statement cache, Fluent bundles, the page cache.
            for code in sample[:500]:
                async with db.read() as session:
                    await load_local(session, code)
                await app.dialogue.handle(Incoming("bench", "warm", text=code))

            query: list[float] = []
            async with db.read() as session:
                for code in sample:
                    t = time.perf_counter()
                    rec = await load_local(session, code)
                    query.append(time.perf_counter() - t)
                    assert rec is not None and rec.code == code
                    session.expunge_all()

            reply: list[float] = []
            for i, code in enumerate(sample):
                t = time.perf_counter()
                replies = await app.dialogue.handle(Incoming("bench", f"u{i % 200}", text=code))
                reply.append(time.perf_counter() - t)
                assert replies and code in (replies[0].title or ""), replies
        finally:
            await db.dispose()
            sql = raw_sql_times(path, sample)
        print(f"status lookup at {n:,} dossiers (SQLite, in process, {lookups:,} random codes)")
        report("sql", sql, 1.0)
        ok = report("query", query, 1.0)
        ok &= report("reply", reply, 5.0)
        return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    args = parser.parse_args()
    # Figures are reported either way; the exit code says whether the targets were met.
    return asyncio.run(run(args.dossiers, args.lookups))


if __name__ == "__main__":
    raise SystemExit(main())
