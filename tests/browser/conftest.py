"""Real-browser tests: Debian's Chromium driven by Playwright (sync API) against a real server.

Every page a test opens is watched for script errors and CSP violations (they show up as
console errors), so a page that works only with inline code fails here.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from server.i18n import format_message
from tests.helpers import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT = 5000  # ms, for every expectation
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 860}}


def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for path in sorted((ROOT / "server" / "locales" / lang).glob("*.json")):
        data.update(json.loads(path.read_text("utf-8")))
    return data


def tr(lang: str, key: str, **params: Any) -> str:
    return format_message(lang, catalogue(lang)[key], params)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=20000)
        yield b
        b.close()


class Pages:
    """Opens browser contexts and remembers the problems their pages report."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []
        self.expected: list[str] = []  # console errors a test provokes on purpose

    def expect_console(self, fragment: str) -> None:
        self.expected.append(fragment)

    def new(self, name: str, device: dict[str, Any] | None = None, locale: str = "fr-FR") -> Page:
        context = self.browser.new_context(**(device or DESKTOP), locale=locale)
        context.set_default_timeout(WAIT)
        self.contexts.append(context)
        page = context.new_page()

        def console(msg: ConsoleMessage) -> None:
            if msg.type == "error" and not any(f in msg.text for f in self.expected):
                self.problems.append(f"{name}: console: {msg.text}")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.problems.append(f"{name}: error: {exc}"))
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    opened.close()
    assert not opened.problems, opened.problems


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page (axe is served from /static)."""
    page.add_script_tag(url="/static/vendor/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const result = await window.axe.run(document, {resultTypes: ['violations']});
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return found
