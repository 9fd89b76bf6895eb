"""Terminal chat: one line in, replies printed; buttons become numbered lines.

With piped stdin it prints only replies (no prompt, no banner), so scripts can drive it;
``echo`` also prints each input line (``> line``) before its replies, for transcripts.

:func:`run_chat` adds pushes: while the chat runs, the outbox dispatcher sends this user's
status notifications to the terminal. A push is printed between turns, never inside a reply
(one :class:`Screen` lock orders them), and in interactive mode the prompt is shown again after
it. Its buttons are numbered after the ones already on screen, and typing such a number presses
the push's button: the console sends its payload itself, as a messenger sends a pressed button,
since the dialogue only knows the buttons of its own last reply.
"""

from __future__ import annotations

import asyncio
import codecs
import dataclasses
import logging
import os
import stat
import sys
from typing import TextIO

from bot.app import App
from bot.channels.base import DeliveryError
from bot.db.models import utcnow
from bot.dialogue import Dialogue
from bot.messages import Incoming, Reply
from bot.outbox import Dispatcher, run_dispatcher

log = logging.getLogger(__name__)

CHANNEL = "console"
PROMPT = "> "
ECHO_PREFIX = PROMPT  # a transcript reads like the session in a terminal
DISPATCHER_STOP_SECONDS = 10.0
READ_CHUNK = 65536


def render(replies: list[Reply], first: int = 1) -> str:
    """Plain-text rendering; buttons are numbered across the turn (type the number), from
    ``first`` (a push continues the numbers already on screen)."""
    blocks: list[str] = []
    n = first - 1
    for reply in replies:
        lines = [reply.plain()]
        for button in reply.buttons:
            n += 1
            lines.append(f"  [{n}] {button.label}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def is_interactive(stdin: TextIO, stdout: TextIO) -> bool:
    """A person at a terminal: prompt shown, typed lines already on screen."""
    return stdin.isatty() and stdout.isatty()


class Screen:
    """The terminal, shared by the chat's replies and the pushes: one writer at a time.

    Numbering: a reply's buttons are [1]..[n], as the dialogue maps typed numbers (it stores
    them as the turn's menu); the buttons of pushes printed after it go on from n + 1 until
    the next reply, and :meth:`incoming` turns such a number into that button's payload.
    """

    def __init__(self, out: TextIO, *, interactive: bool) -> None:
        self.out = out
        self.interactive = interactive
        self.lock = asyncio.Lock()
        self.prompting = False  # the prompt is on screen and the user may be typing after it
        self._menu_size = 0  # buttons of the last reply printed
        self._pushed: list[str] = []  # payloads of push buttons printed since that reply

    def prompt(self) -> None:
        if self.interactive:
            self.out.write(PROMPT)
            self.out.flush()
            self.prompting = True

    def echo(self, line: str) -> None:
        # In a terminal the line is on screen already, after the prompt.
        if not self.interactive:
            self.out.write(f"{ECHO_PREFIX}{line}\n")

    def show_replies(self, replies: list[Reply]) -> None:
        """Print a turn's replies; call with :attr:`lock` held."""
        if replies:
            self.out.write(render(replies) + "\n\n")
            self._menu_size = sum(len(r.buttons) for r in replies)
            self._pushed = []
        self.out.flush()

    async def show_push(self, replies: list[Reply]) -> None:
        """Print a push between turns, with the prompt again if it was showing."""
        async with self.lock:
            first = self._menu_size + len(self._pushed) + 1
            # Leave the prompt's line (and whatever was typed on it) as it is.
            lead = "\n" if self.prompting else ""
            self.out.write(lead + render(replies, first) + "\n\n")
            self._pushed.extend(b.payload for r in replies for b in r.buttons)
            if self.prompting:
                self.out.write(PROMPT)
            self.out.flush()

    def incoming(self, text: str, user_id: str, language: str | None) -> Incoming:
        """The message for a typed line: a push button's payload when its number was typed."""
        typed = text.strip()
        # The dialogue's rule for a typed number (at most two digits).
        if typed.isdigit() and len(typed) <= 2:
            index = int(typed) - self._menu_size - 1
            if 0 <= index < len(self._pushed):
                return Incoming(
                    CHANNEL, user_id, payload=self._pushed[index], language_hint=language
                )
        return Incoming(CHANNEL, user_id, text=text, language_hint=language)


class ConsoleSender:
    """Pushes (status notifications) printed to the terminal of this chat's user."""

    name = CHANNEL
    idempotent = False

    def __init__(self, screen: Screen, user_id: str) -> None:
        self.screen = screen
        self.user_id = user_id

    async def send(
        self, user_id: str, replies: list[Reply], *, idempotency_key: str | None = None
    ) -> None:
        if user_id != self.user_id:
            # Another console user's push: the outbox retries it later, when that user's chat
            # (in another terminal) may take it.
            raise DeliveryError("that console user is not in this chat")
        await self.screen.show_push(replies)


class LineReader:
    """stdin lines for the event loop, without a thread that Ctrl-C would have to wait for.

    A terminal or a pipe is watched with ``loop.add_reader`` and read with ``os.read``; a
    regular file, an in-memory stream or a loop without ``add_reader`` (Windows) is read in
    the default executor, where a read does not block for long.
    """

    def __init__(self, stdin: TextIO) -> None:
        self.stdin = stdin
        self._fd = self._watchable_fd(stdin)
        encoding = getattr(stdin, "encoding", None) or "utf-8"
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._buffer = ""
        self._eof = False

    @staticmethod
    def _watchable_fd(stdin: TextIO) -> int | None:
        try:
            fd = stdin.fileno()
            mode = os.fstat(fd).st_mode
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
            return None
        if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode):
            return fd
        return None

    async def readline(self) -> str:
        """The next line with its newline; the last one may lack it; "" at end of input."""
        if self._fd is not None:
            try:
                return await self._read_fd(self._fd)
            except (NotImplementedError, PermissionError):
                self._fd = None  # this loop or this device cannot be watched
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.stdin.readline)

    async def _read_fd(self, fd: int) -> str:
        while "\n" not in self._buffer and not self._eof:
            await self._readable(fd)
            chunk = os.read(fd, READ_CHUNK)
            self._eof = not chunk
            self._buffer += self._decoder.decode(chunk, final=self._eof)
        line, newline, rest = self._buffer.partition("\n")
        self._buffer = rest
        return line + newline

    @staticmethod
    async def _readable(fd: int) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)


async def run_console(
    dialogue: Dialogue,
    *,
    user_id: str = "local",
    language: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    echo: bool = False,
    screen: Screen | None = None,
) -> None:
    """Chat until EOF (Ctrl-D) or Ctrl-C. ``screen`` is shared with a push sender."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if screen is None:
        screen = Screen(stdout, interactive=is_interactive(stdin, stdout))
    lines = LineReader(stdin)
    try:
        while True:
            screen.prompt()
            line = await lines.readline()
            screen.prompting = False
            if not line:
                break
            text = line.rstrip("\r\n")
            async with screen.lock:  # a push waits until this turn's replies are printed
                if echo:
                    screen.echo(text)
                replies = await dialogue.handle(screen.incoming(text, user_id, language))
                screen.show_replies(replies)
    finally:
        if screen.interactive:  # the shell's prompt starts on a line of its own
            screen.out.write("\n")
            screen.out.flush()


async def run_chat(
    app: App,
    *,
    user_id: str = "local",
    language: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    echo: bool = False,
) -> None:
    """:func:`run_console` with this user's pushes printed while it runs (``motcua chat``,
    ``motcua demo``). Other processes queue pushes in the shared database, so the dispatcher
    finds them by polling every ``settings.outbox_poll_seconds``."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    screen = Screen(stdout, interactive=is_interactive(stdin, stdout))
    sender = ConsoleSender(screen, user_id)
    app.senders[CHANNEL] = sender
    # Leases and retry delays are real seconds, compared with other processes' (serve runs on
    # real time); a demo clock only changes what the conversation says about dates.
    outbox_app = App(
        services=dataclasses.replace(app.services, clock=utcnow),
        dialogue=app.dialogue,
        senders=app.senders,
    )
    stop = asyncio.Event()
    dispatcher = asyncio.create_task(run_dispatcher(outbox_app, stop), name="console-outbox")
    ended = False
    try:
        await run_console(
            app.dialogue,
            user_id=user_id,
            language=language,
            stdin=stdin,
            stdout=stdout,
            echo=echo,
            screen=screen,
        )
        ended = True
    finally:
        stop.set()
        try:
            # The pass under way finishes (a claimed push is printed, not left claimed); at the
            # end of input one more pass prints what was queued since the last poll, so a
            # transcript holds every push that came before its input ended.
            await asyncio.wait_for(dispatcher, DISPATCHER_STOP_SECONDS)
            if ended:
                await asyncio.wait_for(Dispatcher(outbox_app).run_once(), DISPATCHER_STOP_SECONDS)
        except Exception:
            log.exception("console push dispatcher stopped with an error")
        if app.senders.get(CHANNEL) is sender:
            del app.senders[CHANNEL]
