"""The Origin check of WebSocket handshakes: the app's own origin, plus an allow-list.

A browser always sends Origin on a WebSocket handshake, so a page on another site cannot ride
on a participant's connection. Clients that are not browsers (scripts, tests) send none and
are let through: they hold no cookie to abuse.
"""

import json

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from server.i18n import negotiate, translate
from server.settings import Settings


def origin_allowed(origin: str | None, conn: HTTPConnection, settings: Settings) -> bool:
    if origin is None:
        return True
    return origin.rstrip("/") in allowed_origins(settings, conn.headers.get("host", ""))


STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def allowed_origins(settings: Settings, host: str) -> set[str]:
    allowed = {o.strip().rstrip("/") for o in settings.allowed_origins.split(",") if o.strip()}
    if settings.public_url:
        allowed.add(settings.public_url.rstrip("/"))
    allowed.update({f"http://{host}", f"https://{host}"})
    return allowed


class JsonFromOurOrigin:
    """ASGI middleware for the HTTP API: a request that changes something (POST, PUT, PATCH,
    DELETE under /api/) is refused when it comes from a page of another site (an ``Origin``
    that is not ours: 403 ``bad_origin``) or carries a body that is not declared
    ``application/json`` (415 ``unsupported_media_type``). A page of another site can only
    send "simple" requests (``text/plain``, forms) without asking first, so neither can ride
    on a visitor's browser. Clients that are not browsers send no Origin and keep working."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in STATE_CHANGING
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        origin = headers.get(b"origin")
        if origin is not None and origin.rstrip("/") not in allowed_origins(
            self.settings, headers.get(b"host", "")
        ):
            await _refuse(send, headers, 403, "bad_origin")
            return
        length = headers.get(b"content-length", "0").strip()
        has_body = b"transfer-encoding" in headers or (length != "0" and length != "")
        ctype = headers.get(b"content-type", "").split(";", 1)[0].strip().lower()
        if has_body and ctype != "application/json":
            await _refuse(send, headers, 415, "unsupported_media_type")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, headers: dict[bytes, str], status: int, code: str) -> None:
    lang = negotiate(None, None, headers.get(b"accept-language"))
    body = json.dumps(
        {"error": {"code": code, "message": translate(lang, f"error.{code}")}}, ensure_ascii=False
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
