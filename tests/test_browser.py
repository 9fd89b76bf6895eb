"""The operators' web application in a real headless Chromium: the real server (``python -m
bot serve`` on a temporary SQLite file with the demo data), an admin account made with ``motcua
operator add`` and a citizen's request for an officer made with ``motcua chat``; then sign in,
narrow the dashboard to July 2025 and to one unit (the charts are drawn and the figures follow
the filters), answer the request from the tickets pages, and add then change a lexicon entry.

Screenshots go to ``var/screenshots/`` (git-ignored) for a person to look at. The test is
skipped where Playwright or the system Chromium (``/usr/bin/chromium``; Debian's package
``chromium``) is missing: no browser is ever downloaded."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

try:
    from playwright.async_api import Browser, ConsoleMessage, Page, Response, async_playwright
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip(
        "Playwright is not installed (pip install -r requirements-test.lock)",
        allow_module_level=True,
    )

from tests.conftest import run_motcua

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    pytest.skip(
        f"no system Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "var" / "screenshots"
NAME = "lan"
PASSWORD = "browser-test-password"
CITIZEN = "browser-citizen"
REPLY = "Chào bạn, cán bộ một cửa đã nhận câu hỏi về đăng ký khai sinh."
# Playwright's waits: generous for a slow machine, far below the test's timeout.
WAIT_MS = 10_000


@dataclass(frozen=True)
class Server:
    base: str
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def child_env(database_url: str, port: int) -> dict[str, str]:
    """This machine's environment without any MOTCUA_ setting (no messenger tokens, no other
    database), then the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        MOTCUA_DATABASE_URL=database_url,
        MOTCUA_HTTP_HOST="127.0.0.1",
        MOTCUA_HTTP_PORT=str(port),
        MOTCUA_LOAD_DEMO_DATA="true",
        PYTHONPATH=str(ROOT),
    )
    return env


def wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer /healthz:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("browser")
    port = free_port()
    env = child_env(f"sqlite+aiosqlite:///{home}/motcua.db", port)
    # A citizen asks for an officer (on the real clock, the server's: on the demo clock the
    # request would be months old and closed as idle). This also creates the database and
    # loads the demo data.
    chat = run_motcua(
        "chat",
        "--real-clock",
        "--user",
        CITIZEN,
        stdin="đăng ký khai sinh\ngặp cán bộ\n",
        cwd=home,
        env=env,
    )
    assert chat.returncode == 0, chat.stderr
    added = run_motcua(
        "operator", "add", NAME, "--role", "admin", stdin=PASSWORD + "\n", cwd=home, env=env
    )
    assert added.returncode == 0, added.stderr
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=home,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield Server(base=base, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


@pytest.fixture
async def page(server: Server) -> AsyncIterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser: Browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="vi-VN"
            )
            context.set_default_timeout(WAIT_MS)
            yield await context.new_page()
            await context.close()
        finally:
            await browser.close()


def number(text: str) -> int:
    """A figure as shown (``1.234`` in Vietnamese); 0 for ``—``."""
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else 0


async def headline(page: Page) -> list[str]:
    """The headline cards' values, in order (received first)."""
    return [v.strip() for v in await page.locator(".cards .card .value").all_inner_texts()]


async def apply_filters(page: Page) -> None:
    async with page.expect_navigation():
        await page.locator("form.filters button[type=submit]").click()


async def check_charts(page: Page) -> None:
    """Both inline SVG charts are in the page, drawn at a visible size, with their bars and the
    on-time line."""
    charts = page.locator("svg.chart")
    assert await charts.count() == 2
    for i in range(2):
        box = await charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50, box
    units, trend = charts.nth(0), charts.nth(1)
    bars = units.locator("rect:not(.track)")
    assert await bars.count() >= 1
    widths = [
        float(w or 0) for w in await bars.evaluate_all("rs => rs.map(r => r.getAttribute('width'))")
    ]
    assert max(widths) > 0, widths
    # Stacked weekly bars (above the legend's squares) and the on-time rate: its points, joined
    # by a line when more than one week has a rate.
    assert await trend.locator("rect").count() > 3
    assert await trend.locator("circle").count() >= 1
    if await trend.locator("circle").count() > 1:
        points = await trend.locator("polyline").first.get_attribute("points")
        assert points and len(points.split()) >= 2, points


async def test_operator_web_in_chromium(server: Server, page: Page) -> None:
    # Console errors (a Content-Security-Policy refusal shows there) and failed requests, but
    # the browser's own try for /favicon.ico (the application has none).
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))

    # Sign in: the dashboard asks for it first.
    await page.goto(server.base + "/operator/")
    assert "/operator/login" in page.url
    await page.screenshot(path=SHOTS / "01-login.png", full_page=True)
    await page.fill("input[name=name]", NAME)
    await page.fill("input[name=password]", PASSWORD)
    async with page.expect_navigation():
        await page.locator("main button[type=submit]").click()
    assert page.url.rstrip("?").endswith("/operator/"), page.url
    await page.locator("h1").wait_for()
    this_month = await headline(page)
    assert len(this_month) == 6, this_month
    await page.screenshot(path=SHOTS / "02-dashboard-this-month.png", full_page=True)

    # July 2025, the demo data's month.
    await page.fill("input[name=from]", "2025-07-01")
    await page.fill("input[name=to]", "2025-07-31")
    await apply_filters(page)
    assert "from=2025-07-01" in page.url and "to=2025-07-31" in page.url, page.url
    assert await page.locator("p.error").count() == 0
    july = await headline(page)
    assert number(july[0]) > 0, july
    assert july != this_month
    unit_rows = page.locator("main table tr:has(td)").filter(has_not=page.locator(".total"))
    assert await unit_rows.count() >= 2
    await check_charts(page)
    await page.screenshot(path=SHOTS / "03-dashboard-july-2025.png", full_page=True)

    # One unit, the best ranked (it has finished dossiers, so an on-time rate to draw): the
    # headline narrows to it and its row is highlighted.
    unit = (await unit_rows.first.locator("td").nth(1).inner_text()).strip()
    unit_select = page.locator("select[name=unit]")
    await unit_select.select_option(label=unit)
    await apply_filters(page)
    assert "unit=" in page.url and "from=2025-07-01" in page.url, page.url
    one_unit = await headline(page)
    assert 0 < number(one_unit[0]) < number(july[0]), (one_unit, july)
    chosen = page.locator("tr.chosen")
    assert await chosen.count() == 1
    assert unit in await chosen.inner_text()
    assert await page.locator("select[name=unit] option:checked").inner_text() == unit
    assert await page.input_value("input[name=from]") == "2025-07-01"
    await check_charts(page)
    await page.screenshot(path=SHOTS / "04-dashboard-one-unit.png", full_page=True)

    # The citizen's request, answered from the web.
    async with page.expect_navigation():
        await page.locator("header.top a[href*='/tickets']").click()
    rows = page.locator("main table tr:has(td)")
    assert await rows.count() == 1
    assert "gặp cán bộ" in await rows.first.inner_text()
    await page.screenshot(path=SHOTS / "05-tickets.png", full_page=True)
    async with page.expect_navigation():
        await rows.first.locator("a").first.click()
    assert "đăng ký khai sinh" in await page.locator("main").inner_text()
    await page.screenshot(path=SHOTS / "06-ticket.png", full_page=True)
    await page.fill("textarea[name=text]", REPLY)
    async with page.expect_navigation():
        await page.locator("form[action*='/reply'] button").click()
    assert "done=sent" in page.url, page.url
    assert await page.locator("p.notice").is_visible()
    conversation = await page.locator("main table").nth(2).inner_text()
    assert REPLY in conversation and f"({NAME})" in conversation, conversation
    await page.screenshot(path=SHOTS / "07-ticket-answered.png", full_page=True)
    async with page.expect_navigation():
        await page.locator("main a[href*='/tickets?']").click()
    listed = await page.locator("main table tr:has(td)").first.inner_text()
    assert REPLY[:20] in listed, listed

    # The lexicon: an everyday word added, then changed, by the admin.
    async with page.expect_navigation():
        await page.locator("header.top a[href*='/lexicon']").click()
    await page.fill("input[name=phrase]", "giấy hồng lam")
    await page.locator("select[name=mode]").select_option("replace")
    await page.fill("input[name=expansion]", "đăng ký khai sinh")
    async with page.expect_navigation():
        await page.locator("#lexicon-form button[type=submit]").click()
    assert "done=added" in page.url, page.url
    entries = page.locator("#lexicon-entries tr:has(td)")
    assert await entries.count() == 1
    assert "đăng ký khai sinh" in await entries.first.inner_text()
    async with page.expect_navigation():
        await entries.first.locator("a").click()
    assert await page.input_value("input[name=phrase]") == "giấy hồng lam"
    await page.fill("input[name=expansion]", "đăng ký lại khai sinh")
    await page.fill("input[name=when]", "mất | lại")
    async with page.expect_navigation():
        await page.locator("#lexicon-form button[type=submit]").click()
    assert "done=changed" in page.url, page.url
    row = await page.locator("#lexicon-entries tr:has(td)").first.inner_text()
    assert "đăng ký lại khai sinh" in row and "mất | lại" in row, row
    await page.screenshot(path=SHOTS / "08-lexicon.png", full_page=True)

    assert not problems, problems
