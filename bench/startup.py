"""Start-up benchmark: time to the first reply and resident memory, and catalogue import time.

``python -m bench.startup [--runs N] [--catalogue PATH] [--postgres-url URL] [--reference DIR]
[--skip-large]``

For three catalogue sizes in the database (the bundled demo catalogue; the national catalogue,
2,642 procedures; the national catalogue replicated 10× as ``bench/search.py`` does it, 26,420
procedures) it starts ``motcua chat`` as a child process, sends one message and measures the
wall time until the first reply line (start-up, storage, catalogue and index loading, and one
answer) and the child's resident memory at that moment (VmRSS; VmHWM, the peak, beside it).
Then it times ``motcua catalogue import`` of the national file into a fresh SQLite database and
a fresh PostgreSQL one (and a second, idempotent import). Every figure is the median of
``--runs`` runs (default 3); one unmeasured run first warms the caches.

Children run with Python's bytecode cache on (in a temporary directory, not the work tree), as
an installed bot has it: a fresh source tree would compile every module on each start.
``--reference DIR`` runs the same measurements with another checkout (e.g. the previous release
extracted by ``git archive``) side by side, each on databases its own code prepared.

PostgreSQL: ``--postgres-url`` (or ``MOTCUA_BENCH_POSTGRES_URL``) must name a database made for
the benchmark (its ``public`` schema is dropped and rebuilt); by default a database
``motcua_bench_startup`` is created on the local server when it answers, and that part is
skipped when it does not. Exits 0 with a message when the shared national catalogue is absent.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CATALOGUE = REPO.parent / "shared" / "data" / "national-catalogue.jsonl.gz"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/motcua_bench_startup"
MESSAGE = "doi bang lai"
TIMEOUT = 300.0
TARGETS = {"bundled": None, "national": (1.5, 150), "x10": (4.0, 400)}


def child_env(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["MOTCUA_LOG_LEVEL"] = "WARNING"
    return env


def status(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a running process, in MB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) // 1024
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def ready_probe(code: Path, url: str, env: dict[str, str]) -> tuple[float, int, int]:
    """Seconds from spawning ``motcua chat`` to its first reply line, and its memory then."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--db", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=code,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(f"{MESSAGE}\n".encode())
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
        line = proc.stdout.readline() if ready else b""
        elapsed = time.perf_counter() - started
        if not line:
            _, err = proc.communicate(timeout=TIMEOUT)
            raise RuntimeError(f"no reply from motcua chat: {err.decode(errors='replace')[-800:]}")
        rss, hwm = status(proc.pid)
        proc.communicate(timeout=TIMEOUT)  # closes stdin: the chat ends
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return elapsed, rss, hwm


def run_cli(code: Path, env: dict[str, str], *args: str) -> float:
    """Wall seconds of one ``motcua`` command; fails loudly on a non-zero exit."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        cwd=code,
        env=env,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"motcua {' '.join(args)}: {done.stderr.decode(errors='replace')[-800:]}"
        )
    return time.perf_counter() - started


def replicated_file(catalogue: Path, out: Path, times: int = 10) -> int:
    """The national catalogue ×times in the project format: copies get a unit/variant suffix and
    a province-style code suffix, drawn as ``bench.search.replicate`` draws them."""
    from bench.search import _UNITS
    from bot.catalogue_io import read_records

    records = [r for _, r in read_records(catalogue) if not isinstance(r, Exception)]
    rnd = random.Random(7)
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        for k in range(times):
            for r in records:
                copy = r
                if k:
                    unit = rnd.choice(_UNITS)
                    copy = dataclasses.replace(
                        r, code=f"{r.code}.000.00.00.H{k:02d}", name=f"{r.name} {unit} {k}"
                    )
                fh.write(json.dumps(copy.to_dict(), ensure_ascii=False) + "\n")
                count += 1
    return count


async def reset_postgres(url: str) -> None:
    """Create the benchmark's database if needed and empty its ``public`` schema."""
    import asyncpg

    u = make_url(url)
    plain = u.set(drivername="postgresql")
    admin = plain.set(database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin, timeout=5)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", u.database)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{u.database}"')
    finally:
        await conn.close()
    conn = await asyncpg.connect(plain.render_as_string(hide_password=False), timeout=5)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def measure_start(
    code: Path, sizes: dict[str, str], env: dict[str, str], runs: int
) -> dict[str, tuple[float, int, int]]:
    out = {}
    for name, url in sizes.items():
        ready_probe(code, url, env)  # warm-up: demo data, stored index, bytecode, page cache
        samples = [ready_probe(code, url, env) for _ in range(runs)]
        out[name] = (
            median([s[0] for s in samples]),
            int(median([s[1] for s in samples])),
            int(median([s[2] for s in samples])),
        )
    return out


def measure_import(
    code: Path, catalogue: Path, urls: dict[str, str], env: dict[str, str], runs: int
) -> dict[str, tuple[float, float]]:
    """(first import into an empty database, second import of the same file) per database."""
    out = {}
    for kind, url in urls.items():
        first, second = [], []
        for n in range(runs + 1):
            if kind == "PostgreSQL":
                asyncio.run(reset_postgres(url))
            else:
                path = make_url(url).database
                assert path
                Path(path).unlink(missing_ok=True)
            one = run_cli(code, env, "catalogue", "import", str(catalogue), "--db", url)
            two = run_cli(code, env, "catalogue", "import", str(catalogue), "--db", url)
            if n:  # the first round warms the caches
                first.append(one)
                second.append(two)
        out[kind] = (median(first), median(second))
    return out


def prepare(
    code: Path, work: Path, catalogue: Path, big: Path | None, env: dict[str, str]
) -> dict[str, str]:
    """One SQLite database per catalogue size, filled by this checkout's own commands."""
    urls = {"bundled": f"sqlite+aiosqlite:///{work}/bundled.db"}
    run_cli(code, env, "db", "upgrade", "--db", urls["bundled"])
    urls["national"] = f"sqlite+aiosqlite:///{work}/national.db"
    run_cli(code, env, "catalogue", "import", str(catalogue), "--db", urls["national"])
    if big is not None:
        urls["x10"] = f"sqlite+aiosqlite:///{work}/x10.db"
        run_cli(code, env, "catalogue", "import", str(big), "--db", urls["x10"])
    return urls


def postgres_url(arg: str | None) -> str | None:
    """The PostgreSQL database to import into, or None when no server answers."""
    url = arg or os.environ.get("MOTCUA_BENCH_POSTGRES_URL") or DEFAULT_PG
    try:
        asyncio.run(reset_postgres(url))
    except Exception as exc:
        print(f"PostgreSQL import skipped: {type(exc).__name__}: {exc}")
        return None
    return url


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="measured runs per figure (median)")
    ap.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    ap.add_argument("--postgres-url", help="PostgreSQL database made for the benchmark")
    ap.add_argument("--reference", type=Path, help="another checkout to measure side by side")
    ap.add_argument("--skip-large", action="store_true", help="skip the 26,420-procedure size")
    ap.add_argument("--skip-import", action="store_true", help="skip the import timings")
    args = ap.parse_args(argv)
    if not args.catalogue.exists():
        print(f"bench.startup skipped: national catalogue not found ({args.catalogue})")
        return 0
    runs = max(1, args.runs)
    codes = {"this": REPO}
    if args.reference is not None:
        codes["reference"] = args.reference.resolve()
    pg = None if args.skip_import else postgres_url(args.postgres_url)
    with tempfile.TemporaryDirectory(prefix="motcua-startup-") as tmp:
        work = Path(tmp)
        big = None
        if not args.skip_large:
            big = work / "x10.jsonl"
            print(f"replicated catalogue: {replicated_file(args.catalogue, big)} procedures")
        starts: dict[str, dict[str, tuple[float, int, int]]] = {}
        imports: dict[str, dict[str, tuple[float, float]]] = {}
        for label, code in codes.items():
            env = child_env(work / f"pyc-{label}")
            dbs = work / label
            dbs.mkdir()
            started = time.perf_counter()
            urls = prepare(code, dbs, args.catalogue, big, env)
            print(f"[{label}] databases prepared in {time.perf_counter() - started:.0f} s")
            starts[label] = measure_start(code, urls, env, runs)
            if not args.skip_import:
                targets = {"SQLite": f"sqlite+aiosqlite:///{dbs}/import.db"}
                if pg is not None:
                    targets["PostgreSQL"] = pg
                imports[label] = measure_import(code, args.catalogue, targets, env, runs)
    print(f"\nready = spawn `motcua chat` → first reply to {MESSAGE!r}; medians of {runs} runs")
    for label in codes:
        for name, (secs, rss, hwm) in starts[label].items():
            target = TARGETS.get(name)
            goal = f"  (target ≤ {target[0]} s, ≤ {target[1]} MB)" if target else ""
            print(
                f"[{label}] {name:9} ready {secs:5.2f} s  RSS {rss:4d} MB  peak {hwm:4d} MB{goal}"
            )
    for label in imports:
        for kind, (first, second) in imports[label].items():
            print(
                f"[{label}] import national into {kind:10}: {first:5.2f} s"
                f" (again, unchanged: {second:5.2f} s)  (target ≤ 3 s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
