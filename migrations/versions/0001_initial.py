"""Initial tables: decks, rooms, room tokens, applied message ids.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decks",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("card_count", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("edit_token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "rooms",
        sa.Column("code", sa.String(6), primary_key=True),
        sa.Column("deck", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_rooms_updated_at", "rooms", ["updated_at"])
    op.create_table(
        "room_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("room_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), nullable=False),
        sa.Column("player_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_room_tokens_room_code", "room_tokens", ["room_code"])
    op.create_table(
        "applied_messages",
        sa.Column(
            "room_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("player_id", sa.String(32), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("applied_messages")
    op.drop_table("room_tokens")
    op.drop_table("rooms")
    op.drop_table("decks")
