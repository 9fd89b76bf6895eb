"""The main menu: the buttons every feature offers to go back to, in one place."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Button


def main_menu(ctx: Context) -> list[Button]:
    return [
        ctx.button("menu-procedure", "pq"),
        ctx.button("menu-dossier", "ds"),
        ctx.button("menu-postal", "pd"),
        ctx.button("menu-language", "lang"),
        ctx.button("handoff-btn-open", "hf"),  # handlers/handoff.py (it imports this module)
    ]


def show_menu(ctx: Context, key: str = "start-greeting") -> None:
    """Reply with the message ``key`` and the main menu."""
    ctx.say(key, main_menu(ctx))


def back_to_menu(ctx: Context) -> list[Button]:
    """A single "main menu" button, for answers that end a path."""
    return [ctx.button("ds-btn-menu", "menu")]
