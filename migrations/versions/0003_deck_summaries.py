"""Decks: a summary in columns, an owner for quotas, a last-use time for expiry; one stored
copy per deck version, shared by the rooms played on it.

- ``decks`` gains ``description``, ``themes`` (the list's theme summary, as small JSON),
  ``owner`` (a hash of the creator's address group, for the per-address quota) and
  ``used_at`` (unused custom decks are erased after DECK_EXPIRY_DAYS). Listing decks reads
  these columns only, never the deck files.
- ``deck_versions`` holds each deck file once, by the SHA-256 of its JSON; ``room_decks``
  points at it with ``version_hash`` (its own ``deck`` column is left empty for new rooms;
  rooms made before keep their copy there).

``room_tokens`` gains ``expires_at``, for the report page's short-lived read-only passes.

Revision ID: 0003
Revises: 0002
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _themes(data: str) -> tuple[str, str]:
    try:
        deck = json.loads(data)
        counts: dict[str, int] = {}
        for card in deck.get("cards", []):
            counts[card.get("theme")] = counts.get(card.get("theme"), 0) + 1
        themes = [
            {"id": t["id"], "title": t["title"], "card_count": counts.get(t["id"], 0)}
            for t in deck.get("themes", [])
        ]
        return str(deck.get("description", "")), json.dumps(themes, ensure_ascii=False)
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", "[]"


def upgrade() -> None:
    op.add_column("decks", sa.Column("description", sa.Text, nullable=False, server_default=""))
    op.add_column("decks", sa.Column("themes", sa.Text, nullable=False, server_default="[]"))
    op.add_column("decks", sa.Column("owner", sa.String(64), nullable=False, server_default=""))
    op.add_column("decks", sa.Column("used_at", sa.Float, nullable=False, server_default="0"))
    op.create_index("ix_decks_owner", "decks", ["owner"])
    conn = op.get_bind()
    for row in conn.execute(sa.text("SELECT id, data, updated_at FROM decks")).all():
        description, themes = _themes(row.data)
        conn.execute(
            sa.text("UPDATE decks SET description = :d, themes = :t, used_at = :u WHERE id = :i"),
            {"d": description, "t": themes, "u": row.updated_at, "i": row.id},
        )
    op.create_table(
        "deck_versions",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.add_column("room_decks", sa.Column("version_hash", sa.String(64), nullable=True))
    op.create_index("ix_room_decks_version_hash", "room_decks", ["version_hash"])
    # short-lived read-only passes of the report page (kind "pass") expire
    op.add_column("room_tokens", sa.Column("expires_at", sa.Float, nullable=True))


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM room_tokens WHERE kind = 'pass'"))
    op.drop_column("room_tokens", "expires_at")
    conn.execute(
        sa.text(
            "UPDATE room_decks SET deck = (SELECT data FROM deck_versions "
            "WHERE deck_versions.hash = room_decks.version_hash) WHERE version_hash IS NOT NULL"
        )
    )
    op.drop_index("ix_room_decks_version_hash", "room_decks")
    op.drop_column("room_decks", "version_hash")
    op.drop_table("deck_versions")
    op.drop_index("ix_decks_owner", "decks")
    for column in ("used_at", "owner", "themes", "description"):
        op.drop_column("decks", column)
