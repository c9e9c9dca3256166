"""Faults: a busy database, a client that stops reading, a facilitator who leaves."""

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from tests.helpers import Client, ServerProcess, seat_room


def test_busy_database_gives_a_retryable_error_and_loses_nothing(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, env={"DB_BUSY_TIMEOUT_MS": "300"}).start()
    try:
        room = proc.create_room()

        async def scenario() -> None:
            fac, (ana,) = await seat_room(proc, room, ["Ana"])
            await fac.ok({"type": "start"})
            await fac.ok({"type": "draw"})
            # another process holds the write lock for a while
            locker = sqlite3.connect(tmp_path / "exploria.db", isolation_level=None, check_same_thread=False)
            locker.execute("BEGIN IMMEDIATE")
            release = threading.Timer(1.5, locker.execute, args=("COMMIT",))
            release.start()
            reply = await ana.call({"type": "note", "text": "pendant le verrou", "id": "n1"})
            assert reply["type"] == "error" and reply["code"] == "unavailable", reply
            assert reply["message"]
            release.join()
            locker.close()
            deadline = time.monotonic() + 5
            resend = {"type": "note", "text": "pendant le verrou", "id": "n1"}
            while (await ana.call(resend))["type"] != "ack":
                assert time.monotonic() < deadline
                await asyncio.sleep(0.2)
            assert (await ana.call(resend))["type"] == "ack"  # once more: still stored once
            await fac.ok({"type": "sync"})
            state = await fac.until(lambda s: len(s["notes"]) >= 1)
            assert [n["text"] for n in state["notes"]] == ["pendant le verrou"]
            await fac.close()
            await ana.close()

        asyncio.run(scenario())
    finally:
        proc.stop()


def test_a_client_that_stops_reading_does_not_stall_its_room(server: ServerProcess) -> None:
    room = server.create_room()

    async def scenario() -> None:
        fac = await Client.connect(server, room["code"])
        await fac.join(token=room["facilitator_token"])
        # the sleeper's socket buffers are tiny and it never reads again
        sleeper = await Client.connect(server, room["code"], max_queue=1, write_limit=1)
        await sleeper.join(name="Endormi")
        sleeper.ws.transport.pause_reading()
        ana = await Client.connect(server, room["code"])
        await ana.join(name="Ana")
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        big = "x" * 1900
        # ~900 KB of states towards the sleeper (within the note bounds): every note is still
        # acknowledged (each reply has the client's usual timeout) and reaches the others
        for i in range(30):
            await ana.ok({"type": "note", "text": f"{i} {big}"})
        state = await fac.until(lambda s: len(s["notes"]) == 30)
        assert state["notes"][-1]["text"].startswith("29")
        sleeper.ws.transport.abort()
        await fac.close()
        await ana.close()

    asyncio.run(scenario())


def test_room_survives_its_facilitator_leaving_and_coming_back(server: ServerProcess) -> None:
    room = server.create_room()

    async def scenario() -> None:
        fac, (ana,) = await seat_room(server, room, ["Ana"])
        await fac.ok({"type": "start"})
        await fac.close()
        state = await ana.until(
            lambda s: not next(p for p in s["players"] if p["role"] == "facilitator")["connected"]
        )
        assert state["phase"] == "playing"
        await ana.ok({"type": "draw"})  # the reader plays on
        back = await Client.connect(server, room["code"])
        welcome = await back.join(token=room["facilitator_token"])
        assert welcome["you"]["role"] == "facilitator"
        assert welcome["state"]["card"] is not None
        roles = [p["role"] for p in welcome["state"]["players"]]
        assert roles.count("facilitator") == 1
        await back.ok({"type": "reveal"})
        await back.close()
        await ana.close()

    asyncio.run(scenario())
