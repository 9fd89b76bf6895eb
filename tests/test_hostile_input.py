"""Hostile chat input in every conversation state, rendered by every channel.

A curated list (NUL bytes, lone surrogates, control and bidi characters, emoji, 10,000
characters, injections, forged button payloads, menu numbers out of range) and a property-based
run (hypothesis, fixed seed) go to a user in each state of the conversation: idle, menu,
procedure search, dossier lookup, the second factor, every step of the postal flow, a
conversation with an officer. What a citizen would notice is checked for every input:

- at least one reply, polite and in the user's language, never the internal-error apology;
- every renderer (test channel, console, Telegram, Zalo OA, Zalo Bot) turns it into parts
  within that platform's limits, Telegram's HTML well formed with only our own ``<b>``;
- ``/start`` afterwards still greets them: no input leaves a conversation stuck.

On PostgreSQL (``TEST_DATABASE_URL``) a text or payload the database refuses (DBAPIError) would
surface as the apology, so the same assertions cover it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App
from bot.channels import console, telegram, zalo_bot, zalo_oa
from bot.channels.render import utf16_len
from bot.db.models import Conversation
from bot.i18n import t
from bot.messages import Reply
from tests.conftest import Chat
from tests.fake_telegram import ApiError, callback_update, message_update, parse_html
from tests.postal_fixtures import OPEN, PHONE, add_postal_data
from tests.reliability import record
from tests.scripts import DEMO_CODE
from tests.telegram_webhook import telegram_webhook

# What a reply in each language contains at least one of (outside the text the user sent).
LANGUAGE_WORDS = {
    "vi": re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", re.I),
    "en": re.compile(r"\b(you|your|please|the|to|of|is|not|a|or|and)\b", re.I),
}
GREETING = {"vi": "Xin chào", "en": "Hello"}
APOLOGY_VI = t("vi", "error-internal")
# Characters a terminal or a messenger would act on rather than show (C0 controls but newline).
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
TELEGRAM_TAGS = re.compile(r"</?([a-zA-Z-]+)")


@dataclass(frozen=True)
class State:
    """A conversation state: how a user gets there, and their language."""

    name: str
    steps: tuple[str, ...]  # text, "press:<label part>" or "payload:<payload>"
    lang: str = "vi"


POSTAL = ("payload:pd:" + OPEN, PHONE[-4:])  # the dossier card's postal button, second factor
STATES = (
    State("idle", ()),
    State("idle_en", ("/lang en",), lang="en"),
    State("menu", ("/start",)),
    State("search_results", ("giấy phép",)),
    State("did_you_mean", ("lái xe",)),
    State("procedure_card", ("lam giay khai sinh cho con", "press:Giấy tờ")),
    State("dossier_code_prompt", ("/start", "press:hồ sơ")),
    State("dossier_card", (DEMO_CODE,)),
    State("second_factor", ("payload:pd:" + OPEN,)),
    State("postal_name", POSTAL),
    State("postal_phone", (*POSTAL, "press:Dùng tên")),
    State("postal_street", (*POSTAL, "press:Dùng tên", "0912 345 678")),
    State("postal_ward", (*POSTAL, "press:Dùng tên", "0912 345 678", "Số 5 Lê Lợi")),
    State(
        "postal_note",
        (*POSTAL, "press:Dùng tên", "0912 345 678", "Số 5 Lê Lợi", "phường Lê Chân, Hải Phòng"),
    ),
    State(
        "postal_cod",
        (
            *POSTAL,
            "press:Dùng tên",
            "0912 345 678",
            "Số 5 Lê Lợi",
            "phường Lê Chân, Hải Phòng",
            "press:Bỏ qua",
        ),
    ),
    State(
        "postal_confirm",
        (
            *POSTAL,
            "press:Dùng tên",
            "0912 345 678",
            "Số 5 Lê Lợi",
            "phường Lê Chân, Hải Phòng",
            "press:Bỏ qua",
            "press:Có",
        ),
    ),
    State("postal_en", ("/lang en", *POSTAL), lang="en"),
    State("handoff", ("payload:hf",)),
)

LONG = "đăng ký khai sinh " * 600  # about 10,000 characters
CURATED_TEXT = (
    "",
    " ",
    "\t\n \u3000",
    "\x00",
    "abc\x00def",
    "\x1b[31mđỏ\x1b[0m",
    "\x07\x08\x7f",
    "\u202ekhai sinh\u202c",
    "\u200f\u200e\u2066\u2069",
    "\ufeff",
    "😀" * 50,
    "👨‍👩‍👧‍👦🏳️‍🌈",
    "a" * 10_000,
    LONG,
    "x " * 2500,
    "'; DROP TABLE dossiers; --",
    "1 OR 1=1",
    "<b>đậm</b> <script>alert(1)</script>",
    "</b><i>",
    "&lt; &amp; &#x0; &",
    "*đậm* _nghiêng_ `mã` [link](http://x) ||ẩn||",
    "{ $limit } { -brand } {$x}",
    "{{ 7*7 }} ${7*7} %s %n",
    "/start\x00",
    "/" + "a" * 40,
    "/lang xx",
    "/start d_" + "A" * 300,
    "0",
    "00",
    "-1",
    "99",
    "999999999999999999999999",
    "2147483648",
    "1.5",
    "٣",  # an Arabic-Indic digit: isdigit() but no menu number
    DEMO_CODE + "\x00",
    DEMO_CODE * 100,
    "0912 345 678\x00",
)
CURATED_PAYLOADS = (
    "",
    "\x00",
    "pdr:\x00",
    "pd:",
    "pd:\x00",
    "pdx:",
    "pdxy:",
    "pdc:\x00",
    "dv:" + "Z" * 40,
    "dn:\x00",
    "dv:\ud800",
    ":",
    "::::",
    "lang:xx",
    "p:" + "9" * 300,
    "x" * 10_000,
)


def check_rendering(replies: list[Reply], lang: str) -> None:
    """Every channel can show the turn: parts within limits, markup that is ours only."""
    for reply in replies:
        for part in telegram.render(reply, lang):
            try:
                visible = parse_html(part.html)
            except ApiError as exc:
                raise AssertionError(f"Telegram would refuse {part.html!r}: {exc}") from None
            assert 0 < utf16_len(visible) <= telegram.MAX_TEXT
            assert {m.lower() for m in TELEGRAM_TAGS.findall(part.html)} <= {"b"}, part.html
            part.html.encode("utf-8")  # a lone surrogate cannot go out
            markup = part.markup.to_dict() if part.markup else {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    assert 1 <= len(button["callback_data"].encode()) <= 64
    for text in zalo_bot.render(replies):
        assert 0 < utf16_len(text) <= zalo_bot.MAX_TEXT
        text.encode("utf-8")
    for rendered in zalo_oa.render(replies):
        message = rendered.message
        body = json.dumps(message, ensure_ascii=False)
        body.encode("utf-8")
        template = message.get("attachment", {}).get("payload", {})
        text = message.get("text", template.get("text"))
        if text is not None:
            assert 0 < len(text) <= zalo_oa.MAX_TEXT
        buttons = template.get("buttons", [])
        assert len(buttons) <= zalo_oa.MAX_BUTTONS
        for button in buttons:
            assert len(button["payload"].encode()) <= zalo_oa.MAX_PAYLOAD_BYTES
            assert 0 < len(button["title"]) <= zalo_oa.MAX_LABEL
    shown = console.render(replies)
    assert not CONTROL.search(shown), f"control character on the terminal: {shown!r}"


class Prober:
    """Puts fresh users into a state (copying a template user's conversation row) and checks
    one hostile input against the invariants."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.templates: dict[str, tuple[str, str | None, str | None, dict[str, object]]] = {}
        self.n = 0
        self.inputs = 0
        #: (test, guarantee) to record the figures under when the test ends
        self.record_as: tuple[str, str] | None = None
        self.failed = False  # a probe failed: nothing is recorded (hypothesis may retry)

    async def prepare(self) -> None:
        """Walk one template user into every state, the way a citizen would."""
        await add_postal_data(self.app.services.db)
        for state in STATES:
            chat = Chat(self.app, user=f"template-{state.name}")
            for step in state.steps:
                kind, _, arg = step.partition(":")
                if kind == "press":
                    await chat.press(arg)
                elif kind == "payload":
                    await chat.payload(arg)
                else:
                    await chat.send(step)
                assert chat.last, f"{state.name}: no answer to {step!r}"
            async with self.app.services.db.read() as session:
                row = await session.scalar(
                    select(Conversation).where(
                        Conversation.channel == "test", Conversation.user_id == chat.user
                    )
                )
            if state.steps:
                assert row is not None
                self.templates[state.name] = (row.language, row.flow, row.step, dict(row.data))
        assert self.templates["postal_confirm"][2] == "confirm", self.templates["postal_confirm"]
        assert self.templates["handoff"][1] == "handoff"

    async def user_in(self, state: State) -> Chat:
        """A new user whose conversation is exactly the template's."""
        self.n += 1
        chat = Chat(self.app, user=f"hostile-{state.name}-{self.n}")
        template = self.templates.get(state.name)
        if template is not None:
            language, flow, step, data = template
            async with self.app.services.db.transaction() as session:
                session.add(
                    Conversation(
                        channel="test",
                        user_id=chat.user,
                        language=language,
                        flow=flow,
                        step=step,
                        data=data,
                    )
                )
        return chat

    async def probe(
        self, state: State, *, text: str | None = None, payload: str | None = None
    ) -> None:
        """Send one hostile input to a new user in ``state``; assert what the user would see."""
        self.inputs += 1
        try:
            await self._probe(state, text=text, payload=payload)
        except BaseException:
            self.failed = True
            raise

    async def _probe(self, state: State, *, text: str | None, payload: str | None) -> None:
        chat = await self.user_in(state)
        said = payload if text is None else text
        replies = await (chat.send(text) if text is not None else chat.payload(payload or ""))
        where = f"state {state.name}, input {said!r:.120}"
        assert replies, f"{where}: no answer"
        shown = chat.text
        assert t(state.lang, "error-internal") not in shown, f"{where}: internal error"
        # Judge the language on what the bot wrote, not on an echo of the input.
        own = shown.replace(said or "", "") if said and len(said) > 3 else shown
        assert LANGUAGE_WORDS[state.lang].search(own), f"{where}: not in {state.lang}: {shown!r}"
        check_rendering(replies, state.lang)
        await chat.send("/start")
        assert GREETING[state.lang] in chat.text, f"{where}: stuck: /start gave {chat.text!r}"


@pytest.fixture
async def prober(app: App) -> AsyncIterator[Prober]:
    p = Prober(app)
    await p.prepare()
    started = time.monotonic()
    yield p
    if p.record_as and not p.failed:
        test, guarantee = p.record_as
        seconds = round(time.monotonic() - started, 1)
        record(
            test,
            guarantee,
            states=len(STATES),
            inputs=p.inputs,
            internal_errors=0,
            stuck=0,
            seconds=seconds,
        )


async def each_state(run: Callable[[State], Awaitable[None]]) -> None:
    for state in STATES:
        await run(state)


async def test_curated_texts_in_every_state(prober: Prober) -> None:
    async def run(state: State) -> None:
        for text in CURATED_TEXT:
            await prober.probe(state, text=text)

    await each_state(run)
    prober.record_as = (
        "tests/test_hostile_input.py::test_curated_texts_in_every_state",
        "Hostile chat text gets a polite answer in the user's language on every channel, "
        "never the internal error, and never leaves the conversation stuck",
    )


# States where a forged payload meets the most checks: none yet, a second factor pending, the
# postal flow's middle and end, an officer's conversation, another language. The curated
# forgeries go to every state; the sweep of every prefix to these (the property test below
# mixes prefixes and states at random as well).
SWEEP_STATES = {"idle", "second_factor", "postal_ward", "postal_confirm", "handoff", "postal_en"}


async def test_forged_payloads_in_every_state(prober: Prober) -> None:
    """Every handler's prefix, bare and with a hostile argument, plus the curated forgeries."""
    prefixes = sorted(prober.app.dialogue.router.payloads)
    assert {"pd", "pdr", "pdc", "dv", "dn", "hf"} <= set(prefixes)
    sweep = [p for prefix in prefixes for p in (prefix, f"{prefix}:\x00{'9' * 80}")]

    async def run(state: State) -> None:
        for payload in (*CURATED_PAYLOADS, *(sweep if state.name in SWEEP_STATES else ())):
            await prober.probe(state, payload=payload)

    await each_state(run)
    prober.record_as = (
        "tests/test_hostile_input.py::test_forged_payloads_in_every_state",
        "Forged button payloads (every handler's prefix, NUL, oversized) are answered politely",
    )


# Anything a messenger can deliver as text: every Unicode category including surrogates and
# controls, and the hostile fragments above mixed into ordinary words.
hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(
        st.characters(categories=["Cc", "Cf", "Co", "Zs", "Zl", "Mn", "So", "Nd"]),
        max_size=40,
    ),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(max_size=20),
        st.sampled_from(CURATED_TEXT),
        st.text(max_size=20),
    ),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)
hostile_payload = st.builds(
    lambda prefix, sep, arg: prefix + sep + arg,
    st.sampled_from(["pd", "pdr", "pdc", "pdx", "pdxy", "dv", "dn", "du", "p", "pm", "hf", "x"]),
    st.sampled_from([":", "", "::"]),
    st.text(max_size=70),
)

PROPERTY_EXAMPLES = 300


@settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    state=st.sampled_from(STATES),
    given_input=st.one_of(
        hostile_text.map(lambda s: ("text", s)), hostile_payload.map(lambda s: ("payload", s))
    ),
)
async def test_property_any_input_in_any_state(
    prober: Prober, state: State, given_input: tuple[str, str]
) -> None:
    kind, value = given_input
    if kind == "text":
        await prober.probe(state, text=value)
    else:
        await prober.probe(state, payload=value)
    prober.record_as = (
        "tests/test_hostile_input.py::test_property_any_input_in_any_state",
        "Any generated text or button payload in any state gets a polite answer within every "
        "channel's limits",
    )


async def test_lone_surrogates_and_unicode_digits(prober: Prober) -> None:
    """A lone surrogate (valid as a JSON escape) and a superscript digit ("²" is a digit to
    str.isdigit but not to int) in every state."""
    failed = []
    for text in ("\ud800", "khai sinh \udfff", "²"):
        for state in STATES:
            try:
                await prober.probe(state, text=text)
            except AssertionError:
                failed.append((state.name, text))
    assert not failed, failed


async def test_curated_input_through_the_telegram_webhook(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole channel: webhook, runtime, renderer and the Bot API's own checks (the fake
    refuses what Telegram refuses: over 4096 characters, bad HTML, bad callback_data)."""
    user = 515151
    inputs = [("text", s) for s in CURATED_TEXT] + [("press", p) for p in CURATED_PAYLOADS]
    async with telegram_webhook(app, monkeypatch) as hook:
        for update_id, (kind, value) in enumerate(inputs, 1):
            update = (
                message_update(update_id, user, value)
                if kind == "text"
                else callback_update(update_id, user, value)
            )
            sent = await hook.turn(user, update)
            where = f"{kind} {value!r:.80}"
            assert sent, f"{where}: no answer"
            assert not any(APOLOGY_VI in s.text for s in sent), f"{where}: internal error"
        sent = await hook.turn(user, message_update(len(inputs) + 1, user, "/start"))
        assert any(GREETING["vi"] in s.text for s in sent)
        assert not hook.refused(), hook.refused()
    record(
        "tests/test_hostile_input.py::test_curated_input_through_the_telegram_webhook",
        "Hostile chat text gets a polite answer in the user's language on every channel, "
        "never the internal error, and never leaves the conversation stuck",
        inputs=len(inputs),
        refused_by_telegram=0,
        internal_errors=0,
    )
