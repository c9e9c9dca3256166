"""Security headers on every HTTP response, including the refusals made before the app runs
(413, 415, 429: this middleware wraps them).

The Content-Security-Policy allows no inline script and nothing from another origin: pages
load their scripts and styles from /static only (no CDN), and put data for scripts in
``data-*`` attributes or ``<script type="application/json">`` blocks, never in inline code.
``connect-src`` names the app's own origin(s) only — ``'self'`` plus the WebSocket form of the
public URL and of the request's host (CSP 3 browsers treat 'self' as covering ws(s): to the
same host; older ones need it spelled out) — never ``ws:``/``wss:`` to any host. With an
https PUBLIC_URL, browsers are told to keep to https (HSTS).
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.settings import Settings

CSP_BASE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def csp(settings: Settings, host: str) -> str:
    sources = ["'self'"]
    public = settings.public_url.rstrip("/")
    if public.startswith("https://"):
        sources.append("wss://" + public[len("https://") :])
    elif public.startswith("http://"):
        sources.append("ws://" + public[len("http://") :])
    elif host and all(ch.isalnum() or ch in ".-:[]" for ch in host):
        sources += [f"ws://{host}", f"wss://{host}"]
    return CSP_BASE + "; connect-src " + " ".join(dict.fromkeys(sources))


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings | None = None) -> None:
        self.app = app
        self.settings = settings or Settings()
        self.hsts = self.settings.public_url.startswith("https://")
        self._fixed = csp(self.settings, "").encode() if self.settings.public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self._fixed
        if policy is None:
            host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
            policy = csp(self.settings, host).encode()
        extra_headers = [(b"content-security-policy", policy), *HEADERS]
        if self.hsts:
            extra_headers.append(HSTS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in extra_headers if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
