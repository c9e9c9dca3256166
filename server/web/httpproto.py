"""The single-process server's HTTP protocol with a header deadline (slowloris).

uvicorn closes idle keep-alive connections, but waits forever for the headers of a request
that is being sent byte by byte: 2,000 such half-sent requests held 2,000 file descriptors for
as long as their senders liked, and took ``/healthz`` down at a 1,024 file limit. Here a
connection must deliver each request's headers within ``HEADER_TIMEOUT_S`` of its first byte
(or of the connection being opened), else it is closed. Behind nginx the proxy applies its own
``client_header_timeout`` too.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def with_header_timeout(timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol class (httptools, which uvicorn[standard] brings), with a
    header deadline of ``timeout_s`` seconds; h11 (no parser callbacks to hook) as it is."""
    try:
        import httptools  # noqa: F401
    except ImportError:  # pragma: no cover
        return H11Protocol

    class HeaderDeadline(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._deadline is None:
                self._deadline = self.loop.call_later(timeout_s, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            transport = getattr(self, "transport", None)
            if transport is not None and not transport.is_closing():
                transport.abort()

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

    return HeaderDeadline
