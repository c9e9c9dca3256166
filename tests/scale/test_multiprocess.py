"""Two app processes on Redis and PostgreSQL serve the same room.

Players of one room are spread over both processes: they see the same states in the same order,
play a full game, and survive one process being killed mid-card (they come back to the other,
resend what was not acknowledged, and every acknowledged action is stored exactly once).
"""

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Client, ServerProcess, seat
from tests.infra import Postgres, have_redis, redis_server


@pytest.fixture
def two_processes(tmp_path: Path, postgres: Postgres) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    if not have_redis():
        pytest.fail("redis-server is not installed: .ci/run installs it")
    with redis_server() as redis_url:
        url = postgres.create_database()
        env = {"REDIS_URL": redis_url, "PRESENCE_TTL_S": "2"}
        a = ServerProcess(tmp_path / "a", env=env, database_url=url)
        a.start()  # migrates first; the second process then finds the schema ready
        b = ServerProcess(tmp_path / "b", env=env, database_url=url).start()
        try:
            yield a, b
        finally:
            b.stop()
            a.stop()


def test_full_game_over_two_processes(two_processes: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = two_processes

    async def scenario() -> None:
        room = a.create_room("mini-test")
        code = room["code"]
        fac = await seat(a, code, token=room["facilitator_token"])
        ana = await seat(a, code, name="Ana")
        ben = await seat(b, code, name="Ben")
        cleo = await seat(b, code, name="Cléo")
        players = [ana, ben, cleo]
        versions: dict[str, list[int]] = {}

        await fac.until(lambda s: len(s["players"]) == 4)
        await fac.ok({"type": "start"})
        played: list[str] = []
        for _ in range(3):
            state = await ben.until(lambda s: s["phase"] == "playing" and s["card"] is None)
            reader = next(p for p in players if p.you["id"] == state["reader_id"])
            await reader.ok({"type": "draw"})
            card = (await cleo.until(lambda s: s["card"] is not None and s["card"]["id"] not in played))[
                "card"
            ]
            played.append(card["id"])
            for p, value in zip(players, ["yes", "no", "yes"], strict=True):
                for q in card["questions"]:
                    await p.ok(
                        {
                            "type": "answer",
                            "card_id": card["id"],
                            "question_id": q["id"],
                            "value": value if q["kind"] == "yes_no" else "idée",
                        }
                    )
            await fac.until(lambda s: all(q["answered"] == 3 for q in s["questions"]))
            await reader.ok({"type": "reveal"})
            await ben.ok({"type": "note", "text": f"note {card['id']}"})
            await fac.until(lambda s: len(s["notes"]) == 1)
            await reader.ok({"type": "next"})
        await fac.ok({"type": "finish"})
        finals = []
        for c in (fac, *players):
            finals.append(await c.until(lambda s: s["phase"] == "synthesis"))
            seen = [m["version"] for m in c.seen if m["type"] in ("state", "welcome")]
            versions[c.you["name"]] = seen
            assert seen == sorted(seen), "states must arrive in order"
        for final in finals[1:]:
            assert final["synthesis"] == finals[0]["synthesis"]
            assert final["history"] == finals[0]["history"]
        assert finals[0]["synthesis"]["cards_played"] == 3
        for c in (fac, *players):
            await c.close()

    asyncio.run(scenario())


def test_killing_one_process_mid_card_loses_nothing(
    two_processes: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_processes
    per_player = 30

    async def scenario() -> dict[str, Any]:
        room = a.create_room("mini-test")
        code = room["code"]
        fac = await seat(a, code, token=room["facilitator_token"])
        on_a = [await seat(a, code, name=f"A{i}") for i in range(2)]
        on_b = [await seat(b, code, name=f"B{i}") for i in range(3)]
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        await fac.until(lambda s: s["card"] is not None)
        acked: set[str] = set()

        async def burst(client: Client) -> None:
            name = client.you["name"]
            with contextlib.suppress(Exception):
                for i in range(per_player):
                    await client.send({"type": "note", "text": f"{name}-{i}", "id": f"{name}-{i}"})
                while True:
                    msg = json.loads(await asyncio.wait_for(client.ws.recv(), 5))
                    if msg["type"] == "ack":
                        acked.add(msg["id"])

        tasks = [asyncio.create_task(burst(c)) for c in (*on_a, *on_b)]
        for _ in range(400):
            if sum(1 for i in acked if i.startswith("B")) >= 10:
                break
            await asyncio.sleep(0.005)
        b.kill9()
        await asyncio.gather(*tasks)
        # B's players come back through the other process and resend everything
        for old in on_b:
            with contextlib.suppress(Exception):
                await old.ws.close()
            back = await seat(a, code, token=old.you["token"])
            for i in range(per_player):
                name = old.you["name"]
                reply = await back.call({"type": "note", "text": f"{name}-{i}", "id": f"{name}-{i}"})
                assert reply["type"] == "ack", reply
            await back.close()
        await fac.ok({"type": "sync"})
        state = await fac.until(lambda s: len(s["notes"]) >= len(on_b) * per_player)
        for c in (fac, *on_a):
            await c.close()
        return {"state": state, "acked": acked}

    result = asyncio.run(scenario())
    texts = [n["text"] for n in result["state"]["notes"]]
    assert len(texts) == len(set(texts)), "a note was stored twice"
    assert set(result["acked"]) <= set(texts), "an acknowledged note was lost"
    assert {t for t in texts if t.startswith("B")} == {
        f"B{i}-{j}" for i in range(3) for j in range(per_player)
    }


def _connected(state: dict[str, Any]) -> dict[str, bool]:
    return {p["name"]: p["connected"] for p in state["players"]}


def test_presence_is_shared_and_a_killed_process_releases_its_people(
    two_processes: tuple[ServerProcess, ServerProcess],
) -> None:
    """Who is connected is the same on both processes; a second tab closing on one process
    does not hide someone still connected on the other; after a kill -9 the people of the
    dead process are shown disconnected (so the reader's turn skips them) until they return."""
    a, b = two_processes

    async def scenario() -> None:
        room = a.create_room("mini-test", facilitator_name="Fac")
        code = room["code"]
        fac = await seat(a, code, token=room["facilitator_token"])
        ana = await seat(a, code, name="Ana")
        ben = await seat(b, code, name="Ben")  # the room is loaded by the second process now
        cleo = await seat(b, code, name="Cléo")
        everyone = {"Fac": True, "Ana": True, "Ben": True, "Cléo": True}
        for client in (fac, ana, ben, cleo):
            await client.ok({"type": "sync"})
            await client.until(lambda s: _connected(s) == everyone)

        # a second tab of Cléo's on the first process comes and goes: she stays connected
        cleo_tab = await seat(a, code, token=cleo.you["token"])
        await cleo_tab.close()
        await asyncio.sleep(0.5)
        await ana.ok({"type": "sync"})
        state = (await ana.expect("state"))["state"]  # sent after the ack, as of the sync
        assert _connected(state)["Cléo"] is True, state["players"]

        # Ben leaves normally
        await ben.close()
        await fac.until(lambda s: _connected(s)["Ben"] is False)

        # the first process dies; nobody of it comes back for now
        a.kill9()
        gone = {"Fac": False, "Ana": False, "Ben": False, "Cléo": True}
        await cleo.until(lambda s: _connected(s) == gone, timeout=20)
        # the facilitator returns through the surviving process
        fac_back = await seat(b, code, token=room["facilitator_token"])
        await cleo.until(lambda s: _connected(s)["Fac"] is True)
        await fac_back.ok({"type": "start"})
        state = await cleo.until(lambda s: s["phase"] == "playing")
        assert state["reader_id"] == cleo.you["id"], "the turn goes to someone present"
        for client in (fac_back, cleo):
            await client.close()

    asyncio.run(scenario())
