"""Webhook acknowledgement latency and throughput on the three messenger paths, in one run.

Zalo re-delivers an event that is not acknowledged within about 2 s, so the webhook must answer
at once however busy the dialogue is. Layout (loopback only): the bot runs in its own process
(the real aiohttp server from ``bot.server.create_web_app`` with Telegram, the Zalo Official
Account and the Zalo Bot Platform all configured, SQLite, pinned to CPU 0); this process runs the
load generator and the three fake APIs (pinned to CPU 1). For each path:

* **ack**: updates posted at a fixed rate (200/s for 5 s by default) from new users, while the
  dialogue works through them; the latency is POST → 200 (what the messenger waits for);
* **throughput**: ``--updates`` updates from new users, 64 posts in flight (a 503 "busy" is
  retried after a short pause, as the messenger would); updates/s until the last user got an
  answer, and bot CPU ms per update.

Each figure is the median of ``--runs`` runs. Tests never assert timings; this prints them.

    python -m bench.zalo_webhook [--updates 1500] [--runs 3] [--rate 200] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.telegram_throughput import cpu_seconds, pin, start_child, stop_child  # noqa: E402
from bot.channels import zalo_bot, zalo_oa  # noqa: E402
from bot.channels.telegram import SECRET_HEADER as TG_HEADER  # noqa: E402
from bot.channels.telegram import WEBHOOK_PATH as TG_PATH  # noqa: E402
from tests import fake_zalo_oa  # noqa: E402
from tests.fake_telegram import TOKEN as TG_TOKEN  # noqa: E402
from tests.fake_telegram import FakeTelegram, message_update  # noqa: E402
from tests.fake_zalo_bot import TOKEN as ZB_TOKEN  # noqa: E402
from tests.fake_zalo_bot import FakeZaloBot  # noqa: E402
from tests.fake_zalo_bot import message_update as zb_update  # noqa: E402
from tests.fake_zalo_oa import FakeZaloOA  # noqa: E402

IN_FLIGHT = 64
TG_SECRET = "bench-telegram-secret"
ZB_SECRET = "bench-zalo-bot-secret"
OA_SECRET = "bench-oa-secret-key"
TEXTS = ("/start", "doi bang lai", "000.00.00.H31-250714-0001", "làm hộ chiếu hết bao nhiêu tiền")
TARGET_ACK_P99_MS = 50.0


# The bot process ---------------------------------------------------------------------------
async def serve(tg_url: str, oa_url: str, zb_url: str, db_url: str) -> None:
    """Child: the real server with all three messengers pointed at the fakes."""
    os.environ.update(
        MOTCUA_DATABASE_URL=db_url,
        MOTCUA_LOAD_DEMO_DATA="true",
        MOTCUA_LOG_LEVEL="WARNING",
        MOTCUA_PUBLIC_URL="",
        MOTCUA_TELEGRAM_TOKEN=TG_TOKEN,
        MOTCUA_TELEGRAM_BASE_URL=tg_url,
        MOTCUA_TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
        MOTCUA_ZALO_OA_APP_ID=fake_zalo_oa.APP_ID,
        MOTCUA_ZALO_OA_SECRET_KEY=OA_SECRET,
        MOTCUA_ZALO_OA_APP_SECRET=fake_zalo_oa.APP_SECRET,
        MOTCUA_ZALO_OA_ACCESS_TOKEN=fake_zalo_oa.ACCESS_TOKEN,
        MOTCUA_ZALO_OA_REFRESH_TOKEN=fake_zalo_oa.REFRESH_TOKEN,
        MOTCUA_ZALO_OA_API_URL=oa_url,
        MOTCUA_ZALO_OA_OAUTH_URL=oa_url,
        MOTCUA_ZALO_BOT_TOKEN=ZB_TOKEN,
        MOTCUA_ZALO_BOT_API_URL=zb_url,
        MOTCUA_ZALO_BOT_WEBHOOK_SECRET=ZB_SECRET,
    )
    from aiohttp import web

    from bot.app import open_app
    from bot.config import Settings
    from bot.logs import setup_logging
    from bot.server import create_web_app

    setup_logging("WARNING")
    async with open_app(Settings(_env_file=None)) as app:
        runner = web.AppRunner(create_web_app(app), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(f"READY {runner.addresses[0][1]}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()


# One messenger as the load generator sees it -------------------------------------------------
@dataclass
class Path_:
    name: str
    url: str
    build: Callable[[int, str, int], tuple[bytes, dict[str, str]]]  # (serial, user, n) → post
    answered: Callable[[], set[str]]  # users that got at least one message
    wait_for: Callable[[Callable[[], bool], float], Awaitable[None]]  # the fake's own wait


def telegram_path(base: str, fake: FakeTelegram) -> Path_:
    def build(serial: int, user: str, n: int) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(message_update(serial, int(user), TEXTS[n % len(TEXTS)])).encode()
        return body, {TG_HEADER: TG_SECRET, "Content-Type": "application/json"}

    answered = lambda: {str(c) for c in fake.sent}  # noqa: E731
    return Path_("telegram", base + TG_PATH, build, answered, fake.wait_for)


def zalo_oa_path(base: str, fake: FakeZaloOA) -> Path_:
    def build(serial: int, user: str, n: int) -> tuple[bytes, dict[str, str]]:
        now = str(int(time.time() * 1000))
        data = {
            "app_id": fake_zalo_oa.APP_ID,
            "event_name": "user_send_text",
            "sender": {"id": user},
            "recipient": {"id": "579745863508352884"},
            "message": {"msg_id": f"bench{serial}", "text": TEXTS[n % len(TEXTS)]},
            "timestamp": now,
        }
        body = json.dumps(data, ensure_ascii=False).encode()
        mac = zalo_oa.signature(fake_zalo_oa.APP_ID, body, now, OA_SECRET)
        return body, {zalo_oa.SIGNATURE_HEADER: "mac=" + mac, "Content-Type": "application/json"}

    return Path_(
        "zalo_oa", base + zalo_oa.WEBHOOK_PATH, build, lambda: set(fake.sent), fake.wait_for
    )


def zalo_bot_path(base: str, fake: FakeZaloBot) -> Path_:
    def build(serial: int, user: str, n: int) -> tuple[bytes, dict[str, str]]:
        update = zb_update(f"bench{serial}", user, TEXTS[n % len(TEXTS)])
        body = json.dumps(update, ensure_ascii=False).encode()
        return body, {zalo_bot.SECRET_HEADER: ZB_SECRET, "Content-Type": "application/json"}

    return Path_(
        "zalo_bot", base + zalo_bot.WEBHOOK_PATH, build, lambda: set(fake.sent), fake.wait_for
    )


_serials = itertools.count(1)
_users = itertools.count(900_000_001)


async def post(session: aiohttp.ClientSession, path: Path_, user: str, n: int) -> float | None:
    """One update; seconds until acknowledged (None when it never was)."""
    body, headers = path.build(next(_serials), user, n)
    for _ in range(200):
        start = time.perf_counter()
        async with session.post(path.url, data=body, headers=headers) as resp:
            if resp.status == 200:
                return time.perf_counter() - start
            if resp.status != 503:
                return None
        await asyncio.sleep(0.02)  # busy: retried, as the messenger does
    return None


async def ack_run(
    session: aiohttp.ClientSession, path: Path_, rate: float, seconds: float
) -> list[float]:
    """Open loop at ``rate``: acknowledgement latencies (ms)."""
    latencies: list[float] = []

    async def one(i: int) -> None:
        lat = await post(session, path, str(next(_users)), i)
        if lat is not None:
            latencies.append(lat * 1000)

    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return latencies


async def throughput_run(
    session: aiohttp.ClientSession, path: Path_, updates: int, pid: int
) -> tuple[float, float]:
    """(updates/s until every user got an answer, bot CPU ms per update)."""
    users = [str(next(_users)) for _ in range(updates)]
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    queue = list(enumerate(users))

    async def worker() -> None:
        while queue:
            i, user = queue.pop()
            await post(session, path, user, i)

    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    wanted = set(users)
    with contextlib.suppress(TimeoutError):
        await path.wait_for(lambda: wanted <= path.answered(), 120.0)
    seconds = time.perf_counter() - t0
    done = len(wanted & path.answered())
    return done / seconds, 1000 * (cpu_seconds(pid) - cpu0) / max(1, done)


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


async def main_async(opts: argparse.Namespace) -> int:
    pin(0, 1)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite+aiosqlite:///{tmp}/bench.db"
        async with FakeTelegram(record=True) as tg, FakeZaloOA() as oa, FakeZaloBot() as zb:
            args = ["--serve", tg.base_url, oa.base_url, zb.base_url, db]
            proc, port = await asyncio.get_running_loop().run_in_executor(
                None, start_child, args, "bench.zalo_webhook"
            )
            pinned = pin(proc.pid, 0)
            base = f"http://127.0.0.1:{port}"
            paths = [telegram_path(base, tg), zalo_oa_path(base, oa), zalo_bot_path(base, zb)]
            print(
                f"{opts.runs} runs; ack at {opts.rate:.0f}/s × {opts.seconds:.0f} s; "
                f"throughput over {opts.updates} new users, {IN_FLIGHT} in flight; medians"
                + ("" if pinned else " (not pinned)"),
                flush=True,
            )
            figures: dict[str, dict[str, float]] = {}
            try:
                conn = aiohttp.TCPConnector(limit=IN_FLIGHT * 4)
                async with aiohttp.ClientSession(connector=conn) as session:
                    for path in paths:
                        await throughput_run(session, path, 100, proc.pid)  # warm-up
                    for path in paths:
                        acks = [
                            await ack_run(session, path, opts.rate, opts.seconds)
                            for _ in range(opts.runs)
                        ]
                        rates = [
                            await throughput_run(session, path, opts.updates, proc.pid)
                            for _ in range(opts.runs)
                        ]
                        figures[path.name] = {
                            "ack_p50_ms": statistics.median(pct(a, 0.5) for a in acks),
                            "ack_p99_ms": statistics.median(pct(a, 0.99) for a in acks),
                            "acked": statistics.median(len(a) for a in acks),
                            "updates_per_s": statistics.median(r for r, _ in rates),
                            "bot_cpu_ms_per_update": statistics.median(c for _, c in rates),
                        }
                        f = figures[path.name]
                        print(
                            f"{path.name:9s} ack p50 {f['ack_p50_ms']:5.1f} ms  p99 "
                            f"{f['ack_p99_ms']:5.1f} ms ({f['acked']:.0f} of "
                            f"{opts.rate * opts.seconds:.0f} acknowledged)  |  throughput "
                            f"{f['updates_per_s']:5.0f} updates/s, bot CPU "
                            f"{f['bot_cpu_ms_per_update']:.2f} ms/update",
                            flush=True,
                        )
            finally:
                stop_child(proc)
    tg_rate = figures["telegram"]["updates_per_s"]
    print(
        "against Telegram in this run: "
        + ", ".join(
            f"{name} {figures[name]['updates_per_s'] / tg_rate:.2f}×"
            for name in ("zalo_oa", "zalo_bot")
        )
    )
    met = all(figures[name]["ack_p99_ms"] <= TARGET_ACK_P99_MS for name in ("zalo_oa", "zalo_bot"))
    verdict = "met" if met else "NOT met"
    print(f"target: ack p99 ≤ {TARGET_ACK_P99_MS:.0f} ms on both Zalo paths: {verdict}")
    if opts.json:
        await asyncio.to_thread(Path(opts.json).write_text, json.dumps(figures, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=1500, help="new users per throughput run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200.0, help="updates/s for the ack runs")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of an ack run")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--serve", nargs=4, metavar=("TG", "OA", "ZB", "DB"), help=argparse.SUPPRESS
    )
    opts = parser.parse_args()
    if opts.serve:
        tg_url, oa_url, zb_url, db_url = opts.serve
        asyncio.run(serve(tg_url, oa_url, zb_url, db_url))
        return 0
    return asyncio.run(main_async(opts))


if __name__ == "__main__":
    sys.exit(main())
