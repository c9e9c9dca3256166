"""A session played through the real protocol against a real server, for the summary tests."""

import asyncio
from dataclasses import dataclass
from typing import Any

from tests.helpers import Client, ServerProcess

NAMES = ("Zoé Quincampoix", "Xavier Vortigern", "Yannick Ubuesque")
NOTE = '=HYPERLINK("http://evil.example") <script>alert("note")</script> **gras** # [lien](x)'
OPEN = "+33 <img src=x onerror=alert(1)> _souligné_ | @cmd"


@dataclass(frozen=True)
class Played:
    code: str
    facilitator_token: str
    player_token: str


async def _seat(server: ServerProcess, code: str, **join: Any) -> Client:
    client = await Client.connect(server, code)
    await client.join(**join)
    return client


async def _play(server: ServerProcess, deck_id: str, names: tuple[str, ...], **settings: Any) -> Played:
    room = server.create_room(deck_id, **settings)
    code = room["code"]
    fac = await _seat(server, code, token=room["facilitator_token"])
    players = [await _seat(server, code, name=n) for n in names]
    await fac.until(lambda s: len(s["players"]) == len(names) + 1)
    await fac.ok({"type": "start"})
    votes = [("no", "yes", "no"), ("yes", "yes", "no"), ("yes", "yes", "yes")]
    for turn in range(3):
        await fac.ok({"type": "draw"})
        card = (await fac.until(lambda s: s["card"] is not None))["card"]
        for i, p in enumerate(players):
            for q in card["questions"]:
                value = votes[turn][i % 3] if q["kind"] == "yes_no" else f"{OPEN} {i}"
                await p.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value})
        await fac.ok({"type": "reveal"})
        if turn == 0:
            first = next(q for q in card["questions"] if q["kind"] == "yes_no")
            await fac.ok({"type": "consensus", "question_id": first["id"], "value": "no"})
        await players[0].ok({"type": "note", "text": NOTE})
        await fac.ok({"type": "next"})
        await fac.until(lambda s, n=turn + 1: s["cards_done"] == n)
    await fac.ok({"type": "finish"})
    await fac.until(lambda s: s["phase"] == "synthesis")
    token = players[0].you["token"] if players[0].you else ""
    for c in (fac, *players):
        await c.close()
    return Played(code, room["facilitator_token"], token)


def play_session(
    server: ServerProcess, deck_id: str = "mini-test", names: tuple[str, ...] = NAMES, **settings: Any
) -> Played:
    return asyncio.run(_play(server, deck_id, names, **settings))


def nasty_deck() -> dict[str, Any]:
    """A deck whose own texts try formula and HTML injection."""
    return {
        "format": "exploria-deck/1",
        "id": "deck-piege",
        "title": "<b>Piège</b> =1+1",
        "language": "fr",
        "version": "1.0",
        "themes": [{"id": "t", "title": "@SUM(A1:A9)", "color": "#aa3300"}],
        "cards": [
            {
                "id": "k1",
                "theme": "t",
                "title": '=HYPERLINK("http://evil";"clic")',
                "situation": "<script>alert(1)</script>",
                "questions": [
                    {
                        "id": "q1",
                        "kind": "yes_no",
                        "text": "-2+3 <i>ok</i> ?",
                        "criterion": "surveillance",
                        "risk_answer": "yes",
                    },
                    {"id": "q2", "kind": "open", "text": "\tTab en tête ?"},
                ],
            },
            {
                "id": "k2",
                "theme": "t",
                "title": "+cmd|' /C calc'!A0",
                "questions": [
                    {
                        "id": "q1",
                        "kind": "yes_no",
                        "text": "@risque ?",
                        "criterion": "autonomie",
                        "risk_answer": "no",
                    }
                ],
            },
            {
                "id": "k3",
                "theme": "t",
                "title": "Carte normale",
                "questions": [
                    {
                        "id": "q1",
                        "kind": "yes_no",
                        "text": "Normal ?",
                        "criterion": "responsabilite",
                        "risk_answer": "no",
                    }
                ],
            },
        ],
    }


# --- a session with thin turnout, "unsure" pluralities and a 1-1-1 split (CONTRACT §4.1) -----

THIN_NAMES = ("Ana", "Ben", "Cléo", "Dan")  # 4 present at every reveal: a quorum of 2
AI_SYSTEM = {
    "name": "PlanifIA",
    "purpose": "Proposer les plannings de la semaine",
    "users": "Les vendeuses et le responsable",
    "stage": "pilot",
}
# card id → question id → the votes of Ana, Ben, Cléo, Dan (None: no vote); and consensus
THIN_VOTES: dict[str, dict[str, tuple[str | None, ...]]] = {
    # autonomie: 1 vote of 4 → "insufficient"; surveillance: 2 unsure ≥ 1 yes → "to_clarify"
    "c1": {"q1": ("no", None, None, None), "q2": ("unsure", "unsure", "yes", None)},
    # responsabilite: yes, no, unsure → "divided", and divergent (a three-way split)
    "c2": {"q1": ("yes", "no", "unsure", None)},
    # relations_humaines: 2 yes, 1 no, but the group agrees on "no"... then on "yes" (risk)
    "c3": {"q1": ("yes", "no", "no", None)},
}
THIN_CONSENSUS = {("c3", "q1"): "yes"}
# what the rule gives, question by question: group answer, voted, divergent
THIN_EXPECTED = {
    ("c1", "q1"): ("insufficient", 1, False),
    ("c1", "q2"): ("to_clarify", 3, False),
    ("c2", "q1"): ("divided", 3, True),
    ("c3", "q1"): ("yes", 3, True),  # 1 yes against 2 no: a third, divergent (§4)
}


@dataclass(frozen=True)
class Thin:
    code: str
    facilitator_token: str
    revealed: dict[tuple[str, str], dict[str, Any]]  # the questions as the state showed them
    final: dict[str, Any]  # the last state (phase synthesis)


async def _play_thin(server: ServerProcess) -> Thin:
    room = server.create_room(
        "mini-test", title="Atelier planning", company_size="11_49", organisation="Boulangerie Martin"
    )
    code = room["code"]
    fac = await _seat(server, code, token=room["facilitator_token"])
    players = [await _seat(server, code, name=n) for n in THIN_NAMES]
    await fac.until(lambda s: len(s["players"]) == len(THIN_NAMES) + 1)
    # the AI system is named in the lobby, by the frame message
    await fac.ok({"type": "frame", "ai_system": AI_SYSTEM})
    await fac.until(lambda s: (s["settings"]["ai_system"] or {}).get("name") == "PlanifIA")
    await fac.ok({"type": "start"})
    revealed: dict[tuple[str, str], dict[str, Any]] = {}
    for turn in range(3):
        await fac.ok({"type": "draw"})
        card = (await fac.until(lambda s: s["card"] is not None))["card"]
        for qid, votes in THIN_VOTES[card["id"]].items():
            for player, value in zip(players, votes, strict=True):
                if value is not None:
                    await player.ok(
                        {"type": "answer", "card_id": card["id"], "question_id": qid, "value": value}
                    )
        await fac.ok({"type": "reveal"})
        state = await fac.until(lambda s: s["step"] == "revealed")
        for qid in THIN_VOTES[card["id"]]:
            consensus = THIN_CONSENSUS.get((card["id"], qid))
            if consensus:
                await fac.ok({"type": "consensus", "question_id": qid, "value": consensus})
                state = await fac.until(
                    lambda s, q=qid: any(e["id"] == q and e["consensus"] for e in s["questions"])
                )
        for entry in state["questions"]:
            revealed[(card["id"], entry["id"])] = entry
        await fac.ok({"type": "next"})
        await fac.until(lambda s, n=turn + 1: s["cards_done"] == n)
    await fac.ok({"type": "finish"})
    final = await fac.until(lambda s: s["phase"] == "synthesis")
    for c in (fac, *players):
        await c.close()
    return Thin(code, room["facilitator_token"], revealed, final)


def play_thin_session(server: ServerProcess) -> Thin:
    return asyncio.run(_play_thin(server))
