"""Load: many simulated citizens for a while, through the Telegram webhook, on PostgreSQL with
two ``motcua serve`` workers sharing one database.

Layout (loopback only): two real ``motcua serve`` processes (``python -m bot serve``, settings
from ``MOTCUA_`` variables as in production) on one PostgreSQL database; this process runs the
fake Bot API (``tests.fake_telegram``, which also checks every message against Telegram's
limits) and the simulated users. Each user posts an update to one of the workers (round robin,
as a load balancer would, so one user's turns land on both), waits for the answer, reads for
1-3 s, and goes on with its script; the scripts mix procedure questions, dossier codes, postal
conversations and button presses. Reported: updates/s answered, p50/p99 latency (POST until the
turn's first message reached the fake API), errors (webhook answers other than 200, the
internal-error apology, messages the fake refused, ERROR lines in the workers' logs), lost
replies (no answer within 15 s), and each worker's RSS before and after.

The database is emptied first (its schema is dropped), so its name must say it is for tests:
it must contain ``load``, ``bench`` or ``test``. Without a reachable PostgreSQL the benchmark
says so and skips.

    python -m bench.load [--users 1000] [--seconds 60] [--db URL] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.telegram_throughput import cpu_seconds  # noqa: E402
from bot.i18n import t  # noqa: E402
from tests.fake_telegram import (  # noqa: E402
    TOKEN,
    Call,
    FakeTelegram,
    Sent,
    callback_update,
    message_update,
)
from tests.reliability import record  # noqa: E402

SECRET = "bench-load-secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_DB = "postgresql+asyncpg://postgres@127.0.0.1:5432/motcua_load"
WORKERS = 2
# An update not answered this long after it was first posted is counted as lost (a slow answer
# is not lost: the latency says how slow).
ANSWER_TIMEOUT = 60.0
POST_TIMEOUT = 30.0
MAX_RETRY_AFTER = 5.0
THINK = (1.0, 3.0)  # a citizen reads the answer before the next message
FIRST_USER = 900_000_000
DEMO_CODE = "000.00.00.H31-250714-0001"
APOLOGY = t("vi", "error-internal")

# Scripts, cycled by each user; "press:N" presses the N-th button of the last turn (or types N
# when there was none, as on a channel without buttons).
SCRIPTS: tuple[tuple[str, ...], ...] = (
    # procedure questions
    ("lam giay khai sinh cho con", "press:1", "đổi bằng lái", "press:1", "/help"),
    # dossier codes, one unknown (well under the allowance of unknown codes)
    (DEMO_CODE, "press:1", "000.00.00.H31-250714-9999", "/start", "press:2", DEMO_CODE),
    # the postal conversation, cancelled at the end (one dossier serves every user)
    (
        "/buudien",
        DEMO_CODE,
        DEMO_CODE[-4:],
        "press:1",
        "0912 345 678",
        "Số 5 Lê Lợi",
        "phường Lê Chân, Hải Phòng",
        "/huy",
    ),
    # menus and buttons
    ("/start", "press:1", "/start", "press:4", "press:1", "/cancel"),
)


class CountingFake(FakeTelegram):
    """The fake Bot API without its call log (lean), counting the messages it refused."""

    refused = 0

    def _note(self, call: Call) -> None:
        if call.status != 200 and call.method in ("sendMessage", "editMessageText"):
            self.refused += 1
        super()._note(call)


@dataclass
class Figures:
    """What the users saw."""

    latencies: list[float] = field(default_factory=list)
    updates: int = 0
    lost: int = 0
    http_errors: int = 0  # answers other than 200 and 503, refused connections
    busy: int = 0  # 503 with Retry-After: back-pressure, re-posted as the messenger would
    apologies: int = 0


class Users:
    """The simulated citizens and the fake Bot API's view of their chats."""

    def __init__(self, fake: FakeTelegram, urls: list[str], figures: Figures) -> None:
        self.fake = fake
        self.urls = itertools.cycle(urls)
        self.figures = figures
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.last: dict[int, list[Sent]] = {}
        self.ids = itertools.count(1)
        fake.on_message = self._on_message

    def _on_message(self, sent: Sent) -> None:
        self.last.setdefault(sent.chat_id, []).append(sent)
        if APOLOGY in sent.text:
            self.figures.apologies += 1
        fut = self.waiting.pop(sent.chat_id, None)
        if fut is not None and not fut.done():
            fut.set_result(time.perf_counter())

    async def run(self, session: aiohttp.ClientSession, user: int, until: float) -> None:
        """One citizen: its script, over and over, until the time is up."""
        rng = random.Random(user)
        script = SCRIPTS[user % len(SCRIPTS)]
        await asyncio.sleep(rng.uniform(0, THINK[1]))  # users arrive spread out
        for step in itertools.cycle(script):
            if time.perf_counter() >= until:
                return
            await self.turn(session, user, step)
            await asyncio.sleep(min(rng.uniform(*THINK), max(0.0, until - time.perf_counter())))

    async def turn(self, session: aiohttp.ClientSession, user: int, step: str) -> None:
        uid = next(self.ids)
        update = message_update(uid, user, step)
        if step.startswith("press:"):
            n = int(step.split(":")[1])
            data = [d for sent in self.last.get(user, []) for _, d in sent.buttons]
            update = (
                callback_update(uid, user, data[n - 1])
                if len(data) >= n
                else message_update(uid, user, str(n))
            )
        self.last[user] = []
        fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[user] = fut
        start = time.perf_counter()
        deadline = start + ANSWER_TIMEOUT
        self.figures.updates += 1
        body = json.dumps(update)
        # Like Telegram: anything but a 200 is delivered again later (same update_id), after
        # Retry-After when the bot gave one.
        while not fut.done():
            try:
                async with session.post(
                    next(self.urls),
                    data=body,
                    headers={HEADER: SECRET, "Content-Type": "application/json"},
                ) as resp:
                    status, retry = resp.status, resp.headers.get("Retry-After", "1")
            except (aiohttp.ClientError, TimeoutError):
                status, retry = 0, "1"
            if status == 200:
                break
            if status == 503:
                self.figures.busy += 1
            else:
                self.figures.http_errors += 1
            pause = min(MAX_RETRY_AFTER, float(retry) if retry.isdigit() else 1.0)
            if time.perf_counter() + pause >= deadline:
                break
            await asyncio.sleep(pause)
        try:
            done = await asyncio.wait_for(fut, max(0.0, deadline - time.perf_counter()))
        except TimeoutError:
            self.waiting.pop(user, None)
            self.figures.lost += 1
            return
        self.figures.latencies.append(done - start)


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def fresh_database(url: str) -> str | None:
    """Drop and recreate the schema; None when it worked, else why not."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from bot.db.engine import Database

    name = make_url(url).database or ""
    if not url.startswith("postgresql") or not re.search(r"load|bench|test", name):
        return f"refusing to empty {name!r}: a PostgreSQL database named for tests is needed"
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # unreachable or missing: skip, as benchmarks without data do
        return f"PostgreSQL unavailable at {make_url(url).render_as_string()}: {exc!r:.200}"
    finally:
        await db.dispose()
    return None


def start_worker(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[str]:
    """``motcua serve`` on ``port``; returns once it listens."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening" not in line:
        proc.kill()
        raise RuntimeError(f"worker did not start ({line!r}); see {log}")
    return proc


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def log_errors(log: Path) -> list[str]:
    """ERROR and CRITICAL lines a worker wrote (JSON lines, or tracebacks)."""
    lines = log.read_text(errors="replace").splitlines()
    return [ln for ln in lines if '"ERROR"' in ln or '"CRITICAL"' in ln or "Traceback" in ln]


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


async def main_async(opts: argparse.Namespace) -> int:
    why = await fresh_database(opts.db)
    if why:
        print(f"skipped: {why}")
        return 0
    figures = Figures()
    with tempfile.TemporaryDirectory() as tmp:
        fake = CountingFake(record=False)
        async with fake:
            env = {
                "MOTCUA_DATABASE_URL": opts.db,
                "MOTCUA_TELEGRAM_TOKEN": TOKEN,
                "MOTCUA_TELEGRAM_BASE_URL": fake.base_url,
                "MOTCUA_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "MOTCUA_PUBLIC_URL": "",
                "MOTCUA_LOAD_DEMO_DATA": "true",
                "MOTCUA_LOG_LEVEL": "WARNING",
                "MOTCUA_HTTP_HOST": "127.0.0.1",
            }
            logs = [Path(tmp) / f"worker{i}.log" for i in range(WORKERS)]
            ports = [free_port() for _ in range(WORKERS)]
            workers: list[subprocess.Popen[str]] = []
            try:
                # One after the other: the first migrates and loads the demo data.
                for port, log in zip(ports, logs, strict=True):
                    proc = await asyncio.to_thread(start_worker, env, port, log)
                    workers.append(proc)
                await asyncio.sleep(1.0)  # the channels connect to the fake Bot API
                rss_before = [rss_mib(p.pid) for p in workers]
                cpu_before = sum(cpu_seconds(p.pid) for p in workers)
                urls = [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports]
                users = Users(fake, urls, figures)
                conn = aiohttp.TCPConnector(limit=opts.users)
                timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT)
                started = time.perf_counter()
                until = started + opts.seconds
                async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
                    await asyncio.gather(
                        *(users.run(session, FIRST_USER + i, until) for i in range(opts.users))
                    )
                elapsed = time.perf_counter() - started
                rss_after = [rss_mib(p.pid) for p in workers]
                cpu = sum(cpu_seconds(p.pid) for p in workers) - cpu_before
                refused = fake.refused
            finally:
                for proc in workers:
                    proc.terminate()
                for proc in workers:
                    try:
                        await asyncio.to_thread(proc.wait, 15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            worker_errors = [line for log in logs for line in log_errors(log)]
    answered = len(figures.latencies)
    errors = figures.http_errors + figures.apologies + refused + len(worker_errors)
    out: dict[str, Any] = {
        "users": opts.users,
        "seconds": round(elapsed, 1),
        "workers": WORKERS,
        "updates": figures.updates,
        "answered": answered,
        "updates_per_s": round(answered / elapsed, 1),
        "p50_ms": round(pct(figures.latencies, 0.50), 1),
        "p99_ms": round(pct(figures.latencies, 0.99), 1),
        # CPU the workers spent per answered update: what the machine's other load cannot
        # change (the latencies can: they include waiting for a core).
        "worker_cpu_ms_per_update": round(1000 * cpu / max(1, answered), 2),
        "load_average_1min": os.getloadavg()[0],
        "errors": errors,
        "http_errors": figures.http_errors,
        "busy_503_retried": figures.busy,
        "apologies": figures.apologies,
        "refused_by_api": refused,
        "worker_error_lines": len(worker_errors),
        "lost": figures.lost,
        "rss_mib_before": [round(x, 1) for x in rss_before],
        "rss_mib_after": [round(x, 1) for x in rss_after],
    }
    print(
        f"{opts.users} users × {elapsed:.0f} s, {WORKERS} workers on PostgreSQL: "
        f"{out['updates_per_s']:.0f} updates/s answered ({answered} of {figures.updates}), "
        f"p50 {out['p50_ms']:.0f} ms, p99 {out['p99_ms']:.0f} ms, worker CPU "
        f"{out['worker_cpu_ms_per_update']:.1f} ms/update (load average "
        f"{out['load_average_1min']:.1f}); errors {errors} "
        f"(HTTP {figures.http_errors}, apologies {figures.apologies}, refused by the API "
        f"{refused}, worker log {len(worker_errors)}); 503 busy (re-posted) {figures.busy}; "
        f"lost {figures.lost}; RSS MiB "
        + ", ".join(
            f"worker {i + 1} {b:.0f} → {a:.0f}"
            for i, (b, a) in enumerate(zip(rss_before, rss_after, strict=True))
        ),
        flush=True,
    )
    for line in worker_errors[:5]:
        print("  worker:", line[:300])
    print(
        f"targets: errors 0: {'met' if errors == 0 else 'NOT met'}; "
        f"lost 0: {'met' if figures.lost == 0 else 'NOT met'}"
    )
    if opts.json:
        await asyncio.to_thread(Path(opts.json).write_text, json.dumps(out, indent=2))
    if opts.seconds >= 60 and opts.users >= 1000:  # only a full run stands for the guarantee
        record(
            "bench/load.py",
            "Under load (1,000 users for 60 s, two workers on PostgreSQL, mixed traffic through "
            "the webhook) every update is answered: no errors, no lost replies",
            database="postgresql",
            users=opts.users,
            seconds=out["seconds"],
            updates=figures.updates,
            updates_per_s=out["updates_per_s"],
            p50_ms=out["p50_ms"],
            p99_ms=out["p99_ms"],
            # Latency depends on the cores the workers got; their CPU per update does not.
            worker_cpu_ms_per_update=out["worker_cpu_ms_per_update"],
            load_average=round(out["load_average_1min"], 1),
            errors=errors,
            lost=figures.lost,
            rss_mib_growth=round(max(a - b for a, b in zip(rss_after, rss_before, strict=True)), 1),
        )
    return 0 if errors == 0 and figures.lost == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--db",
        default=os.environ.get("MOTCUA_LOAD_DATABASE_URL", DEFAULT_DB),
        help=f"PostgreSQL URL, emptied first (default: $MOTCUA_LOAD_DATABASE_URL or {DEFAULT_DB})",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    opts = parser.parse_args()
    return asyncio.run(main_async(opts))


if __name__ == "__main__":
    sys.exit(main())
