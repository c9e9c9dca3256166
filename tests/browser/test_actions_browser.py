"""Actions and follow-ups in a real browser (issue 16): a participant turns a note into an
action and adds another in the synthesis from the actions panel; a reader of the report starts
a follow-up with its button; the group sets the earlier actions' statuses in the follow-up's
lobby; the follow-up's report compares then and now, at 1366×768 and 390×844 (screenshots in
test-artifacts/browser/). The other people play through the protocol, from a thread."""

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, PHONE, WAIT, Pages, shot, tr
from tests.helpers import ServerProcess, seat_room
from tests.summary.test_followup_http import NOTE, _create, _play, _share

T = TypeVar("T")


def t(key: str, **params: Any) -> str:
    return tr("fr", key, **params)


class Loop:
    """An event loop on a thread, for protocol clients next to the sync browser."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def loop() -> Iterator[Loop]:
    lp = Loop()
    yield lp
    lp.close()


def _panel(page: Page) -> Any:
    panel = page.locator("#actions-panel")
    expect(panel).to_be_visible(timeout=WAIT)
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    return panel


def test_a_participant_records_actions_from_a_note_and_in_the_synthesis(
    server: ServerProcess, pages: Pages, loop: Loop
) -> None:
    room = _create(server)[1]
    fac, players = loop.run(seat_room(server, room, ["Ana", "Bob"]))
    page = pages.new("dana", PHONE)
    page.goto(f"{server.base}/r/{room['code']}")
    page.get_by_label(t("ui.join.name_label")).fill("Dana")
    page.get_by_role("button", name=t("ui.join.button")).click()
    loop.run(fac.until(lambda s: len(s["players"]) == 4))
    loop.run(fac.ok({"type": "start"}))
    loop.run(fac.ok({"type": "draw"}))
    loop.run(players[0].ok({"type": "note", "text": NOTE}))

    panel = _panel(page)
    panel.get_by_role("button", name=t("ui.actions.from_note")).click()
    expect(page.locator("#action-text")).to_have_value(NOTE)
    shot(page, "actions-from-note-390x844")
    page.locator("#action-owner").fill("La direction")
    page.locator("#action-criterion").select_option("responsabilite")
    page.get_by_role("button", name=t("ui.actions.add")).click()
    expect(panel.locator(".action-item .action-text")).to_have_text([NOTE], timeout=WAIT)
    state = loop.run(fac.until(lambda s: len(s["actions"]) == 1))
    assert state["actions"][0]["card_id"] == state["card"]["id"]
    assert state["actions"][0]["owner"] == "La direction"

    loop.run(fac.ok({"type": "finish"}))
    expect(page.locator("#actions-panel")).to_have_attribute("open", "", timeout=WAIT)
    page.locator("#action-text").fill("Informer le CSE du projet")
    page.locator("#action-due").fill("2027-03-12")
    page.locator("#action-step").select_option("2")
    page.get_by_role("button", name=t("ui.actions.add")).click()
    expect(page.locator(".action-item .action-text")).to_have_text(
        [NOTE, "Informer le CSE du projet"], timeout=WAIT
    )
    # a participant does not get the facilitator's tools
    expect(page.get_by_role("button", name=t("ui.actions.remove"))).to_have_count(0)
    shot(page, "actions-synthesis-390x844")
    state = loop.run(fac.until(lambda s: len(s["actions"]) == 2))
    assert state["actions"][1]["due"] == "2027-03-12" and state["actions"][1]["guide_step"] == 2
    for c in (fac, *players):
        loop.run(c.close())


def test_the_follow_up_compares_then_and_now(server: ServerProcess, pages: Pages, loop: Loop) -> None:
    status, first = _create(server, title="Premier point")
    assert status == 201
    loop.run(_play(server, first, votes=("no", "yes", "no"), actions=True), timeout=60)
    share_url, share_token = _share(server, first["code"], first["facilitator_token"])

    # someone who only has the share link starts the follow-up from the report's button
    page = pages.new("facilitator")
    page.goto(share_url)
    page.get_by_role("link", name=t("actions.follow_up.start")).click()
    expect(page.locator("#followup-link")).to_have_value(
        f"{server.base}/r/{first['code']}/report?token={share_token}", timeout=WAIT
    )
    expect(page.locator("#followup-title")).to_have_value("Premier point", timeout=WAIT)
    page.locator("#followup-title").fill("Six mois après")
    page.get_by_role("button", name=t("ui.followup.create")).click()
    page.wait_for_url(f"{server.base}/r/*", timeout=WAIT)
    code = page.url.rsplit("/", 1)[1]
    token = page.evaluate(f"localStorage.getItem('exploria:facilitator:{code}')")
    assert token

    # in the lobby, the group sets the earlier actions' statuses
    panel = _panel(page)
    expect(panel.locator("[data-earlier]")).to_have_count(3)
    first_action = panel.locator("[data-earlier='a1']")
    done = first_action.get_by_role("button", name=t("ui.actions.status.done"), exact=True)
    done.click()
    expect(done).to_have_attribute("aria-pressed", "true", timeout=WAIT)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(ARTIFACTS / "followup-lobby-1366.png"), full_page=True)

    room = {"code": code, "facilitator_token": token}
    loop.run(
        _play(
            server,
            room,
            votes=("yes", "yes", "no"),
            actions=False,
            statuses={"a2": "not_done", "a3": "dropped"},
        ),
        timeout=60,
    )

    # in the synthesis, the facilitator adds an action, edits it and removes it
    panel = _panel(page)
    page.locator("#action-text").fill("Présenter la synthèse au CSE")
    page.get_by_role("button", name=t("ui.actions.add")).click()
    item = panel.locator("[data-action='a1']")
    expect(item.locator(".action-text")).to_have_text("Présenter la synthèse au CSE", timeout=WAIT)
    item.get_by_role("button", name=f"{t('ui.actions.edit')} — Présenter la synthèse au CSE").click()
    expect(page.locator("#action-text")).to_have_value("Présenter la synthèse au CSE")
    page.locator("#action-owner").fill("La déléguée du personnel")
    page.get_by_role("button", name=t("ui.actions.save")).click()
    expect(item.locator(".action-meta")).to_have_text(
        t("ui.actions.meta_owner", owner="La déléguée du personnel"), timeout=WAIT
    )
    item.get_by_role("button", name=f"{t('ui.actions.remove')} — Présenter la synthèse au CSE").click()
    expect(panel.locator("[data-action]")).to_have_count(0, timeout=WAIT)

    report = f"{server.base}/r/{code}/report?token={token}"
    for width, height, name in ((1366, 768, "desktop"), (390, 844, "phone")):
        shown = pages.new(
            f"report-{name}",
            {
                "viewport": {"width": width, "height": height},
                **({"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if width < 500 else {}),
            },
        )
        shown.goto(report)
        compare = shown.locator("#compare")
        expect(compare).to_be_visible()
        expect(compare.get_by_role("heading", level=2)).to_have_text(t("actions.compare.section"))
        expect(compare.locator("tbody tr")).to_have_count(6)
        expect(compare.locator(".action-status")).to_have_text(
            [t("actions.status.done"), t("actions.status.not_done"), t("actions.status.dropped")]
        )
        expect(compare.locator(".compare-questions li")).to_have_count(4)
        # nothing wider than the screen
        overflow = shown.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, overflow)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        compare.screenshot(path=str(ARTIFACTS / f"followup-compare-{width}x{height}.png"))
        shown.screenshot(path=str(ARTIFACTS / f"followup-report-{width}x{height}.png"))


def test_the_follow_up_page_imports_a_summary_file(
    server: ServerProcess, pages: Pages, loop: Loop, tmp_path: Any
) -> None:
    import json

    status, first = _create(server, title="Avant l'effacement")
    loop.run(_play(server, first, votes=("no", "yes", "no"), actions=True), timeout=60)
    status, summary = server.request(
        "GET", f"/api/rooms/{first['code']}/summary.json?token={first['facilitator_token']}"
    )
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary), "utf-8")
    status, _ = server.request(
        "DELETE",
        f"/api/rooms/{first['code']}",
        headers={"Authorization": f"Bearer {first['facilitator_token']}"},
    )
    assert status == 204
    page = pages.new("importer")
    page.goto(f"{server.base}/follow-up")
    page.locator("#followup-file").set_input_files(str(path))
    expect(page.locator("#followup-title")).to_have_value("Avant l'effacement", timeout=WAIT)
    page.get_by_role("button", name=t("ui.followup.create")).click()
    page.wait_for_url(f"{server.base}/r/*", timeout=WAIT)
    panel = _panel(page)
    expect(panel.locator("[data-earlier]")).to_have_count(3)
    # a link the facilitator cannot read is refused, with the reason
    pages.expect_console("403")
    pages.expect_console("404")  # its summary, looked up for the framing: the room is gone
    page.goto(f"{server.base}/follow-up")
    page.locator("#followup-link").fill(f"{server.base}/r/{first['code']}/report?token=nope")
    page.get_by_role("button", name=t("ui.followup.create")).click()
    expect(page.locator("#followup-error")).to_have_text(t("error.earlier_forbidden"))
