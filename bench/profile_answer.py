"""The answer path in one process, without sockets: where a vote's CPU goes.

Runs the real ``RoomService`` on a temporary SQLite database with rooms of players whose
connections write through the real ``RawSocket`` (server/web/direct.py) onto a stand-in for
uvloop's transport that keeps the frames (its methods C builtins, as uvloop's are: no Python
frame of its own is counted), and times N answers
(round-robin over rooms and players, each player alternating yes/no, like bench/load.py's
scenario a). ``--profile`` prints cProfile's top functions. Prints µs per answer and per
delivery, main thread and writer thread separately (``time.thread_time`` is not available
across threads, so the writer's share is read from /proc).

    .venv/bin/python bench/profile_answer.py --rooms 20 --players 20 --answers 4000 [--profile]
"""

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.protocol import State  # noqa: E402

from server import collector  # noqa: E402
from server.core import commands as c  # noqa: E402
from server.core.deck import parse_deck  # noqa: E402
from server.core.state import RoomSettings  # noqa: E402
from server.rooms.live import Connection  # noqa: E402
from server.rooms.outbox import Outbox  # noqa: E402
from server.rooms.service import RoomService  # noqa: E402
from server.storage.engine import make_engine  # noqa: E402
from server.storage.repository import Repository  # noqa: E402
from server.storage.tables import Base  # noqa: E402
from server.web.direct import RawSocket, WatchedProtocol  # noqa: E402


def thread_ticks() -> dict[str, int]:
    out: dict[str, int] = {}
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        stat = (task / "stat").read_text().rsplit(")", 1)[1].split()
        comm = (task / "comm").read_text().strip()
        out[f"{task.name}:{comm}"] = int(stat[11]) + int(stat[12])
    return out


async def main(args: argparse.Namespace) -> None:
    # the collector as the server sets it (server/collector.py): without it, a full collection
    # falls in one run and not in another, and vote_cost.py's difference counts it
    collector.quieten()
    tmp = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{tmp / 'p.db'}")
    Base.metadata.create_all(engine)
    service = RoomService(Repository(engine))
    deck = parse_deck(json.loads((ROOT / "cards" / f"{args.deck}.json").read_text()))
    written: list[bytes] = []  # every frame, as the sockets' transports were given them

    class Transport:
        """What ``RawSocket`` asks of uvloop's transport, answered by C builtins (as uvloop's
        methods are C): open, an empty buffer, and ``write`` keeps the frame."""

        is_closing = bool  # () -> False
        get_write_buffer_size = int  # () -> 0
        write = written.append

    class Protocol:
        """uvicorn's protocol as ``RawSocket`` reads it: the state machine, open and watched
        (as ``direct_socket`` makes it), one per connection."""

        def __init__(self) -> None:
            self.conn = WatchedProtocol(state=State.OPEN)

    def outbox() -> Outbox:
        raw = RawSocket(Protocol(), Transport())
        return Outbox(nowhere, raw.write, protocol=2, direct_many=raw.write_many, raw=raw)

    async def nowhere(_text: str) -> None:
        return None

    rooms = []
    for _ in range(args.rooms):
        code, _token = await service.create(deck, RoomSettings(anonymous=not args.named))
        room = await service.get(code)
        fac = room.state.players[0].id
        people = []
        for i in range(args.players):
            joined, _conn = await service.join(
                room, name=f"P{i}", token=None, conn_factory=lambda pid: Connection(outbox(), pid, "fr")
            )
            people.append(joined.player.id)
        room.connections.add(Connection(outbox(), fac, "fr"))
        await service.act(room, fac, c.Start(), None)
        reader = room.state.reader_id
        assert reader is not None
        await service.act(room, reader, c.Draw(), None)
        card = deck.card(room.state.current.card_id)  # type: ignore[union-attr]
        if card is not None and not any(q.kind == "yes_no" for q in card.questions):
            # the opening card (``place: first``) asks open questions only: the facilitator
            # skips it and the next reader draws a card with yes/no questions, as load.py does
            await service.act(room, fac, c.Skip(), None)
            reader = room.state.reader_id
            assert reader is not None
            await service.act(room, reader, c.Draw(), None)
            card = deck.card(room.state.current.card_id)  # type: ignore[union-attr]
        question = next((q for q in card.questions if q.kind == "yes_no"), card.questions[0])  # type: ignore[union-attr]
        values = ("yes", "no") if question.kind == "yes_no" else ("oui", "non")
        rooms.append((room, people, card.id, question.id, values))  # type: ignore[union-attr]
    written.clear()
    # what setting the rooms up left to the collector is collected now: else the first young
    # collection within the counted answers also went through some 2,300 objects of the
    # set-up, and vote_cost.py's difference of two runs counted that as the votes' (2026-11-29)
    gc.collect()
    profile = cProfile.Profile() if args.profile else None
    before = thread_ticks()
    t0, cpu0 = time.perf_counter(), time.thread_time()
    if profile:
        profile.enable()
    for n in range(args.answers):
        room, people, card_id, qid, values = rooms[n % len(rooms)]
        who = people[(n // len(rooms)) % len(people)]
        value = values[(n // (len(rooms) * len(people))) % 2]
        await service.act(room, who, c.Answer(card_id, qid, value), f"m{n}")
    if profile:
        profile.disable()
    wall, main_cpu = time.perf_counter() - t0, time.thread_time() - cpu0
    after = thread_ticks()
    hz = os.sysconf("SC_CLK_TCK")
    others = {k: (after[k] - before.get(k, 0)) / hz for k in after if after[k] - before.get(k, 0) > 0}
    others.pop(next(k for k in others if k.startswith(f"{os.getpid()}:")), None)
    per = 1e6 / args.answers
    print(
        f"{args.answers} answers in {wall:.2f} s; {len(written)} frames written; main thread "
        f"{main_cpu * per:.0f} us/answer = {main_cpu * 1e6 / max(1, len(written)):.1f} us/delivery; "
        f"other threads {sum(others.values()) * per:.0f} us/answer ({others})"
    )
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    await service.close()
    engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--players", type=int, default=20)
    parser.add_argument("--answers", type=int, default=4000)
    parser.add_argument("--deck", default="exploria-fr")
    parser.add_argument("--named", action="store_true", help="sessions that are not anonymous")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    asyncio.run(main(parser.parse_args()))
