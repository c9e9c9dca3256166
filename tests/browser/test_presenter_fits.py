"""The presenter view fits a shared screen with the built-in decks' biggest cards: after the
reveal of a 7-question self-diagnosis card, every result is inside 1920×1080; the lobby's QR
code is at least a third of a 4K screen's height; the read-aloud button is offered."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WAIT, Pages, shot
from tests.helpers import ServerProcess, seat_room

SCREENS = {"1920": {"width": 1920, "height": 1080}, "1280": {"width": 1280, "height": 720}}


async def play_to_reveal(server: ServerProcess, room: dict[str, Any], reveal: bool = True) -> int:
    """Three participants answer every question of the first card, then (``reveal``) the
    facilitator reveals it; returns the card's size."""
    fac, players = await seat_room(server, room, ["Aya", "Basile", "Céleste"])
    try:
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        state = await fac.until(lambda s: s["card"] is not None)
        card = state["card"]
        for n, player in enumerate(players):
            for q in card["questions"]:
                value = ("yes", "no", "unsure")[n] if q["kind"] == "yes_no" else "Chez nous, oui."
                await player.ok(
                    {"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value}
                )
        if reveal:
            await fac.ok({"type": "reveal"})
            await fac.until(lambda s: s["step"] == "revealed")
        return len(card["questions"])
    finally:
        for client in (*players, fac):
            await client.close()


@pytest.mark.parametrize("deck", ["autodiag-fr", "exploria-en"])
def test_results_fit_the_shared_screen(server: ServerProcess, pages: Pages, deck: str) -> None:
    room = server.create_room(deck, anonymous=False)
    with ThreadPoolExecutor(1) as pool:
        size = pool.submit(asyncio.run, play_to_reveal(server, room)).result(timeout=30)
    for name, viewport in SCREENS.items():
        screen = pages.new(f"presenter-{name}", {"viewport": viewport})
        screen.goto(f"{server.base}/r/{room['code']}/presenter#f={room['facilitator_token']}")
        results = screen.locator(".pres-result")
        expect(results).to_have_count(size, timeout=WAIT)
        shot(screen, f"fits-{deck}-{name}")
        if name == "1920":
            for i in range(size):
                box = results.nth(i).bounding_box()
                assert box is not None and box["y"] + box["height"] <= 1080, (deck, i + 1, box)


def test_a_seven_question_card_fits_while_answering(server: ServerProcess, pages: Pages) -> None:
    room = server.create_room("autodiag-fr")
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, play_to_reveal(server, room, reveal=False)).result(timeout=30)
    for name, viewport in SCREENS.items():
        screen = pages.new(f"presenter-{name}", {"viewport": viewport})
        screen.goto(f"{server.base}/r/{room['code']}/presenter#f={room['facilitator_token']}")
        card = screen.locator(".pres-card")
        expect(card).to_be_visible(timeout=WAIT)
        expect(screen.locator(".pres-turnout-figure .big")).to_have_text("3")
        shot(screen, f"fits-answering-autodiag-{name}")
        box = card.bounding_box()
        assert box is not None and box["y"] + box["height"] <= viewport["height"], (name, box)


def test_lobby_on_a_4k_screen_and_read_aloud(server: ServerProcess, pages: Pages) -> None:
    room = server.create_room("mini-test")
    screen = pages.new("presenter-4k", {"viewport": {"width": 3840, "height": 2160}})
    screen.goto(f"{server.base}/r/{room['code']}/presenter#f={room['facilitator_token']}")
    qr = screen.locator(".pres-qr img")
    expect(qr).to_be_visible(timeout=WAIT)
    box = qr.bounding_box()
    assert box is not None and box["height"] >= 2160 / 3 and box["y"] + box["height"] <= 2160
    code = screen.locator(".pres-code").bounding_box()
    assert code is not None and code["height"] >= 150  # the code, readable from the back
    shot(screen, "fits-lobby-4k")
