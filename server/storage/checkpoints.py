"""SQLite only: the write-ahead log copied into the database, off the commit path."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from server.storage.repository import Repository
from server.storage.writer import BatchWriter

log = logging.getLogger(__name__)
CHECKPOINT_INTERVAL_S = 0.25
CATCH_UP_FRAMES = 1024  # a WAL of 4 MB (4 KiB pages) or more gets the catch-up pass


async def checkpoints(
    repo: Repository, writer: BatchWriter, db: Callable[[Callable[[], Any]], Awaitable[Any]]
) -> None:
    """Copy the WAL into the database four times a second, and let the WAL start over. The
    bulk is copied on a pool thread (``db``) while commits go on; then a short catch-up pass
    on the writer's own thread, between two batches, copies the few frames written meanwhile.
    The WAL is then wholly copied and the next commit starts it again from the beginning:
    without that pass, under sustained writes, the WAL never caught up and grew by tens of
    megabytes a second (and every commit got slower). The catch-up pass ends with an fsync of
    the database file, and commits wait for it: so it runs only when the WAL has reached
    ``CATCH_UP_FRAMES``. A pause in the writes lets the bulk pass copy everything, and the WAL
    starts over by itself; under sustained votes (800 pages a second in bench/load.py's
    scenario a) the wait comes about once a second instead of four times (the fan-out's p99
    fell in them). The WAL stays as small as with a catch-up at every pass: ~20 MB at its
    largest at 1,200 commits a second in tests/web/test_wal.py, both ways."""
    if not repo.is_sqlite:
        return
    while True:
        await asyncio.sleep(CHECKPOINT_INTERVAL_S)
        try:
            if await db(repo.checkpoint) >= CATCH_UP_FRAMES:
                await writer.run(repo.checkpoint)
        except Exception:
            log.exception("checkpoint failed")
