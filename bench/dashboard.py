"""Inspection dashboard load time at 1,000,000 dossiers (SQLite): the whole page, as served.

``python -m bench.dashboard [--dossiers N] [--loads N]``

Builds a temporary SQLite file with the project's migrations and N dossiers (the same fill as
``bench.lookup``: a year of dossiers over several units), signs an inspector in, and times
``GET /operator/?from=…&to=…`` for one month and all units (figures, charts, late list) through
the real aiohttp server in process. Reported: p50 / max of ``--loads`` page loads after one
warm-up. Target (issue): ≤ 1 s for a month and all units.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lookup import DAYS, START, fill  # noqa: E402
from bot.app import App, build_dialogue  # noqa: E402
from bot.catalogue import Catalogue  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.engine import Database  # noqa: E402
from bot.http.operator import accounts, security  # noqa: E402
from bot.server import create_web_app  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.vntime import VN  # noqa: E402

TARGET_SECONDS = 1.0


async def run(n: int, loads: int) -> int:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        db = Database(url)
        await db.upgrade()
        await db.dispose()
        t0 = time.perf_counter()
        fill(path, n)
        print(f"filled {n:,} dossiers in {time.perf_counter() - t0:.0f} s", flush=True)
        db = Database(url)
        settings = Settings(_env_file=None, database_url=url, load_demo_data=False)
        services = Services(settings=settings, db=db, catalogue=Catalogue())
        now = START + timedelta(days=DAYS + 1)
        services.clock = lambda: now
        app = App(services=services, dialogue=build_dialogue(services))
        async with db.transaction() as session:
            operator = await accounts.create(session, "bench", "inspector", "bench-password-1")
            operator_id = operator.id
        token, _csrf = await security.open_session(db, operator_id, now)
        month = (now - timedelta(days=40)).astimezone(VN).date().replace(day=1)
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        page = f"/operator/?from={month.isoformat()}&to={end.isoformat()}"
        web_app = create_web_app(app, features=("bot.http.operator",))
        times: list[float] = []
        try:
            async with TestClient(TestServer(web_app)) as client:
                client.session.cookie_jar.update_cookies({security.SESSION_COOKIE: token})
                for i in range(loads + 1):
                    t = time.perf_counter()
                    resp = await client.get(page)
                    body = await resp.text()
                    elapsed = time.perf_counter() - t
                    if resp.status != 200 or "<svg" not in body:
                        print(f"page did not render: {resp.status}", file=sys.stderr)
                        return 1
                    if i:  # the first load warms the page cache and the templates
                        times.append(elapsed)
        finally:
            await db.dispose()
    p50 = statistics.median(times)
    met = "met" if p50 <= TARGET_SECONDS else "NOT met"
    print(
        f"dashboard {month:%m/%Y}, all units, {n:,} dossiers: p50 {p50 * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {loads} loads "
        f"(target ≤ {TARGET_SECONDS:.0f} s: {met})"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=5)
    opts = parser.parse_args()
    return asyncio.run(run(opts.dossiers, opts.loads))


if __name__ == "__main__":
    sys.exit(main())
