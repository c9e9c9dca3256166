"""Bring a database to the latest schema: ``python -m server.storage.migrate``."""

from alembic import command
from alembic.config import Config

from server.settings import ROOT, Settings


def upgrade(database_url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, "head")


if __name__ == "__main__":
    upgrade(Settings().database_url)
