"""The home page: a session is created from the first screen of a 1366×768 laptop, with the
number of cards and its estimated duration; advanced options (framing, themes, sectors, quorum)
are folded; the sector picker lists the sectors of the chosen deck's cards and sends them."""

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Pages, axe_violations, catalogue, shot, tr
from tests.helpers import ServerProcess

LAPTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}}


def t(key: str, **params: Any) -> str:
    return tr("fr", key, **params)


def test_create_above_the_fold_with_a_duration(server: ServerProcess, pages: Pages) -> None:
    page = pages.new("home", LAPTOP)
    page.goto(f"{server.base}/?lang=fr")
    for selector in (
        "#create-button",
        "#opt-count",
        "#opt-timer",
        "#opt-anonymous",
        "#opt-ai-name",
        "#advanced summary",
    ):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, selector
    assert page.locator("#advanced").get_attribute("open") is None  # folded
    page.locator('input[name="deck"][value="mini-test"]').check()
    expect(page.locator("#opt-count")).to_have_value("3")  # a small deck: all its cards
    expect(page.locator("#duration")).to_have_text(
        f"{t('ui.home.count_of', count=3, total=3)} · "
        f"{t('ui.home.duration', duration=t('ui.home.duration_minutes', minutes=3 * 8 + 15))}"
    )
    page.locator("#opt-count").fill("1")
    expect(page.locator("#duration")).to_contain_text(t("ui.home.count_of", count=1, total=3))
    # one card of three: a random draw of one
    with page.expect_request("**/api/rooms?lang=fr") as sent:
        page.locator("#create-button").click()
    body = json.loads(sent.value.post_data or "{}")
    assert body["settings"]["selection"] == "random" and body["settings"]["card_count"] == 1
    assert "ai_system" not in body["settings"]  # nothing sent that was not filled in
    expect(page.get_by_role("heading", name=t("ui.lobby.ready"))).to_be_visible()
    expect(page.locator(".lobby-controls")).to_contain_text(
        t("ui.lobby.deck", deck="Mini deck de test", count=1)
    )


def test_sector_picker(server: ServerProcess, pages: Pages) -> None:
    status, deck = server.request("GET", "/api/decks/exploria-fr")
    sectors = sorted({s for card in deck.get("cards", []) for s in card.get("sectors", [])})
    if status != 200 or not sectors:
        pytest.skip("the built-in deck's cards carry no sectors on this server")
    page = pages.new("home", LAPTOP)
    page.goto(f"{server.base}/?lang=fr")
    page.locator('input[name="deck"][value="exploria-fr"]').check()
    page.locator("#advanced summary").click()
    choice = page.locator("#sector-choice")
    expect(choice).to_be_visible()
    boxes = choice.locator('input[name="sectors"]')
    expect(boxes).to_have_count(len(sectors))
    label = catalogue("fr").get(f"sector.{sectors[0]}", sectors[0])  # the id without a label
    expect(choice).to_contain_text(label)
    page.locator(f'input[name="sectors"][value="{sectors[0]}"]').check()
    shot(page, "home-sectors-1366")
    assert not axe_violations(page), axe_violations(page)
    with page.expect_request("**/api/rooms?lang=fr") as sent:
        page.locator("#create-button").click()
    body = json.loads(sent.value.post_data or "{}")
    assert body["settings"]["sectors"] == [sectors[0]]
    expect(page.get_by_role("heading", name=t("ui.lobby.ready"))).to_be_visible()


def test_home_on_a_phone(server: ServerProcess, pages: Pages) -> None:
    page = pages.new("home-phone", PHONE)
    page.goto(f"{server.base}/?lang=fr")
    page.locator("#advanced summary").click()
    shot(page, "home-phone")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # no horizontal scroll
    assert not axe_violations(page), axe_violations(page)
