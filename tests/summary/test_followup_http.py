"""Actions and follow-up sessions through the real server (issue 16): a session records three
actions (one from a note) and every summary format carries them; follow-ups started from its
share link and from its summary JSON compare then and now (report, PDF) and show the earlier
actions with the statuses the group set; erasing either session removes the link; a follow-up
cannot be made from a link the facilitator cannot read."""

import asyncio
import csv
import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.helpers import ROOT, Client, ServerProcess, seat_room
from tests.summary.test_summary_http import fetch, pdf_text

SCHEMA = json.loads((ROOT / "docs" / "summary.schema.json").read_text("utf-8"))
NOTE = "Demander au fournisseur qui valide le planning"
VOTES = ("no", "yes", "no")


@dataclass(frozen=True)
class Session:
    code: str
    facilitator_token: str
    share_url: str
    share_token: str


async def _play(
    server: ServerProcess,
    room: dict[str, Any],
    *,
    votes: tuple[str, ...],
    actions: bool,
    statuses: dict[str, str] | None = None,
) -> None:
    """Three players, every card of the mini deck; with ``actions``: one action from a note
    while playing, two in the synthesis (one edited); with ``statuses``: set on the earlier
    session's actions, one by a participant."""
    fac, players = await seat_room(server, room, ["Ana", "Bob", "Cyd"])
    await fac.until(lambda s: len(s["players"]) == 4)
    if statuses:
        state = fac.state or {}
        assert state["follows"] is not None
        for i, (action_id, status) in enumerate(statuses.items()):
            who: Client = players[0] if i == 0 else fac
            await who.ok({"type": "action_status", "action_id": action_id, "status": status})
        await fac.until(
            lambda s: all(
                a["status"] == statuses[a["id"]] for a in s["follows"]["actions"] if a["id"] in statuses
            )
        )
    await fac.ok({"type": "start"})
    for turn in range(3):
        await fac.ok({"type": "draw"})
        card = (await fac.until(lambda s: s["card"] is not None))["card"]
        for i, p in enumerate(players):
            for q in card["questions"]:
                value = votes[(i + turn) % len(votes)] if q["kind"] == "yes_no" else "texte"
                await p.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value})
        await fac.ok({"type": "reveal"})
        if actions and turn == 0:
            await players[1].ok({"type": "note", "text": NOTE})
            await players[1].ok(
                {
                    "type": "action_add",
                    "card_id": card["id"],
                    "note": 0,
                    "owner": "La direction",
                    "criterion": "responsabilite",
                    "guide_step": 3,
                }
            )
        await fac.ok({"type": "next"})
        await fac.until(lambda s, n=turn + 1: s["cards_done"] == n)
    await fac.ok({"type": "finish"})
    await fac.until(lambda s: s["phase"] == "synthesis")
    if actions:
        await players[2].ok(
            {
                "type": "action_add",
                "text": "Informer le CSE du projet",
                "owner": "RH",
                "due": "2027-03-12",
                "criterion": "surveillance",
            }
        )
        await fac.ok(
            {
                "type": "action_add",
                "text": "Refaire le point dans six mois",
                "criterion": "autonomie",
                "guide_step": 9,
            }
        )
        err = await players[0].fails(
            {"type": "action_edit", "action_id": "a2", "owner": "x"}, "not_facilitator"
        )
        assert "anime" in err["message"]  # in the session's language (French)
        err = await players[0].fails({"type": "action_add", "text": "x", "due": "demain"}, "bad_date")
        assert "Date invalide" in err["message"]
        await fac.ok({"type": "action_edit", "action_id": "a2", "owner": "Le service RH"})
        state = await players[0].until(
            lambda s: len(s["actions"]) == 3 and s["actions"][1]["owner"] == "Le service RH"
        )
        assert [a["text"] for a in state["actions"]] == [
            NOTE,
            "Informer le CSE du projet",
            "Refaire le point dans six mois",
        ]
    for c in (fac, *players):
        await c.close()


def _share(server: ServerProcess, code: str, token: str) -> tuple[str, str]:
    status, body = server.request(
        "POST", f"/api/rooms/{code}/shares", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 201, body
    return body["url"], body["token"]


def _create(server: ServerProcess, follows: dict[str, Any] | None = None, **settings: Any) -> tuple[int, Any]:
    body: dict[str, Any] = {"deck_id": "mini-test", "settings": settings}
    if follows is not None:
        body["follows"] = follows
    return server.request("POST", "/api/rooms", body)


@pytest.fixture(scope="module")
def first(server: ServerProcess) -> Session:
    status, room = _create(server, title="Premier point")
    assert status == 201
    asyncio.run(_play(server, room, votes=VOTES, actions=True))
    url, token = _share(server, room["code"], room["facilitator_token"])
    return Session(room["code"], room["facilitator_token"], url, token)


def _report(server: ServerProcess, code: str, token: str) -> str:
    status, body = server.request("GET", f"/r/{code}/report?token={token}")
    assert status == 200
    return body.decode("utf-8") if isinstance(body, bytes) else str(body)


def test_three_actions_in_all_five_formats(server: ServerProcess, first: Session, tmp_path: Path) -> None:
    status, raw, _ = fetch(server, first.code, "json", first.share_token)
    assert status == 200
    data = json.loads(raw)
    jsonschema.validate(data, SCHEMA)
    assert [a["text"] for a in data["actions"]] == [
        NOTE,
        "Informer le CSE du projet",
        "Refaire le point dans six mois",
    ]
    from_note = data["actions"][0]
    assert from_note["card_id"] == data["cards"][0]["card_id"] and from_note["guide_step"] == 3
    assert data["actions"][1]["due"] == "2027-03-12"
    assert data["actions"][1]["owner"] == "Le service RH"
    assert data["follows"] is None

    md = fetch(server, first.code, "md", first.share_token)[1].decode("utf-8")
    assert "## Actions décidées" in md
    assert f"- [ ] {NOTE} — **Qui\u00a0:** La direction" in md
    assert (
        "- [ ] Informer le CSE du projet — **Qui\u00a0:** Le service RH · **Pour le\u00a0:** 12 mars 2027"
    ) in md

    text = fetch(server, first.code, "csv", first.share_token)[1].decode("utf-8-sig")
    blocks = text.split("\r\n\r\n")
    actions_block = next(b for b in blocks if b.startswith("N° action;"))
    rows = list(csv.DictReader(io.StringIO(actions_block), delimiter=";"))
    assert [r["Action"] for r in rows] == [a["text"] for a in data["actions"]]
    assert rows[1]["Pour le"] == "2027-03-12" and rows[0]["Carte"]

    html = _report(server, first.code, first.share_token)
    assert "Actions décidées" in html and "Informer le CSE du projet" in html
    assert "Préparer une session de suivi" in html  # the follow-up button for readers

    pdf = pdf_text(fetch(server, first.code, "pdf", first.share_token)[1], tmp_path)
    assert "Actions décidées" in pdf and "Informer le CSE du projet" in pdf
    assert "Refaire le point dans six mois" in pdf


def _check_follow_up(
    server: ServerProcess, code: str, token: str, tmp_path: Path, source: str
) -> dict[str, Any]:
    data = json.loads(fetch(server, code, "json", token)[1])
    jsonschema.validate(data, SCHEMA)
    f = data["follows"]
    assert f is not None and f["source"] == source and f["title"] == "Premier point"
    assert [c["criterion"] for c in f["criteria"]][:1] == ["autonomie"] and len(f["criteria"]) == 6
    assert all(c["then"] is not None for c in f["criteria"])
    assert {a["text"]: a["status"] for a in f["actions"]} == {
        NOTE: "done",
        "Informer le CSE du projet": "not_done",
        "Refaire le point dans six mois": "dropped",
    }
    assert len(f["questions"]) == 4  # the 4 yes/no questions of the mini deck, asked in both
    assert all(q["then"] and q["now"] for q in f["questions"])
    html = _report(server, code, token)
    for words in (
        "Depuis la session précédente",
        "Avant",
        "Maintenant",
        "Faite",
        "Pas faite",
        "Abandonnée",
        "Les questions posées dans les deux sessions",
    ):
        assert words in html, words
    pdf = pdf_text(fetch(server, code, "pdf", token)[1], tmp_path)
    for words in (
        "Depuis la session précédente",
        "Avant",
        "Maintenant",
        "Faite",
        "Abandonnée",
        "Informer le CSE du projet",
    ):
        assert words in pdf, words
    md = fetch(server, code, "md", token)[1].decode("utf-8")
    assert f"- [x] {NOTE}" in md and "**Abandonnée**" in md
    return data


STATUSES = {"a1": "done", "a2": "not_done", "a3": "dropped"}


def test_follow_up_from_the_share_link(server: ServerProcess, first: Session, tmp_path: Path) -> None:
    status, room = _create(server, {"link": first.share_url}, title="Six mois après")
    assert status == 201, room
    asyncio.run(_play(server, room, votes=("yes", "yes", "no"), actions=False, statuses=STATUSES))
    data = _check_follow_up(server, room["code"], room["facilitator_token"], tmp_path, "room")
    assert data["follows"]["code"] == first.code
    # kept for the screenshots
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "followup-room.json").write_text(json.dumps(room))


def test_follow_up_from_the_summary_json(server: ServerProcess, first: Session, tmp_path: Path) -> None:
    summary = json.loads(fetch(server, first.code, "json", first.facilitator_token)[1])
    status, room = _create(server, {"summary": summary})
    assert status == 201, room
    asyncio.run(_play(server, room, votes=VOTES, actions=False, statuses=STATUSES))
    _check_follow_up(server, room["code"], room["facilitator_token"], tmp_path, "import")


def test_a_follow_up_needs_a_link_the_facilitator_can_read(server: ServerProcess, first: Session) -> None:
    other = _create(server)[1]
    bad = [
        {"code": first.code, "token": "not-a-token-of-anything-at-all"},
        {"code": first.code, "token": other["facilitator_token"]},  # another room's token
        {"link": f"{server.base}/r/{first.code}/report"},  # no token
        {"link": f"{server.base}/r/ZZZZZZ/report?token={first.share_token}"},  # no such room
    ]
    for follows in bad:
        status, body = _create(server, follows)
        assert status == 403, (follows, body)
        assert body["error"]["code"] == "earlier_forbidden"
        assert "lien de partage" in body["error"]["message"] or "share link" in body["error"]["message"]
    # a revoked share link stops opening it
    url, _ = _share(server, first.code, first.facilitator_token)
    assert _create(server, {"link": url})[0] == 201
    url2, _ = _share(server, other["code"], other["facilitator_token"])
    server.request(
        "DELETE",
        f"/api/rooms/{other['code']}/shares",
        headers={"Authorization": f"Bearer {other['facilitator_token']}"},
    )
    status, body = _create(server, {"link": url2})
    assert status == 403 and body["error"]["code"] == "earlier_forbidden"
    status, body = _create(server, {"summary": {"format": "exploria-summary/9"}})
    assert status == 422 and body["error"]["code"] == "bad_summary"


def _links(server: ServerProcess) -> list[tuple[str, str]]:
    path = server.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT room_code, earlier_code FROM room_links"))


def _delete(server: ServerProcess, code: str, token: str) -> None:
    status, _ = server.request("DELETE", f"/api/rooms/{code}", headers={"Authorization": f"Bearer {token}"})
    assert status == 204


async def _watch_unlink(server: ServerProcess, room: dict[str, Any], earlier: dict[str, Any]) -> None:
    """A facilitator connected to the follow-up sees ``follows`` go when the earlier is erased."""
    fac, _ = await seat_room(server, room, [])
    assert fac.state is not None and fac.state["follows"] is not None
    await asyncio.to_thread(_delete, server, earlier["code"], earlier["facilitator_token"])
    await fac.until(lambda s: s["follows"] is None)
    await fac.close()


def test_erasing_either_session_removes_the_link(server: ServerProcess) -> None:
    earlier = _create(server)[1]
    later = _create(server, {"code": earlier["code"], "token": earlier["facilitator_token"]})[1]
    kept = _create(server, {"code": earlier["code"], "token": earlier["facilitator_token"]})[1]
    assert (later["code"], earlier["code"]) in _links(server)
    # erasing the later one: its link goes, the other follow-up keeps its own
    _delete(server, later["code"], later["facilitator_token"])
    assert (later["code"], earlier["code"]) not in _links(server)
    assert (kept["code"], earlier["code"]) in _links(server)
    # erasing the earlier one: the follow-up's snapshot and link go, live
    asyncio.run(_watch_unlink(server, kept, earlier))
    assert all(earlier["code"] not in pair for pair in _links(server))
    data = json.loads(fetch(server, kept["code"], "json", kept["facilitator_token"])[1])
    assert data["follows"] is None
    html = _report(server, kept["code"], kept["facilitator_token"])
    assert "Depuis la session précédente" not in html
