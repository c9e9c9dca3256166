"""SQLite under sustained writes: the WAL is copied back and starts over, it does not grow
with every commit (it once grew by tens of megabytes a second under load)."""

import asyncio
from pathlib import Path

from tests.helpers import Client, ServerProcess, seat_room

ANSWERS_PER_PLAYER = 750
PLAYERS = 4
MAX_WAL_BYTES = 24 * 1024 * 1024  # without restarts, these 3000 commits leave 50+ MB


def test_the_wal_stays_small_under_sustained_writes(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path).start()
    wal = Path(server.database_url.split("///", 1)[1] + "-wal")
    try:

        async def scenario() -> int:
            room = server.create_room("mini-test", selection="all")
            fac, players = await seat_room(server, room, [f"P{i}" for i in range(PLAYERS)])
            await fac.ok({"type": "start"})
            await fac.ok({"type": "draw"})
            card = (await fac.until(lambda s: s["card"] is not None))["card"]
            question = next(q["id"] for q in card["questions"] if q["kind"] == "yes_no")
            largest = 0

            async def answer(player: Client) -> None:
                nonlocal largest
                for n in range(ANSWERS_PER_PLAYER):
                    await player.ok(
                        {
                            "type": "answer",
                            "card_id": card["id"],
                            "question_id": question,
                            "value": ("yes", "no")[n % 2],
                        }
                    )
                    if n % 50 == 0 and wal.exists():
                        largest = max(largest, wal.stat().st_size)

            await asyncio.gather(*(answer(p) for p in players))
            for client in (fac, *players):
                await client.close()
            return max(largest, wal.stat().st_size)

        largest = asyncio.run(scenario())
        assert largest < MAX_WAL_BYTES, f"WAL reached {largest / 1e6:.1f} MB"
    finally:
        server.stop()


def test_between_bursts_of_votes_the_wal_starts_over_without_the_catch_up_pass(tmp_path: Path) -> None:
    """Bursts of 100 votes (well under the catch-up pass's 1,024 frames) with pauses between:
    the bulk pass copies everything once the votes pause (storage/checkpoints.py) and the
    next commit restarts the WAL, so it stays about one burst long (~2.4 MB measured, the
    room's set-up included). Never restarted, eight bursts leave more than 6 MB (checked with
    the checkpoints stopped)."""
    server = ServerProcess(tmp_path).start()
    wal = Path(server.database_url.split("///", 1)[1] + "-wal")
    try:

        async def scenario() -> int:
            room = server.create_room("mini-test", selection="all")
            fac, players = await seat_room(server, room, ["Ana", "Ben"])
            await fac.ok({"type": "start"})
            await fac.ok({"type": "draw"})
            card = (await fac.until(lambda s: s["card"] is not None))["card"]
            question = next(q["id"] for q in card["questions"] if q["kind"] == "yes_no")
            largest = 0
            for _burst in range(8):
                for n in range(50):
                    for player in players:
                        vote = {"card_id": card["id"], "question_id": question, "value": ("yes", "no")[n % 2]}
                        await player.ok({"type": "answer", **vote})
                largest = max(largest, wal.stat().st_size)
                # the first checkpoint tick without a vote copies everything (0.25-0.5 s)
                await asyncio.sleep(1.0)
            for client in (fac, *players):
                await client.close()
            return largest

        largest = asyncio.run(scenario())
        assert largest < 4 * 1024 * 1024, f"WAL reached {largest / 1e6:.1f} MB"
    finally:
        server.stop()
