"""A big room gets coalesced states: never one full state per vote to everyone."""

import asyncio
from pathlib import Path

from tests.helpers import ServerProcess, seat_room


def test_votes_in_a_big_room_are_coalesced(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, env={"BIG_ROOM_THRESHOLD": "5", "COALESCE_MS": "150"}).start()
    try:
        room = proc.create_room()

        async def scenario() -> None:
            fac, players = await seat_room(proc, room, [f"P{i}" for i in range(20)])
            await fac.ok({"type": "start"})
            await fac.ok({"type": "draw"})
            card = (await fac.until(lambda s: s["card"] is not None))["card"]
            q = card["questions"][0]
            value = "yes" if q["kind"] == "yes_no" else "texte"
            before = len([m for m in fac.seen if m["type"] == "state"])
            await asyncio.gather(
                *(
                    p.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value})
                    for p in players
                )
            )
            state = await fac.until(lambda s: s["questions"][0]["answered"] == 20)
            received = len([m for m in fac.seen if m["type"] == "state"]) - before
            assert state["questions"][0]["answered"] == 20
            assert received < 10, f"{received} states for 20 votes: not coalesced"
            for c in (fac, *players):
                await c.close()

        asyncio.run(scenario())
    finally:
        proc.stop()
