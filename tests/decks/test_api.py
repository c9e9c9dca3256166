"""The deck API through a real server: round trips, every broken deck refused, edit rights."""

import json
import re
import urllib.request
from typing import Any

import pytest

from server.i18n import translate
from tests.decks.corpus import Broken, corpus, valid_deck
from tests.helpers import ServerProcess

CORPUS = corpus()
XSS = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>"


def deck_ids(server: ServerProcess) -> list[str]:
    status, body = server.request("GET", "/api/decks")
    assert status == 200
    return sorted(d["id"] for d in body)


def create(server: ServerProcess, deck: dict[str, Any]) -> str:
    status, body = server.request("POST", "/api/decks", deck)
    assert status == 201, body
    assert body["edit_url"] == f"/studio?deck={deck['id']}#{body['edit_token']}"
    return str(body["edit_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 25
    assert len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.name)
def test_broken_deck_is_refused_and_nothing_stored(server: ServerProcess, case: Broken) -> None:
    before = deck_ids(server)
    status, body = server.request("POST", "/api/decks", raw=case.body)
    assert status == case.status, body
    if case.status == 409:
        assert body["error"]["code"] == case.code
        assert "exploria-fr" in body["error"]["message"]
    else:
        errors = body["errors"]
        assert errors, body
        assert all(e["message"] and e["message"] != e.get("code") for e in errors)
        # deck problems carry their own code; a file that cannot be read has one error
        found = [(e["path"], e.get("code") or body["error"]["code"]) for e in errors]
        assert (case.path, case.code) in found, errors
    assert deck_ids(server) == before


@pytest.mark.parametrize("case", [c for c in CORPUS if c.status == 422], ids=lambda c: c.name)
def test_dry_run_check_gives_the_same_answer(server: ServerProcess, case: Broken) -> None:
    status, body = server.request("POST", "/api/validate/deck", raw=case.body)
    assert status == 422
    assert case.path in [e["path"] for e in body["errors"]]


def test_messages_follow_the_language(server: ServerProcess) -> None:
    case = next(c for c in CORPUS if c.name == "yes_no_without_risk_answer")
    key = "deck.problem.risk_answer_required"
    for lang, headers in (("fr", {}), ("en", {"Accept-Language": "en-GB,en;q=0.9"})):
        status, body = server.request("POST", "/api/decks", raw=case.body, headers=headers)
        assert status == 422
        assert body["errors"] == [
            {
                "path": "cards[0].questions[0].risk_answer",
                "message": translate(lang, key),
                "code": "risk_answer_required",
            }
        ]
    status, body = server.request("POST", "/api/decks?lang=en", raw=case.body)
    assert body["errors"][0]["message"] == translate("en", key)


def test_every_problem_is_listed_at_once(server: ServerProcess) -> None:
    deck = valid_deck("many-problems")
    deck["themes"][0]["color"] = "red"
    deck["cards"][0]["questions"][0]["criterion"] = "bonheur"
    deck["cards"][1]["theme"] = "rh"
    deck["cards"][2]["questions"][0].pop("risk_answer")
    status, body = server.request("POST", "/api/decks", deck)
    assert status == 422
    assert [e["path"] for e in body["errors"]] == [
        "cards[0].questions[0].criterion",
        "cards[1].theme",
        "cards[2].questions[0].risk_answer",
        "themes[0].color",
    ]


def test_taken_custom_id_is_a_conflict(server: ServerProcess) -> None:
    deck = valid_deck("taken-custom")
    create(server, deck)
    before = deck_ids(server)
    deck["title"] = "Un autre"
    status, body = server.request("POST", "/api/decks", deck)
    assert status == 409 and body["error"]["code"] == "deck_id_taken"
    assert deck_ids(server) == before
    status, body = server.request("GET", "/api/decks/taken-custom")
    assert body["title"] == "Mini deck de test"
    status, body = server.request("POST", "/api/validate/deck", deck)
    assert status == 200 and body == {"valid": True, "id": "taken-custom", "card_count": 3, "id_taken": True}


def test_export_then_import_gives_the_same_deck(server: ServerProcess) -> None:
    status, exported = server.request("GET", "/api/decks/exploria-fr")
    assert status == 200
    copy = {**exported, "id": "exploria-fr-round-trip"}
    # as the studio's export writes it: pretty-printed, UTF-8
    raw = json.dumps(copy, ensure_ascii=False, indent=2).encode("utf-8")
    status, body = server.request("POST", "/api/decks", raw=raw)
    assert status == 201, body
    status, again = server.request("GET", "/api/decks/exploria-fr-round-trip")
    assert again == copy
    assert {**again, "id": "exploria-fr"} == exported
    listed = {d["id"]: d for d in server.request("GET", "/api/decks?mine=exploria-fr-round-trip")[1]}
    assert listed["exploria-fr-round-trip"]["card_count"] == len(exported["cards"])
    assert listed["exploria-fr-round-trip"]["builtin"] is False


def test_edit_rights(server: ServerProcess) -> None:
    deck = valid_deck("rights-deck")
    token = create(server, deck)
    edited = {**deck, "title": "Titre modifié"}

    for headers, code in (
        ({}, "deck_token"),
        (bearer("not-the-token"), "deck_token"),
        (bearer(token + "x"), "deck_token"),
    ):
        status, body = server.request("PUT", "/api/decks/rights-deck", edited, headers=headers)
        assert (status, body["error"]["code"]) == (403, code)
        status, body = server.request("DELETE", "/api/decks/rights-deck", headers=headers)
        assert (status, body["error"]["code"]) == (403, code)
    assert server.request("GET", "/api/decks/rights-deck")[1]["title"] == "Mini deck de test"

    # built-in decks: never, whatever the token
    builtin = server.request("GET", "/api/decks/exploria-fr")[1]
    for headers in ({}, bearer(token)):
        status, body = server.request("PUT", "/api/decks/exploria-fr", builtin, headers=headers)
        assert (status, body["error"]["code"]) == (403, "deck_builtin")
        status, body = server.request("DELETE", "/api/decks/exploria-fr", headers=headers)
        assert (status, body["error"]["code"]) == (403, "deck_builtin")

    # the token of another deck does not open this one
    other = create(server, valid_deck("rights-other"))
    status, _ = server.request("PUT", "/api/decks/rights-deck", edited, headers=bearer(other))
    assert status == 403

    status, body = server.request("PUT", "/api/decks/rights-deck", edited, headers=bearer(token))
    assert (status, body) == (200, {"id": "rights-deck"})
    assert server.request("GET", "/api/decks/rights-deck")[1]["title"] == "Titre modifié"

    # the id of a stored deck does not change
    status, body = server.request(
        "PUT", "/api/decks/rights-deck", {**edited, "id": "rights-new"}, headers=bearer(token)
    )
    assert status == 422 and body["errors"][0]["path"] == "id"

    # a broken deck does not replace a good one
    broken = {**edited, "cards": []}
    status, body = server.request("PUT", "/api/decks/rights-deck", broken, headers=bearer(token))
    assert status == 422 and body["errors"][0]["path"] == "cards"
    assert len(server.request("GET", "/api/decks/rights-deck")[1]["cards"]) == 3

    # a room keeps its copy when the deck changes or goes
    room = server.create_room("rights-deck")
    status, _ = server.request("DELETE", "/api/decks/rights-deck", headers=bearer(token))
    assert status == 204
    assert server.request("GET", "/api/decks/rights-deck")[0] == 404
    status, info = server.request("GET", f"/api/rooms/{room['code']}")
    assert status == 200 and info["deck"] == {"id": "rights-deck", "title": "Titre modifié"}


def test_html_in_texts_is_stored_as_typed(server: ServerProcess) -> None:
    deck = valid_deck("html-texts")
    deck["title"] = XSS
    deck["description"] = XSS
    deck["themes"][0]["title"] = XSS
    card = deck["cards"][0]
    card.update(title=XSS, situation=XSS, facilitator_tip=XSS)
    card["questions"][0]["text"] = XSS
    create(server, deck)
    assert server.request("GET", "/api/decks/html-texts") == (200, deck)
    listed = {d["id"]: d for d in server.request("GET", "/api/decks?mine=html-texts")[1]}
    assert listed["html-texts"]["title"] == XSS


def test_studio_page(server: ServerProcess) -> None:
    for lang, title in (("fr", "Atelier de cartes"), ("en", "Deck studio")):
        status, html = server.request("GET", f"/studio?lang={lang}")
        assert status == 200
        text = html.decode("utf-8")
        assert f"<title>{title}" in text
        assert f'<html lang="{lang}">' in text
        # no inline code: scripts either load from /static or carry JSON data
        for attrs in re.findall(r"<script([^>]*)>", text):
            assert 'src="/static/' in attrs or 'type="application/json"' in attrs, attrs
        assert " style=" not in text and not re.search(r"\son[a-z]+=", text)
        block = re.search(r'<script type="application/json" id="studio-i18n">(.*?)</script>', text, re.S)
        assert block is not None
        strings = json.loads(block.group(1))
        assert strings["studio.title"] == title
        assert strings["criterion.surveillance.label"] == translate(lang, "criterion.surveillance.label")
    with urllib.request.urlopen(server.base + "/studio", timeout=5) as r:
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "unsafe-inline" not in r.headers["content-security-policy"]
