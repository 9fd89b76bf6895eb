"""Routes one message to one handler: commands, button payloads, active flows, free text.

Each feature in ``handlers/`` owns a :class:`Router`; ``handlers.build_router`` includes them
all. Order of precedence: button payload, slash command, global text (e.g. "hủy"), the active
flow, then free-text matchers by priority, then the fallback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.context import Context

Handler = Callable[[Context], Awaitable[None]]
Matcher = Callable[[Context], bool]
Observer = Callable[[Context], None]


@dataclass(frozen=True)
class _TextRoute:
    priority: int
    matcher: Matcher
    handler: Handler
    before_flow: bool


class Router:
    """A set of routes; routers can include other routers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, Handler] = {}
        self.payloads: dict[str, Handler] = {}
        self.flows: dict[str, Handler] = {}
        self.texts: list[_TextRoute] = []
        self.fallback: Handler | None = None
        self.expired: Handler | None = None
        self.observers: list[Observer] = []

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        """Handle ``/name`` (case-insensitive); ``ctx.args`` holds the rest of the line."""

        def deco(fn: Handler) -> Handler:
            for name in names:
                self.commands[name.lower()] = fn
            return fn

        return deco

    def payload(self, prefix: str) -> Callable[[Handler], Handler]:
        """Handle button payloads ``prefix`` or ``prefix:arg``; ``ctx.payload_arg`` is arg."""

        def deco(fn: Handler) -> Handler:
            self.payloads[prefix] = fn
            return fn

        return deco

    def flow(self, name: str) -> Callable[[Handler], Handler]:
        """Handle every text message while the conversation is in flow ``name``."""

        def deco(fn: Handler) -> Handler:
            self.flows[name] = fn
            return fn

        return deco

    def text(
        self, matcher: Matcher, *, priority: int = 50, before_flow: bool = False
    ) -> Callable[[Handler], Handler]:
        """Handle free text for which ``matcher`` is true (lower priority runs first)."""

        def deco(fn: Handler) -> Handler:
            self.texts.append(_TextRoute(priority, matcher, fn, before_flow))
            return fn

        return deco

    def observe(self, fn: Observer) -> Observer:
        """Run ``fn`` on every message before it is routed (it answers nothing): for what a
        feature must see of each message, e.g. keeping the recent texts."""
        self.observers.append(fn)
        return fn

    def include(self, other: Router) -> None:
        for mine, theirs in (
            (self.commands, other.commands),
            (self.payloads, other.payloads),
            (self.flows, other.flows),
        ):
            clash = mine.keys() & theirs.keys()
            if clash:
                raise ValueError(f"{other.name}: routes already taken: {sorted(clash)}")
            mine.update(theirs)
        self.texts.extend(other.texts)
        self.texts.sort(key=lambda r: r.priority)
        self.observers.extend(other.observers)
        self.fallback = other.fallback or self.fallback
        self.expired = other.expired or self.expired

    async def dispatch(self, ctx: Context) -> None:
        for observe in self.observers:
            observe(ctx)
        if ctx.payload is not None:
            prefix, _, arg = ctx.payload.partition(":")
            ctx.payload_arg = arg
            handler = self.payloads.get(prefix)
            if handler is None and self.expired is not None:
                handler = self.expired
            if handler is not None:
                await handler(ctx)
            return
        if ctx.command is not None:
            cmd = self.commands.get(ctx.command)
            if cmd is not None:
                await cmd(ctx)
                return
        for route in self.texts:
            if route.before_flow and route.matcher(ctx):
                await route.handler(ctx)
                return
        if ctx.command is None and ctx.flow and ctx.flow in self.flows:
            await self.flows[ctx.flow](ctx)
            return
        if ctx.command is None:
            for route in self.texts:
                if not route.before_flow and route.matcher(ctx):
                    await route.handler(ctx)
                    return
        if self.fallback is not None:
            await self.fallback(ctx)
