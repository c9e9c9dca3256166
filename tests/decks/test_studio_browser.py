"""The studio in a real browser (Debian chromium through Playwright) against a real server.

Screenshots go to test-artifacts/studio/ (git-ignored).
"""

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.decks.corpus import valid_deck
from tests.helpers import ROOT, Client, ServerProcess

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "test-artifacts" / "studio"
BUILTIN_FR = json.loads((ROOT / "cards" / "exploria-fr.json").read_text("utf-8"))
FIRST_CARD = BUILTIN_FR["cards"][0]  # the opening card, dealt first
XSS = "<img src=x onerror=window.__xss=1>"

if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # CSP off: an injected inline handler would then run, so "nothing executes" proves the
    # studio never parses deck texts as HTML (test_phone_layout_and_english keeps the CSP on)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: d.accept())
    pg.errors = errors
    yield pg
    context.close()
    assert not errors, errors


def open_studio(page: Any, server: ServerProcess, query: str = "lang=fr") -> None:
    page.goto(f"{server.base}/studio?{query}")
    page.wait_for_selector("body[data-studio-ready]")


def coverage(page: Any, criterion: str) -> int:
    text = page.locator(f'#coverage [data-criterion="{criterion}"] .criterion-count').inner_text()
    return int(re.sub(r"\D", "", text))


def field(page: Any, path: str) -> Any:
    return page.locator(f'#editor [data-path="{path}"]')


def test_duplicate_edit_save_and_play(page: Any, server: ServerProcess) -> None:
    open_studio(page, server)
    page.screenshot(path=SHOTS / "library.png", full_page=True)
    page.locator('[data-deck="exploria-fr"] button', has_text="Dupliquer").click()
    page.wait_for_selector("#editor:not([hidden])")
    assert page.locator("#copy-note").is_visible()
    expect(page.locator("#question-rule")).to_contain_text("système envisagé")

    # the copy gets a new id; the card list and the preview show the first card
    page.locator("#deck-details > summary").click()
    assert field(page, "id").input_value() == "exploria-fr-copie"
    field(page, "title").fill("ExplorIA — boulangeries")
    assert page.locator("#card-list > li").count() == len(BUILTIN_FR["cards"])
    first_theme = next(t["title"] for t in BUILTIN_FR["themes"] if t["id"] == FIRST_CARD["theme"])
    assert page.locator("#preview .card-theme").inner_text().lower().startswith(first_theme.lower())

    # keyboard: move the first card down and back up, focus follows the card
    page.locator('[data-row="0"] button[aria-label^="Descendre"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator('[data-row="1"] .card-row-title')).to_have_text(FIRST_CARD["title"])
    assert page.evaluate("document.activeElement.closest('[data-row]').dataset.row") == "1"
    page.locator('[data-row="1"] button[aria-label^="Monter"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator('[data-row="0"] .card-row-title')).to_have_text(FIRST_CARD["title"])
    page.locator('[data-row="0"] .card-pick').click()

    # edit the card; the preview follows as you type
    field(page, "cards[0].title").fill("La fournée du marché")
    field(page, "cards[0].situation").fill("Le logiciel prévoit la fournée.\nLe patron décide.")
    expect(page.locator("#preview h2")).to_have_text("La fournée du marché")
    expect(page.locator('[data-row="0"] .card-row-title')).to_have_text("La fournée du marché")

    # add a yes/no question tied to surveillance: the coverage changes
    before = coverage(page, "surveillance")
    page.get_by_role("button", name="+ Question oui/non").click()
    new = "cards[0].questions[3]"
    field(page, f"{new}.text").fill("Le logiciel note-t-il qui a modifié la prévision ?")
    field(page, f"{new}.criterion").select_option("surveillance")
    field(page, f"{new}.risk_answer").select_option("yes")
    expect(page.locator('#coverage [data-criterion="surveillance"] .criterion-count')).to_have_text(
        re.compile(rf"\b{before + 1}\b")
    )  # the panel follows the edit a moment later
    expect(page.locator("#preview .questions > li")).to_have_count(4)
    expect(page.locator("#preview .questions > li").nth(3)).to_contain_text("Surveillance")
    page.screenshot(path=SHOTS / "editor.png")

    # save: the secret edit link appears, the token is kept
    page.locator("#save").click()
    page.wait_for_selector("#edit-link:not([hidden])")
    link = page.locator("#edit-link-url").input_value()
    token = page.evaluate("localStorage.getItem('exploria:deck-token:exploria-fr-copie')")
    assert token and link.endswith(f"/studio?deck=exploria-fr-copie#{token}")
    assert "modifier et supprimer" in page.locator("#edit-link .warning").inner_text()
    expect(page.locator("#editor-state")).to_have_text("Enregistré")
    page.screenshot(path=SHOTS / "saved.png")
    status, stored = server.request("GET", "/api/decks/exploria-fr-copie")
    assert status == 200 and stored["title"] == "ExplorIA — boulangeries"
    card = stored["cards"][0]
    assert card["title"] == "La fournée du marché"
    assert card["questions"][3] == {
        "id": "q4",
        "kind": "yes_no",
        "criterion": "surveillance",
        "risk_answer": "yes",
        "text": "Le logiciel note-t-il qui a modifié la prévision ?",
    }

    # a second save is a PUT with the token
    field(page, "cards[0].facilitator_tip").fill("Parlez des jours de marché.")
    page.locator("#save").click()
    page.wait_for_function("document.querySelector('#editor-state').textContent === 'Enregistré'")
    status, stored = server.request("GET", "/api/decks/exploria-fr-copie")
    assert stored["cards"][0]["facilitator_tip"] == "Parlez des jours de marché."

    # start a session on it (the game page is not under test here: a stand-in keeps the URL)
    page.route(
        re.compile(r"/r/[A-Z0-9]{6}$"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>partie</title>"
        ),
    )
    # "start a session" goes through the home page's options, with this deck chosen
    page.locator("#play").click()
    page.wait_for_url(re.compile(r"/\?lang=fr&deck=exploria-fr-copie"))
    expect(page.locator('input[name="deck"][value="exploria-fr-copie"]')).to_be_checked()
    expect(page.locator("#duration")).to_be_visible()
    page.locator("#opt-count").fill("40")  # every card, so that the edited one is dealt
    page.locator("#create-button").click()
    page.wait_for_url(re.compile(r"/r/[A-Z0-9]{6}$"))
    code = re.search(r"/r/([A-Z0-9]{6})$", page.url).group(1)
    fac_token = page.evaluate(f"localStorage.getItem('exploria:facilitator:{code}')")
    assert fac_token
    page.goto("about:blank")
    status, info = server.request("GET", f"/api/rooms/{code}")
    assert status == 200 and info["deck"] == {"id": "exploria-fr-copie", "title": "ExplorIA — boulangeries"}
    played = in_thread(find_card_in_room(server, code, fac_token, FIRST_CARD["id"], FIRST_CARD["theme"]))
    assert played["title"] == "La fournée du marché"
    assert played["questions"][3]["criterion"] == "surveillance"


def problem_paths(page: Any) -> list[str]:
    """The field each listed problem leads to (shown in words, kept in data-path)."""
    paths: list[str] = page.locator("#problem-list [data-path]").evaluate_all(
        "els => els.map(e => e.dataset.path)"
    )
    return paths


def in_thread(coro: Any) -> Any:
    """Playwright's sync API owns this thread's event loop: run the client in another one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=30)


async def find_card_in_room(
    server: ServerProcess, code: str, token: str, card_id: str, theme: str
) -> dict[str, Any]:
    """Plays the room's cards of ``theme`` until ``card_id`` is drawn; returns it as dealt."""
    fac = await Client.connect(server, code)
    await fac.join(token=token)
    player = await Client.connect(server, code)
    await player.join(name="Camille")
    try:
        await fac.ok({"type": "start"})
        for _ in range(40):
            await fac.ok({"type": "draw", "theme": theme})
            state = await fac.until(lambda s: s["card"] is not None)
            card: dict[str, Any] = state["card"]
            if card["id"] == card_id:
                return card
            await fac.ok({"type": "reveal"})
            await fac.ok({"type": "next"})
            await fac.until(lambda s: s["card"] is None)
        raise AssertionError(f"{card_id} never drawn")
    finally:
        await player.close()
        await fac.close()


def broken_file(tmp_path: Path) -> Path:
    deck = valid_deck("import-broken")
    deck["cards"][0]["questions"][0]["criterion"] = "bonheur"
    deck["cards"][1]["theme"] = "rh"
    deck["cards"][2]["questions"][0].pop("risk_answer")
    path = tmp_path / "atelier-casse.json"
    path.write_text(json.dumps(deck, ensure_ascii=False), "utf-8")
    return path


def test_import_broken_file_lists_problems(page: Any, server: ServerProcess, tmp_path: Path) -> None:
    before = server.request("GET", "/api/decks")[1]
    open_studio(page, server)
    page.set_input_files("#import-file", str(broken_file(tmp_path)))
    page.wait_for_selector("#problems:not([hidden])")
    problems = page.locator("#problem-list li")
    assert problems.count() == 3
    assert page.locator("#problems-title").inner_text() == (
        "Le fichier «\u00a0atelier-casse.json\u00a0» ne peut pas être utilisé tel quel"
    )
    texts = problems.all_inner_texts()
    # in plain words: where (card, question) and what to do — no JSON path, no « yes »
    assert problem_paths(page)[1:] == ["cards[1].theme", "cards[2].questions[0].risk_answer"]
    assert texts[1].startswith("Carte 2") and "«\u00a0rh\u00a0» n'existe pas" in texts[1]
    assert texts[2] == (
        "Question 1 de la carte 3\u00a0: choisissez la réponse qui signale un risque (oui ou non)"
    )
    assert "[" not in " ".join(texts) and "yes" not in " ".join(texts)
    page.screenshot(path=SHOTS / "import-problems.png")

    # a click on a problem opens its card and focuses the field
    problems.nth(2).locator("button").click()
    assert page.evaluate("document.activeElement.dataset.path") == "cards[2].questions[0].risk_answer"
    assert page.locator("#card-editor h2").inner_text() == "Carte 3 sur 3"
    assert field(page, "cards[2].questions[0].risk_answer").get_attribute("aria-invalid") == "true"
    problems.nth(0).locator("button").click()
    assert page.evaluate("document.activeElement.dataset.path") == "cards[0].questions[0].criterion"
    page.screenshot(path=SHOTS / "import-problem-focused.png")

    # fix them in the studio, then save
    field(page, "cards[0].questions[0].criterion").select_option("autonomie")
    problems.nth(1).locator("button").click()
    field(page, "cards[1].theme").select_option("management")
    page.locator('[data-row="2"] .card-pick').click()
    field(page, "cards[2].questions[0].risk_answer").select_option("yes")
    page.locator("#save").click()
    page.wait_for_selector("#edit-link:not([hidden])")
    assert server.request("GET", "/api/decks/import-broken")[0] == 200
    before_ids = {d["id"] for d in before}
    after_ids = {d["id"] for d in server.request("GET", "/api/decks?mine=import-broken")[1]}
    assert after_ids - before_ids == {"import-broken"}


def test_import_unreadable_files(page: Any, server: ServerProcess, tmp_path: Path) -> None:
    open_studio(page, server)
    not_json = tmp_path / "pas-du-json.json"
    not_json.write_text('{"format": "exploria-deck/1",\n  "id": ', "utf-8")
    page.set_input_files("#import-file", str(not_json))
    page.wait_for_selector("#problems:not([hidden])")
    assert "n'est pas du JSON valide" in page.locator("#problem-list").inner_text()
    assert page.locator("#library").is_visible()

    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(
        json.dumps(valid_deck("latin"), ensure_ascii=False).replace("Mini", "Réduit").encode("latin-1")
    )
    page.set_input_files("#import-file", str(latin1))
    page.wait_for_function("document.querySelector('#problem-list').textContent.includes('UTF-8')")

    # drag and drop: the same path as the file picker
    deck = json.dumps(valid_deck("dropped-deck"))
    page.evaluate(
        """(text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'depose.json', {type: 'application/json'}));
        for (const type of ['dragenter', 'dragover', 'drop']) {
          const event = new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true});
          document.body.dispatchEvent(event);
        }
    }""",
        deck,
    )
    page.wait_for_selector("#editor:not([hidden])")
    assert field(page, "id").input_value() == "dropped-deck"
    assert page.locator("#problems").is_hidden()


def test_html_in_texts_is_shown_as_text(page: Any, server: ServerProcess, tmp_path: Path) -> None:
    deck = valid_deck("xss-deck")
    deck["title"] = f"Jeu {XSS}"
    deck["description"] = XSS
    deck["themes"][0]["title"] = XSS
    card = deck["cards"][0]
    card.update(title=f"Carte {XSS}", situation=f"<b>gras</b> {XSS}", facilitator_tip=XSS)
    card["questions"][0]["text"] = f"{XSS} ?"
    path = tmp_path / "xss.json"
    path.write_text(json.dumps(deck, ensure_ascii=False), "utf-8")

    open_studio(page, server)
    page.set_input_files("#import-file", str(path))
    page.wait_for_selector("#editor:not([hidden])")
    assert page.locator("#preview h2").inner_text() == f"Carte {XSS}"
    assert XSS in page.locator("#preview .situation").inner_text()
    assert XSS in page.locator("#preview .tip").inner_text()
    assert page.locator("#preview .card-theme").inner_text().lower().startswith(XSS.lower())
    assert page.locator("#editor-title").inner_text() == f"Jeu {XSS}"
    assert page.locator("#editor img, #editor b, #editor script").count() == 0
    page.screenshot(path=SHOTS / "html-as-text.png")

    page.locator("#save").click()
    page.wait_for_selector("#edit-link:not([hidden])")
    page.locator("#back").click()
    page.wait_for_selector('[data-deck="xss-deck"]')
    assert page.locator('[data-deck="xss-deck"] h3').inner_text() == f"Jeu {XSS}"
    assert page.locator("#library img").count() == 0

    # and in the game page, whatever it shows of the deck
    page.locator('[data-deck="xss-deck"] button', has_text="Lancer une partie").click()
    page.wait_for_url(re.compile(r"deck=xss-deck"))  # the home page, this deck chosen
    assert page.locator("#create-form img, #create-form b").count() == 0
    page.locator("#create-button").click()
    page.wait_for_url(re.compile(r"/r/[A-Z0-9]{6}"))
    page.wait_for_timeout(800)
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.goto(f"{server.base}/studio?deck=xss-deck&lang=fr")
    page.wait_for_selector("#editor:not([hidden])")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_secret_edit_link_opens_the_deck_in_another_browser(browser: Any, server: ServerProcess) -> None:
    status, body = server.request("POST", "/api/decks", valid_deck("shared-link"))
    assert status == 201
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800}, bypass_csp=True)
    pg = context.new_page()
    try:
        pg.goto(server.base + body["edit_url"])
        pg.wait_for_selector("#editor:not([hidden])")
        assert "#" not in pg.url  # the token leaves the address bar
        assert pg.evaluate("localStorage.getItem('exploria:deck-token:shared-link')") == body["edit_token"]
        assert pg.locator("#copy-note").is_hidden()
        assert pg.locator('#editor [data-path="id"]').get_attribute("readonly") is not None
        pg.locator('#editor [data-path="cards[0].title"]').fill("Planning partagé")
        pg.locator("#save").click()
        pg.wait_for_function("document.querySelector('#editor-state').textContent === 'Enregistré'")
        assert server.request("GET", "/api/decks/shared-link")[1]["cards"][0]["title"] == "Planning partagé"

        # without the link, the same deck opens as a copy
        other = browser.new_context(locale="fr-FR", bypass_csp=True)
        stranger = other.new_page()
        stranger.goto(f"{server.base}/studio?deck=shared-link&lang=fr")
        stranger.wait_for_selector("#editor:not([hidden])")
        assert stranger.locator("#copy-note").is_visible()
        assert stranger.locator('#editor [data-path="id"]').input_value() == "shared-link-copie"
        other.close()
    finally:
        context.close()


def test_phone_layout_and_english(browser: Any, server: ServerProcess) -> None:
    context = browser.new_context(
        locale="en-GB",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    pg = context.new_page()
    console: list[str] = []
    pg.on("console", lambda m: console.append(m.text))
    pg.on("pageerror", lambda e: console.append(str(e)))
    try:
        open_studio(pg, server, "lang=en")
        assert pg.locator("h1").first.inner_text() == "Deck studio"
        pg.screenshot(path=SHOTS / "phone-library.png")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360
        pg.locator('[data-deck="exploria-en"] button', has_text="Duplicate").click()
        pg.wait_for_selector("#editor:not([hidden])")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360
        pg.screenshot(path=SHOTS / "phone-editor.png")
        pg.locator("#coverage").scroll_into_view_if_needed()
        pg.screenshot(path=SHOTS / "phone-coverage.png")
        assert not [m for m in console if "Content Security Policy" in m or "Error" in m], console
    finally:
        context.close()


def test_new_deck_from_scratch_warns_about_uncovered_criteria(page: Any, server: ServerProcess) -> None:
    open_studio(page, server)
    page.locator("#new-deck").click()
    page.wait_for_selector("#editor:not([hidden])")
    warning = page.locator(".coverage-warning")
    assert "Autonomie" in warning.inner_text() and "Surveillance" in warning.inner_text()
    # saving a blank card is stopped in the browser, with the fields to fill
    page.locator("#save").click()
    page.wait_for_selector("#problems:not([hidden])")
    paths = problem_paths(page)
    assert paths == [
        "cards[0].questions[0].text",
        "cards[0].questions[0].criterion",
        "cards[0].questions[0].risk_answer",
    ]
    field(page, "cards[0].questions[0].text").fill("Peut-on refuser la proposition de l'outil ?")
    field(page, "cards[0].questions[0].criterion").select_option("autonomie")
    field(page, "cards[0].questions[0].risk_answer").select_option("no")
    # the coverage panel follows the edit a moment later: wait for it, do not sample it
    expect(page.locator('#coverage [data-criterion="autonomie"]')).to_have_class("criterion-row")
    page.locator("#add-card").click()
    page.get_by_role("button", name="+ Question ouverte").click()
    page.screenshot(path=SHOTS / "new-deck.png")
    page.locator("#check").click()
    page.wait_for_selector("#problems:not([hidden])")
    assert problem_paths(page) == [
        "cards[1].questions[0].text",
        "cards[1].questions[0].criterion",
        "cards[1].questions[0].risk_answer",
        "cards[1].questions[1].text",
    ]
