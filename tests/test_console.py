"""The console channel: conversation scripts in-process, and the real ``motcua chat`` command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.console import render, run_console
from bot.messages import Button, Reply
from tests.conftest import Chat, run_motcua
from tests.scripts import SCRIPTS

ROOT = Path(__file__).resolve().parents[1]


def test_buttons_are_numbered_across_replies() -> None:
    out = render([Reply("a", (Button("x", "1"),)), Reply("b", (Button("y", "2"),), title="T")])
    assert out == "a\n  [1] x\n\nT\nb\n  [2] y"


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
