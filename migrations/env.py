"""Alembic environment: the URL comes from the app's settings, never from alembic.ini."""

from alembic import context

from server.settings import Settings
from server.storage.engine import make_engine
from server.storage.tables import Base

config = context.config
url = config.attributes.get("database_url") or Settings().database_url
engine = make_engine(url)

with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=url.startswith("sqlite")
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
engine.dispose()
