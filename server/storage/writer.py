"""Group commit: states from every room are written together, on one thread.

A write waits while the previous batch is being committed; everything that arrived meanwhile
goes into the next transaction. Each caller still learns the fate of its own write before it
acknowledges anything, so "stored before acknowledged" holds, at a fraction of the commits.
"""

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import SQLAlchemyError

from server.storage.repository import Repository, StateWrite

MAX_BATCH = 500


class BatchWriter:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._pending: list[tuple[StateWrite, asyncio.Future[None]]] = []
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def save(self, write: StateWrite) -> None:
        """Returns once stored; raises VersionConflict, AlreadyApplied or SQLAlchemyError."""
        loop = asyncio.get_running_loop()
        if self._task is None:
            self._wakeup = asyncio.Event()
            self._task = loop.create_task(self._run())
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((write, future))
        assert self._wakeup is not None
        self._wakeup.set()
        await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                writes = [w for w, _ in batch]
                try:
                    results = await loop.run_in_executor(self._thread, self.repo.save_states, writes)
                except SQLAlchemyError:
                    # one bad write (or another process racing us) must not fail its batch
                    # mates: retry each alone, and let each caller see its own outcome
                    results = []
                    for w in writes:
                        try:
                            one = await loop.run_in_executor(self._thread, self.repo.save_states, [w])
                            results.append(one[0])
                        except SQLAlchemyError as exc:
                            results.append(exc)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if result is None:
                        future.set_result(None)
                    else:
                        future.set_exception(result)

    async def run(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the writer's thread, between batches (e.g. a checkpoint)."""
        await asyncio.get_running_loop().run_in_executor(self._thread, fn)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._thread.submit(self.repo.close_writes)
        self._thread.shutdown(wait=True)
