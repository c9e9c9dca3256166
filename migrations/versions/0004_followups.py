"""Follow-up sessions: the link between a session and the earlier one it compares with.

The follow-up's state keeps a snapshot of the earlier summary; a row here lets erasing the
earlier session find the follow-ups to clear. Either room's deletion removes the row.

Revision ID: 0004
Revises: 0002 (0003 once merged with 0003_deck_summaries)
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_links",
        sa.Column(
            "room_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "earlier_code", sa.String(6), sa.ForeignKey("rooms.code", ondelete="CASCADE"), nullable=False
        ),
    )
    op.create_index("ix_room_links_earlier_code", "room_links", ["earlier_code"])


def downgrade() -> None:
    op.drop_index("ix_room_links_earlier_code", table_name="room_links")
    op.drop_table("room_links")
