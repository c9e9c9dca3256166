"""The Origin check of WebSocket handshakes: the app's own origin, plus an allow-list.

A browser always sends Origin on a WebSocket handshake, so a page on another site cannot ride
on a participant's connection. Clients that are not browsers (scripts, tests) send none and
are let through: they hold no cookie to abuse.
"""

from starlette.requests import HTTPConnection

from server.settings import Settings


def origin_allowed(origin: str | None, conn: HTTPConnection, settings: Settings) -> bool:
    if origin is None:
        return True
    allowed = {o.strip().rstrip("/") for o in settings.allowed_origins.split(",") if o.strip()}
    if settings.public_url:
        allowed.add(settings.public_url.rstrip("/"))
    host = conn.headers.get("host", "")
    allowed.update({f"http://{host}", f"https://{host}"})
    return origin.rstrip("/") in allowed
