"""Write ``docs/reliability.md`` from the reliability suite's output, never by hand.

Inputs: the figures tests record with :func:`tests.reliability.record` (one JSON file per test
and database under ``var/reliability/``: the guarantee it proves, what it tried, what went
wrong), and the JUnit XML files of the last pytest runs (``var/reliability/*.xml``, written by
``make reliability`` with ``--junitxml``), which say whether each test passed. A guarantee is
listed with every test that recorded figures for it; a test that failed in the last run, or
recorded but did not run, is shown as such, so the document never claims more than the suite
showed.

To add a guarantee, a test calls ``record(node_id, "the guarantee", trials=…, lost=0, …)``; the
next ``make reliability`` lists it (add its file to ``RELIABILITY_TESTS`` in the Makefile so the
target runs it).

    python -m bench.reliability_report [--figures DIR] [--out docs/reliability.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "var" / "reliability"
OUT = ROOT / "docs" / "reliability.md"
# Figures whose target is zero: a non-zero value is shown as a failure whatever the test said.
ZERO_TARGETS = frozenset(
    {
        "lost",
        "duplicated",
        "errors",
        "internal_errors",
        "server_errors",
        "worker_errors",
        "rows_written",
        "leaks",
        "stuck",
        "refused_by_telegram",
    }
)


@dataclass
class Entry:
    """One test's figures on one database."""

    test: str
    guarantee: str
    database: str
    figures: dict[str, Any]
    recorded_at: str
    outcome: str  # passed, failed, skipped, not run


def outcomes(directory: Path) -> tuple[dict[str, str], dict[str, str]]:
    """From JUnit XML files: the outcome per test node id (``path::name``, parameters
    dropped; one failing parameter fails the test), and the expected failures (xfail) with
    their reasons: known gaps, reported and not yet fixed."""
    found: dict[str, str] = {}
    xfails: dict[str, str] = {}
    rank = {"failed": 3, "passed": 2, "skipped": 1}
    for path in sorted(directory.glob("*.xml")):
        try:
            tree = ET.parse(path)
        except ET.ParseError:
            continue
        for case in tree.iter("testcase"):
            classname = case.get("classname", "")
            name = case.get("name", "").split("[")[0]
            node = classname.replace(".", "/") + ".py::" + name
            skipped = case.find("skipped")
            if case.find("failure") is not None or case.find("error") is not None:
                outcome = "failed"
            elif skipped is not None:
                outcome = "skipped"
                if skipped.get("type") == "pytest.xfail":
                    xfails[node] = skipped.get("message", "")
            else:
                outcome = "passed"
            if rank[outcome] > rank.get(found.get(node, ""), 0):
                found[node] = outcome
    return found, xfails


def load(directory: Path) -> tuple[list[Entry], dict[str, str]]:
    """The recorded figures with each test's outcome, and the known gaps."""
    results, xfails = outcomes(directory)
    entries = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        test = str(data.get("test", path.stem))
        # Benchmarks (not pytest) record too: their own run is their outcome.
        default = "passed" if not test.startswith("tests/") else "not run"
        entries.append(
            Entry(
                test=test,
                guarantee=str(data.get("guarantee", "")),
                database=str(data.get("database", "")),
                figures=dict(data.get("figures", {})),
                recorded_at=str(data.get("recorded_at", "")),
                outcome=results.get(test, default),
            )
        )
    return entries, xfails


def _value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def _verdict(entry: Entry) -> str:
    missed = [k for k in ZERO_TARGETS if entry.figures.get(k, 0) not in (0, 0.0)]
    if entry.outcome == "failed" or missed:
        return "**failed**" + (f" ({', '.join(sorted(missed))} ≠ 0)" if missed else "")
    return {"passed": "held", "not run": "not run in the last suite run"}.get(
        entry.outcome, entry.outcome
    )


def render(entries: list[Entry], xfails: dict[str, str] | None = None) -> str:
    by_guarantee: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_guarantee[entry.guarantee].append(entry)
    lines = [
        "# Reliability",
        "",
        "<!-- Generated by `make reliability` (bench/reliability_report.py) from the figures the",
        "     tests record under var/reliability/; edit the tests, not this file. -->",
        "",
        "Each guarantee below is proved by the tests listed under it, with the figures of their",
        "latest run on each database: what was tried (inputs, requests, trials, faults",
        "injected) and what went wrong (lost, duplicated, errors: the target is 0). A test",
        "that failed, or did not run in the last `make reliability`, says so.",
        "",
    ]
    if not entries:
        lines += ["No figures recorded yet: run `make reliability`.", ""]
    for n, guarantee in enumerate(sorted(by_guarantee), 1):
        lines += [f"## {n}. {guarantee}", ""]
        lines += [
            "| test | database | result | figures | recorded (UTC) |",
            "|---|---|---|---|---|",
        ]
        for e in sorted(by_guarantee[guarantee], key=lambda e: (e.test, e.database)):
            figures = ", ".join(f"{k} {_value(v)}" for k, v in e.figures.items())
            lines.append(
                f"| `{e.test}` | {e.database} | {_verdict(e)} | {figures} | "
                f"{e.recorded_at.replace('T', ' ').removesuffix('+00:00')} |"
            )
        lines.append("")
    totals: dict[str, float] = defaultdict(float)
    for e in entries:
        for key in ("inputs", "requests", "trials", "faults", "updates", *ZERO_TARGETS):
            value = e.figures.get(key)
            if isinstance(value, int | float):
                totals[key] += value
    if totals:
        lines += [
            "## Totals",
            "",
            ", ".join(f"{k} {_value(v)}" for k, v in sorted(totals.items())) + ".",
            "",
        ]
    if xfails:
        lines += [
            "## Known gaps",
            "",
            "Tests marked as expected failures: the fault is reported and not fixed yet. Each",
            "mark is strict, so the test fails once the fault is fixed and the mark must go.",
            "",
        ]
        lines += [f"- `{node}`: {reason}" for node, reason in sorted(xfails.items())]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--figures", type=Path, default=FIGURES)
    parser.add_argument("--out", type=Path, default=OUT)
    opts = parser.parse_args()
    entries, xfails = load(opts.figures)
    opts.out.write_text(render(entries, xfails), encoding="utf-8")
    failed = [e.test for e in entries if _verdict(e).startswith("**failed")]
    print(f"{opts.out}: {len(entries)} results, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
