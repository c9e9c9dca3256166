"""Engine creation: SQLite in WAL mode by default, PostgreSQL through DATABASE_URL."""

from typing import Any

from sqlalchemy import Engine, create_engine, event


def make_engine(database_url: str, *, busy_timeout_ms: int = 5000) -> Engine:
    if database_url.startswith("sqlite"):
        from pathlib import Path

        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL + synchronous=NORMAL: a commit survives the process being killed (kill -9);
            # only a power cut may lose the last commits, which no process-level test can show.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            # overwritten rows are zeroed on disk: once a card is closed, the per-person
            # answers of an anonymous session are not left behind in free pages
            cursor.execute("PRAGMA secure_delete=ON")
            # no checkpoint inside a commit (it would stall that commit's whole batch for
            # milliseconds): the room service checkpoints in the background instead
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            # when the WAL starts over, a file grown past 64 MiB by a burst is cut back
            cursor.execute("PRAGMA journal_size_limit=67108864")
            cursor.close()

        return engine
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
