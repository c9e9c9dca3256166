"""``open_answers`` as a WITHOUT ROWID table on SQLite: the row and its primary key are one
B-tree, so a vote writes one page of it instead of two (the table and its key's index).
Issue 15: every page a commit changes is written to the WAL, and a vote is a commit.
PostgreSQL has no rowid: nothing changes there. Rows are kept.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    "room_code VARCHAR(6) NOT NULL REFERENCES rooms (code) ON DELETE CASCADE, "
    "player_id VARCHAR(32) NOT NULL, body TEXT NOT NULL, PRIMARY KEY (room_code, player_id)"
)


def _rebuild(suffix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE TABLE open_answers_next ({_COLUMNS}){suffix}")
    op.execute(
        "INSERT INTO open_answers_next (room_code, player_id, body) "
        "SELECT room_code, player_id, body FROM open_answers"
    )
    op.execute("DROP TABLE open_answers")
    op.execute("ALTER TABLE open_answers_next RENAME TO open_answers")


def upgrade() -> None:
    _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    _rebuild("")
