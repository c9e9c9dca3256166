"""One place to list, read, create, replace and delete decks, built-in or custom."""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.core.deck import Deck, Problem, parse_deck, validate_deck
from server.errors import Conflict, DeckInvalid, Forbidden, NotFound, RateLimited
from server.storage.repository import DeckSummary, QuotaFull, Repository, hash_token


@dataclass(frozen=True)
class DeckInfo:
    id: str
    title: str
    language: str
    card_count: int
    builtin: bool
    description: str = ""
    themes: tuple[tuple[str, str, int], ...] = ()  # (id, title, number of cards)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "card_count": self.card_count,
            "builtin": self.builtin,
            "description": self.description,
            "themes": [{"id": i, "title": t, "card_count": n} for i, t, n in self.themes],
        }


def info(deck: Deck, builtin: bool) -> DeckInfo:
    counts = {t.id: 0 for t in deck.themes}
    for card in deck.cards:
        counts[card.theme] = counts.get(card.theme, 0) + 1
    return DeckInfo(
        id=deck.id,
        title=deck.title,
        language=deck.language,
        card_count=len(deck.cards),
        builtin=builtin,
        description=deck.description,
        themes=tuple((t.id, t.title, counts.get(t.id, 0)) for t in deck.themes),
    )


def load_builtin(cards_dir: Path) -> dict[str, Deck]:
    """Every deck file in ``cards_dir``; a broken built-in deck stops the app from starting."""
    decks: dict[str, Deck] = {}
    for path in sorted(cards_dir.glob("*.json")):
        try:
            deck = parse_deck(json.loads(path.read_text("utf-8")))
        except ValueError as exc:
            raise RuntimeError(f"built-in deck {path.name} is invalid: {exc}") from exc
        decks[deck.id] = deck
    return decks


def summary_columns(deck: Deck) -> dict[str, str]:
    """The columns the list reads instead of the deck file."""
    full = info(deck, False)
    themes = [{"id": i, "title": t, "card_count": n} for i, t, n in full.themes]
    return {"description": deck.description, "themes": json.dumps(themes, ensure_ascii=False)}


def _from_summary(row: DeckSummary) -> DeckInfo:
    try:
        themes = tuple((str(t["id"]), str(t["title"]), int(t["card_count"])) for t in json.loads(row.themes))
    except (ValueError, KeyError, TypeError):
        themes = ()
    return DeckInfo(
        id=row.id,
        title=row.title,
        language=row.language,
        card_count=row.card_count,
        builtin=False,
        description=row.description,
        themes=themes,
    )


class DeckCatalog:
    """Methods are synchronous (they touch the database); callers run them off the loop.

    Custom decks are unlisted: the list holds the built-in decks and the custom decks whose
    ids the caller names (the browser that made them remembers them); anyone with a deck's
    id can still read it (``get``)."""

    def __init__(
        self,
        builtin: dict[str, Deck],
        repo: Repository,
        *,
        per_address: int | None = None,
        total: int | None = None,
    ) -> None:
        self.builtin = builtin
        self.repo = repo
        self.per_address = per_address
        self.total = total

    def list(self, mine: set[str] | None = None) -> list[DeckInfo]:
        out = [info(d, True) for d in self.builtin.values()]
        wanted = {i for i in (mine or set()) if i not in self.builtin}
        out.extend(_from_summary(row) for row in self.repo.list_decks(wanted))
        return out

    def get(self, deck_id: str) -> Deck:
        if deck_id in self.builtin:
            return self.builtin[deck_id]
        stored = self.repo.get_deck(deck_id)
        if stored is None:
            raise NotFound("deck_not_found", deck=deck_id)
        return parse_deck(json.loads(stored.data))

    def is_builtin(self, deck_id: str) -> bool:
        return deck_id in self.builtin

    @staticmethod
    def check(data: Any) -> Deck:
        result = validate_deck(data)
        if isinstance(result, list):
            raise DeckInvalid(result)
        return result

    def create(self, data: Any, owner: str = "") -> tuple[Deck, str]:
        """``owner``: the creator's address group (kept as a hash), for the quota."""
        deck = self.check(data)
        if deck.id in self.builtin:
            raise Conflict("deck_id_taken", deck=deck.id)
        token = secrets.token_urlsafe(24)
        try:
            created = self.repo.create_deck(
                deck_id=deck.id,
                title=deck.title,
                language=deck.language,
                card_count=len(deck.cards),
                data=json.dumps(deck.to_file(), ensure_ascii=False),
                edit_token=token,
                owner=hash_token("owner:" + owner) if owner else "",
                per_owner=self.per_address if owner else None,
                total=self.total,
                **summary_columns(deck),
            )
        except QuotaFull as full:
            raise RateLimited(
                "deck_quota" if full.per_address else "deck_storage_full", limit=full.limit
            ) from None
        if not created:
            raise Conflict("deck_id_taken", deck=deck.id)
        return deck, token

    def _authorize(self, deck_id: str, token: str | None) -> None:
        if deck_id in self.builtin:
            raise Forbidden("deck_builtin")
        stored = self.repo.get_deck(deck_id)
        if stored is None:
            raise NotFound("deck_not_found", deck=deck_id)
        if not token or not secrets.compare_digest(hash_token(token), stored.edit_token_hash):
            raise Forbidden("deck_token")

    def replace(self, deck_id: str, data: Any, token: str | None) -> Deck:
        self._authorize(deck_id, token)
        deck = self.check(data)
        if deck.id != deck_id:
            raise DeckInvalid([Problem("id", "id_mismatch", {"id": deck_id})])
        self.repo.replace_deck(
            deck_id=deck_id,
            title=deck.title,
            language=deck.language,
            card_count=len(deck.cards),
            data=json.dumps(deck.to_file(), ensure_ascii=False),
            **summary_columns(deck),
        )
        return deck

    def delete(self, deck_id: str, token: str | None) -> None:
        self._authorize(deck_id, token)
        self.repo.delete_deck(deck_id)
