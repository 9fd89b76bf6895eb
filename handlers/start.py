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

# Everyday ways to stop, folded; they end any flow at any step (a flow never reads them as an
# answer: "thôi" is nobody's name). "không" is left out: it answers yes/no questions.
_CANCEL_WORDS = {
    "huy",
    "huy bo",
    "huy di",
    "thoat",
    "dung",
    "dung lai",
    "thoi",
    "thoi khoi",
    "thoi bo di",
    "thoi khong can",
    "thoi khong can nua",
    "khong can nua",
    "khong can nua dau",
    "bo di",
    "cancel",
    "stop",
    "quit",
    "exit",
    "never mind",
    "nevermind",
    "forget it",
}
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
        ctx.choose_language(choice)
        ctx.say("language-set", main_menu(ctx))
        return
    ctx.say("language-choose", [Button("Tiếng Việt", "lang:vi"), Button("English", "lang:en")])


@router.command("cancel", "huy", "thoat")
async def cancel(ctx: Context) -> None:
    had_flow = ctx.flow is not None
    ctx.end_flow()
    ctx.say("cancel-done" if had_flow else "cancel-nothing", main_menu(ctx))


def _wants_to_stop(ctx: Context) -> bool:
    return fold(ctx.text).lower().strip(" .!?,") in _CANCEL_WORDS


@router.text(_wants_to_stop, priority=0, before_flow=True)
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
