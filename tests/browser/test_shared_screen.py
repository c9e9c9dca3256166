"""A whole session as it runs in a meeting: a facilitator on a 1366×768 laptop, the presenter
view on a 1920×1080 and a 1280×720 shared screen, three phones at 390×844 — through the real
pages, with a double click on every action of the facilitator.

Checked at every step: the facilitator's next action inside the laptop's viewport, no error
after a double click, every phone back at the top after a phase change, no serious or critical
axe-core problem; in the lobby the presenter's QR code is at least a third of the screen's
height; after the reveal every result of the card fits the 1920×1080 screen. Screenshots of
every step at every size go to test-artifacts/browser/shared-*.png.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, PHONE, WAIT, Pages, axe_violations, shot, tr
from tests.helpers import ServerProcess

LAPTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}}
FULL_HD: dict[str, Any] = {"viewport": {"width": 1920, "height": 1080}}
SMALL_SCREEN: dict[str, Any] = {"viewport": {"width": 1280, "height": 720}}
NAMES = ("Amélie", "Bastien", "Chloé-Anne Marguerite de la Tour du Pin")  # one very long name


def t(key: str, **params: Any) -> str:
    return tr("fr", key, **params)


def in_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None, selector
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 0.5
        and box["y"] + box["height"] <= size["height"] + 0.5
    )


def scroll_down(phones: list[Page]) -> None:
    """Phones scrolled to the bottom, so that a phase change has something to undo."""
    for phone in phones:
        phone.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")


def assert_at_top(phones: list[Page], where: str) -> None:
    """Back at the top, and the keyboard/screen-reader focus on the new view's heading."""
    for phone in phones:
        phone.wait_for_function("() => window.scrollY === 0", timeout=WAIT)
        assert phone.evaluate("() => window.scrollY") == 0, where
        focused = phone.evaluate("() => document.activeElement.id")
        assert focused in ("card-title", "view-heading"), (where, focused)


def double_click_next(fac: Page, expected_label: str) -> None:
    """The next action: in the laptop's viewport, double-clicked, and no error shown."""
    button = fac.locator("#next-action")
    expect(button).to_have_text(expected_label, timeout=WAIT)
    expect(button).to_be_enabled(timeout=WAIT)
    assert in_viewport(fac, "#next-action"), f"next action off screen: {expected_label}"
    button.dblclick()
    fac.wait_for_timeout(400)  # time for a refused duplicate to come back
    expect(fac.locator("#toast")).to_be_hidden()


def screen_shot(page: Page, name: str) -> None:
    """What the person actually sees (the fixed action bar in its place), besides the full page."""
    shot(page, name)
    page.screenshot(path=str(ARTIFACTS / f"{name}-viewport.png"))


def axe_clean(page: Page, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"{where}: {found}"


@pytest.mark.timeout(240)
def test_whole_session_on_every_screen(server: ServerProcess, pages: Pages) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    fac = pages.new("facilitator", LAPTOP)
    fac.goto(f"{server.base}/?lang=fr")
    create = fac.get_by_role("button", name=t("ui.home.create_button"))
    fac.screenshot(path=str(ARTIFACTS / "shared-01-home-1366-viewport.png"))
    assert in_viewport(fac, "#create-button"), "create button below the fold at 1366×768"
    expect(fac.locator(".header-links a[href='/studio']")).to_be_visible()
    expect(fac.locator(".header-links a[href='/guide']")).to_be_visible()
    # decks of the page's language come first; the others are folded
    first_deck = fac.locator('.deck-list input[name="deck"]').first.get_attribute("value") or ""
    assert not first_deck.endswith("-en"), first_deck
    shot(fac, "shared-01-home-1366")
    axe_clean(fac, "home")
    fac.locator('input[name="deck"][value="exploria-fr"]').check()
    fac.get_by_label(t("ui.home.card_count_label")).fill("2")
    expect(fac.locator("#duration")).to_contain_text(re.compile(r"^2 cartes sur \d+ · "))
    fac.get_by_label(t("ui.home.facilitator_name")).fill("Fanny")
    fac.locator("#opt-anonymous").uncheck()
    create.click()
    expect(fac).to_have_url(re.compile(r"/r/[A-Z2-9]{6}$"), timeout=WAIT)
    code = fac.url.rsplit("/", 1)[-1]
    expect(fac.get_by_role("heading", name=t("ui.lobby.ready"))).to_be_visible(timeout=WAIT)
    token = fac.evaluate(f"() => localStorage.getItem('exploria:facilitator:{code}')")

    screens = {
        "1920": pages.new("presenter-1920", FULL_HD),
        "1280": pages.new("presenter-1280", SMALL_SCREEN),
    }
    for screen in screens.values():
        screen.goto(f"{server.base}/r/{code}/presenter#f={token}")
        expect(screen.get_by_role("heading", name=t("ui.lobby.presenter_heading"))).to_be_visible(
            timeout=WAIT
        )

    phones: list[Page] = []
    for i, name in enumerate(NAMES):
        phone = pages.new(f"phone-{i}", PHONE)
        phone.goto(f"{server.base}/r/{code}")
        phone.get_by_label(t("ui.join.name_label")).fill(name)
        phone.get_by_role("button", name=t("ui.join.button")).click()
        expect(phone.get_by_role("heading", name=t("ui.lobby.welcome", name=name))).to_be_visible(
            timeout=WAIT
        )
        phones.append(phone)
    # the facilitator's chosen name is shown to the players
    expect(phones[0].get_by_text(t("ui.lobby.led_by", name="Fanny"))).to_be_visible()
    for screen in screens.values():
        expect(screen.locator(".pres-names li")).to_have_count(3, timeout=WAIT)
    shot(phones[0], "shared-02-lobby-phone")
    # the long name stays on one line on a phone, whole in its title
    long_name = phones[0].locator(".player-name", has_text="Chloé-Anne")
    assert long_name.get_attribute("title") == NAMES[2]
    box = long_name.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390

    # lobby: a QR code of at least a third of the screen's height, on both screens
    for size, screen in screens.items():
        qr = screen.locator(".pres-qr img").bounding_box()
        height = (screen.viewport_size or {"height": 0})["height"]
        assert qr is not None and qr["height"] >= height / 3, (size, qr, height)
        assert in_viewport(screen, ".pres-qr img"), size
        shot(screen, f"shared-02-lobby-presenter-{size}")
    screen_shot(fac, "shared-02-lobby-facilitator-1366")
    axe_clean(fac, "lobby (facilitator)")
    axe_clean(screens["1920"], "lobby (presenter)")
    axe_clean(phones[2], "lobby (phone)")

    # start
    scroll_down(phones)
    double_click_next(fac, t("ui.lobby.start"))
    expect(phones[0].get_by_text(t("ui.play.your_turn"))).to_be_visible(timeout=WAIT)
    assert_at_top(phones, "after start")
    screen_shot(fac, "shared-03-draw-facilitator-1366")
    shot(phones[0], "shared-03-draw-phone")
    for size, screen in screens.items():
        shot(screen, f"shared-03-draw-presenter-{size}")
    axe_clean(screens["1280"], "draw (presenter)")

    # every card of the session (the deck may add an opening and a closing card around the
    # two chosen at random); the checks on votes apply to the cards that have yes/no questions
    voted_cards = 0
    round_ = 0
    while fac.locator("#next-action").inner_text() == t("ui.play.draw"):
        round_ += 1
        scroll_down(phones)
        double_click_next(fac, t("ui.play.draw"))
        for phone in phones:
            expect(phone.locator("#card-title")).to_be_visible(timeout=WAIT)
        assert_at_top(phones, f"card {round_} drawn")
        expect(screens["1920"].locator(".pres-turnout")).to_be_visible(timeout=2 * WAIT)
        expect(phones[0].locator(".card-frame")).to_contain_text(t("ui.frame.answer_for"))
        # read aloud: on the shared screen and on the reader's phone only
        reader = phones[(round_ - 1) % 3]
        expect(reader.locator('[data-focus-key="read-aloud"]')).to_be_visible()
        expect(phones[round_ % 3].locator('[data-focus-key="read-aloud"]')).to_have_count(0)
        expect(screens["1920"].locator('[data-focus-key="read-aloud"]')).to_be_visible()
        has_votes = phones[0].locator("li.question.kind-yes_no").count() > 0
        # everybody answers: on the first voted card yes, yes, don't know (a majority), then
        # no, no, yes (a divergence)
        for n, phone in enumerate(phones):
            answer_all(
                phone, (("yes", "yes", "unsure"), ("no", "no", "yes"))[min(voted_cards, 1)][n], write=True
            )
        expect(screens["1920"].locator(".pres-turnout-figure .big")).to_have_text("3", timeout=WAIT)
        if has_votes and voted_cards == 0:
            screen_shot(fac, "shared-04-card-facilitator-1366")
            shot(phones[1], "shared-04-card-phone")
            for size, screen in screens.items():
                shot(screen, f"shared-04-card-presenter-{size}")
            axe_clean(fac, "card (facilitator)")
            axe_clean(phones[1], "card (phone)")
            axe_clean(screens["1920"], "card (presenter)")

        scroll_down(phones)
        double_click_next(fac, t("ui.play.reveal"))
        for phone in phones:
            expect(phone.locator(".result").first).to_be_visible(timeout=WAIT)
        assert_at_top(phones, f"card {round_} revealed")
        full = screens["1920"]
        results = full.locator(".pres-result")
        expect(results.first).to_be_visible(timeout=WAIT)
        for i in range(results.count()):
            box = results.nth(i).bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 1080, (
                f"card {round_}, result {i + 1} outside 1920×1080: {box}"
            )
        if has_votes:
            voted_cards += 1
            expect(full.locator(".turnout").first).to_contain_text("3 sur 3 ont répondu")
            # named session: the votes carry the players' names
            expect(fac.locator(".votes").first).to_contain_text("Amélie", timeout=WAIT)
        screen_shot(fac, f"shared-05-revealed-{round_}-facilitator-1366")
        shot(phones[2], f"shared-05-revealed-{round_}-phone")
        for size, screen in screens.items():
            shot(screen, f"shared-05-revealed-{round_}-presenter-{size}")
        if has_votes and voted_cards == 1:
            axe_clean(fac, "revealed (facilitator)")
            axe_clean(phones[2], "revealed (phone)")
            axe_clean(full, "revealed (presenter)")
        # a note before moving on, then next
        fac.get_by_label(t("ui.notes.label")).fill(f"Note de la carte {round_}")
        fac.get_by_role("button", name=t("ui.notes.add")).click()
        expect(fac.locator(".note-list li")).to_have_count(1, timeout=WAIT)
        scroll_down(phones)
        last = fac.locator("#next-action").inner_text() == t("ui.play.next_last")
        double_click_next(fac, t("ui.play.next_last") if last else t("ui.play.next"))
        for phone in phones:
            expect(phone.locator("#card-title")).to_have_count(0, timeout=3 * WAIT)  # a loaded CI
        assert_at_top(phones, f"card {round_} closed")
        expect(fac.locator("#next-action")).to_have_text(
            re.compile(f"{t('ui.play.draw')}|{t('ui.control.finish')}"), timeout=WAIT
        )
    assert voted_cards >= 2 and round_ <= 6, (voted_cards, round_)

    # somebody opens the join form now and sends their name only after the end
    slow = pages.new("slow", PHONE)
    slow.goto(f"{server.base}/r/{code}")
    slow.get_by_label(t("ui.join.name_label")).fill("Lent")
    scroll_down(phones)
    double_click_next(fac, t("ui.control.finish"))
    for phone in phones:
        expect(phone.get_by_role("heading", name=t("ui.synthesis.heading"))).to_be_visible(timeout=WAIT)
    assert_at_top(phones, "synthesis")
    expect(screens["1920"].locator(".synth-chart .chart-row")).to_have_count(6, timeout=WAIT)
    assert in_viewport(screens["1920"], ".synth-chart")
    expect(fac.locator("#next-action")).to_have_text(t("ui.synthesis.report"))
    assert in_viewport(fac, "#next-action")
    screen_shot(fac, "shared-06-synthesis-facilitator-1366")
    shot(phones[0], "shared-06-synthesis-phone")
    for size, screen in screens.items():
        shot(screen, f"shared-06-synthesis-presenter-{size}")
    axe_clean(fac, "synthesis (facilitator)")
    axe_clean(phones[0], "synthesis (phone)")
    axe_clean(screens["1920"], "synthesis (presenter)")

    slow.get_by_role("button", name=t("ui.join.button")).click()
    expect(slow.get_by_role("heading", name=t("ui.finished.heading"))).to_be_visible(timeout=WAIT)
    expect(slow.locator("#conn-status")).to_be_hidden()

    # somebody arriving late on a finished session: said plainly, no name form, no spinner
    late = pages.new("late", PHONE)
    late.goto(f"{server.base}/r/{code}")
    expect(late.get_by_role("heading", name=t("ui.finished.heading"))).to_be_visible(timeout=WAIT)
    expect(late.locator("#join-view")).to_be_hidden()
    expect(late.locator("#conn-status")).to_be_hidden()
    expect(late.get_by_role("link", name=t("ui.finished.report"))).to_have_attribute(
        "href", f"/r/{code}/report"
    )
    shot(late, "shared-07-finished-phone")
    axe_clean(late, "finished")


def answer_all(phone: Page, value: str, write: bool) -> None:
    questions = phone.locator("li.question")
    expect(questions.first).to_be_visible(timeout=WAIT)
    for i in range(questions.count()):
        item = questions.nth(i)
        if "kind-open" in (item.get_attribute("class") or ""):
            if write:
                area = item.locator("textarea")
                area.fill(f"Chez nous, {value}")
                area.blur()
            continue
        button = item.locator(f"button.vote-{value}")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true", timeout=WAIT)
