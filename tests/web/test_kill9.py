"""kill -9 in the middle of a burst: every acknowledged action survives, exactly once."""

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from tests.helpers import Client, ServerProcess, seat_room

PLAYERS = 6
NOTES_EACH = 30  # per person and per card, notes are bounded (MAX_NOTES_PER_PERSON)


async def burst(client: Client, name: str, card: dict[str, Any], acked: set[str]) -> None:
    """Send notes and answers without waiting, collect acks until the socket dies."""
    yes_no = next(q for q in card["questions"] if q["kind"] == "yes_no")
    with contextlib.suppress(Exception):
        for i in range(NOTES_EACH):
            await client.send({"type": "note", "text": f"{name}-{i}", "id": f"{name}-n{i}"})
            value = ("yes", "no", "unsure")[i % 3]
            await client.send(
                {
                    "type": "answer",
                    "card_id": card["id"],
                    "question_id": yes_no["id"],
                    "value": value,
                    "id": f"{name}-a{i}",
                }
            )
        while True:
            msg = json.loads(await asyncio.wait_for(client.ws.recv(), 10))
            if msg["type"] == "ack":
                acked.add(msg["id"])


def test_kill9_mid_burst_loses_nothing_acknowledged(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path).start()

    async def before_kill() -> tuple[str, dict[str, Any], dict[str, str], set[str], str]:
        room = first.create_room("mini-test")
        code = room["code"]
        fac, seated = await seat_room(first, room, [f"P{i}" for i in range(PLAYERS)])
        clients = {f"P{i}": cl for i, cl in enumerate(seated)}
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        card = (await fac.until(lambda s: s["card"] is not None))["card"]
        acked: set[str] = set()
        tasks = [asyncio.create_task(burst(cl, name, card, acked)) for name, cl in clients.items()]
        # kill as soon as part of the burst is acknowledged
        for _ in range(500):
            if len(acked) >= PLAYERS * NOTES_EACH // 3:
                break
            await asyncio.sleep(0.005)
        first.kill9()
        await asyncio.gather(*tasks)
        for cl in (fac, *clients.values()):
            with contextlib.suppress(Exception):
                await cl.ws.close()
            if cl.ws.transport:
                cl.ws.transport.abort()
        tokens = {name: cl.you["token"] for name, cl in clients.items()}
        return code, card, tokens, set(acked), room["facilitator_token"]

    code, card, tokens, acked, fac_token = asyncio.run(before_kill())
    assert 0 < len(acked) < 2 * PLAYERS * NOTES_EACH, "the kill should land mid-burst"
    print(f"kill -9 after {len(acked)} of {2 * PLAYERS * NOTES_EACH} actions were acknowledged")

    second = ServerProcess(tmp_path, database_url=first.database_url).start()
    try:

        async def after_restart() -> dict[str, Any]:
            # each client comes back with its token and resends everything with the same ids
            for name, token in tokens.items():
                cl = await Client.connect(second, code)
                welcome = await cl.join(token=token)
                yes_no = next(q for q in card["questions"] if q["kind"] == "yes_no")
                last_acked = max(
                    (int(i.split("-a")[1]) for i in acked if i.startswith(f"{name}-a")), default=None
                )
                if last_acked is not None:  # the answer acknowledged last is the one stored
                    expected = ("yes", "no", "unsure")[last_acked % 3]
                    stored = welcome["state"]["my_answers"].get(yes_no["id"])
                    later = {("yes", "no", "unsure")[j % 3] for j in range(last_acked, NOTES_EACH)}
                    assert stored == expected or stored in later
                for i in range(NOTES_EACH):
                    reply = await cl.call({"type": "note", "text": f"{name}-{i}", "id": f"{name}-n{i}"})
                    assert reply["type"] == "ack"
                await cl.close()
            fac = await Client.connect(second, code)
            welcome = await fac.join(token=fac_token)
            await fac.close()
            return dict(welcome["state"])

        state = asyncio.run(after_restart())
    finally:
        second.stop()
    texts = [n["text"] for n in state["notes"]]
    acked_notes = {i.replace("-n", "-") for i in acked if "-n" in i}
    assert acked_notes <= set(texts), "an acknowledged note was lost"
    assert len(texts) == len(set(texts)) == PLAYERS * NOTES_EACH, "a note was stored twice"
