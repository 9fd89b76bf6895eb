"""No personal data in the logs: every record of a postal request, a dossier lookup with its
second factor and a message left for an officer, captured at DEBUG and formatted as production
writes it (JSON lines, extras included), is searched for the citizen's name, phone, address and
ID number in every spelling the bot handles (with and without diacritics, spaced, +84, bare)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import select

from bot.app import App
from bot.db.models import HandoffTicket, PostalRequest
from bot.logs import setup_logging
from lookup.fold import fold
from tests.conftest import Chat
from tests.fake_telegram import Sent, callback_update, message_update
from tests.postal_fixtures import OPEN, PHONE, add_postal_data
from tests.reliability import record
from tests.telegram_webhook import telegram_webhook

NAME = "Trần Thị Bích Ngọc"
TYPED_PHONE = "0987 654 321"
STREET = "Số 18 ngõ 42 Hoàng Diệu"
WARD = "phường Lê Chân, Hải Phòng"
NOTE = "gọi 0987654321 trước, giao cho chị Bích Ngọc"
APPLICANT = "Nguyễn Văn An"  # the dossier's applicant (tests/postal_fixtures.py)
ID_NUMBER = "031090001234"
SECRETS = {
    NAME,
    "Bích Ngọc",
    TYPED_PHONE,
    "0987654321",
    "+84987654321",
    "84987654321",
    "987654321",
    "654 321",
    STREET,
    "Hoàng Diệu",
    APPLICANT,
    "Văn An",
    PHONE,
    "+84" + PHONE[1:],
    PHONE[1:],
    ID_NUMBER,
}
# The folded spellings (search and matching work on them) and the raw NFD forms.
SECRETS |= {fold(s) for s in SECRETS if fold(s).strip() and not fold(s).isdigit()}

# What a citizen types, step by step: "press:<label part>" presses a button of the last turn.
STEPS = (
    "/start",
    OPEN,  # the dossier card: a lookup by code
    "press:bưu điện",
    PHONE[-4:],  # the second factor
    NAME,
    TYPED_PHONE,
    STREET,
    WARD,
    NOTE,
    "press:Có",
    "press:Xác nhận",
    "/start",
    "press:Gặp cán bộ",
    f"tôi là {NAME}, số {TYPED_PHONE}, CCCD {ID_NUMBER}, nhà ở {STREET}",
    TYPED_PHONE,
)


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Logging as ``motcua serve`` sets it up with MOTCUA_LOG_LEVEL=DEBUG (the most it can
    write: libraries' own loggers at the levels bot.logs gives them), captured by caplog."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    setup_logging("DEBUG")
    root.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, lvl in levels.items():
            logging.getLogger(name).setLevel(lvl)


PRODUCTION = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=False)


def leaks(records: list[logging.LogRecord]) -> list[tuple[str, str]]:
    """(secret, line) for every formatted record that holds a secret."""
    found = []
    for rec in records:
        line = PRODUCTION.format(rec)
        folded = fold(line)
        found += [(s, line[:300]) for s in SECRETS if s in line or fold(s) in folded]
    return found


async def check_outcome(app: App) -> None:
    """The conversation really went through: a request with every field, a ticket."""
    async with app.services.db.read() as session:
        [req] = list(await session.scalars(select(PostalRequest)))
        tickets = list(await session.scalars(select(HandoffTicket)))
    assert (req.recipient_name, req.phone, req.street) == (NAME, "+84987654321", STREET)
    assert tickets, "no message was left for an officer"


async def test_no_personal_data_in_logs_on_the_test_channel(
    app: App, production_logging: pytest.LogCaptureFixture
) -> None:
    await add_postal_data(app.services.db)
    chat = Chat(app, user="privacy")
    for step in STEPS:
        if step.startswith("press:"):
            await chat.press(step.removeprefix("press:"))
        else:
            await chat.send(step)
    await check_outcome(app)
    assert len(production_logging.records) > 0
    assert not leaks(production_logging.records)
    record(
        "tests/test_log_privacy.py::test_no_personal_data_in_logs_on_the_test_channel",
        "No name, phone, address or ID number in the logs (captured at DEBUG, grepped)",
        log_records=len(production_logging.records),
        secrets_searched=len(SECRETS),
        leaks=0,
    )


async def test_no_personal_data_in_logs_through_the_telegram_webhook(
    app: App, monkeypatch: pytest.MonkeyPatch, production_logging: pytest.LogCaptureFixture
) -> None:
    """The same conversation through the webhook, the channel runtime and the Bot API calls,
    with the sender's real name in the update as Telegram sends it."""
    await add_postal_data(app.services.db)
    user = 424242
    async with telegram_webhook(app, monkeypatch) as hook:
        last: list[Sent] = []
        for update_id, step in enumerate(STEPS, 1):
            if step.startswith("press:"):
                label = step.removeprefix("press:").lower()
                buttons = [b for sent in last for b in sent.buttons]
                data = next((d for lbl, d in buttons if label in lbl.lower()), None)
                assert data is not None, f"no button {label!r} in {buttons}"
                update = callback_update(update_id, user, data)
            else:
                update = message_update(update_id, user, step)
            frm = (update.get("message") or update["callback_query"])["from"]
            frm.update(first_name="Bích Ngọc", last_name="Trần Thị", username="bichngoc87")
            last = await hook.turn(user, update)
            assert last, f"no answer to {step!r}"
    await check_outcome(app)
    found = leaks(production_logging.records)
    assert not found, found
    record(
        "tests/test_log_privacy.py::test_no_personal_data_in_logs_through_the_telegram_webhook",
        "No name, phone, address or ID number in the logs (captured at DEBUG, grepped)",
        log_records=len(production_logging.records),
        secrets_searched=len(SECRETS),
        leaks=0,
    )
