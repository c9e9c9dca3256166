"""One settings object, read from the environment (or passed in by tests).

Nothing connects at import time: ``create_app(settings)`` builds every part from it.
"""

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
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
    # where the key of each anonymous room's open card is kept (one small file per room,
    # destroyed when the card closes); empty: a "card-keys" folder next to the SQLite file,
    # or data/card-keys. With REDIS_URL the keys live in Redis instead (docs/security.md)
    card_key_dir: Path | None = None
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
    ws_direct_receive: bool = True  # with ws_direct: client messages read without the ASGI queue
    # PDFs laid out by one worker process (started on the first PDF), not on a thread of the
    # server, whose live rooms would wait for it (server/summary/layouts.py)
    pdf_process: bool = True
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
    # addresses or networks of our own reverse proxy (e.g. "172.16.0.0/12"): only from them
    # is X-Forwarded-For believed (docs/operations.md); empty: the TCP peer is the client
    trusted_proxies: str = ""
    # wrong room codes per client address (IPv6: per /64): once spent, every look-up of a
    # code answers 429 for a while, so guessing a live room takes years (docs/security.md)
    code_misses_per_hour: float = Field(20, gt=0)
    code_misses_burst: float = Field(30, gt=0)
    # custom decks: at most this many per client address (IPv6: per /64) and in all; a deck
    # no room was created from for this long is erased
    decks_per_address: int = Field(20, ge=1)
    decks_total: int = Field(5000, ge=1)
    deck_expiry_days: float = Field(180, gt=0)
    # WebSockets: open ones per client address; a socket that has not joined within
    # join_timeout_s is closed; a reader more than max_buffered_bytes behind is closed
    websockets_per_address: int = Field(300, ge=1)
    join_timeout_s: float = Field(10.0, gt=0)
    max_buffered_bytes: int = Field(4 * 1024 * 1024, ge=64 * 1024)
    # single-process server: a request whose headers are not all in after this long is cut
    header_timeout_s: float = Field(10.0, gt=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        import ipaddress

        for item in value.split(","):
            if item.strip():
                ipaddress.ip_network(item.strip(), strict=False)  # raises on a typo
        return value

    @model_validator(mode="after")
    def _safe_outside_development(self) -> "Settings":
        if self.environment == "production" and not self.public_url.startswith("https://"):
            raise ValueError("PUBLIC_URL must be an https:// URL in production")
        return self

    @property
    def key_dir(self) -> Path:
        if self.card_key_dir is not None:
            return self.card_key_dir
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix) :]).parent / "card-keys"
        return DATA_DIR / "card-keys"

    @property
    def bus_url(self) -> str:
        """The bus between processes (server/rooms/bus.py): Redis when configured."""
        return self.redis_url or "memory://"
