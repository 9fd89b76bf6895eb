"""The dialogue core: ordering, de-duplication, crash safety, state across restarts, bad input."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.app import App, build_dialogue
from bot.catalogue import Catalogue
from bot.context import Context
from bot.db.engine import Database
from bot.db.models import Conversation, ProcessedDelivery
from bot.dialogue import Dialogue
from bot.messages import Incoming
from bot.services import Services
from handlers import build_router
from tests.conftest import Chat


async def test_start_shows_greeting_and_menu(chat: Chat) -> None:
    await chat.send("/start")
    assert "Xin chào" in chat.text
    assert len(chat.buttons) == 5
    assert any("Tra cứu thủ tục" in b for b in chat.buttons)


async def test_typing_a_number_presses_the_button(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("4")
    assert "Choose your language" in chat.text
    await chat.send("2")
    assert "Switched to English" in chat.text


async def test_language_is_remembered_per_user(app: App) -> None:
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    await alice.send("/lang en")
    await alice.send("/help")
    await bob.send("/help")
    assert "How to use me" in alice.text
    assert "Cách dùng" in bob.text


async def test_language_hint_sets_the_first_language(app: App) -> None:
    chat = Chat(app, "carol", lang="en-GB")
    await chat.send("/start")
    assert "Hello" in chat.text


async def test_state_survives_a_restart(services: Services, database_url: str) -> None:
    first = Chat(App(services, build_dialogue(services)), "dave")
    await first.send("/lang en")
    # A new process: new engine, same database.
    db2 = Database(database_url)
    try:
        catalogue = Catalogue()
        await catalogue.reload(db2)
        services2 = Services(
            settings=services.settings, db=db2, catalogue=catalogue, clock=services.clock
        )
        second = Chat(App(services2, build_dialogue(services2)), "dave")
        await second.send("/help")
        assert "How to use me" in second.text
    finally:
        await db2.dispose()


async def test_duplicate_delivery_is_answered_once(chat: Chat, services: Services) -> None:
    first = await chat.send("/start", delivery_id="42")
    second = await chat.send("/start", delivery_id="42")
    assert first and second == []
    async with services.db.read() as s:
        assert await s.scalar(select(func.count()).select_from(ProcessedDelivery)) == 1


async def test_one_users_messages_are_handled_in_order(app: App) -> None:
    order: list[str] = []
    router = build_router()

    @router.command("slow")
    async def slow(ctx: Context) -> None:
        await asyncio.sleep(0.05)
        order.append(ctx.args)

    dialogue = Dialogue(app.services, router)
    await asyncio.gather(
        *(dialogue.handle(Incoming("test", "erin", text=f"/slow {i}")) for i in range(5))
    )
    assert order == ["0", "1", "2", "3", "4"]


async def test_a_crash_loses_nothing(app: App, services: Services) -> None:
    router = build_router()
    calls = 0

    @router.command("boom")
    async def boom(ctx: Context) -> None:
        nonlocal calls
        calls += 1
        ctx.conversation.language = "en"
        if calls == 1:
            raise RuntimeError("handler bug")
        ctx.say("cancel-nothing")

    dialogue = Dialogue(services, router)
    replies = await dialogue.handle(Incoming("test", "frank", text="/boom", delivery_id="d1"))
    assert "sự cố" in replies[0].text  # polite apology in the user's language
    async with services.db.read() as s:
        conv = await s.scalar(select(Conversation).where(Conversation.user_id == "frank"))
        assert conv is None  # the half-done transaction was rolled back
    # The platform retries the same delivery: it is processed, not dropped as a duplicate.
    replies = await dialogue.handle(Incoming("test", "frank", text="/boom", delivery_id="d1"))
    assert "nothing in progress" in replies[0].text


async def test_bad_input_gets_polite_answers(chat: Chat) -> None:
    await chat.send("   ")
    assert "trống" in chat.text
    await chat.send("a" * 5000)
    assert "dài quá" in chat.text
    await chat.send("/khongco")
    assert "chưa hiểu lệnh" in chat.text
    await chat.send("\x00\x07")
    assert "trống" in chat.text


async def test_cancel_leaves_any_flow(services: Services) -> None:
    router = build_router()
    seen: list[str] = []

    @router.command("ask")
    async def ask(ctx: Context) -> None:
        ctx.start_flow("ask", "name")

    @router.flow("ask")
    async def in_flow(ctx: Context) -> None:
        seen.append(ctx.text)

    chat = Chat(App(services, Dialogue(services, router)), "gina")
    await chat.send("/ask")
    await chat.send("Nguyen Van A")
    await chat.send("Hủy")
    assert "Đã hủy" in chat.text
    await chat.send("/ask")
    await chat.send("/cancel")
    assert "Đã hủy" in chat.text
    assert seen == ["Nguyen Van A"]


async def test_personal_numbers_are_refused(chat: Chat) -> None:
    await chat.send("so dien thoai cua toi la 0912345678")
    assert "đừng gửi số điện thoại" in chat.text
