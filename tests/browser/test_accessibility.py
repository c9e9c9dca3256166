"""axe-core finds no serious or critical problem on home, lobby, play (card shown and after
the reveal), presenter and synthesis; and a keyboard alone can play a card."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, WAIT, Pages, axe_violations, shot, tr
from tests.helpers import ServerProcess


def assert_axe_clean(page: Page, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"{where}: {found}"


def test_pages_pass_axe(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    home = pages.new("home")
    home.goto(f"{server.base}/")
    assert_axe_clean(home, "home")
    room = server.create_room("mini-test", timer_minutes=3, anonymous=False)
    code = room["code"]
    fac = pages.new("facilitator")
    fac.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    expect(fac.get_by_role("heading", name=t("ui.lobby.ready"))).to_be_visible(timeout=WAIT)
    assert_axe_clean(fac, "lobby (facilitator)")
    player = pages.new("player", PHONE)
    player.goto(f"{server.base}/r/{code}")
    expect(player.get_by_label(t("ui.join.name_label"))).to_be_visible(timeout=WAIT)
    assert_axe_clean(player, "join form")
    player.get_by_label(t("ui.join.name_label")).fill("Zoé")
    player.get_by_role("button", name=t("ui.join.button")).click()
    expect(player.get_by_role("heading", name=t("ui.lobby.welcome", name="Zoé"))).to_be_visible(timeout=WAIT)
    assert_axe_clean(player, "lobby (player)")
    fac.get_by_role("button", name=t("ui.lobby.start")).click()
    expect(player.locator('[data-focus-key="draw"]')).to_be_visible(timeout=WAIT)
    assert_axe_clean(player, "draw")
    player.locator('[data-focus-key="draw"]').click()
    expect(fac.locator("#card-title")).to_be_visible(timeout=WAIT)
    expect(fac.locator("#timer .timer-value")).to_have_text(
        __import__("re").compile(r"^[23]:\d\d$"), timeout=WAIT
    )
    assert_axe_clean(player, "card (player)")
    assert_axe_clean(fac, "card (facilitator)")
    presenter = pages.new("presenter")
    # the presenter view of the facilitator's browser reuses the stored facilitator token
    presenter.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    expect(presenter.locator("#card-title")).to_be_visible(timeout=WAIT)
    presenter.goto(f"{server.base}/r/{code}/presenter")
    expect(presenter.locator("#card-title")).to_be_visible(timeout=WAIT)
    expect(presenter.locator(".controls")).to_have_count(0)
    expect(presenter.locator('[data-focus-key="reveal"]')).to_have_count(0)
    assert_axe_clean(presenter, "presenter")
    shot(presenter, "presenter-card")
    player.locator('[data-focus-key^="vote-"]').first.click()
    player.get_by_role("button", name=t("ui.play.reveal")).click()
    expect(fac.locator(".tally").first).to_be_visible(timeout=WAIT)
    expect(presenter.locator(".pres-result").first).to_be_visible(timeout=WAIT)
    assert_axe_clean(player, "revealed (player)")
    assert_axe_clean(fac, "revealed (facilitator)")
    shot(presenter, "presenter-revealed")
    fac.get_by_role("button", name=t("ui.control.finish")).click()
    fac.get_by_role("button", name=t("ui.control.finish_yes")).click()
    expect(player.get_by_role("heading", name=t("ui.synthesis.heading"))).to_be_visible(timeout=WAIT)
    assert_axe_clean(player, "synthesis")


def test_keyboard_only_play(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    room = server.create_room("mini-test")
    code = room["code"]
    fac = pages.new("facilitator")
    fac.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    page = pages.new("keyboard")
    page.goto(f"{server.base}/r/{code}")
    page.get_by_label(t("ui.join.name_label")).focus()
    page.keyboard.type("Clavier")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=t("ui.lobby.welcome", name="Clavier"))).to_be_visible(
        timeout=WAIT
    )
    fac.get_by_role("button", name=t("ui.lobby.start")).click()
    draw = page.locator('[data-focus-key="draw"]')
    expect(draw).to_be_visible(timeout=WAIT)
    draw.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#card-title")).to_be_visible(timeout=WAIT)
    announcer = page.locator("#announcer")
    expect(announcer).to_contain_text(page.locator("#card-title").inner_text(), timeout=WAIT)
    # tab to the first vote button and press it with the space bar
    for _ in range(40):
        page.keyboard.press("Tab")
        key = page.evaluate("() => document.activeElement.dataset.focusKey || ''")
        if key.startswith("vote-"):
            break
    page.keyboard.press("Space")
    expect(page.locator(f'[data-focus-key="{key}"]')).to_have_attribute("aria-pressed", "true", timeout=WAIT)
    # focus stays on the pressed button across the re-render
    assert page.evaluate("() => document.activeElement.dataset.focusKey") == key
    reveal = page.locator('[data-focus-key="reveal"]')
    reveal.focus()
    page.keyboard.press("Enter")
    expect(announcer).to_have_text(t("ui.announce.revealed"), timeout=WAIT)
