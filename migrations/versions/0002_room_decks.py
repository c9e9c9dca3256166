"""A room's copy of its deck moves to its own table.

In SQLite an UPDATE rewrites the whole row: with the deck (~57 kB for ExplorIA) next to the
state, every answer rewrote the deck's overflow pages too (about 100 kB of WAL per answer
instead of a few pages). PostgreSQL did not suffer from it (TOAST), but one schema serves both.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_decks",
        sa.Column(
            "room_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("deck", sa.Text, nullable=False),
    )
    op.execute("INSERT INTO room_decks (room_code, deck) SELECT code, deck FROM rooms")
    # SQLite >= 3.35 drops a plain column in place (no table rebuild, so no cascade)
    op.drop_column("rooms", "deck")


def downgrade() -> None:
    op.add_column("rooms", sa.Column("deck", sa.Text, nullable=False, server_default=""))
    op.execute(
        "UPDATE rooms SET deck = (SELECT deck FROM room_decks WHERE room_decks.room_code = rooms.code)"
    )
    op.drop_table("room_decks")
