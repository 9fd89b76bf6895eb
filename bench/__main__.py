"""``python -m bench`` (``make bench``): run every benchmark in turn; each prints its figures."""

from __future__ import annotations

import subprocess
import sys

# (module, arguments). Fan-out: 10,000 subscribers at Telegram's and Zalo OA's 30/s (about six
# minutes each); Zalo Bot's 5/s with 1,500 (five minutes) rather than 10,000 (33 minutes).
BENCHES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bench.search", ()),
    ("bench.lookup", ()),
    ("bench.dashboard", ()),
    ("bench.telegram_throughput", ()),
    ("bench.zalo_webhook", ()),
    ("bench.fanout", ("--channels", "telegram,zalo_oa")),
    ("bench.fanout", ("--channels", "zalo_bot", "--subscribers", "1500")),
    ("bench.load", ()),
    ("bench.catalogue_report", ()),
    ("bench.startup", ()),
)


def main() -> int:
    failed = 0
    for name, args in BENCHES:
        print(f"\n=== {name} {' '.join(args)}".rstrip(), flush=True)
        failed |= subprocess.run([sys.executable, "-m", name, *args], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
