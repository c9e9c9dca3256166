"""Wrong codes, a full room, a stale seat, a refused action and a lost connection each show a
clear message in the page's language, and the page keeps working."""

import re

from playwright.sync_api import WebSocketRoute, expect

from tests.browser.conftest import WAIT, Pages, catalogue, shot, tr
from tests.helpers import ServerProcess


def test_wrong_codes(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("en", key, **kw)  # noqa: E731
    pages.expect_console("status of 404")
    page = pages.new("visitor", locale="en-US")
    page.goto(f"{server.base}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # from Accept-Language
    code_box = page.get_by_label(t("ui.home.code_label"))
    code_box.fill("abc")
    page.get_by_role("button", name=t("ui.home.join_button")).click()
    expect(page.locator("#join-error")).to_have_text(t("ui.home.bad_code"), timeout=WAIT)
    code_box.fill("ZZZ ZZZ")
    page.get_by_role("button", name=t("ui.home.join_button")).click()
    expect(page.locator("#join-error")).to_have_text(
        tr("en", "error.room_not_found", code="ZZZZZZ"), timeout=WAIT
    )
    expect(code_box).to_have_attribute("aria-invalid", "true")
    shot(page, "bad-code-home")
    response = page.goto(f"{server.base}/r/ZZZZZZ")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name=t("ui.room.not_found_heading"))).to_be_visible()
    page.get_by_role("link", name=t("ui.back_home")).click()
    expect(page).to_have_url(f"{server.base}/")
    fr = pages.new("visiteur")
    fr.goto(f"{server.base}/r/nope")
    expect(fr.get_by_text(tr("fr", "error.room_not_found", code="NOPE"))).to_be_visible()


def test_full_room_and_stale_seat(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    room = server.create_room("mini-test", max_players=1)
    code = room["code"]
    first = pages.new("first")
    first.goto(f"{server.base}/r/{code}")
    first.get_by_label(t("ui.join.name_label")).fill("Ana")
    first.get_by_role("button", name=t("ui.join.button")).click()
    expect(first.get_by_role("heading", name=t("ui.lobby.welcome", name="Ana"))).to_be_visible(timeout=WAIT)
    second = pages.new("second")
    second.goto(f"{server.base}/r/{code}")
    second.get_by_label(t("ui.join.name_label")).fill("Ben")
    second.get_by_role("button", name=t("ui.join.button")).click()
    expect(second.locator("#name-error")).to_have_text(tr("fr", "error.room_full", limit=1), timeout=WAIT)
    shot(second, "room-full")
    # a seat token that is not (or no longer) valid falls back to the name form, explained
    other = server.create_room("mini-test")
    stale = pages.new("stale")
    stale.goto(f"{server.base}/r/{other['code']}")
    stale.evaluate(f"() => localStorage.setItem('exploria:player:{other['code']}', 'bogus')")
    stale.reload()
    expect(stale.locator("#name-error")).to_have_text(catalogue("fr")["error.bad_token"], timeout=WAIT)
    stale.get_by_label(t("ui.join.name_label")).fill("Chloé")
    stale.get_by_role("button", name=t("ui.join.button")).click()
    expect(stale.get_by_role("heading", name=t("ui.lobby.welcome", name="Chloé"))).to_be_visible(timeout=WAIT)


def test_refused_action_shows_the_server_message(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    room = server.create_room("mini-test")
    code = room["code"]
    fac = pages.new("facilitator")
    fac.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    player = pages.new("player")
    player.goto(f"{server.base}/r/{code}")
    player.get_by_label(t("ui.join.name_label")).fill("Dora")
    player.get_by_role("button", name=t("ui.join.button")).click()
    fac.get_by_role("button", name=t("ui.lobby.start")).click()
    expect(player.locator('[data-focus-key="draw"]')).to_be_visible(timeout=WAIT)

    # a second facilitator tab whose view is frozen: it will try to draw a card already drawn
    frozen = {"on": False}
    dropped: list[str] = []

    def down(ws: WebSocketRoute, message: str | bytes) -> None:
        if frozen["on"]:
            dropped.append(message if isinstance(message, str) else message.decode())
        else:
            ws.send(message)

    def relay(ws: WebSocketRoute) -> None:
        server_side = ws.connect_to_server()
        server_side.on_message(lambda m: down(ws, m))
        ws.on_message(lambda m: server_side.send(m))

    stale = pages.new("stale-facilitator")
    stale.route_web_socket(re.compile(r".*/ws/rooms/.*"), relay)
    stale.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    expect(stale.locator("#next-action")).to_have_text(t("ui.play.draw"), timeout=WAIT)
    frozen["on"] = True
    player.locator('[data-focus-key="draw"]').click()
    expect(fac.locator("#card-title")).to_be_visible(timeout=WAIT)
    # the relay runs in this process: wait until it has really held back the drawn card (the
    # other tab seeing it does not mean this relay's callback has run yet)
    for _ in range(WAIT // 50):
        if any("drawn_at" in m for m in dropped):
            break
        stale.wait_for_timeout(50)
    assert any("drawn_at" in m for m in dropped)
    frozen["on"] = False  # only the error to come reaches the stale tab
    stale.locator("#next-action").click()
    expect(stale.locator("#toast")).to_contain_text(catalogue("fr")["error.card_in_play"], timeout=WAIT)
    shot(stale, "refused-action")
    stale.get_by_role("button", name=t("ui.close")).click()
    expect(stale.locator("#toast")).to_be_hidden()


def test_lost_connection_reconnects_and_resends(fresh_server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    server = fresh_server
    pages.expect_console("ERR_CONNECTION_REFUSED")
    room = server.create_room("mini-test")
    code = room["code"]
    fac = pages.new("facilitator")
    fac.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    player = pages.new("player")
    player.goto(f"{server.base}/r/{code}")
    player.get_by_label(t("ui.join.name_label")).fill("Eve")
    player.get_by_role("button", name=t("ui.join.button")).click()
    fac.get_by_role("button", name=t("ui.lobby.start")).click()
    player.locator('[data-focus-key="draw"]').click()
    expect(player.locator("#card-title")).to_be_visible(timeout=WAIT)
    server.stop()
    status = player.locator("#conn-status")
    expect(status).to_contain_text(t("ui.status.reconnecting"), timeout=WAIT)
    expect(status).not_to_contain_text("null")
    shot(player, "reconnecting")
    # an answer given while offline is kept and sent once the connection is back
    vote = player.locator('[data-focus-key^="vote-"]').first
    vote.click()
    server.start()
    expect(status).to_be_hidden(timeout=20000)
    expect(fac.get_by_text(t("ui.card.answered", count=1, total=1)).first).to_be_visible(timeout=20000)
    player.reload()
    expect(vote).to_have_attribute("aria-pressed", "true", timeout=WAIT)
