"""Schema migrations keep what is stored: a database made by the first schema, with a room in
it, is upgraded (the deck moves to its own table) and downgraded again, on SQLite and
PostgreSQL."""

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from server.settings import ROOT
from server.storage.engine import make_engine
from server.storage.repository import Repository
from tests.infra import Postgres


def _config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    return config


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_upgrade_then_downgrade_keeps_the_rooms(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        postgres: Postgres = request.getfixturevalue("postgres")
        url = postgres.create_database()
    command.upgrade(_config(url), "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO rooms (code, deck, state, version, phase, created_at, updated_at) "
                "VALUES ('ABC234', '{\"id\": \"mon-jeu\"}', '{\"phase\": \"lobby\"}', 3, 'lobby', 1, 2)"
            )
        )
    engine.dispose()

    command.upgrade(_config(url), "head")
    engine = make_engine(url)
    stored = Repository(engine).load_room("ABC234")
    assert stored is not None
    assert (stored.deck, stored.state, stored.version) == ('{"id": "mon-jeu"}', '{"phase": "lobby"}', 3)
    with engine.connect() as conn:
        columns = {c[0] for c in conn.execute(text("SELECT * FROM rooms")).cursor.description}
    assert "deck" not in columns
    engine.dispose()

    command.downgrade(_config(url), "0001")
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT deck, version FROM rooms WHERE code = 'ABC234'")).one()
    assert tuple(row) == ('{"id": "mon-jeu"}', 3)
    engine.dispose()
