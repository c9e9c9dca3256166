"""In an anonymous session, once a card is closed nothing links a person to their answers —
not in the state, not in the summary, not in the database files."""

import asyncio
import os
import signal
from pathlib import Path

from tests.helpers import ServerProcess, seat_room


def test_closed_card_leaves_no_link_in_the_database_files(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path).start()
    try:
        room = proc.create_room(selection="cards", cards=["c1"])  # a card with an open question

        async def scenario() -> tuple[list[str], bytes]:
            fac, players = await seat_room(proc, room, ("Ana", "Ben", "Cléo"))
            await fac.ok({"type": "start"})
            await fac.ok({"type": "draw"})
            card = (await fac.until(lambda s: s["card"] is not None))["card"]
            for i, p in enumerate(players):
                for q in card["questions"]:
                    value = ("yes", "no", "unsure")[i] if q["kind"] == "yes_no" else f"secret-{i}"
                    await p.ok(
                        {"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value}
                    )
            await fac.ok({"type": "reveal"})
            await fac.ok({"type": "next"})
            state = await fac.until(lambda s: s["cards_done"] == 1)
            assert state["questions"] == [] and state["card"] is None
            ids = [p.you["id"] for p in players]
            # read the files while the server runs (a clean shutdown would hide leftovers),
            # frozen for a moment so that the database and its WAL are read consistently
            assert proc.proc is not None
            os.kill(proc.proc.pid, signal.SIGSTOP)
            try:
                raw = b"".join(p.read_bytes() for p in sorted(tmp_path.glob("exploria.db*")))
            finally:
                os.kill(proc.proc.pid, signal.SIGCONT)
            for c in (fac, *players):
                await c.close()
            return ids, raw

        ids, raw = asyncio.run(scenario())
    finally:
        proc.stop()
    for pid in ids:
        # a player id as the key of an answers object is the link we must not keep
        assert f'"{pid}":{{'.encode() not in raw, "a person is still linked to their answers"
    assert b"secret-0" in raw  # the open answers themselves are kept, without author
