"""Push fan-out: one dossier status change notifies N subscribers at the messenger's limit.

For each channel (Telegram, Zalo OA, Zalo Bot) a fresh database is seeded with one dossier and
N chats following it; the bot runs in its own process (the real aiohttp server from
``bot.server.create_web_app`` with the events API, the outbox dispatcher and that channel); this
process runs the channel's fake API with its send limits *enforced* (``tests.fake_limits``: a
sliding one-second window overall and per chat, answered with the platform's "too many
requests"), and posts the change as a signed event to ``/api/v1/dossiers/events`` (``--events K``
posts a batch of K changes of the same dossier: K pushes per chat, which must arrive in order).

Printed per run and as medians: delivered, duplicates, lost, out of order, 429s seen by the fake,
wall time (event posted → last message at the fake), sustained rate and its ratio to the limit,
the most messages the fake accepted in any one-second window (never above the limit), and the
bot's CPU ms per push. The sustained rate is the mean over every run of C consecutive messages
(C = the limit per window) of C over the time they took: (M − C) / (mean of the last C arrival
times − mean of the first C), fair alike to a client that paces evenly and to one that sends a
window's budget at once (the plain (M − 1) / span flatters the latter by one burst).

    python -m bench.fanout [--subscribers 10000] [--runs 1] [--channels telegram,zalo_oa,zalo_bot]
                           [--events 1] [--db URL] [--json FILE]

A run takes about N × K / limit seconds: 10,000 pushes ≈ 333 s at Telegram's 30/s, and
≈ 2,000 s at the Zalo Bot channel's own 5/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_limits import SendLimits  # noqa: E402

CODE = "000.00.00.H31-251204-0001"
EVENTS_SECRET = "bench-fanout-events-secret"
OA_SECRET_KEY = "bench-fanout-oa-secret"
CHANNELS = ("telegram", "zalo_oa", "zalo_bot")
STALL_SECONDS = 150.0  # no new message for this long: the rest is lost (OA pauses 60 s on a 429)
LINGER_SECONDS = 2.0  # after the last expected message, watch for late duplicates
TARGET_RATIO = 0.95
CLK_TCK = os.sysconf("SC_CLK_TCK")
_NOTE = re.compile(r"fanout-note-(\d+)")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def limits_of(channel: str) -> tuple[int, int]:
    """(messages/s overall, messages/s per chat) the fake enforces: Telegram's documented bulk
    limit, and for Zalo the push budget the channel is configured with."""
    from bot.channels import zalo_bot
    from bot.channels.ratelimit import OutgoingLimiter

    if channel == "telegram":
        return 30, 1
    if channel == "zalo_oa":
        return round(OutgoingLimiter().push_per_second), 1
    return round(zalo_bot.PUSH_PER_SECOND), round(zalo_bot.CHAT_PER_SECOND)


def user_ids(channel: str, n: int) -> list[str]:
    """Chat ids in each platform's own shape."""
    if channel == "telegram":
        return [str(700_000_000 + i) for i in range(n)]
    if channel == "zalo_oa":
        return [str(8_100_000_000_000_000_000 + i) for i in range(n)]
    return [f"{0xB0000000 + i:020x}" for i in range(n)]


# The fakes, behind one face ------------------------------------------------------------------


class FakeSet:
    """Starts the fake API of one channel with its limits, and reads what it accepted."""

    def __init__(self, channel: str, overall: int, per_chat: int) -> None:
        self.channel = channel
        self.overall, self.per_chat = overall, per_chat
        self.server: Any = None

    async def __aenter__(self) -> FakeSet:
        if self.channel == "telegram":
            from tests.fake_telegram import FakeTelegram

            self.server = FakeTelegram(
                overall_per_second=self.overall, chat_per_second=self.per_chat
            )
            await self.server.start()
        elif self.channel == "zalo_oa":
            from tests.fake_zalo_oa import FakeZaloOA

            self.server = FakeZaloOA(overall_per_second=self.overall, chat_per_second=self.per_chat)
            await self.server.__aenter__()
        else:
            from tests.fake_zalo_bot import FakeZaloBot

            self.server = FakeZaloBot()
            self.server.limit(overall_per_second=self.overall, chat_per_second=self.per_chat)
            await self.server.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.channel == "telegram":
            await self.server.stop()
        else:
            await self.server.__aexit__(*exc)

    @property
    def base_url(self) -> str:
        url: str = self.server.base_url
        return url

    @property
    def limits(self) -> SendLimits:
        limits: SendLimits = self.server.limits
        return limits

    def texts(self) -> dict[str, list[str]]:
        """Chat → texts of the messages the fake accepted, in arrival order."""
        return {str(chat): [s.text for s in sent] for chat, sent in self.server.sent.items()}


def child_env(channel: str, base_url: str, db_url: str) -> dict[str, str]:
    env = dict(
        os.environ,
        MOTCUA_DATABASE_URL=db_url,
        MOTCUA_LOAD_DEMO_DATA="false",
        MOTCUA_LOG_LEVEL="WARNING",
        MOTCUA_PUBLIC_URL="",
        MOTCUA_EVENTS_SECRET=EVENTS_SECRET,
    )
    if channel == "telegram":
        from tests.fake_telegram import TOKEN

        env.update(MOTCUA_TELEGRAM_TOKEN=TOKEN, MOTCUA_TELEGRAM_BASE_URL=base_url)
    elif channel == "zalo_oa":
        from tests import fake_zalo_oa as oa

        env.update(
            MOTCUA_ZALO_OA_APP_ID=oa.APP_ID,
            MOTCUA_ZALO_OA_SECRET_KEY=OA_SECRET_KEY,
            MOTCUA_ZALO_OA_APP_SECRET=oa.APP_SECRET,
            MOTCUA_ZALO_OA_ACCESS_TOKEN=oa.ACCESS_TOKEN,
            MOTCUA_ZALO_OA_REFRESH_TOKEN=oa.REFRESH_TOKEN,
            MOTCUA_ZALO_OA_API_URL=base_url,
            MOTCUA_ZALO_OA_OAUTH_URL=base_url,
        )
    else:
        from tests.fake_zalo_bot import TOKEN as ZB_TOKEN

        env.update(MOTCUA_ZALO_BOT_TOKEN=ZB_TOKEN, MOTCUA_ZALO_BOT_API_URL=base_url)
    return env


# The bot's process ---------------------------------------------------------------------------


async def serve(channel: str) -> None:
    """Child: the server with the events API, the outbox and one channel (settings from env)."""
    from aiohttp import web

    from bot.app import open_app
    from bot.config import Settings
    from bot.logs import setup_logging
    from bot.server import create_web_app

    setup_logging("WARNING")
    async with open_app(Settings(_env_file=None)) as app:
        features = ("bot.http.events", "bot.outbox", f"bot.channels.{channel}")
        runner = web.AppRunner(create_web_app(app, features=features), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port: int = runner.addresses[0][1]
        print(f"READY {port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()


# Seeding -------------------------------------------------------------------------------------


async def seed(db_url: str, channel: str, users: list[str]) -> None:
    """One dossier (status 4, being processed) and ``users`` following it; for Zalo OA, each
    user wrote just now (the OA may only write within its window)."""
    from sqlalchemy import delete, insert

    from bot.db.engine import Database
    from bot.db.models import (
        Dossier,
        DossierEvent,
        Outbox,
        Subscription,
        ZaloOAToken,
        ZaloOAUser,
    )

    db = Database(db_url)
    try:
        await db.upgrade()
        now = datetime.now(UTC)
        async with db.begin() as conn:
            # A database given with --db is reused: start each run from the same state.
            for table in (Outbox, Subscription, DossierEvent, ZaloOAUser, ZaloOAToken):
                await conn.execute(delete(table))
            await conn.execute(delete(Dossier).where(Dossier.code == CODE))
            await conn.execute(
                insert(Dossier).values(
                    code=CODE,
                    procedure_name="Đăng ký khai sinh",
                    agency_name="UBND phường Ba Đình",
                    status=4,
                    received_at=now,
                    updated_at=now,
                )
            )
            rows = [
                {"dossier_code": CODE, "channel": channel, "user_id": u, "created_at": now}
                for u in users
            ]
            for i in range(0, len(rows), 2000):
                await conn.execute(insert(Subscription), rows[i : i + 2000])
            if channel == "zalo_oa":
                seen = [{"user_id": u, "last_inbound_at": now} for u in users]
                for i in range(0, len(seen), 2000):
                    await conn.execute(insert(ZaloOAUser), seen[i : i + 2000])
    finally:
        await db.dispose()


# One run -------------------------------------------------------------------------------------


@dataclass
class Run:
    channel: str
    subscribers: int
    events: int
    limit: float
    delivered: int  # distinct (chat, event) pushes that arrived
    duplicates: int
    lost: int
    out_of_order: int  # chats whose pushes arrived in another order than the events
    refused: int  # 429s the fake answered
    wall: float  # event posted → last message at the fake
    sustained: float  # messages/s from the first to the last message at the fake
    first_after: float  # event posted → first message at the fake
    peak: int  # most messages accepted within any one window
    cpu_ms_per_push: float

    @property
    def ratio(self) -> float:
        return self.sustained / self.limit

    def line(self) -> str:
        return (
            f"{self.channel:8s} N={self.subscribers}×{self.events}: delivered {self.delivered}, "
            f"duplicates {self.duplicates}, lost {self.lost}, out of order {self.out_of_order}, "
            f"429s {self.refused}, wall {self.wall:.1f} s, sustained {self.sustained:.2f}/s "
            f"= {self.ratio:.3f} × {self.limit:g}/s, peak {self.peak}/window, "
            f"first after {self.first_after:.2f} s, "
            f"bot CPU {self.cpu_ms_per_push:.1f} ms/push"
        )


def start_child(channel: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[str], int]:
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.fanout", "--serve", channel],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
            env=env,
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise RuntimeError(f"bot did not start: {line!r}; see {log}")
    return proc, int(line.split()[1])


def stop_child(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def signed(body: bytes) -> dict[str, str]:
    from bot.http.events import sign

    stamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-Motcua-Timestamp": stamp,
        "X-Motcua-Signature": sign(EVENTS_SECRET, stamp, body),
    }


def event_body(run: int, events: int) -> bytes:
    """One change (status 4 → 9), or a batch of ``events`` changes, each with a numbered note."""
    statuses = [9, 5, 9, 10, 9, 5]
    at = int(time.time())
    items = [
        {
            "event_id": f"fanout-{run}-{k}",
            "code": CODE,
            "status": statuses[k % len(statuses)],
            "at": datetime.fromtimestamp(at + k, UTC).isoformat(),
            "note": f"fanout-note-{k}",
        }
        for k in range(events)
    ]
    return json.dumps(items[0] if events == 1 else {"events": items}).encode()


async def wait_done(fake: FakeSet, expected: int, progress: Callable[[int], None]) -> None:
    """Until ``expected`` messages arrived, or none arrived for ``STALL_SECONDS``."""
    accepted = fake.limits.accepted
    last_count, last_change = 0, time.monotonic()
    next_report = time.monotonic() + 30.0
    while len(accepted) < expected:
        await asyncio.sleep(0.2)
        now = time.monotonic()
        if len(accepted) != last_count:
            last_count, last_change = len(accepted), now
        elif now - last_change > STALL_SECONDS:
            return
        if now >= next_report:
            progress(len(accepted))
            next_report = now + 30.0
    await asyncio.sleep(LINGER_SECONDS)


async def one_run(channel: str, n: int, events: int, run: int, db: str | None, tmp: Path) -> Run:
    overall, per_chat = limits_of(channel)
    users = user_ids(channel, n)
    db_url = db or f"sqlite+aiosqlite:///{tmp}/fanout-{channel}-{run}.db"
    await seed(db_url, channel, users)
    async with FakeSet(channel, overall, per_chat) as fake:
        env = child_env(channel, fake.base_url, db_url)
        log = tmp / f"bot-{channel}-{run}.log"
        proc, port = await asyncio.to_thread(start_child, channel, env, log)
        try:
            cpu0 = cpu_seconds(proc.pid)
            body = event_body(run, events)
            url = f"http://127.0.0.1:{port}/api/v1/dossiers/events"
            posted = time.monotonic()
            async with (
                aiohttp.ClientSession() as session,
                session.post(url, data=body, headers=signed(body)) as resp,
            ):
                if resp.status != 200:
                    raise RuntimeError(f"events API answered {resp.status}: {await resp.text()}")

            def progress(count: int) -> None:
                elapsed = time.monotonic() - posted
                print(f"  … {count} messages after {elapsed:.0f} s", flush=True)

            await wait_done(fake, n * events, progress)
            cpu = cpu_seconds(proc.pid) - cpu0
        finally:
            await asyncio.to_thread(stop_child, proc)
        return measure(fake, channel, users, events, overall, posted, cpu)


def sustained_rate(times: list[float], per_window: int) -> float:
    """Messages/s as the mean rate of every ``per_window`` consecutive arrivals."""
    c = per_window
    if len(times) <= c:
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return (len(times) - 1) / span if span > 0 else float("nan")
    return (len(times) - c) / ((sum(times[-c:]) - sum(times[:c])) / c)


def measure(
    fake: FakeSet,
    channel: str,
    users: list[str],
    events: int,
    limit: int,
    posted: float,
    cpu: float,
) -> Run:
    texts = fake.texts()
    delivered = duplicates = out_of_order = 0
    for user in users:
        notes = [int(m.group(1)) for t in texts.get(user, []) if (m := _NOTE.search(t))]
        distinct = set(notes)
        delivered += len(distinct)
        duplicates += len(notes) - len(distinct)
        firsts = list(dict.fromkeys(notes))
        out_of_order += firsts != sorted(firsts)
    times = [at for at, _ in fake.limits.accepted]
    window = fake.limits.window
    peak = start = 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        peak = max(peak, end - start + 1)
    return Run(
        channel=channel,
        subscribers=len(users),
        events=events,
        limit=float(limit),
        delivered=delivered,
        duplicates=duplicates,
        lost=len(users) * events - delivered,
        out_of_order=out_of_order,
        refused=fake.limits.refused,
        wall=(times[-1] - posted) if times else float("nan"),
        sustained=sustained_rate(times, limit),
        first_after=(times[0] - posted) if times else float("nan"),
        peak=peak,
        cpu_ms_per_push=1000 * cpu / max(1, len(times)),
    )


async def main_async(opts: argparse.Namespace) -> int:
    channels = [c.strip() for c in opts.channels.split(",") if c.strip()]
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise SystemExit(f"unknown channel(s): {', '.join(sorted(unknown))}")
    results: dict[str, list[Run]] = {}
    met = True
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for channel in channels:
            overall, per_chat = limits_of(channel)
            seconds = opts.subscribers * opts.events / overall
            print(
                f"{channel}: {opts.runs} run(s), {opts.subscribers} subscribers × {opts.events} "
                f"event(s), fake limits {overall}/s overall and {per_chat}/s per chat "
                f"(≈ {seconds:.0f} s a run)",
                flush=True,
            )
            runs = []
            for run in range(opts.runs):
                result = await one_run(channel, opts.subscribers, opts.events, run, opts.db, tmp)
                print("  " + result.line(), flush=True)
                runs.append(result)
            results[channel] = runs
            ok = all(r.lost == r.duplicates == r.refused == r.out_of_order == 0 for r in runs)
            ratio = statistics.median(r.ratio for r in runs)
            rate = statistics.median(r.sustained for r in runs)
            wall = statistics.median(r.wall for r in runs)
            hit = ok and ratio >= TARGET_RATIO
            met &= hit
            print(
                f"{channel}: median sustained {rate:.2f}/s = {ratio:.3f} × limit, "
                f"wall {wall:.1f} s;"
                f" target ≥ {TARGET_RATIO} × limit, no 429, none lost or duplicated: "
                f"{'met' if hit else 'NOT met'}",
                flush=True,
            )
    if opts.json:
        figures = {c: [r.__dict__ | {"ratio": r.ratio} for r in rs] for c, rs in results.items()}
        await asyncio.to_thread(Path(opts.json).write_text, json.dumps(figures, indent=2))
    print(f"targets: {'met' if met else 'NOT met'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000, help="N (default 10000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per channel (medians)")
    parser.add_argument("--channels", default=",".join(CHANNELS), help="comma-separated")
    parser.add_argument("--events", type=int, default=1, help="changes in one batch (K)")
    parser.add_argument("--db", help="database URL for the bot (default: SQLite in a temp dir)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--serve", choices=CHANNELS, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.serve:
        profile = os.environ.get("FANOUT_PROFILE")  # where the bot's CPU goes: a pstats file
        if profile:
            import cProfile

            with cProfile.Profile() as prof:
                asyncio.run(serve(opts.serve))
            prof.dump_stats(profile)
        else:
            asyncio.run(serve(opts.serve))
        return 0
    return asyncio.run(main_async(opts))


if __name__ == "__main__":
    sys.exit(main())
