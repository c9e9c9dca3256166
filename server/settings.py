"""One settings object, read from the environment (or passed in by tests).

Nothing connects at import time: ``create_app(settings)`` builds every part from it.
"""

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _shared_root() -> Path:
    """The directory that holds cards/, templates/, static/, migrations/ and alembic.ini.

    Installed from a wheel they ship inside the package (server/_share/, see setup.py); in a
    source tree (a checkout, an editable install) they are at its top level.
    """
    shipped = resources.files("server") / "_share"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent


ROOT = _shared_root()
# the default SQLite database: data/ in the source tree, or in the working directory when
# installed (DATABASE_URL chooses another place)
DATA_DIR = Path.cwd() / "data" if ROOT.name == "_share" else ROOT / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    database_url: str = f"sqlite:///{DATA_DIR / 'exploria.db'}"
    public_url: str = ""  # e.g. https://exploria.example.fr; empty: derived from each request
    redis_url: str = ""
    # several processes: a process that stops beating for this long is taken for dead and its
    # people are shown disconnected (presences are checked every PRESENCE_TTL_S / 2)
    presence_ttl_s: float = Field(10.0, gt=0)
    cards_dir: Path = ROOT / "cards"
    log_level: str = "info"
    db_busy_timeout_ms: int = Field(5000, ge=0)  # SQLite: wait this long for a lock, then
    # answer "unavailable" (nothing stored, the client resends) instead of hanging

    # limits (see docs/operations.md)
    max_players_per_room: int = Field(1000, ge=1)
    max_message_bytes: int = Field(64 * 1024, ge=1024)
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    messages_per_second: float = Field(20.0, gt=0)  # per connection, with a burst of 3× this
    ws_ping_interval: float = Field(20.0, gt=0)
    ws_ping_timeout: float = Field(20.0, gt=0)
    ws_impl: Literal["auto", "websockets", "websockets-sansio", "wsproto"] = "auto"
    ws_deflate: bool = False  # permessage-deflate costs CPU and memory per connection
    ws_direct: bool = True  # room states framed and written without the ASGI send path
    big_room_threshold: int = Field(50, ge=2)  # above it, state broadcasts are coalesced
    coalesce_ms: int = Field(100, ge=0)
    retention_days: float = Field(90, gt=0)  # sessions are erased this long after last use
    lobby_expiry_days: float = Field(2, gt=0)  # sessions never started are erased sooner
    cleanup_interval_s: float = Field(3600, gt=0)
    # per client address: sustained rate per minute, and burst (a whole class behind one NAT
    # joining at once must pass; enumerating room codes must not)
    joins_per_minute: float = Field(120, gt=0)
    joins_burst: float = Field(200, gt=0)
    lookups_per_minute: float = Field(120, gt=0)
    lookups_burst: float = Field(200, gt=0)
    rooms_per_minute: float = Field(10, gt=0)
    rooms_burst: float = Field(30, gt=0)
    deck_uploads_per_minute: float = Field(30, gt=0)
    deck_uploads_burst: float = Field(60, gt=0)
    allowed_origins: str = ""  # comma-separated extra origins for WebSocket handshakes

    @model_validator(mode="after")
    def _safe_outside_development(self) -> "Settings":
        if self.environment == "production" and not self.public_url.startswith("https://"):
            raise ValueError("PUBLIC_URL must be an https:// URL in production")
        return self

    @property
    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix):])
        return None
