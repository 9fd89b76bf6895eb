"""Per-field report of a catalogue import, without a database.

``python -m bench.catalogue_report [FILE]`` parses every line as ``motcua catalogue import`` does
and prints, per channel row, how the fee and the time were read (parsed, free, text, not
published, flagged) and how clean the document lists are. FILE defaults to the national
catalogue in ../shared; exits 0 with a message when it is absent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.catalogue_io import FieldReport, read_records
from lookup.procedure import ProcedureRecord

DEFAULT = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "national-catalogue.jsonl.gz"
)


def report_of(path: Path) -> tuple[FieldReport, int]:
    """The per-field report of ``path`` and the number of rejected lines."""
    report = FieldReport()
    rejected = 0
    for _, rec in read_records(path):
        if isinstance(rec, ProcedureRecord):
            report.add(rec)
        else:
            rejected += 1
    return report, rejected


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    args = ap.parse_args(argv)
    if not args.file.is_file():
        print(f"no catalogue at {args.file}: nothing to report")
        return 0
    report, rejected = report_of(args.file)
    print(f"{args.file.name}: {report.procedures} procedures, {rejected} rejected")
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
