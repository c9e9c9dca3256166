"""The thin transport: HTTP routes, the WebSocket endpoint, pages."""
