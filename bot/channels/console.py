"""Terminal chat: one line in, replies printed; buttons become numbered lines.

With piped stdin it prints only replies (no prompt, no banner), so scripts can drive it.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.dialogue import Dialogue
from bot.messages import Incoming, Reply

CHANNEL = "console"


def render(replies: list[Reply]) -> str:
    """Plain-text rendering; buttons are numbered across the turn (type the number)."""
    blocks: list[str] = []
    n = 0
    for reply in replies:
        lines = [reply.plain()]
        for button in reply.buttons:
            n += 1
            lines.append(f"  [{n}] {button.label}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class ConsoleSender:
    """Pushes (status notifications) printed to the terminal."""

    name = CHANNEL
    idempotent = False

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None:
        self.out.write(render(replies) + "\n\n")
        self.out.flush()


async def run_console(
    dialogue: Dialogue,
    *,
    user_id: str = "local",
    language: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    """Chat until EOF (Ctrl-D) or Ctrl-C."""
    interactive = stdin.isatty() and stdout.isatty()
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        incoming = Incoming(
            channel=CHANNEL, user_id=user_id, text=line.rstrip("\n"), language_hint=language
        )
        replies = await dialogue.handle(incoming)
        if replies:
            stdout.write(render(replies) + "\n\n")
            stdout.flush()
