"""``python -m server``: migrate the database, then serve with uvicorn."""

import gc

import uvicorn

from server import logs
from server.settings import Settings
from server.storage.migrate import upgrade
from server.web.app import create_app
from server.web.httpproto import with_header_timeout


def main() -> None:
    settings = Settings()
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
    server = uvicorn.Server(config)
    # Cheaper garbage collections: everything loaded at start-up (modules, decks) is moved out
    # of the collector's sight; young objects are collected every 5,000 allocations, the middle
    # generation every 10 of those (with (20000, 20, 20) it held up to 400,000 objects and one
    # pass stalled every room for ~110 ms under load; now ~25 ms), and a full collection over
    # thousands of rooms and connections comes rarely (after 50 middle ones).
    gc.freeze()
    gc.set_threshold(5_000, 10, 50)
    logs.install()  # after uvicorn configured its loggers
    server.run()


if __name__ == "__main__":
    main()
