"""Custom decks: stored, listed, replaced, expired."""

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.storage.tables import DeckRow
from server.storage.tokens import hash_token


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


class DeckQueries:
    """The deck half of ``Repository``."""

    engine: Engine

    def list_decks(self, ids: set[str] | None = None) -> list[DeckSummary]:
        """Summaries of the custom decks whose ids are given (all if None), from columns."""
        if ids is not None and not ids:
            return []
        query = select(
            DeckRow.id,
            DeckRow.title,
            DeckRow.language,
            DeckRow.card_count,
            DeckRow.description,
            DeckRow.themes,
        ).order_by(DeckRow.title)
        if ids is not None:
            query = query.where(DeckRow.id.in_(sorted(ids)[:200]))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [DeckSummary(r.id, r.title, r.language, r.card_count, r.description, r.themes) for r in rows]

    def touch_deck(self, deck_id: str) -> None:
        """A room was created from the deck: it is in use (see expired_decks)."""
        with self.engine.begin() as conn:
            conn.execute(update(DeckRow).where(DeckRow.id == deck_id).values(used_at=time.time()))

    def delete_unused_decks(self, before: float) -> int:
        """Custom decks no room was created from (nor edited) since ``before``."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(DeckRow).where(DeckRow.used_at < before, DeckRow.updated_at < before)
            )
        return int(result.rowcount)

    def get_deck(self, deck_id: str) -> StoredDeck | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(DeckRow.__table__).where(DeckRow.id == deck_id)).first()
        return self._deck(row) if row else None

    def create_deck(
        self,
        *,
        deck_id: str,
        title: str,
        language: str,
        card_count: int,
        data: str,
        edit_token: str,
        description: str = "",
        themes: str = "[]",
        owner: str = "",
        per_owner: int | None = None,
        total: int | None = None,
    ) -> bool:
        """False if the id is taken; QuotaFull if ``owner`` has ``per_owner`` decks already,
        or the app ``total``."""
        now = time.time()
        try:
            with self.engine.begin() as conn:
                if per_owner is not None:
                    mine = conn.execute(
                        select(func.count()).select_from(DeckRow).where(DeckRow.owner == owner)
                    ).scalar_one()
                    if mine >= per_owner:
                        raise QuotaFull(True, per_owner)
                if total is not None:
                    every = conn.execute(select(func.count()).select_from(DeckRow)).scalar_one()
                    if every >= total:
                        raise QuotaFull(False, total)
                conn.execute(
                    insert(DeckRow).values(
                        id=deck_id,
                        title=title,
                        language=language,
                        card_count=card_count,
                        data=data,
                        edit_token_hash=hash_token(edit_token),
                        created_at=now,
                        updated_at=now,
                        description=description,
                        themes=themes,
                        owner=owner,
                        used_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def replace_deck(
        self,
        *,
        deck_id: str,
        title: str,
        language: str,
        card_count: int,
        data: str,
        description: str = "",
        themes: str = "[]",
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(DeckRow)
                .where(DeckRow.id == deck_id)
                .values(
                    title=title,
                    language=language,
                    card_count=card_count,
                    data=data,
                    updated_at=time.time(),
                    description=description,
                    themes=themes,
                )
            )

    def delete_deck(self, deck_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(DeckRow).where(DeckRow.id == deck_id))

    @staticmethod
    def _deck(row: Any) -> StoredDeck:  # a SQLAlchemy Row of the columns above
        return StoredDeck(row.id, row.title, row.language, row.card_count, row.data, row.edit_token_hash)
