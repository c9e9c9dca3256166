"""Room states stored in batches: the hot path of every vote, in the driver's own SQL.

SQLAlchemy's per-statement machinery once cost more CPU than SQLite itself, and so did its
per-transaction part (a pool checkout, a reset on return, begin and commit events): with
SQLite the batch writer's single thread now keeps one driver connection for itself and
commits on it directly. PostgreSQL keeps SQLAlchemy's transaction (its pool pings and
replaces broken connections), with the same statements.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from server.storage.tokens import hash_token


@dataclass(slots=True)
class StateWrite:
    """One room's new state, with what must be stored atomically with it. Never changed once
    made (not ``frozen``: a frozen dataclass's constructor cost 2.6 µs a vote, this one 0.7)."""

    code: str
    state: str
    phase: str
    version: int
    new_token: tuple[str, str] | None = None  # (token, player id) of a newcomer
    message: tuple[str, str] | None = None  # (player id, message id) that caused it
    # a card was closed: the message ids stored for it are deleted (they would keep an
    # ordered log of each person's actions)
    forget_messages: bool = False
    # a vote: only (player id, their answers' stored body) is written, in ``open_answers``,
    # and ``state`` is not (the room's row takes the new version, or nothing: ``row_only``)
    answers: tuple[str, str] | None = None
    # message ids a vote's row held (a full write deletes the rows, a row keeps only its last
    # ones): stored in ``applied_messages`` with this write, once (a repeat is ignored)
    spill: tuple[tuple[str, str], ...] = ()
    # the room's row is expected at this version (another writer moved it on otherwise);
    # None: the one before ``version``
    base: int | None = None
    # a vote with one process: its row (which holds the new version) and nothing else, the
    # room's row is not touched (server/rooms/rows.py)
    row_only: bool = False


class VersionConflict(Exception):
    """Another writer changed the room first; reload and try again."""


class AlreadyApplied(Exception):
    """The message id was applied already (by another process); nothing was written."""


class StateWrites:
    """``save`` for the batch writer's thread, ``save_now`` for the event loop (SQLite): each
    keeps a connection of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._param = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._sqlite = engine.dialect.name == "sqlite"
        # SQLite, in autocommit mode: the writer thread's connection, and the event loop's
        self._on_thread: Any = None
        self._on_loop: Any = None
        self._loop_driver: Any = None  # the event loop's sqlite3 connection itself
        self.saved = 0  # states saved (or tried) since start: what paces the checkpoints
        p = self._param
        self._put_row = (
            f"INSERT INTO open_answers (room_code, player_id, body) VALUES ({p}, {p}, {p}) "
            "ON CONFLICT (room_code, player_id) DO UPDATE SET body = excluded.body"
        )

    def save(self, writes: list[StateWrite]) -> list[Exception | None]:
        """Store many rooms' states in one transaction (group commit): one result per write,
        ``None`` when stored, else the ``VersionConflict`` or ``AlreadyApplied`` that kept
        that write (and only that one) out. One room appears at most once in a batch.
        Errors of the database are raised as SQLAlchemy's, as callers expect."""
        try:
            if self._sqlite:
                if self._on_thread is None:
                    self._on_thread = self._keep()
                return self._save_sqlite(self._on_thread.driver_connection, writes)
            with self.engine.begin() as conn:
                cur = conn.connection.cursor()
                try:
                    return self._all(cur, writes)
                finally:
                    cur.close()
        except self._driver_error as exc:
            raise DBAPIError.instance(None, None, exc, self._driver_error) from exc

    def save_now(self, writes: list[StateWrite]) -> list[Exception | None]:
        """``save`` on the event loop's connection (SQLite only), which does not wait for a
        lock another connection holds: the driver's "database is locked" at once instead."""
        return self._save_sqlite(self._loop_driver or self._loop_connection(), writes)

    def _loop_connection(self) -> Any:
        if self._on_loop is None:
            self._on_loop = self._keep(busy_timeout_ms=0)
            self._loop_driver = self._on_loop.driver_connection
        return self._loop_driver

    def checkpoint_now(self) -> int:
        """``wal_checkpoint(PASSIVE)`` on the event loop's connection (SQLite), for the event
        loop: the connection that commits the votes cannot commit one meanwhile. Returns how
        many frames the WAL held."""
        return wal_frames(self._loop_connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())

    def _keep(self, *, busy_timeout_ms: int | None = None) -> Any:
        raw = self.engine.raw_connection()  # never returned to the pool: one thread's own
        driver = raw.driver_connection
        assert driver is not None
        driver.isolation_level = None  # BEGIN and COMMIT are ours
        if busy_timeout_ms is not None:
            driver.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        return raw

    def _save_sqlite(self, driver: Any, writes: list[StateWrite]) -> list[Exception | None]:
        self.saved += len(writes)
        if len(writes) == 1 and _one_statement(writes[0]):
            # the common case, a lone vote's row: one statement in SQLite's own transaction (the
            # same commit, without BEGIN and COMMIT; busy: raised, as below), straight on the
            # driver (every layer above cost more than SQLite, cold: issue 15)
            w = writes[0]
            assert w.answers is not None
            driver.execute(self._put_row, (w.code, *w.answers))
            return [None]
        cur = driver.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")  # the write lock first: no upgrade from a read
            results = self._all(cur, writes)
            cur.execute("COMMIT")
            return results
        except BaseException:
            if driver.in_transaction:
                driver.rollback()
            raise
        finally:
            cur.close()

    def close(self) -> None:
        """Give the kept connections up (the writer is stopping)."""
        for kept in (self._on_thread, self._on_loop):
            if kept is not None:
                kept.invalidate()  # closed, not handed to the pool in autocommit mode
        self._on_thread = self._on_loop = self._loop_driver = None

    def _all(self, cur: Any, writes: list[StateWrite]) -> list[Exception | None]:
        now = time.time()
        return [self._one(cur.execute, cur.fetchone, w, now) for w in writes]

    def _one(
        self, execute: Callable[..., Any], fetchone: Callable[[], Any], w: StateWrite, now: float
    ) -> Exception | None:
        p = self._param
        base = w.version - 1 if w.base is None else w.base
        if w.message is not None:
            execute(
                f"SELECT 1 FROM applied_messages WHERE room_code = {p} "
                f"AND player_id = {p} AND message_id = {p}",
                (w.code, *w.message),
            )
            if fetchone() is not None:
                return AlreadyApplied(w.message[1])
        if w.row_only:
            changed = 1
        elif w.answers is not None:
            # SQLite overwrites a row of unchanged size in place, page by page, writing only
            # the pages that differ: the state's ~150 KB of a big room stay where they are.
            # ``updated_at`` is left: it is indexed (expiry reads it), and moving its index
            # entry cost two more pages a vote; the room's next whole write (a card drawn,
            # revealed, a note, someone joining) moves it on, and expiry counts in days.
            changed = execute(
                f"UPDATE rooms SET version = {p} WHERE code = {p} AND version = {p}",
                (w.version, w.code, base),
            ).rowcount
        else:
            changed = execute(
                f"UPDATE rooms SET state = {p}, version = {p}, phase = {p}, updated_at = {p} "
                f"WHERE code = {p} AND version = {p}",
                (w.state, w.version, w.phase, now, w.code, base),
            ).rowcount
        if changed != 1:
            return VersionConflict(w.code)
        if w.answers is not None:
            execute(self._put_row, (w.code, *w.answers))
        else:  # the whole state holds every answer: rows would be older (or another card's)
            execute(f"DELETE FROM open_answers WHERE room_code = {p}", (w.code,))
        if w.new_token is not None:
            token, player_id = w.new_token
            execute(
                f"INSERT INTO room_tokens (token_hash, room_code, player_id, kind, revoked) "
                f"VALUES ({p}, {p}, {p}, 'player', {p})",
                (hash_token(token), w.code, player_id, False),
            )
        if w.forget_messages:
            execute(f"DELETE FROM applied_messages WHERE room_code = {p}", (w.code,))
        for player_id, message_id in w.spill:
            execute(
                f"INSERT INTO applied_messages (room_code, player_id, message_id) VALUES ({p}, {p}, {p}) "
                "ON CONFLICT DO NOTHING",
                (w.code, player_id, message_id),
            )
        if w.message is not None:
            execute(
                f"INSERT INTO applied_messages (room_code, player_id, message_id) VALUES ({p}, {p}, {p})",
                (w.code, *w.message),
            )
        return None


def wal_frames(row: Any) -> int:
    """The WAL's frames in a ``wal_checkpoint`` row (busy, log, checkpointed); -1 is "not in
    WAL mode", read as none."""
    return max(0, int(row[1])) if row is not None else 0


def _one_statement(w: StateWrite) -> bool:
    """``_one`` makes a single statement of this write: a vote's row, nothing else."""
    return (
        w.row_only
        and w.answers is not None
        and w.message is None
        and not w.spill
        and w.new_token is None
        and not w.forget_messages
    )
