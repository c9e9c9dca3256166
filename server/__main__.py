"""``python -m server``: migrate the database, then serve with uvicorn."""

import errno
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import uvicorn

from server import collector, logs
from server.settings import Settings
from server.storage.migrate import upgrade
from server.web.app import create_app
from server.web.httpproto import with_header_timeout
from server.web.inbound import DirectReceiveProtocol

try:  # the protocol server/web/direct.py writes through (its only condition on the server)
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - uvicorn older than 0.35
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

log = logging.getLogger("uvicorn.error")


def unwritable_database(database_url: str) -> str | None:
    """Why a SQLite database cannot be written where the settings put it, or None.

    Checked before anything opens it, so a volume mounted read-only or owned by another user
    (a bind-mounted /data in Docker) ends with one sentence instead of a traceback.
    """
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    path = Path(database_url[len(prefix) :].split("?", 1)[0])
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    except OSError as e:
        uid = os.getuid() if hasattr(os, "getuid") else "?"
        return (
            f"Cannot write the database {path} ({e.strerror or type(e).__name__}): make "
            f"{directory} and the files in it writable by this process (user id {uid}; in "
            f"the Docker image: chown -R 10001:10001 on the mounted directory), or set "
            f"DATABASE_URL."
        )
    return None


def send_path(settings: Settings, protocol: type[Any] | None) -> str:
    """How room states leave for this server's sockets (see server/web/direct.py)."""
    name = getattr(protocol, "__name__", str(protocol))
    sansio = WebSocketsSansIOProtocol
    if not settings.ws_direct:
        return f"ASGI send (WS_DIRECT=false; protocol {name})"
    if sansio is None or protocol is None or not issubclass(protocol, sansio):
        return (
            f"ASGI send (protocol {name} is not uvicorn's sans-I/O one; "
            f"WS_IMPL=websockets-sansio or auto on uvicorn >= 0.50 enables direct writes)"
        )
    if settings.ws_deflate:
        return f"direct writes ({name}) except for clients that negotiate permessage-deflate"
    direct_reads = DirectReceiveProtocol is not None and protocol is DirectReceiveProtocol
    reads = "messages read directly" if direct_reads else "messages read through ASGI"
    return f"direct writes ({name}): states framed once, ASGI send for the rest; {reads}"


def main() -> None:
    settings = Settings()
    problem = unwritable_database(settings.database_url)
    if problem:
        sys.exit(problem)
    upgrade(settings.database_url)
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws=settings.ws_impl,
        ws_max_size=settings.max_message_bytes,
        ws_ping_interval=settings.ws_ping_interval,
        ws_ping_timeout=settings.ws_ping_timeout,
        ws_per_message_deflate=settings.ws_deflate,
        timeout_graceful_shutdown=5,
        proxy_headers=False,  # server/web/clientaddr.py decides (TRUSTED_PROXIES)
        http=with_header_timeout(settings.header_timeout_s),
    )
    config.load()  # resolves WS_IMPL to a protocol class
    sansio = config.ws_protocol_class is WebSocketsSansIOProtocol
    direct_receive = DirectReceiveProtocol is not None and sansio
    if settings.ws_direct and settings.ws_direct_receive and direct_receive:
        config.ws_protocol_class = DirectReceiveProtocol  # messages read without ASGI (inbound.py)
    server = uvicorn.Server(config)
    collector.quieten()  # what start-up loaded frozen, fewer collections (server/collector.py)
    logs.install()  # after uvicorn configured its loggers
    log.info("WebSocket send path: %s", send_path(settings, config.ws_protocol_class))
    server.run()


if __name__ == "__main__":
    main()
