"""SQLite only: the write-ahead log copied into the database, off the commit path."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from server.storage.repository import Repository
from server.storage.writer import BatchWriter

log = logging.getLogger(__name__)
CHECKPOINT_INTERVAL_S = 0.25


async def checkpoints(
    repo: Repository, writer: BatchWriter, db: Callable[[Callable[[], None]], Awaitable[Any]]
) -> None:
    """Copy the WAL into the database four times a second, and let the WAL start over. The
    bulk is copied on a pool thread (``db``) while commits go on; then a short catch-up pass
    on the writer's own thread, between two batches, copies the few frames written meanwhile.
    The WAL is then wholly copied and the next commit starts it again from the beginning:
    without that pass, under sustained writes, the WAL never caught up and grew by tens of
    megabytes a second (and every commit got slower). The catch-up pass ends with an fsync of
    the database file between two batches: a few milliseconds on a slow disk, four times a
    second (once a second let the WAL reach ~30 MB in tests/web/test_wal.py)."""
    if not repo.is_sqlite:
        return
    while True:
        await asyncio.sleep(CHECKPOINT_INTERVAL_S)
        try:
            await db(repo.checkpoint)
            await writer.run(repo.checkpoint)
        except Exception:
            log.exception("checkpoint failed")
