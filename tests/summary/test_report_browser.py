"""The web report in a real browser (Debian's chromium through Playwright): the page renders
under the Content-Security-Policy, finds the token in localStorage, downloads the PDF, and the
facilitator can share and revoke a read-only link."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, ServerProcess
from tests.summary.session import Played, Thin, play_session, play_thin_session

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "summary"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@pytest.fixture(scope="module")
def played(server: ServerProcess) -> Played:
    return play_session(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()


def csp_violations(page: Any) -> list[str]:
    return [p for p in page.problems if "Content Security Policy" in p or "Refused" in p]


def test_report_renders_and_downloads_the_pdf(
    server: ServerProcess, played: Played, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{server.base}/r/{played.code}/report?token={played.facilitator_token}")
    assert page.locator("h1").inner_text() == "Mini deck de test"
    assert page.locator("svg.chart--wide").is_visible()
    assert not page.locator("svg.chart--narrow").is_visible()
    assert page.locator("#synthesis .level").count() >= 6
    assert page.locator("#report-print").is_visible()  # shown by report.js
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-web.png"), full_page=False)
    page.locator("#synthesis").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-web-synthesis.png"), full_page=False)
    with page.expect_download() as info:
        page.locator("a.button--pdf").click()
    download = info.value
    assert download.suggested_filename == f"exploria-{played.code}.pdf"
    target = tmp_path / "from-browser.pdf"
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, check=True, timeout=20
    ).stdout.decode()
    assert "Synthèse par critère" in text and "Planning prédictif" in text
    assert csp_violations(page) == []


def test_shell_finds_the_token_in_local_storage(server: ServerProcess, played: Played, page: Any) -> None:
    url = f"{server.base}/r/{played.code}/report"
    page.goto(url)  # no token yet: the shell explains, nothing of the session shows
    assert page.locator("#shell-message").is_visible()
    assert "Mini deck" not in page.content()
    page.evaluate(
        "([k, v]) => localStorage.setItem(k, v)", [f"exploria:player:{played.code}", played.player_token]
    )
    page.goto(url)  # the shell trades the stored token for a pass cookie, then reloads
    page.locator("h1", has_text="Mini deck de test").wait_for()
    assert "token" not in page.url  # never in the address bar, the history or a proxy's log
    assert page.locator("#share").count() == 0  # a participant does not share
    assert csp_violations(page) == []


def test_facilitator_shares_then_revokes_a_link(
    server: ServerProcess, played: Played, page: Any, browser: Any
) -> None:
    page.goto(f"{server.base}/r/{played.code}/report")
    page.evaluate(
        "([k, v]) => localStorage.setItem(k, v)",
        [f"exploria:facilitator:{played.code}", played.facilitator_token],
    )
    page.reload()
    page.locator("h1", has_text="Mini deck de test").wait_for()
    assert "token" not in page.url
    page.locator("#share-title").click()  # the share panel is folded by default
    page.locator("#share-create").click()
    link = page.locator("#share-url")
    link.wait_for(state="visible")
    url = link.input_value()
    assert f"/r/{played.code}/report?token=" in url

    other = browser.new_context()  # someone who was not in the room
    reader = other.new_page()
    assert reader.goto(url).status == 200
    assert reader.locator("h1").inner_text() == "Mini deck de test"
    assert reader.locator("#share").count() == 0

    page.locator("#share-revoke").click()
    page.locator("#share-status").filter(has_text="révoqués").wait_for()
    response = reader.goto(url)
    assert response.status == 403
    assert reader.locator("#shell-message").is_visible()
    other.close()
    assert csp_violations(page) == []


# --- the report on a phone and on a laptop (issue 13) -------------------------------------------

SIZES = {"phone": (390, 844), "laptop": (1366, 768)}


@pytest.fixture(scope="module")
def thin(server: ServerProcess) -> Thin:
    from concurrent.futures import ThreadPoolExecutor

    # Playwright's sync API holds an event loop on this thread: play in another one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(play_thin_session, server).result(timeout=50)


@pytest.mark.parametrize("size", list(SIZES))
def test_report_fits_the_screen(server: ServerProcess, thin: Thin, browser: Any, size: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="fr-FR",
        device_scale_factor=2 if size == "phone" else 1,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    fonts: list[str] = []
    page.on("request", lambda r: fonts.append(r.url) if "/fonts/" in r.url else None)
    page.goto(f"{server.base}/r/{thin.code}/report?token={thin.facilitator_token}")
    page.evaluate("document.fonts.ready")
    assert page.locator("h1").inner_text() == "Atelier planning"
    assert page.locator(".report-head").get_by_text("PlanifIA").is_visible()
    # no horizontal scroll: nothing is wider than the window
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the screen"
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert wide == []
    # the web gets the subset WOFF2 files, never the PDF's TTF
    assert fonts and all(u.endswith(".woff2") for u in fonts), fonts
    narrow = page.locator("svg.chart--narrow")
    chart = narrow if size == "phone" else page.locator("svg.chart--wide")
    assert chart.is_visible()
    if size == "phone":
        # legible: the chart's text is drawn at 11 px or more on the screen
        scale = page.evaluate("""() => { const s = document.querySelector('svg.chart--narrow');
            return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }""")
        assert scale * 11 >= 10.5, scale
        assert page.locator("table.levels thead").first.bounding_box()["height"] <= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-cover-{width}x{height}.png"))
    page.locator("#synthesis").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('synthesis').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / f"report-synthesis-{width}x{height}.png"))
    page.locator("#synthesis .dimension").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"report-synthesis-table-{width}x{height}.png"))
    page.screenshot(path=str(ARTIFACTS / f"report-full-{width}x{height}.png"), full_page=True)
    context.close()


def test_guide_fits_a_phone(server: ServerProcess, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.base}/guide?lang=fr")
    assert page.locator("h1").inner_text() == "Guide d'animation"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the screen"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "guide-390x844.png"))
    page.locator("#plans").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "guide-plans-390x844.png"))
    assert problems == []
    context.close()
