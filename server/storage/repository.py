"""Data access: small functions over the tables, the only place that speaks SQL.

Methods are synchronous; the room service runs them on its threads, so the event loop never
waits on the disk or a lock — except ``save_states_now``, the short SQLite commit of the states
of one turn, which gives up at once when the database is busy (see ``storage.writer``).
"""

import time
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from server.storage.decks import DeckQueries, DeckSummary, QuotaFull, StoredDeck, deck_hash
from server.storage.statewrites import AlreadyApplied, StateWrite, StateWrites, VersionConflict, wal_frames
from server.storage.tables import (
    AppliedMessageRow,
    DeckVersionRow,
    OpenAnswerRow,
    RoomDeckRow,
    RoomLinkRow,
    RoomRow,
    TokenRow,
)
from server.storage.tokens import TokenOwner, TokenQueries, hash_token

__all__ = [
    "AlreadyApplied",
    "DeckSummary",
    "QuotaFull",
    "Repository",
    "StateWrite",
    "StoredDeck",
    "StoredRoom",
    "TokenOwner",
    "VersionConflict",
    "deck_hash",
    "hash_token",
]


@dataclass(frozen=True)
class StoredRoom:
    code: str
    deck: str
    state: str
    version: int
    # player id → the stored body of their answers to the open card, newer than ``state``'s
    answers: dict[str, str] = field(default_factory=dict)


LOAD_TRIES = 20  # a room being written to while it is read: read it again, this often


class Repository(TokenQueries, DeckQueries):
    """Rooms here; tokens and custom decks in ``tokens`` and ``decks`` (one object for all)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # the hot path speaks the driver's SQL directly: SQLAlchemy's statement compilation
        # was a tenth of the server's time under load
        self._param = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._writes = StateWrites(engine)

    # --- rooms ---------------------------------------------------------------------------

    def create_room(
        self,
        *,
        code: str,
        deck: str,
        state: str,
        phase: str,
        facilitator_token: str,
        facilitator_id: str,
        earlier_code: str | None = None,
    ) -> bool:
        """False if the code is taken (the caller draws another). ``earlier_code``: the room
        this one follows up (issue 16), linked in the same transaction."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                if earlier_code is not None and not _locked_room(conn, earlier_code, share=True):
                    raise EarlierGone(earlier_code)
                conn.execute(
                    insert(RoomRow).values(
                        code=code, state=state, version=0, phase=phase, created_at=now, updated_at=now
                    )
                )
                version = deck_hash(deck)
                known = conn.execute(
                    select(DeckVersionRow.hash).where(DeckVersionRow.hash == version)
                ).first()
                if known is None:  # one stored copy per deck version, shared by its rooms
                    conn.execute(insert(DeckVersionRow).values(hash=version, data=deck))
                conn.execute(insert(RoomDeckRow).values(room_code=code, deck="", version_hash=version))
                conn.execute(
                    insert(TokenRow).values(
                        token_hash=hash_token(facilitator_token),
                        room_code=code,
                        player_id=facilitator_id,
                        kind="facilitator",
                        revoked=False,
                    )
                )
                if earlier_code is not None:
                    conn.execute(insert(RoomLinkRow).values(room_code=code, earlier_code=earlier_code))
        except IntegrityError:
            return False
        return True

    # --- follow-ups (issue 16) -----------------------------------------------------------

    def followers(self, earlier_code: str) -> list[str]:
        """The rooms that follow up ``earlier_code``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(RoomLinkRow.room_code).where(RoomLinkRow.earlier_code == earlier_code)
            ).all()
        return [r.room_code for r in rows]

    def earlier_of(self, code: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(RoomLinkRow.earlier_code).where(RoomLinkRow.room_code == code)).first()
        return row.earlier_code if row else None

    def unlink(self, code: str) -> None:
        """Forget every link of ``code``, as earlier session or as follow-up."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(RoomLinkRow).where(
                    (RoomLinkRow.room_code == code) | (RoomLinkRow.earlier_code == code)
                )
            )

    def load_room(self, code: str) -> StoredRoom | None:
        """The room's state and the rows of its open card's answers, as one snapshot: the
        version is read again after the rows, and a write in between makes it read again (with
        several processes every write moves it on; with one, nothing writes a room that is
        being loaded). A vote's row holds the version it made (server/rooms/rows.py)."""
        for _ in range(LOAD_TRIES):
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(
                        RoomRow.code, RoomDeckRow.deck, DeckVersionRow.data, RoomRow.state, RoomRow.version
                    )
                    .join(RoomDeckRow, RoomDeckRow.room_code == RoomRow.code)
                    .outerjoin(DeckVersionRow, DeckVersionRow.hash == RoomDeckRow.version_hash)
                    .where(RoomRow.code == code)
                ).first()
                if row is None:
                    return None
                answers = conn.execute(
                    select(OpenAnswerRow.player_id, OpenAnswerRow.body).where(OpenAnswerRow.room_code == code)
                ).all()
                again = conn.execute(select(RoomRow.version).where(RoomRow.code == code)).scalar()
            if again == row.version:
                deck = row.data if row.data is not None else row.deck
                return StoredRoom(
                    row.code, deck, row.state, row.version, {a.player_id: a.body for a in answers}
                )
        raise VersionConflict(code)

    def save_states(self, writes: list[StateWrite]) -> list[Exception | None]:
        """Store many rooms' states in one transaction: see ``StateWrites.save``. Called
        from the batch writer's one thread only."""
        return self._writes.save(writes)

    def save_states_now(self, writes: list[StateWrite]) -> list[Exception | None]:
        """The same on the event loop's own SQLite connection, which never waits for a lock:
        raises ("database is locked") instead. See ``storage.writer``."""
        return self._writes.save_now(writes)

    def checkpoint_now(self) -> int:
        """``checkpoint`` on the event loop's own connection, called on the loop (SQLite only):
        no vote is committed meanwhile (``storage.checkpoints``)."""
        return self._writes.checkpoint_now()

    def states_saved(self) -> int:
        """How many room states (votes' rows included) were saved since start (SQLite)."""
        return self._writes.saved

    def close_writes(self) -> None:
        self._writes.close()

    def checkpoint(self) -> int:
        """Copy the SQLite WAL into the database without blocking writers; returns how many
        frames the WAL held (those written meanwhile are neither counted nor copied)."""
        if self.engine.dialect.name != "sqlite":
            return 0
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").first()
        return wal_frames(row)

    def scrub(self, *, vacuum: bool = False) -> None:
        """Make overwritten data unrecoverable from the database files (SQLite: the WAL keeps
        old page images until it is checkpointed and truncated; secure_delete zeroes the rest).
        Called when an anonymous card is closed and when a room is erased. PostgreSQL
        (``vacuum``, after an erasure): old row versions are vacuumed away; its WAL segments
        are recycled by the server itself (see docs/security.md for what remains)."""
        if self.engine.dialect.name == "sqlite":
            self._truncate_wal()
        elif vacuum and self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM rooms, room_decks, room_tokens, applied_messages, open_answers")

    def _truncate_wal(self, attempts: int = 60, pause_s: float = 0.05) -> bool:
        """``wal_checkpoint(TRUNCATE)`` until it is not busy: a reader's snapshot or the
        writer's transaction makes it give up at once (busy = 1) and leave the WAL — and the
        page images being scrubbed — as it was. Runs on a pool thread, so waiting is fine."""
        for _ in range(attempts):
            with self.engine.connect() as conn:
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            if row is None or row[0] == 0:
                return True
            time.sleep(pause_s)
        return False

    def applied_messages(self, code: str) -> set[tuple[str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(AppliedMessageRow.player_id, AppliedMessageRow.message_id).where(
                    AppliedMessageRow.room_code == code
                )
            ).all()
        return {(r.player_id, r.message_id) for r in rows}

    def delete_room(self, code: str) -> list[str]:
        """Erase the room; returns the follow-ups linked to it at that moment (their links go
        with it). The room's row is locked first: a follow-up being created meanwhile either
        linked before (and is returned) or finds the room gone (``EarlierGone``)."""
        with self.engine.begin() as conn:
            _locked_room(conn, code, share=False)
            followers = [
                r.room_code
                for r in conn.execute(select(RoomLinkRow.room_code).where(RoomLinkRow.earlier_code == code))
            ]
            version = conn.execute(
                select(RoomDeckRow.version_hash).where(RoomDeckRow.room_code == code)
            ).scalar()
            conn.execute(delete(AppliedMessageRow).where(AppliedMessageRow.room_code == code))
            conn.execute(delete(OpenAnswerRow).where(OpenAnswerRow.room_code == code))
            conn.execute(delete(TokenRow).where(TokenRow.room_code == code))
            conn.execute(delete(RoomDeckRow).where(RoomDeckRow.room_code == code))
            result = conn.execute(delete(RoomRow).where(RoomRow.code == code))
            if version is not None:  # the last room on this deck version takes it along
                still = conn.execute(
                    select(RoomDeckRow.room_code).where(RoomDeckRow.version_hash == version).limit(1)
                ).first()
                if still is None:
                    conn.execute(delete(DeckVersionRow).where(DeckVersionRow.hash == version))
        return followers if result.rowcount > 0 else []

    def expired_rooms(self, *, before: float, lobby_before: float) -> list[str]:
        """Rooms untouched since ``before``, and lobbies untouched since ``lobby_before``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(RoomRow.code).where(
                    (RoomRow.updated_at < before)
                    | ((RoomRow.phase == "lobby") & (RoomRow.updated_at < lobby_before))
                )
            ).all()
        return [r.code for r in rows]

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))


class EarlierGone(Exception):
    """The session a follow-up was to be linked to was erased meanwhile."""


def _locked_room(conn: Connection, code: str, *, share: bool) -> bool:
    """Whether the room exists, its row locked until the transaction ends (PostgreSQL: FOR
    SHARE or FOR UPDATE; SQLite's write transactions are one at a time anyway)."""
    query = select(RoomRow.code).where(RoomRow.code == code).with_for_update(read=share)
    return conn.execute(query).first() is not None
