"""Room states to the database: each caller learns the fate of its own write before it
acknowledges anything ("stored before acknowledged").

On the writer's thread, writes are grouped: one waits while the previous batch is being
committed, and everything that arrived meanwhile goes into the next transaction.

Where a write is committed: with PostgreSQL (a network round trip) in batches on the writer's
own thread. With SQLite a commit is a short write into the WAL (no fsync: synchronous=NORMAL),
and handing it to a thread cost more than the commit itself — the executor's queue, two thread
wake-ups and the GIL passed back and forth, about a third of a vote's CPU. So each write is
committed right there, within its ``save``, on the event loop's own connection, which never
waits for a lock (busy timeout 0): when another writer holds the database (a room being
created, a deck saved, the WAL being truncated), the write goes to the writer thread, which
waits for it, and the event loop does not. (The WAL's catch-up pass runs on the loop itself,
so that votes are not sent there once a second: ``storage.checkpoints``.) A vote then goes
out without a future, a wake-up or a second turn of the loop. Writes arriving in the same
turn used to wait for the turn's end and go together: each of those cost a future and a task,
more than the commit it shared, so the busier the server, the dearer a vote — and under load
it slid into a backlog it could not drain (issue 15, bench/README.md "Eighth stop").
"""

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import SQLAlchemyError

from server.storage.repository import Repository, StateWrite

MAX_BATCH = 500
Pending = list[tuple[StateWrite, asyncio.Future[None]]]


class BatchWriter:
    def __init__(self, repo: Repository, *, on_loop: bool | None = None) -> None:
        self.repo = repo
        self.on_loop = repo.is_sqlite if on_loop is None else on_loop
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._pending: Pending = []  # for the writer thread
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._exclusive = 0  # ``run`` calls under way: no commit on the loop meanwhile
        self.writes_on_thread = 0  # with SQLite, the writes that could not be committed on the loop

    async def save(self, write: StateWrite) -> None:
        """Returns once stored; raises VersionConflict, AlreadyApplied or SQLAlchemyError."""
        if self.on_loop and not self._exclusive:
            try:
                result = self.repo.save_states_now([write])[0]
            except Exception:  # busy, or failing: the thread waits, retries alone, reports
                pass
            else:
                if result is not None:
                    raise result
                return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._to_thread([(write, future)])
        await future

    def _to_thread(self, batch: Pending) -> None:
        if self._task is None:
            self._wakeup = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._pending.extend(batch)
        self.writes_on_thread += len(batch)
        assert self._wakeup is not None
        self._wakeup.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wakeup is not None
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                writes = [w for w, _ in batch]
                results: list[Exception | None]
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
                _settle(batch, results)

    async def run(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` on the writer's thread, between batches, with no state committed while
        it runs (the WAL truncated after an anonymous card closes, ``RoomService``): the
        event loop's commits meanwhile go to the thread, behind ``fn``."""
        self._exclusive += 1
        try:
            await asyncio.get_running_loop().run_in_executor(self._thread, fn)
        finally:
            self._exclusive -= 1

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.repo.close_writes()
        self._thread.shutdown(wait=True)


def _settle(batch: Pending, results: list[Exception | None]) -> None:
    for (_, future), result in zip(batch, results, strict=True):
        if future.done():
            continue
        if result is None:
            future.set_result(None)
        else:
            future.set_exception(result)
