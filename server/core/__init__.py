"""The pure game core: no web framework, no database, no asyncio.

Everything here is a function of its inputs, so the rules can be tested fast and in isolation,
and any transport (WebSocket, tests, a future multi-process mode) applies them the same way.
"""
