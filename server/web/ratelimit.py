"""Rate limits: a token bucket per connection, and per client address for costly or
guessable endpoints (room creation, deck uploads, room look-ups, WebSocket handshakes).

A flood from one address is slowed (429, or a refused handshake) without other rooms noticing.
"""

import json
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from server.i18n import negotiate, translate
from server.web.clientaddr import address_group

MAX_TRACKED = 50_000  # client addresses remembered at once (least recently seen forgotten)


class TokenBucket:
    """``rate`` actions per second on average, bursts of up to ``burst``."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class CodeGuard:
    """Wrong room codes per address group: guessing codes spends this budget, and while it is
    spent every look-up by code is refused (existing rooms too, so the refusal says nothing)."""

    def __init__(self, per_hour: float, burst: float) -> None:
        self.limit = Limit(per_hour / 3600, burst)
        self.buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def _bucket(self, group: str) -> TokenBucket:
        bucket = self.buckets.get(group)
        if bucket is None:
            bucket = self.buckets[group] = TokenBucket(self.limit.rate, self.limit.burst)
            if len(self.buckets) > MAX_TRACKED:
                self.buckets.popitem(last=False)
        else:
            self.buckets.move_to_end(group)
        return bucket

    def exhausted(self, group: str) -> bool:
        bucket = self._bucket(group)
        bucket.take(0.0)  # brings the bucket up to date
        return bucket.tokens < 1

    def miss(self, group: str) -> None:
        self._bucket(group).take()


@dataclass(frozen=True)
class Limit:
    rate: float  # per second
    burst: float


def classify(method: str, path: str, kind: str) -> str | None:
    """Which limit a request falls under, if any."""
    if kind == "websocket":
        return "join" if path.startswith("/ws/rooms/") else None
    if method == "POST" and path == "/api/rooms":
        return "create_room"
    if method in ("POST", "PUT") and path.startswith("/api/decks"):
        return "deck_upload"
    if path.startswith("/api/rooms/") or path.startswith("/r/"):
        return "lookup"
    return None


class AddressBuckets:
    """One bucket per (client address, kind of request)."""

    def __init__(self, limits: dict[str, Limit]) -> None:
        self.limits = limits
        self.buckets: OrderedDict[tuple[str, str], TokenBucket] = OrderedDict()

    def allow(self, address: str, kind: str) -> bool:
        key = (address, kind)
        bucket = self.buckets.get(key)
        if bucket is None:
            limit = self.limits[kind]
            bucket = self.buckets[key] = TokenBucket(limit.rate, limit.burst)
            if len(self.buckets) > MAX_TRACKED:
                self.buckets.popitem(last=False)
        else:
            self.buckets.move_to_end(key)
        return bucket.take()

    def allows(self, scope: Scope) -> bool:
        """Whether this request (or WebSocket handshake) is within its address's limit."""
        kind = classify(scope.get("method", "GET"), scope["path"], scope["type"])
        client = scope.get("client")
        address = address_group(client[0]) if client else "?"
        return kind is None or kind not in self.limits or self.allow(address, kind)


async def refuse_socket(receive: Receive, send: Send) -> None:
    """A WebSocket over its address's limit: accepted, then closed with 1013 "try again
    later" (closing before accepting would be an HTTP 403, which says "forbidden", not
    "later")."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1013})


class AddressLimiter(AddressBuckets):
    """ASGI middleware: one bucket per (client address, kind of request). (WebSocket
    connections are limited by ``server/web/sockets.py``'s ``RoomSockets``, with the same rule.)"""

    def __init__(self, app: ASGIApp, limits: dict[str, Limit]) -> None:
        super().__init__(limits)
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.allows(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await refuse_socket(receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query = dict(p.split("=", 1) for p in scope.get("query_string", b"").decode().split("&") if "=" in p)
        cookies = dict(c.strip().split("=", 1) for c in headers.get("cookie", "").split(";") if "=" in c)
        lang = negotiate(query.get("lang"), cookies.get("lang"), headers.get("accept-language"))
        body = json.dumps(
            {"error": {"code": "rate_limited", "message": translate(lang, "error.rate_limited")}},
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", b"5"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
