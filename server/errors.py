"""One error hierarchy for the whole app.

Every error carries a stable ``code`` (part of the public protocol, listed in docs/protocol.md)
and parameters; the edge (HTTP handler or WebSocket loop) turns it into a message in the user's
language through the translation layer. The catalogue key of a code is ``error.<code>``.
"""

from typing import Any


class AppError(Exception):
    """Base of every error the app reports to a user."""

    code: str = "internal"
    http_status: int = 400

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class GameError(AppError):
    """An illegal move: wrong phase, wrong role, wrong card… The room is unchanged."""

    http_status = 409


class BadMessage(AppError):
    """A message that does not parse or does not match the protocol."""

    code = "bad_message"
    http_status = 422


class NotFound(AppError):
    code = "not_found"
    http_status = 404


class Forbidden(AppError):
    code = "forbidden"
    http_status = 403


class Conflict(AppError):
    code = "conflict"
    http_status = 409


class RateLimited(AppError):
    code = "rate_limited"
    http_status = 429


class DeckInvalid(AppError):
    """A deck file with problems; ``problems`` lists them all, each with its field path."""

    code = "deck_invalid"
    http_status = 422

    def __init__(self, problems: list[Any]) -> None:
        super().__init__(None, count=len(problems))
        self.problems = problems


class Unavailable(AppError):
    """The database is busy or down: nothing was stored, the client should retry."""

    code = "unavailable"
    http_status = 503
