"""Tokens: seats', share links' and report passes', stored by hash only."""

import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update

from server.storage.tables import TokenRow


def hash_token(token: str) -> str:
    # Tokens carry ≥128 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenOwner:
    room_code: str
    player_id: str
    kind: str


class TokenQueries:
    """The token half of ``Repository``."""

    engine: Engine

    def token_owner(self, token: str) -> TokenOwner | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(TokenRow.room_code, TokenRow.player_id, TokenRow.kind, TokenRow.expires_at).where(
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
            conn.execute(delete(TokenRow).where(TokenRow.kind == "pass", TokenRow.expires_at < now))
            conn.execute(
                insert(TokenRow).values(
                    token_hash=hash_token(token),
                    room_code=code,
                    player_id=made_from,
                    kind="pass",
                    revoked=False,
                    expires_at=now + ttl_s,
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
                    token_hash=hash_token(token), room_code=code, player_id="", kind="share", revoked=False
                )
            )

    def revoke_share_tokens(self, code: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(TokenRow)
                .where(TokenRow.room_code == code, TokenRow.kind == "share", TokenRow.revoked.is_(False))
                .values(revoked=True)
            )
        return int(result.rowcount)
