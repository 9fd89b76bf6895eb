"""The console channel: conversation scripts in-process, and the real ``motcua chat`` command."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.console import render, run_console
from bot.cli import build_parser
from bot.commands import chat as chat_command
from bot.db.engine import Database
from bot.db.models import Dossier
from bot.demo import DEMO_CODE, holds_demo_data
from bot.domain import DossierStatus
from bot.messages import Button, Reply
from tests.conftest import Chat, run_motcua
from tests.scripts import SCRIPTS

ROOT = Path(__file__).resolve().parents[1]


def test_buttons_are_numbered_across_replies() -> None:
    out = render([Reply("a", (Button("x", "1"),)), Reply("b", (Button("y", "2"),), title="T")])
    assert out == "a\n  [1] x\n\nT\nb\n  [2] y"
    assert render([Reply("p", (Button("z", "3"),))], first=5) == "p\n  [5] z"


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_script_on_collecting_channel(app: App, name: str) -> None:
    chat = Chat(app, user=f"script-{name}")
    for said, expected in SCRIPTS[name]:
        if said.startswith("press:"):
            n = int(said.split(":")[1])
            payloads = [b.payload for r in chat.last for b in r.buttons]
            await chat.payload(payloads[n - 1])
        else:
            await chat.send(said)
        for piece in expected:
            assert piece in chat.text, f"{said!r}: {piece!r} not in {chat.text!r}"


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_script_on_console(app: App, name: str) -> None:
    # One turn at a time, so each turn's output can be checked against its step.
    for i, (said, expected) in enumerate(SCRIPTS[name]):
        line = said.split(":")[1] if said.startswith("press:") else said
        out = io.StringIO()
        await run_console(
            app.dialogue, user_id=f"console-{name}", stdin=io.StringIO(line + "\n"), stdout=out
        )
        for piece in expected:
            assert piece in out.getvalue(), f"step {i} {said!r}: {piece!r} not in output"


def test_motcua_chat_with_piped_stdin(tmp_path: Path) -> None:
    """The real command: greeting printed, nothing else on stdout, exit code 0."""
    db = {"MOTCUA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/chat.db"}
    done = run_motcua("chat", stdin="/start\n", cwd=tmp_path, env=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Xin chào")
    assert "[1]" in done.stdout


async def run_chat_command(
    argv: list[str],
    stdin_text: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    """``motcua chat ARGV`` as the command line runs it, with ``stdin_text`` piped in."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, stdin_text.encode())
    os.close(write_fd)
    with os.fdopen(read_fd, "r", encoding="utf-8") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        args = build_parser().parse_args(["chat", *argv])
        assert args.func is chat_command.run
        assert await chat_command.run(args) == 0
    return capsys.readouterr().out


async def test_chat_on_the_demo_data_runs_on_the_demo_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``printf '/start\\n<code>\\n' | motcua chat`` tells the story ``motcua demo`` tells."""
    db = ["--db", f"sqlite+aiosqlite:///{tmp_path}/demo.db"]
    out = await run_chat_command(db, f"/start\n{DEMO_CODE}\n", monkeypatch, capsys)
    assert out.startswith("Xin chào")
    assert f"Hồ sơ {DEMO_CODE}" in out
    assert "quá hạn" not in out
    assert "Đúng tiến độ: còn 8 ngày đến ngày hẹn trả." in out  # due 28/07, today 20/07/2025

    out = await run_chat_command([*db, "--real-clock"], f"{DEMO_CODE}\n", monkeypatch, capsys)
    assert "⚠️ Đã quá hạn" in out  # today, long after the demo's due date


async def test_the_demo_clock_is_for_the_demo_data_only(app: App) -> None:
    db: Database = app.services.db
    assert await holds_demo_data(db)
    async with db.transaction() as session:
        session.add(
            Dossier(
                code="000.00.00.H31-260105-0001",
                procedure_name="Thủ tục của đơn vị",
                status=int(DossierStatus.RECEIVED),
            )
        )
    assert not await holds_demo_data(db)  # an operator's own dossier: real dates apply


async def test_echo_prints_each_line_before_its_replies(app: App) -> None:
    out = io.StringIO()
    await run_console(
        app.dialogue,
        user_id="echo",
        stdin=io.StringIO(f"/start\n{DEMO_CODE}\n"),
        stdout=out,
        echo=True,
    )
    printed = out.getvalue()
    assert printed.startswith("> /start\nXin chào")
    assert f"\n\n> {DEMO_CODE}\nHồ sơ {DEMO_CODE}\n" in printed


def test_motcua_chat_echo_transcript(tmp_path: Path) -> None:
    db = {"MOTCUA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/echo.db"}
    done = run_motcua("chat", "--echo", stdin=f"/start\n{DEMO_CODE}\n", cwd=tmp_path, env=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("> /start\nXin chào")
    assert f"> {DEMO_CODE}\nHồ sơ {DEMO_CODE}" in done.stdout
    assert "quá hạn" not in done.stdout
