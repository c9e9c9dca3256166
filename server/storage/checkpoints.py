"""SQLite only: the write-ahead log copied into the database, off the commit path."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from server.storage.repository import Repository

log = logging.getLogger(__name__)
CHECKPOINT_TICK_S = 0.25  # how often the WAL's need of a checkpoint is looked at
CHECKPOINT_INTERVAL_S = 1.0  # under steady writes, at least this often
CHECKPOINT_WRITES = 512  # or as soon as this many states were saved since the last one
CATCH_UP_FRAMES = 1024  # a WAL of 4 MB (4 KiB pages) or more gets the catch-up pass


def checkpoint_due(since_last: int, since_tick: int, elapsed_s: float) -> bool:
    """Whether to checkpoint now: ``since_last`` states saved since the last checkpoint,
    ``since_tick`` of them during the last tick, ``elapsed_s`` since the last checkpoint.

    A checkpoint has a fixed cost (a pool thread, two fsyncs) and copies each page changed
    since the last once, however often it changed: four a second cost ~1.6 % of the server's
    CPU at 400 votes/s (bench/load.py, scenario a; 100 rooms' rows in ~50 pages). So under
    steady writes once a second, or every ``CHECKPOINT_WRITES`` states when they come faster
    (below ``CATCH_UP_FRAMES``, which would stall the loop); and at once when the writes pause,
    so that a burst's WAL is copied in the quiet that follows and starts over. Other writes
    (rooms made, decks uploaded) are not counted: they are copied within the interval."""
    if since_last > 0 and since_tick == 0:
        return True
    return since_last >= CHECKPOINT_WRITES or elapsed_s >= CHECKPOINT_INTERVAL_S


async def checkpoints(repo: Repository, db: Callable[[Callable[[], Any]], Awaitable[Any]]) -> None:
    """Copy the WAL into the database when ``checkpoint_due`` says so, and let it start over."""
    if not repo.is_sqlite:
        return
    last_saved = seen = repo.states_saved()
    last_at = time.monotonic()
    while True:
        await asyncio.sleep(CHECKPOINT_TICK_S)
        saved = repo.states_saved()
        due = checkpoint_due(saved - last_saved, saved - seen, time.monotonic() - last_at)
        seen = saved
        if not due:
            continue
        last_saved, last_at = saved, time.monotonic()
        try:
            await checkpoint_once(repo, db)
        except Exception:
            log.exception("checkpoint failed")


async def checkpoint_once(repo: Repository, db: Callable[[Callable[[], Any]], Awaitable[Any]]) -> None:
    """The bulk is copied on a pool thread (``db``) while commits go on. Then, if the WAL had
    reached ``CATCH_UP_FRAMES``, a short catch-up pass copies the few frames written meanwhile,
    on the event loop's own connection and on the loop itself: the loop makes every vote's
    commit, so none can come between, and the WAL is wholly copied; the next commit starts it
    again from the beginning. Without that pass, under sustained writes, the WAL never caught
    up and grew by tens of megabytes a second (and every commit got slower).

    The pass blocks the loop for its length (two fsyncs and a few hundred pages: about 2 ms
    here), about once a second under sustained votes. It used to run on the writer's thread,
    the loop's commits meanwhile handed to that thread: each such vote then cost a future, a
    task and the GIL passed back and forth, the thread's commits in turn kept the loop's own
    connection busy, more votes followed them there — and under load the server slid into a
    backlog it could not drain (bench/README.md, "Ninth stop": at 2,057 answers/s the fan-out's
    p99 was under 50 ms in 1 run of 4 that way, in 3 of 4 this way). A pause in the writes
    lets the bulk pass copy everything, and the WAL starts over by itself."""
    if await db(repo.checkpoint) >= CATCH_UP_FRAMES:
        repo.checkpoint_now()
