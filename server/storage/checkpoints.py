"""SQLite only: the write-ahead log copied into the database, off the commit path."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from server.storage.repository import Repository

log = logging.getLogger(__name__)
CHECKPOINT_INTERVAL_S = 0.25
CATCH_UP_FRAMES = 1024  # a WAL of 4 MB (4 KiB pages) or more gets the catch-up pass


async def checkpoints(repo: Repository, db: Callable[[Callable[[], Any]], Awaitable[Any]]) -> None:
    """Copy the WAL into the database four times a second, and let the WAL start over."""
    if not repo.is_sqlite:
        return
    while True:
        await asyncio.sleep(CHECKPOINT_INTERVAL_S)
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
