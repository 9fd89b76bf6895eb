"""Pushes on the console: the dispatcher runs while ``motcua chat``/``demo`` runs, a push is
printed between turns (never inside a reply), its buttons can be pressed by number, and
``motcua dossiers event`` is how another terminal makes one happen."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TextIO

import pytest
from sqlalchemy import select as sql_select

from bot.app import App
from bot.channels.base import DeliveryError
from bot.channels.console import CHANNEL, ConsoleSender, Screen, run_chat, run_console
from bot.commands.dossiers import run_event
from bot.db.models import Outbox
from bot.demo import DEMO_CODE
from bot.messages import Button, Incoming, Reply
from tests.conftest import run_motcua

WAIT_SECONDS = 30.0  # generous: a loaded test machine is slow, a pass is quick


async def wait_for_text(out: io.StringIO, text: str, *, after: int = 0) -> int:
    """Wait until ``text`` is printed at or after offset ``after``; returns where it starts."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (found := out.getvalue().find(text, after)) < 0:
        assert time.monotonic() < deadline, f"{text!r} not printed; output: {out.getvalue()!r}"
        await asyncio.sleep(0.02)
    return found


def number_of(output: str, label: str) -> str:
    """The number printed before a button label ("  [2] 🔔 Báo tôi …" → "2"), the last one."""
    numbers: list[str] = re.findall(rf"^  \[(\d+)\] {re.escape(label)}", output, re.M)
    assert numbers, f"no button {label!r} in {output!r}"
    return numbers[-1]


@contextmanager
def pipe() -> Iterator[tuple[TextIO, Callable[[str], None], Callable[[], None]]]:
    """A real pipe as stdin: (reading end, write one line, close = end of input)."""
    read_fd, write_fd = os.pipe()
    stdin = os.fdopen(read_fd, "r", encoding="utf-8")
    closed = False

    def send(line: str) -> None:
        os.write(write_fd, (line + "\n").encode())

    def close() -> None:
        nonlocal closed
        if not closed:
            closed = True
            os.close(write_fd)

    try:
        yield stdin, send, close
    finally:
        close()
        stdin.close()


@asynccontextmanager
async def chat_running(
    app: App, stdin: TextIO, out: io.StringIO, user: str
) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(run_chat(app, user_id=user, stdin=stdin, stdout=out, echo=True))
    try:
        yield task
    finally:
        if not task.done():
            task.cancel()


def console_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "console-outbox" and not t.done()]


async def test_push_arrives_in_the_chat_after_an_event(
    app: App, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Another process applies the event: nothing wakes this dispatcher, it finds the row by
    # polling (shortened here).
    app.services.settings = app.services.settings.model_copy(update={"outbox_poll_seconds": 0.05})
    out = io.StringIO()
    with pipe() as (stdin, send, close):
        async with chat_running(app, stdin, out, "push-user") as task:
            send(DEMO_CODE)
            await wait_for_text(out, "[4]")
            send(number_of(out.getvalue(), "🔔 Báo tôi khi có thay đổi"))
            subscribed = await wait_for_text(out, "Đã bật thông báo")
            assert app.senders[CHANNEL].name == CHANNEL

            args = argparse.Namespace(
                db=database_url, code=DEMO_CODE, status=9, note="Mời nhận kết quả", due=None
            )
            assert await run_event(args) == 0
            assert "Đã đưa 1 thông báo" in capsys.readouterr().out

            push = await wait_for_text(out, "🔔 Hồ sơ", after=subscribed)
            await wait_for_text(out, "  [3] 📄 Xem hồ sơ\n\n", after=push)
            printed = out.getvalue()
            assert "vừa chuyển sang: Đã có kết quả, chờ bạn nhận." in printed[push:]
            assert "Ghi chú của cơ quan: Mời nhận kết quả" in printed[push:]
            # Between turns: after the whole reply ("[1] Tắt", "[2] Về menu"), as a block.
            assert printed[:push].endswith("  [2] ↩ Về menu chính\n\n")

            # The push's button, numbered after the reply's two, is pressed by its number.
            send("3")
            card = await wait_for_text(out, "> 3\nHồ sơ " + DEMO_CODE, after=push)
            await wait_for_text(out, "Tình trạng: Đã có kết quả, chờ bạn nhận", after=card)

            close()
            await asyncio.wait_for(task, WAIT_SECONDS)
    # Stopped cleanly at end of input: no dispatcher left, no sender registered.
    assert not console_tasks()
    assert CHANNEL not in app.senders
    async with app.services.db.read() as session:
        statuses = (await session.scalars(sql_select(Outbox.status))).all()
    assert statuses == ["sent"]


async def test_pushes_queued_before_the_input_ends_are_printed(app: App, database_url: str) -> None:
    """A transcript is complete: at end of input one last pass prints what was queued."""
    # Polls so rarely that only the pass at start and the one at the end can run here.
    app.services.settings = app.services.settings.model_copy(update={"outbox_poll_seconds": 600})
    out = io.StringIO()
    with pipe() as (stdin, send, close):
        async with chat_running(app, stdin, out, "eof-user") as task:
            send(DEMO_CODE)
            await wait_for_text(out, "[4]")
            send(number_of(out.getvalue(), "🔔 Báo tôi khi có thay đổi"))
            subscribed = await wait_for_text(out, "Đã bật thông báo")
            args = argparse.Namespace(db=database_url, code=DEMO_CODE, status=5, note="", due=None)
            assert await run_event(args) == 0
            close()
            await asyncio.wait_for(task, WAIT_SECONDS)
    assert "vừa chuyển sang: Cần bổ sung giấy tờ." in out.getvalue()[subscribed:]
    assert out.getvalue().endswith("  [3] 📄 Xem hồ sơ\n\n")


async def test_a_push_waits_for_the_reply_being_made(app: App) -> None:
    """A push that comes while a message is handled is printed after its replies."""
    handling = asyncio.Event()
    gate = asyncio.Event()
    handle = app.dialogue.handle

    async def slow_handle(incoming: Incoming) -> list[Reply]:
        handling.set()
        await gate.wait()
        return await handle(incoming)

    app.dialogue.handle = slow_handle  # type: ignore[method-assign]
    out = io.StringIO()
    screen = Screen(out, interactive=False)
    sender = ConsoleSender(screen, "slow-user")
    with pipe() as (stdin, send, close):
        chat = asyncio.create_task(
            run_console(app.dialogue, user_id="slow-user", stdin=stdin, screen=screen)
        )
        send("/start")
        await asyncio.wait_for(handling.wait(), WAIT_SECONDS)
        push = asyncio.create_task(
            sender.send("slow-user", [Reply("PUSH", (Button("📄 Xem hồ sơ", f"dc:{DEMO_CODE}"),))])
        )
        await asyncio.sleep(0.1)
        assert out.getvalue() == "" and not push.done()
        gate.set()
        await asyncio.wait_for(push, WAIT_SECONDS)
        printed = out.getvalue()
        assert printed.index("Xin chào") < printed.index("PUSH")
        assert printed.endswith("  [5] 👩\u200d💼 Gặp cán bộ\n\nPUSH\n  [6] 📄 Xem hồ sơ\n\n")
        send("6")  # the push's button
        card = await wait_for_text(out, f"Hồ sơ {DEMO_CODE}\n")
        send("2")  # the new reply numbers its own buttons: "2" is the card's second
        await wait_for_text(out, "Đã bật thông báo", after=card)
        close()
        await asyncio.wait_for(chat, WAIT_SECONDS)


async def test_interactive_push_keeps_the_prompt() -> None:
    out = io.StringIO()
    screen = Screen(out, interactive=True)
    screen.prompt()
    await screen.show_push([Reply("🔔 changed", (Button("📄 Xem hồ sơ", "dc:x"),))])
    # Off the prompt's line, the push, then the prompt again for what is being typed.
    assert out.getvalue() == "> \n🔔 changed\n  [1] 📄 Xem hồ sơ\n\n> "


async def test_a_push_for_another_console_user_is_left_for_that_user() -> None:
    out = io.StringIO()
    sender = ConsoleSender(Screen(out, interactive=False), "me")
    with pytest.raises(DeliveryError) as caught:
        await sender.send("someone-else", [Reply("not yours")])
    assert not caught.value.permanent  # retried later, when that user's chat may take it
    assert out.getvalue() == ""


async def test_event_on_an_unknown_dossier(
    app: App, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = "000.00.00.H31-250714-9999"
    args = argparse.Namespace(db=database_url, code=code, status=9, note="", due=None)
    assert await run_event(args) == 1
    assert f"Không có hồ sơ {code}" in capsys.readouterr().out


async def test_event_unchanged_status_and_nobody_following(
    app: App, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(db=database_url, code=DEMO_CODE, status=4, note="", due=None)
    assert await run_event(args) == 0  # already "processing"
    assert "không đổi" in capsys.readouterr().out
    args.status = 9
    assert await run_event(args) == 0
    assert "Chưa có cuộc trò chuyện nào theo dõi" in capsys.readouterr().out
    # A second change right after the first is applied too (not filed as older history).
    args.status = 10
    assert await run_event(args) == 0
    assert "Chưa có cuộc trò chuyện nào theo dõi" in capsys.readouterr().out


def test_event_arguments_are_checked(tmp_path: Path) -> None:
    db = {"MOTCUA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/args.db"}
    for argv in (
        ("000.00.00.H31-250714-0001", "11"),
        ("not-a-code", "9"),
        ("000.00.00.H31-250714-0001", "9", "--due", "28/07/2025"),
    ):
        done = run_motcua("dossiers", "event", *argv, cwd=tmp_path, env=db)
        assert done.returncode == 2, (argv, done.stderr)


class Child:
    """A ``motcua`` child process whose stdout is read as it comes."""

    def __init__(self, *args: str, cwd: Path, env: dict[str, str]) -> None:
        full_env = {**os.environ, **env}
        full_env.pop("TEST_DATABASE_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=full_env,
        )
        self.output = b""

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def wait_for(self, text: str) -> str:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + WAIT_SECONDS * 2
        while text.encode() not in self.output:
            assert time.monotonic() < deadline, f"{text!r} not in {self.output.decode()!r}"
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                chunk = os.read(fd, 65536)
                assert chunk, f"chat ended early: {self.output.decode()!r}"
                self.output += chunk
        return self.output.decode()


@pytest.mark.timeout(300)  # two interpreters starting on a loaded machine
def test_motcua_chat_prints_a_push_from_another_terminal(tmp_path: Path) -> None:
    """Two real processes: ``motcua chat`` on piped input, ``motcua dossiers event`` beside it."""
    env = {
        "MOTCUA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/demo.db",
        "MOTCUA_OUTBOX_POLL_SECONDS": "0.2",
    }
    chat = Child("chat", "--echo", cwd=tmp_path, env=env)
    try:
        chat.send(DEMO_CODE)
        chat.send("2")  # 🔔 Báo tôi khi có thay đổi
        chat.wait_for("Đã bật thông báo")
        event = run_motcua("dossiers", "event", DEMO_CODE, "9", cwd=tmp_path, env=env)
        assert event.returncode == 0, event.stderr
        assert "Đã đưa 1 thông báo" in event.stdout
        printed = chat.wait_for("  [3] 📄 Xem hồ sơ\n\n")
        assert f"🔔 Hồ sơ {DEMO_CODE} vừa chuyển sang: Đã có kết quả, chờ bạn nhận." in printed
        assert chat.proc.stdin is not None
        chat.proc.stdin.close()  # end of input: the dispatcher stops, the command exits
        assert chat.proc.wait(timeout=30) == 0
        assert chat.proc.stderr is not None
        assert chat.proc.stderr.read() == b""
    finally:
        if chat.proc.poll() is None:
            chat.proc.kill()
            chat.proc.wait()
