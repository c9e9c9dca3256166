"""Names, notes and answers made of HTML or script are shown as text and run nothing."""

from playwright.sync_api import expect

from tests.browser.conftest import WAIT, Pages, shot, tr
from tests.helpers import ServerProcess

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"


def test_html_in_names_and_notes_is_text(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    room = server.create_room("mini-test", anonymous=False)
    code = room["code"]
    fac = pages.new("facilitator")
    fac.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    expect(fac.get_by_role("heading", name=t("ui.lobby.ready"))).to_be_visible(timeout=WAIT)
    assert "#" not in fac.url  # the token left the address bar
    player = pages.new("player")
    player.goto(f"{server.base}/r/{code}")
    player.get_by_label(t("ui.join.name_label")).fill(IMG)
    player.get_by_role("button", name=t("ui.join.button")).click()
    expect(player.get_by_role("heading", name=t("ui.lobby.welcome", name=IMG))).to_be_visible(timeout=WAIT)
    expect(fac.locator(".player-name")).to_have_text([IMG], timeout=WAIT)
    fac.get_by_role("button", name=t("ui.lobby.start")).click()
    player.locator('[data-focus-key="draw"]').click()
    expect(player.locator("#card-title")).to_be_visible(timeout=WAIT)
    player.get_by_label(t("ui.notes.label")).fill(SCRIPT)
    player.get_by_role("button", name=t("ui.notes.add")).click()
    expect(fac.locator(".note-text")).to_have_text([SCRIPT], timeout=WAIT)
    area = player.locator("textarea.open-answer")
    if area.count():
        area.fill(SCRIPT + IMG)
        area.blur()
    player.get_by_role("button", name=t("ui.play.reveal")).click()
    expect(fac.locator(".tally").first).to_be_visible(timeout=WAIT)
    if area.count():
        expect(fac.locator(".open-answers li").first).to_contain_text(SCRIPT + IMG)
    expect(fac.get_by_text(IMG).first).to_be_visible()
    shot(fac, "xss-facilitator")
    for page in (fac, player):
        assert page.evaluate("() => typeof window.__xss") == "undefined"
        assert page.locator("main img[src='x']").count() == 0
        assert page.locator("main script:not([type='application/json'])").count() == 0
