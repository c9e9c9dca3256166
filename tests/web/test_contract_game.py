"""Done-when of the game server: a client that knows only the contract plays a whole built-in
deck with four connections and gets the synthesis the contract's rule gives.

The expected synthesis is recomputed here from the tallies shown at each reveal, with the rule
written out from CONTRACT.md §4 as revised by §4.1 (quorum of those present at the reveal,
"to clarify", three-way splits, indicative levels), not with the server's code.
"""

import asyncio
import math
import random
from typing import Any

from tests.helpers import ServerProcess, seat_room

CRITERIA = [
    "autonomie",
    "reconnaissance",
    "savoir_faire",
    "surveillance",
    "relations_humaines",
    "responsabilite",
]


def contract_quorum(present: int) -> int:
    """Default room settings: at least half of those present, and at least 2 (§4.1)."""
    return 1 if present == 0 else min(present, max(2, math.ceil(present / 2)))


def contract_group_answer(tally: dict[str, int], consensus: str | None, present: int) -> str:
    if consensus:
        return consensus
    if tally["yes"] + tally["no"] + tally["unsure"] < contract_quorum(present):
        return "insufficient"
    if tally["unsure"] >= tally["yes"] + tally["no"]:
        return "to_clarify"
    if tally["yes"] > tally["no"]:
        return "yes"
    if tally["no"] > tally["yes"]:
        return "no"
    return "divided"


def contract_level(answered: int, risks: int) -> str:
    if answered == 0:
        return "not_assessed"
    if risks == 0:
        return "ok"
    return "watch" if risks / answered < 0.5 else "alert"


def test_whole_builtin_deck_with_four_connections(server: ServerProcess) -> None:
    rng = random.Random(2026)

    async def scenario() -> dict[str, Any]:
        room = server.create_room("exploria-fr")
        fac, players = await seat_room(server, room, ("Alice", "Bruno", "Chloé"))
        everyone = [fac, *players]
        await fac.ok({"type": "start"})
        seen: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (question, revealed entry)
        total = None
        while True:
            state = await fac.until(lambda s: s["phase"] == "playing" and s["card"] is None)
            total = state["cards_total"]
            if state["cards_left"] == 0:
                break
            reader = next((p for p in players if p.you["id"] == state["reader_id"]), fac)
            await reader.ok({"type": "draw"})
            card = (await fac.until(lambda s: s["card"] is not None))["card"]
            for p in players:
                for q in card["questions"]:
                    if rng.random() < 0.2:  # not everyone answers everything: thin turnout
                        continue
                    value = (
                        rng.choice(["yes", "no", "unsure"])
                        if q["kind"] == "yes_no"
                        else f"réponse de {p.you['name']}"
                    )
                    await p.ok(
                        {"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value}
                    )
            await reader.ok({"type": "reveal"})
            consensus: tuple[str, str] | None = None
            yes_no = [q for q in card["questions"] if q["kind"] == "yes_no"]
            if yes_no and rng.random() < 0.2:  # sometimes the group settles on a consensus
                q = yes_no[0]  # (the opening and debrief cards have open questions only)
                consensus = (q["id"], rng.choice(["yes", "no"]))
                await reader.ok({"type": "consensus", "question_id": consensus[0], "value": consensus[1]})
            if rng.random() < 0.3:
                await rng.choice(everyone).ok({"type": "note", "text": f"note sur {card['id']}"})

            def settled(
                s: dict[str, Any], cid: str = card["id"], want: tuple[str, str] | None = consensus
            ) -> bool:
                if s["card"] is None or s["card"]["id"] != cid or s["step"] != "revealed":
                    return False
                return want is None or any(
                    q["id"] == want[0] and q["consensus"] == want[1] for q in s["questions"]
                )

            revealed = await fac.until(settled)
            by_id = {q["id"]: q for q in revealed["questions"]}
            # risk_answer is part of the card only once the answers are revealed
            assert all("risk_answer" not in q for q in card["questions"])
            for q in revealed["card"]["questions"]:
                seen.append((q, by_id[q["id"]]))
            await reader.ok({"type": "next"})
        await fac.ok({"type": "finish"})
        final = await fac.until(lambda s: s["phase"] == "synthesis")
        for c in everyone:
            await c.close()
        assert final["cards_done"] == total
        return {"seen": seen, "synthesis": final["synthesis"]}

    result = asyncio.run(scenario())
    expected = {
        k: {"answered": 0, "risks": 0, "divergent": 0, "to_clarify": 0, "insufficient": 0, "divided": 0}
        for k in CRITERIA
    }
    answers_seen = set()
    for question, entry in result["seen"]:
        if question["kind"] != "yes_no":
            continue
        tally = entry["tally"]
        assert entry["present"] == 3  # the three players, all connected at every reveal
        assert entry["quorum"] == contract_quorum(3) == 2
        assert entry["voted"] == tally["yes"] + tally["no"] + tally["unsure"]
        answer = contract_group_answer(tally, entry.get("consensus"), entry["present"])
        assert entry["group_answer"] == answer, (question, entry)
        answers_seen.add(answer)
        bucket = expected[question["criterion"]]
        if answer in ("yes", "no"):
            bucket["answered"] += 1
            if answer == question["risk_answer"]:
                bucket["risks"] += 1
        elif answer in ("to_clarify", "unsure"):
            bucket["to_clarify"] += 1
        elif answer == "insufficient":
            bucket["insufficient"] += 1
        else:
            bucket["divided"] += 1
        decided = tally["yes"] + tally["no"]
        votes = decided + tally["unsure"]
        parts = (tally["yes"], tally["no"], tally["unsure"])
        three_way = min(parts) >= 1 and all(2 * part <= votes for part in parts)
        divergent = (decided >= 3 and 3 * min(tally["yes"], tally["no"]) >= decided) or three_way
        assert entry["divergent"] is divergent, (question, entry)
        bucket["divergent"] += divergent
    # the random game reaches every branch of the rule
    assert {"yes", "no", "insufficient", "to_clarify", "divided"} <= answers_seen
    got = {c["criterion"]: c for c in result["synthesis"]["criteria"]}
    assert set(got) == set(CRITERIA)
    for criterion, want in expected.items():
        c = got[criterion]
        assert (c["answered"], c["risks"]) == (want["answered"], want["risks"]), criterion
        assert len(c["divergent_questions"]) == want["divergent"], criterion
        assert c["level"] == contract_level(want["answered"], want["risks"]), criterion
        assert (c["to_clarify"], c["insufficient"], c["divided"]) == (
            want["to_clarify"],
            want["insufficient"],
            want["divided"],
        ), criterion
        assert len(c["to_clarify_questions"]) == want["to_clarify"], criterion
        assert c["indicative"] == (0 < want["answered"] < 3), criterion
    assert result["synthesis"]["cards_played"] == 42  # 40 situations, the opening and the debrief
