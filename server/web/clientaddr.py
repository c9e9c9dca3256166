"""Who is asking: the client's address, trusting ``X-Forwarded-For`` only from our own proxy.

uvicorn's own proxy-header handling is switched off (``python -m server``); this middleware is
the one place that decides. When the peer of the TCP connection is one of ``TRUSTED_PROXIES``
(addresses or networks, e.g. ``172.16.0.0/12`` for the compose network), the client is the
right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy, and the scheme
comes from ``X-Forwarded-Proto``. From anyone else both headers are ignored, so a client
cannot choose the address its limits are counted against.

Limits count per *group* of addresses: an IPv4 address is its own group; an IPv6 address
counts with its whole /64 (one subscriber usually holds a /64 and can pick any address in it).
"""

import ipaddress
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(spec: str) -> tuple[Network, ...]:
    out: list[Network] = []
    for item in spec.split(","):
        item = item.strip()
        if item:
            out.append(ipaddress.ip_network(item, strict=False))
    return tuple(out)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def resolve(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's address for a connection from ``peer`` carrying ``forwarded_for``."""
    peer_ip = _ip(peer)
    if not trusted or peer_ip is None or not any(peer_ip in n for n in trusted):
        return peer
    if not forwarded_for:
        return peer
    for hop in reversed(forwarded_for.split(",")):
        ip = _ip(hop)
        if ip is None:
            return peer  # a malformed chain: count it against the proxy, not a guess
        if not any(ip in n for n in trusted):
            return str(ip)
    return peer


@lru_cache(maxsize=65536)
def address_group(address: str) -> str:
    """What limits count against: the address itself, or its /64 for IPv6."""
    ip = _ip(address)
    if ip is None:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def resolve_scope(scope: Scope, trusted: tuple[Network, ...]) -> Scope:
    """``scope`` with ``client`` (and ``scheme``) as resolved above: the same scope when
    nothing changes, else a copy."""
    client = scope.get("client")
    if scope["type"] in ("http", "websocket") and trusted and client:
        peer = _ip(client[0])
        if peer is not None and any(peer in n for n in trusted):
            forwarded: str | None = None
            proto = None
            for key, value in scope.get("headers", []):
                if key == b"x-forwarded-for":
                    # several headers count as one comma-separated list
                    v = value.decode("latin-1")
                    forwarded = v if forwarded is None else f"{forwarded},{v}"
                elif key == b"x-forwarded-proto":
                    proto = value.decode("latin-1").strip().lower()
            scope = dict(scope)
            scope["client"] = (resolve(client[0], forwarded, trusted), client[1])
            if proto in ("http", "https"):
                if scope["type"] == "websocket":
                    scope["scheme"] = "wss" if proto == "https" else "ws"
                else:
                    scope["scheme"] = proto
    return scope


class ClientAddress:
    """ASGI middleware: ``scope["client"]`` (and ``scope["scheme"]``) as resolved above.
    (WebSocket connections get the same from ``server/web/sockets.py``'s ``RoomSockets``.)"""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(resolve_scope(scope, self.trusted), receive, send)
