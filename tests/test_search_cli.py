"""``motcua search --json``: the line-per-query interface that outside tooling relies on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bot.commands.search import chat_verdict
from lookup.search import Hit
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
    assert all(x["verdict"] in ("card", "did-you-mean", "not-found") for x in lines)
    assert lines[1]["verdict"] == "not-found" and lines[3]["verdict"] == "not-found"


def test_json_verdict_is_what_the_chat_does() -> None:
    done = run(
        "--catalogue",
        str(CATALOGUE),
        "--json",
        stdin="đăng ký khai sinh\ngiá vàng hôm nay\nđổi bằng lái mất mấy ngày\n",
    )
    assert done.returncode == 0, done.stderr
    card, nothing, time = (json.loads(line) for line in done.stdout.splitlines())
    assert card["verdict"] == "card" and card["results"][0]["code"] == "1.001193"
    assert nothing["verdict"] == "not-found"
    # The aspect the chat answers first: none for a bare name, the time for "mất mấy ngày".
    assert card["aspect"] is None and nothing["aspect"] is None
    assert time["aspect"] == "time" and time["results"][0]["code"] == "3.000347"


def test_chat_verdict_names_every_verdict() -> None:
    assert chat_verdict([]) == "not-found"
    assert chat_verdict([Hit("1", "Đăng ký khai sinh", 0.9)]) == "card"
    close = [Hit("1", "Đăng ký khai sinh", 0.8), Hit("2", "Đăng ký khai tử", 0.78)]
    assert chat_verdict(close) == "did-you-mean"


def test_single_query_against_a_database(tmp_path: Path) -> None:
    done = run("giay doc than", "--db", f"sqlite+aiosqlite:///{tmp_path}/s.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1.004873" in done.stdout.splitlines()[1]
