"""``python -m bench`` (``make bench``): run every benchmark in turn; each prints its figures."""

from __future__ import annotations

import subprocess
import sys

BENCHES = (
    "bench.search",
    "bench.lookup",
    "bench.dashboard",
    "bench.telegram_throughput",
    "bench.zalo_webhook",
    "bench.catalogue_report",
)


def main() -> int:
    failed = 0
    for name in BENCHES:
        print(f"\n=== {name}", flush=True)
        failed |= subprocess.run([sys.executable, "-m", name], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
