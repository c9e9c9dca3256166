"""Data access: small functions over the tables, the only place that speaks SQL.

Methods are synchronous; the room service runs them on a dedicated thread so the event loop
never waits on the disk.
"""

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from server.storage.tables import (
    AppliedMessageRow,
    DeckRow,
    DeckVersionRow,
    RoomDeckRow,
    RoomLinkRow,
    RoomRow,
    TokenRow,
)


def hash_token(token: str) -> str:
    # Tokens carry ≥128 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StoredRoom:
    code: str
    deck: str
    state: str
    version: int


@dataclass(frozen=True)
class TokenOwner:
    room_code: str
    player_id: str
    kind: str


@dataclass(frozen=True)
class StoredDeck:
    id: str
    title: str
    language: str
    card_count: int
    data: str
    edit_token_hash: str


@dataclass(frozen=True)
class DeckSummary:
    """What the deck list shows, read from columns (no deck file is parsed)."""

    id: str
    title: str
    language: str
    card_count: int
    description: str
    themes: str  # JSON: [{"id", "title", "card_count"}]


class QuotaFull(Exception):
    """Too many custom decks from this address (``per_address``) or in all."""

    def __init__(self, per_address: bool, limit: int) -> None:
        super().__init__(per_address, limit)
        self.per_address = per_address
        self.limit = limit


def deck_hash(deck: str) -> str:
    return hashlib.sha256(deck.encode()).hexdigest()


class VersionConflict(Exception):
    """Another writer changed the room first; reload and try again."""


class AlreadyApplied(Exception):
    """The message id was applied already (by another process); nothing was written."""


@dataclass(frozen=True)
class StateWrite:
    """One room's new state, with what must be stored atomically with it."""

    code: str
    state: str
    phase: str
    version: int
    new_token: tuple[str, str] | None = None  # (token, player id) of a newcomer
    message: tuple[str, str] | None = None  # (player id, message id) that caused it
    # a card was closed: the message ids stored for it are deleted (they would keep an
    # ordered log of each person's actions)
    forget_messages: bool = False


class Repository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # the hot path speaks the driver's SQL directly: SQLAlchemy's statement compilation
        # was a tenth of the server's time under load
        self._param = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self.is_sqlite = engine.dialect.name == "sqlite"

    # --- rooms ---------------------------------------------------------------------------

    def create_room(
        self, *, code: str, deck: str, state: str, phase: str, facilitator_token: str,
        facilitator_id: str, earlier_code: str | None = None,
    ) -> bool:
        """False if the code is taken (the caller draws another). ``earlier_code``: the room
        this one follows up (issue 16), linked in the same transaction."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(RoomRow).values(
                        code=code, state=state, version=0, phase=phase,
                        created_at=now, updated_at=now,
                    )
                )
                version = deck_hash(deck)
                known = conn.execute(select(DeckVersionRow.hash)
                                     .where(DeckVersionRow.hash == version)).first()
                if known is None:  # one stored copy per deck version, shared by its rooms
                    conn.execute(insert(DeckVersionRow).values(hash=version, data=deck))
                conn.execute(insert(RoomDeckRow).values(room_code=code, deck="",
                                                        version_hash=version))
                conn.execute(
                    insert(TokenRow).values(
                        token_hash=hash_token(facilitator_token), room_code=code,
                        player_id=facilitator_id, kind="facilitator", revoked=False,
                    )
                )
                if earlier_code is not None:
                    conn.execute(insert(RoomLinkRow).values(room_code=code,
                                                            earlier_code=earlier_code))
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
            row = conn.execute(
                select(RoomLinkRow.earlier_code).where(RoomLinkRow.room_code == code)
            ).first()
        return row.earlier_code if row else None

    def unlink(self, code: str) -> None:
        """Forget every link of ``code``, as earlier session or as follow-up."""
        with self.engine.begin() as conn:
            conn.execute(delete(RoomLinkRow).where(
                (RoomLinkRow.room_code == code) | (RoomLinkRow.earlier_code == code)))

    def load_room(self, code: str) -> StoredRoom | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(RoomRow.code, RoomDeckRow.deck, DeckVersionRow.data, RoomRow.state,
                       RoomRow.version)
                .join(RoomDeckRow, RoomDeckRow.room_code == RoomRow.code)
                .outerjoin(DeckVersionRow, DeckVersionRow.hash == RoomDeckRow.version_hash)
                .where(RoomRow.code == code)
            ).first()
        if row is None:
            return None
        return StoredRoom(row.code, row.data if row.data is not None else row.deck, row.state,
                          row.version)

    def save_states(self, writes: list[StateWrite]) -> list[Exception | None]:
        """Store many rooms' states in one transaction (group commit): one result per write,
        ``None`` when stored, else the ``VersionConflict`` or ``AlreadyApplied`` that kept
        that write (and only that one) out. One room appears at most once in a batch."""
        results: list[Exception | None] = []
        now = time.time()
        # The driver's own cursor: SQLAlchemy's per-statement machinery cost more CPU (and
        # GIL time, taken from the event loop) than SQLite itself; the transaction is still
        # SQLAlchemy's.
        with self.engine.begin() as conn:
            cur = conn.connection.cursor()
            try:
                for w in writes:
                    results.append(self._save_one(cur, w, now))
            except self._driver_error as exc:  # callers expect SQLAlchemy's errors
                raise DBAPIError.instance(None, None, exc, self._driver_error) from exc
            finally:
                cur.close()
        return results

    def _save_one(self, cur: Any, w: StateWrite, now: float) -> Exception | None:
        p = self._param
        if w.message is not None:
            cur.execute(f"SELECT 1 FROM applied_messages WHERE room_code = {p} "
                        f"AND player_id = {p} AND message_id = {p}", (w.code, *w.message))
            if cur.fetchone() is not None:
                return AlreadyApplied(w.message[1])
        cur.execute(
            f"UPDATE rooms SET state = {p}, version = {p}, phase = {p}, updated_at = {p} "
            f"WHERE code = {p} AND version = {p}",
            (w.state, w.version, w.phase, now, w.code, w.version - 1),
        )
        if cur.rowcount != 1:
            return VersionConflict(w.code)
        if w.new_token is not None:
            token, player_id = w.new_token
            cur.execute(
                f"INSERT INTO room_tokens (token_hash, room_code, player_id, kind, revoked) "
                f"VALUES ({p}, {p}, {p}, 'player', {p})",
                (hash_token(token), w.code, player_id, False),
            )
        if w.forget_messages:
            cur.execute(f"DELETE FROM applied_messages WHERE room_code = {p}", (w.code,))
        if w.message is not None:
            cur.execute(f"INSERT INTO applied_messages (room_code, player_id, message_id) "
                        f"VALUES ({p}, {p}, {p})", (w.code, *w.message))
        return None

    def checkpoint(self) -> None:
        """Copy the SQLite WAL into the database without blocking writers."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def scrub(self, *, vacuum: bool = False) -> None:
        """Make overwritten data unrecoverable from the database files (SQLite: the WAL keeps
        old page images until it is checkpointed and truncated; secure_delete zeroes the rest).
        Called when an anonymous card is closed and when a room is erased. PostgreSQL
        (``vacuum``, after an erasure): old row versions are vacuumed away; its WAL segments
        are recycled by the server itself (see docs/security.md for what remains)."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif vacuum and self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM rooms, room_decks, room_tokens, applied_messages")

    def applied_messages(self, code: str) -> set[tuple[str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(AppliedMessageRow.player_id, AppliedMessageRow.message_id).where(
                    AppliedMessageRow.room_code == code
                )
            ).all()
        return {(r.player_id, r.message_id) for r in rows}

    def token_owner(self, token: str) -> TokenOwner | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(TokenRow.room_code, TokenRow.player_id, TokenRow.kind,
                       TokenRow.expires_at).where(
                    TokenRow.token_hash == hash_token(token), TokenRow.revoked.is_(False)
                )
            ).first()
        if row is None or (row.expires_at is not None and row.expires_at < time.time()):
            return None
        return TokenOwner(row.room_code, row.player_id, row.kind)

    def create_pass(self, code: str, token: str, made_from: str, ttl_s: float) -> None:
        """A read-only pass to the report and downloads of ``code``, for ``ttl_s`` seconds
        (``made_from``: the kind of token it was made with). Expired passes are deleted."""
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(delete(TokenRow).where(TokenRow.kind == "pass",
                                                TokenRow.expires_at < now))
            conn.execute(
                insert(TokenRow).values(
                    token_hash=hash_token(token), room_code=code, player_id=made_from,
                    kind="pass", revoked=False, expires_at=now + ttl_s,
                )
            )

    def revoked_kind(self, token: str) -> str | None:
        """The kind of a token that exists but was revoked (a removed participant's, an
        old share link's), else None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(TokenRow.kind).where(
                    TokenRow.token_hash == hash_token(token), TokenRow.revoked.is_(True)
                )
            ).first()
        return str(row.kind) if row else None

    def revoke_player_tokens(self, code: str, player_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(TokenRow)
                .where(TokenRow.room_code == code, TokenRow.player_id == player_id)
                .values(revoked=True)
            )

    def create_share_token(self, code: str, token: str) -> None:
        """A read-only link to the summary for people who were not in the room."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(TokenRow).values(
                    token_hash=hash_token(token), room_code=code, player_id="",
                    kind="share", revoked=False,
                )
            )

    def revoke_share_tokens(self, code: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(TokenRow)
                .where(TokenRow.room_code == code, TokenRow.kind == "share",
                       TokenRow.revoked.is_(False))
                .values(revoked=True)
            )
        return int(result.rowcount)

    def delete_room(self, code: str) -> bool:
        with self.engine.begin() as conn:
            version = conn.execute(select(RoomDeckRow.version_hash)
                                   .where(RoomDeckRow.room_code == code)).scalar()
            conn.execute(delete(AppliedMessageRow).where(AppliedMessageRow.room_code == code))
            conn.execute(delete(TokenRow).where(TokenRow.room_code == code))
            conn.execute(delete(RoomDeckRow).where(RoomDeckRow.room_code == code))
            result = conn.execute(delete(RoomRow).where(RoomRow.code == code))
            if version is not None:  # the last room on this deck version takes it along
                still = conn.execute(select(RoomDeckRow.room_code)
                                     .where(RoomDeckRow.version_hash == version).limit(1)).first()
                if still is None:
                    conn.execute(delete(DeckVersionRow).where(DeckVersionRow.hash == version))
        return result.rowcount > 0

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

    # --- decks ---------------------------------------------------------------------------

    def list_decks(self, ids: set[str] | None = None) -> list[DeckSummary]:
        """Summaries of the custom decks whose ids are given (all if None), from columns."""
        if ids is not None and not ids:
            return []
        query = select(DeckRow.id, DeckRow.title, DeckRow.language, DeckRow.card_count,
                       DeckRow.description, DeckRow.themes).order_by(DeckRow.title)
        if ids is not None:
            query = query.where(DeckRow.id.in_(sorted(ids)[:200]))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [DeckSummary(r.id, r.title, r.language, r.card_count, r.description, r.themes)
                for r in rows]

    def touch_deck(self, deck_id: str) -> None:
        """A room was created from the deck: it is in use (see expired_decks)."""
        with self.engine.begin() as conn:
            conn.execute(update(DeckRow).where(DeckRow.id == deck_id).values(used_at=time.time()))

    def delete_unused_decks(self, before: float) -> int:
        """Custom decks no room was created from (nor edited) since ``before``."""
        with self.engine.begin() as conn:
            result = conn.execute(delete(DeckRow).where(DeckRow.used_at < before,
                                                        DeckRow.updated_at < before))
        return int(result.rowcount)

    def get_deck(self, deck_id: str) -> StoredDeck | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(DeckRow.__table__).where(DeckRow.id == deck_id)).first()
        return self._deck(row) if row else None

    def create_deck(
        self, *, deck_id: str, title: str, language: str, card_count: int, data: str,
        edit_token: str, description: str = "", themes: str = "[]", owner: str = "",
        per_owner: int | None = None, total: int | None = None,
    ) -> bool:
        """False if the id is taken; QuotaFull if ``owner`` has ``per_owner`` decks already,
        or the app ``total``."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                if per_owner is not None:
                    mine = conn.execute(select(func.count()).select_from(DeckRow)
                                        .where(DeckRow.owner == owner)).scalar_one()
                    if mine >= per_owner:
                        raise QuotaFull(True, per_owner)
                if total is not None:
                    every = conn.execute(select(func.count()).select_from(DeckRow)).scalar_one()
                    if every >= total:
                        raise QuotaFull(False, total)
                conn.execute(
                    insert(DeckRow).values(
                        id=deck_id, title=title, language=language, card_count=card_count,
                        data=data, edit_token_hash=hash_token(edit_token),
                        created_at=now, updated_at=now, description=description,
                        themes=themes, owner=owner, used_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def replace_deck(
        self, *, deck_id: str, title: str, language: str, card_count: int, data: str,
        description: str = "", themes: str = "[]",
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(DeckRow)
                .where(DeckRow.id == deck_id)
                .values(
                    title=title, language=language, card_count=card_count, data=data,
                    updated_at=time.time(), description=description, themes=themes,
                )
            )

    def delete_deck(self, deck_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(DeckRow).where(DeckRow.id == deck_id))

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))

    @staticmethod
    def _deck(row: object) -> StoredDeck:
        return StoredDeck(
            row.id, row.title, row.language, row.card_count, row.data,  # type: ignore[attr-defined]
            row.edit_token_hash,  # type: ignore[attr-defined]
        )
