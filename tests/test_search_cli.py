"""``motcua search --json``: the line-per-query interface that outside tooling relies on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_motcua

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "bot" / "data" / "catalogue.jsonl"


def run(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_motcua("search", *args, stdin=stdin, cwd=cwd)


def test_json_lines_from_stdin_in_rank_order() -> None:
    done = run(
        "--catalogue",
        str(CATALOGUE),
        "--json",
        "--limit",
        "3",
        stdin="lam giay khai sinh\n\nđổi bằng lái\n😀\n",
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [x["query"] for x in lines] == ["lam giay khai sinh", "", "đổi bằng lái", "😀"]
    first = lines[0]["results"]
    assert first[0]["code"] == "1.001193"
    assert set(first[0]) == {"code", "name", "score"}
    assert len(first) <= 3
    scores = [r["score"] for r in first]
    assert scores == sorted(scores, reverse=True)
    assert lines[1]["results"] == [] and lines[3]["results"] == []
    assert lines[2]["results"][0]["code"] == "3.000347"


def test_single_query_against_a_database(tmp_path: Path) -> None:
    done = run("giay doc than", "--db", f"sqlite+aiosqlite:///{tmp_path}/s.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1.004873" in done.stdout.splitlines()[1]
