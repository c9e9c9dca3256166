"""The facilitator's controls: skip, park (the card comes back later), pass the turn, and
"finish" offered once no card is left."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, WAIT, Pages, shot, tr
from tests.helpers import ServerProcess


def test_skip_park_pass_and_finish(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    room = server.create_room("mini-test")
    code = room["code"]
    fac = pages.new("facilitator", PHONE)
    fac.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    names = ("Gus", "Hana")
    players = []
    for name in names:
        page = pages.new(name)
        page.goto(f"{server.base}/r/{code}")
        page.get_by_label(t("ui.join.name_label")).fill(name)
        page.get_by_role("button", name=t("ui.join.button")).click()
        expect(page.get_by_role("heading", name=t("ui.lobby.welcome", name=name))).to_be_visible(timeout=WAIT)
        players.append(page)
    gus, hana = players
    # no name given: the default one is not announced as "led by Animation"
    expect(gus.get_by_text(t("ui.lobby.led_by", name=tr("fr", "role.facilitator_default")))).to_have_count(0)
    fac.get_by_role("button", name=t("ui.lobby.start")).click()
    expect(gus.get_by_text(t("ui.play.your_turn"))).to_be_visible(timeout=WAIT)
    fac.get_by_role("button", name=t("ui.control.pass_turn")).click()
    expect(hana.get_by_text(t("ui.play.your_turn"))).to_be_visible(timeout=WAIT)

    hana.locator('[data-focus-key="draw"]').click()
    expect(fac.locator("#card-title")).to_be_visible(timeout=WAIT)
    fac.get_by_role("button", name=t("ui.control.skip")).click()
    # skipping asks first, and says what it does
    expect(fac.get_by_text(t("ui.control.skip_explain"))).to_be_visible()
    fac.locator('[data-focus-key="skip-yes"]').click()
    expect(gus.get_by_text(t("ui.play.your_turn"))).to_be_visible(timeout=WAIT)
    expect(fac.locator(".history li")).to_have_count(1)

    gus.locator('[data-focus-key="draw"]').click()
    expect(fac.locator("#card-title")).to_be_visible(timeout=WAIT)
    parked_title = fac.locator("#card-title").inner_text()
    fac.get_by_role("button", name=t("ui.control.park")).click()
    expect(fac.get_by_text(t("ui.control.park_explain"))).to_be_visible()
    fac.locator('[data-focus-key="park-no"]').click()  # cancel: the card stays
    expect(fac.locator("#card-title")).to_have_text(parked_title)
    fac.get_by_role("button", name=t("ui.control.park")).click()
    fac.locator('[data-focus-key="park-yes"]').click()
    expect(gus.get_by_text(t("ui.play.parked", count=1), exact=False)).to_be_visible(timeout=WAIT)
    shot(fac, "controls-phone")

    # the card set aside is listed at the next draw, and taken back at once with one click
    take_back = fac.get_by_role("button", name=t("ui.parked.take", title=parked_title))
    expect(take_back).to_be_visible(timeout=WAIT)
    # the reader (the turn passed to Hana) may take it back too; Gus may not
    expect(hana.get_by_role("button", name=t("ui.parked.take", title=parked_title))).to_be_visible()
    expect(gus.get_by_role("button", name=t("ui.parked.take", title=parked_title))).to_have_count(0)
    shot(fac, "controls-parked-list")
    take_back.click()
    expect(fac.locator("#card-title")).to_have_text(parked_title, timeout=WAIT)
    fac.get_by_role("button", name=t("ui.play.reveal")).click()
    expect(fac.locator("#next-action")).to_have_text(t("ui.play.next"), timeout=WAIT)
    fac.locator("#next-action").click()
    expect(fac.locator("#card-title")).to_have_count(0, timeout=WAIT)

    # the last card of the pile
    for _ in range(1):
        fac.locator("#next-action").click()
        expect(fac.locator("#card-title")).to_be_visible(timeout=WAIT)
        fac.get_by_role("button", name=t("ui.play.reveal")).click()
        expect(fac.locator("#next-action")).to_have_text(
            re.compile(f"{t('ui.play.next')}|{t('ui.play.next_last')}"), timeout=WAIT
        )
        fac.locator("#next-action").click()
        expect(fac.locator("#card-title")).to_have_count(0, timeout=WAIT)
    titles = fac.locator(".history li > span:first-child").all_inner_texts()
    assert parked_title in titles
    expect(gus.get_by_role("heading", name=t("ui.play.all_done"))).to_be_visible(timeout=WAIT)
    expect(gus.locator("#next-action")).to_have_count(0)
    expect(fac.locator("#next-action")).to_have_text(t("ui.control.finish"))
    fac.locator("#next-action").click()
    expect(hana.get_by_role("heading", name=t("ui.synthesis.heading"))).to_be_visible(timeout=WAIT)
    expect(
        hana.get_by_text(f"{t('ui.synthesis.played', count=2)} {t('ui.synthesis.skipped', count=1)}")
    ).to_be_visible()

    # the facilitator erases the session: everybody's access and answers are gone
    expect(gus.locator('[data-focus-key="erase"]')).to_have_count(0)  # players cannot
    fac.locator('[data-focus-key="erase"]').click()
    expect(fac.get_by_text(t("ui.erase.confirm"))).to_be_visible(timeout=WAIT)
    fac.locator('[data-focus-key="erase-yes"]').click()
    expect(fac.get_by_text(t("ui.erase.done"))).to_be_visible(timeout=WAIT)
    assert server.request("GET", f"/api/rooms/{code}")[0] == 404
    shot(fac, "erased-home")


def test_facilitator_takes_over_from_another_device(server: ServerProcess, pages: Pages) -> None:
    t = lambda key, **kw: tr("fr", key, **kw)  # noqa: E731
    room = server.create_room("mini-test")
    code = room["code"]
    first = pages.new("first-device")
    first.goto(f"{server.base}/r/{code}#f={room['facilitator_token']}")
    first.locator('[data-focus-key="facilink-show"]').click()
    link = first.get_by_label(t("ui.facilink.label")).input_value()
    assert link.endswith(f"/r/{code}#f={room['facilitator_token']}")
    second = pages.new("second-device")  # another browser context: nothing in its storage
    second.goto(link)
    expect(second.get_by_role("button", name=t("ui.lobby.start"))).to_be_visible(timeout=WAIT)
    assert "#f=" not in second.url  # the secret leaves the address bar at once
