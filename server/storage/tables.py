"""SQLAlchemy table models (kept apart from the pydantic schemas of the core and the API)."""

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DeckRow(Base):
    """A custom deck. Built-in decks are read from cards/ and never stored here."""

    __tablename__ = "decks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    card_count: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # the deck file, as JSON
    edit_token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    # the list's summary, so listing never parses a deck file (migration 0003)
    description: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[str] = mapped_column(Text, default="[]")  # [{"id", "title", "card_count"}]
    owner: Mapped[str] = mapped_column(String(64), default="", index=True)  # address group hash
    used_at: Mapped[float] = mapped_column(Float, default=0.0)  # last room created from it


class DeckVersionRow(Base):
    """Each deck file played in a room, stored once (by the SHA-256 of its JSON)."""

    __tablename__ = "deck_versions"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)


class RoomRow(Base):
    __tablename__ = "rooms"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    state: Mapped[str] = mapped_column(Text)  # the latest RoomState, as JSON
    version: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float, index=True)


class RoomDeckRow(Base):
    """The room's own copy of its deck, as JSON: written once, apart from the state that is
    rewritten at every action (in SQLite an update rewrites the whole row)."""

    __tablename__ = "room_decks"

    room_code: Mapped[str] = mapped_column(ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True)
    deck: Mapped[str] = mapped_column(Text)  # rooms made before migration 0003; else ""
    version_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class TokenRow(Base):
    """A participant's or facilitator's secret, hashed: the database never holds it in clear."""

    __tablename__ = "room_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    room_code: Mapped[str] = mapped_column(ForeignKey("rooms.code", ondelete="CASCADE"), index=True)
    player_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # "player", "facilitator", "share", "pass"
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)  # passes only


class AppliedMessageRow(Base):
    """Client message ids already applied: a repeated id is acknowledged, not applied again."""

    __tablename__ = "applied_messages"

    room_code: Mapped[str] = mapped_column(ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True)
    player_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class OpenAnswerRow(Base):
    """One person's answers to the open card, written by their vote (not the whole state):
    JSON, or sealed with the card's key in an anonymous session. A full state write of the
    room includes them and deletes these rows."""

    __tablename__ = "open_answers"
    # SQLite: the row and its key in one B-tree, one page written a vote (migration 0006)
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (SQLAlchemy reads it once)

    room_code: Mapped[str] = mapped_column(ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True)
    player_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class RoomLinkRow(Base):
    """A follow-up session (``room_code``) and the earlier session it compares with (issue 16).

    The follow-up's state holds a snapshot of the earlier summary; this row is how erasing the
    earlier session finds the follow-ups to clear (server/rooms/service.py ``delete``). Either
    room's deletion removes the row (ON DELETE CASCADE on both sides)."""

    __tablename__ = "room_links"

    room_code: Mapped[str] = mapped_column(ForeignKey("rooms.code", ondelete="CASCADE"), primary_key=True)
    earlier_code: Mapped[str] = mapped_column(ForeignKey("rooms.code", ondelete="CASCADE"), index=True)
