"""The answers to the open card, one row per person, written by each vote instead of the whole
room state (issue 15: in a room of 1,000 every vote rewrote ~150 KB). The room's stored state
plus these rows is the room; a full state write takes the rows in and deletes them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_answers",
        sa.Column(
            "room_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("player_id", sa.String(32), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("open_answers")
