"""Start, help, language, cancel, greetings and the polite fallback."""

from __future__ import annotations

from bot.context import Context
from bot.i18n import LANGUAGES
from bot.messages import Button
from bot.router import Router
from handlers.dossiers import open_deep_link
from handlers.menu import main_menu, show_menu
from lookup.fold import fold

router = Router("start")

_CANCEL_WORDS = {"huy", "thoat", "dung", "cancel", "stop", "quit", "exit", "huy bo"}
_GREETINGS = {
    "xin chao",
    "chao",
    "chao ban",
    "hello",
    "hi",
    "hey",
    "alo",
    "menu",
    "start",
    "bat dau",
    "chao bot",
}
_HELP_WORDS = {"help", "tro giup", "huong dan", "giup", "giup toi"}


@router.command("start", "batdau", "menu")
async def start(ctx: Context) -> None:
    ctx.end_flow()
    if ctx.args and await open_deep_link(ctx, ctx.args):
        return
    show_menu(ctx)


@router.payload("menu")
async def menu(ctx: Context) -> None:
    show_menu(ctx, "menu-title")


@router.command("help", "trogiup", "huongdan")
@router.payload("help")
async def help_(ctx: Context) -> None:
    ctx.say("help-text", main_menu(ctx))


@router.text(lambda ctx: fold(ctx.text) in _HELP_WORDS, priority=10)
async def help_words(ctx: Context) -> None:
    await help_(ctx)


@router.command("lang", "language", "ngonngu")
@router.payload("lang")
async def language(ctx: Context) -> None:
    choice = (ctx.payload_arg or ctx.args).strip().lower()
    if choice in LANGUAGES:
        ctx.conversation.language = choice
        ctx.say("language-set", main_menu(ctx))
        return
    ctx.say("language-choose", [Button("Tiếng Việt", "lang:vi"), Button("English", "lang:en")])


@router.command("cancel", "huy", "thoat")
async def cancel(ctx: Context) -> None:
    had_flow = ctx.flow is not None
    ctx.end_flow()
    ctx.say("cancel-done" if had_flow else "cancel-nothing", main_menu(ctx))


@router.text(lambda ctx: fold(ctx.text) in _CANCEL_WORDS, priority=0, before_flow=True)
async def cancel_words(ctx: Context) -> None:
    await cancel(ctx)


@router.text(lambda ctx: fold(ctx.text) in _GREETINGS, priority=5)
async def greeting(ctx: Context) -> None:
    show_menu(ctx)


async def fallback(ctx: Context) -> None:
    """Unknown command (free text always finds a handler)."""
    ctx.say("fallback-unknown-command", main_menu(ctx))


async def expired(ctx: Context) -> None:
    """A button from an old message whose action no longer exists."""
    ctx.say("button-expired", main_menu(ctx))


router.fallback = fallback
router.expired = expired
