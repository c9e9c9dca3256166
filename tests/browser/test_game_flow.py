"""A facilitator and two players (one on a phone) play two cards end to end, in French and
in English, through the real pages: create, join by link and by code, start, draw, answer,
reload mid-card, reveal, consensus, note, next, finish, synthesis."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, WAIT, Pages, shot, tr
from tests.helpers import ServerProcess


def vote(page: Page, question: str, value: str, tap: bool = False) -> None:
    button = page.locator(f'[data-focus-key="vote-{question}-{value}"]')
    if tap:
        button.tap()
    else:
        button.click()
    expect(button).to_have_attribute("aria-pressed", "true", timeout=WAIT)


def answer_card(page: Page, value: str, text: str, tap: bool = False) -> list[str]:
    """Answers every question of the card on ``page``; returns the question ids."""
    ids = []
    questions = page.locator("li.question")
    expect(questions.first).to_be_visible(timeout=WAIT)
    for i in range(questions.count()):
        item = questions.nth(i)
        cls = item.get_attribute("class") or ""
        area = item.locator("textarea")
        if "kind-open" in cls:
            key = area.get_attribute("data-focus-key") or ""
            qid = key.rsplit(":", 1)[-1]
            area.fill(text)
            area.blur()
        else:
            key = item.locator("button.btn-vote").first.get_attribute("data-focus-key") or ""
            qid = key.split("-")[1]
            vote(page, qid, value, tap=tap)
        ids.append(qid)
    return ids


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_two_cards_end_to_end(server: ServerProcess, pages: Pages, lang: str) -> None:
    locale = "fr-FR" if lang == "fr" else "en-GB"
    t = lambda key, **kw: tr(lang, key, **kw)  # noqa: E731
    fac = pages.new("facilitator", locale=locale)
    fac.goto(f"{server.base}/?lang={lang}")
    expect(fac.locator("html")).to_have_attribute("lang", lang)
    expect(fac.get_by_role("heading", level=1)).to_have_text(t("ui.home.heading"))
    shot(fac, f"{lang}-01-home")
    if lang == "en":  # decks of another language than the page's are folded away
        expect(fac.locator('input[name="deck"][value="mini-test"]')).to_be_hidden()
        fac.locator(".other-decks summary").click()
    fac.locator('input[name="deck"][value="mini-test"]').check()
    fac.get_by_label(t("ui.home.facilitator_name")).fill("Fanny")
    fac.get_by_role("button", name=t("ui.home.create_button")).click()
    expect(fac).to_have_url(re.compile(r"/r/[A-Z2-9]{6}$"), timeout=WAIT)
    code = fac.url.rsplit("/", 1)[-1]
    expect(fac.get_by_role("heading", name=t("ui.lobby.ready"))).to_be_visible(timeout=WAIT)
    expect(fac.locator(".big-code")).to_have_text(f"{code[:3]} {code[3:]}")
    qr = fac.locator(".qr img")
    expect(qr).to_be_visible()
    # wait for the image to load (a visible <img> may still be fetching under load), then check
    # it decoded to a real picture
    fac.wait_for_function("img => img.complete", arg=qr.element_handle(), timeout=WAIT)
    assert fac.evaluate("img => img.naturalWidth", qr.element_handle()) > 0
    join_url = fac.locator("#join-link").get_attribute("href")
    assert join_url and join_url.endswith(f"/r/{code}")

    # Alice joins by the link, Bob types the code on his phone
    alice = pages.new("alice", locale=locale)
    alice.goto(join_url)
    expect(alice.get_by_role("heading", name=t("ui.join.heading"))).to_be_visible(timeout=WAIT)
    alice.get_by_label(t("ui.join.name_label")).fill("Alice")
    alice.get_by_role("button", name=t("ui.join.button")).click()
    expect(alice.get_by_role("heading", name=t("ui.lobby.welcome", name="Alice"))).to_be_visible(timeout=WAIT)
    bob = pages.new("bob", PHONE, locale=locale)
    bob.goto(f"{server.base}/")
    bob.get_by_label(t("ui.home.code_label")).fill(code.lower())
    bob.get_by_role("button", name=t("ui.home.join_button")).tap()
    expect(bob).to_have_url(re.compile(f"/r/{code}$"), timeout=WAIT)
    bob.get_by_label(t("ui.join.name_label")).fill("Bob")
    bob.get_by_role("button", name=t("ui.join.button")).tap()
    expect(bob.get_by_role("heading", name=t("ui.lobby.welcome", name="Bob"))).to_be_visible(timeout=WAIT)
    shot(bob, f"{lang}-02-lobby-phone")
    expect(fac.locator(".player-name")).to_have_text(["Alice", "Bob"], timeout=WAIT)
    shot(fac, f"{lang}-03-lobby-facilitator")

    # start: Alice reads first and draws a card of a chosen theme
    fac.get_by_role("button", name=t("ui.lobby.start")).click()
    expect(alice.get_by_text(t("ui.play.your_turn"))).to_be_visible(timeout=WAIT)
    expect(bob.get_by_text(t("ui.play.reader_draws", name="Alice"))).to_be_visible(timeout=WAIT)
    shot(alice, f"{lang}-04-draw")
    alice.locator('[data-focus-key="draw-organisation"]').click()
    expect(bob.locator("#card-title")).to_be_visible(timeout=WAIT)
    expect(bob.locator(".card-theme")).to_have_text("Organisation du travail")
    expect(fac.get_by_text(t("ui.play.card_of", index=1, total=3))).to_be_visible(timeout=WAIT)
    ids = answer_card(alice, "yes", "Plus de temps pour les clients")
    answer_card(bob, "no", "Moins de saisie", tap=True)
    expect(fac.get_by_text(t("ui.card.answered", count=2, total=2)).first).to_be_visible(timeout=WAIT)
    shot(bob, f"{lang}-05-card-phone")
    shot(fac, f"{lang}-06-card-facilitator")

    # Bob's phone reloads mid-card: same seat, answers kept
    bob.reload()
    expect(bob.locator("#card-title")).to_be_visible(timeout=WAIT)
    expect(bob.locator(f'[data-focus-key="vote-{ids[0]}-no"]')).to_have_attribute(
        "aria-pressed", "true", timeout=WAIT
    )
    open_area = bob.locator("textarea.open-answer")
    if open_area.count():
        expect(open_area).to_have_value("Moins de saisie")
    expect(fac.locator(".side-col .player-name")).to_have_text(["Alice", "Bob"])

    # reveal, consensus, note
    alice.get_by_role("button", name=t("ui.play.reveal")).click()
    expect(bob.locator(".tally").first).to_be_visible(timeout=WAIT)
    expect(fac.locator(".tally-count").first).to_have_text("1")
    consensus = alice.locator(f'[data-focus-key="consensus-{ids[0]}-no"]')
    consensus.click()
    expect(consensus).to_have_attribute("aria-pressed", "true", timeout=WAIT)
    expect(bob.get_by_text(t("ui.result.by_consensus")).first).to_be_visible(timeout=WAIT)
    bob.get_by_label(t("ui.notes.label")).fill("On en reparle avec le CSE.")
    bob.get_by_role("button", name=t("ui.notes.add")).tap()
    expect(fac.locator(".note-text")).to_have_text(["On en reparle avec le CSE."], timeout=WAIT)
    if open_area.count():
        expect(fac.locator(".open-answers li").first).to_be_visible()
    shot(fac, f"{lang}-07-revealed-facilitator")
    shot(bob, f"{lang}-08-revealed-phone")
    alice.get_by_role("button", name=t("ui.play.next")).click()

    # card 2: Bob's turn; the facilitator acts for him
    expect(bob.get_by_text(t("ui.play.your_turn"))).to_be_visible(timeout=WAIT)
    fac.locator("#next-action").click()
    expect(alice.locator("#card-title")).to_be_visible(timeout=WAIT)
    answer_card(alice, "unsure", "Rien")
    answer_card(bob, "yes", "Tout", tap=True)
    expect(fac.get_by_text(t("ui.card.answered", count=2, total=2)).first).to_be_visible(timeout=WAIT)
    fac.get_by_role("button", name=t("ui.play.reveal")).click()
    expect(alice.locator(".tally").first).to_be_visible(timeout=WAIT)
    fac.locator("#next-action").click()
    expect(fac.get_by_text(t("ui.play.cards_done", count=2, total=3))).to_be_visible(timeout=WAIT)

    # finish (with a confirmation) and the synthesis for everyone
    fac.get_by_role("button", name=t("ui.control.finish")).click()
    fac.get_by_role("button", name=t("ui.control.finish_yes")).click()
    for page in (fac, alice, bob):
        expect(page.get_by_role("heading", name=t("ui.synthesis.heading"))).to_be_visible(timeout=WAIT)
    expect(
        bob.get_by_text(f"{t('ui.synthesis.played', count=2)} {t('ui.synthesis.skipped', count=0)}")
    ).to_be_visible()
    report = bob.get_by_role("link", name=t("ui.synthesis.report"))
    expect(report).to_have_attribute("href", f"/r/{code}/report")
    expect(fac.locator(".criterion")).to_have_count(6)
    shot(fac, f"{lang}-09-synthesis")
    shot(bob, f"{lang}-10-synthesis-phone")
