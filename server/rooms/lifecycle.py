"""Rooms begin and end: created with a free code, erased on demand or after retention."""

import json
import secrets
from typing import TYPE_CHECKING

from server.core import commands as c
from server.core.deck import Deck
from server.core.followup import Earlier
from server.core.rules import apply, new_room
from server.core.state import Role, RoomSettings
from server.errors import Forbidden, NotFound
from server.i18n import translate
from server.rooms.seats import new_player_id, new_token
from server.storage.repository import EarlierGone
from server.summary.render import forget as forget_pdf

if TYPE_CHECKING:
    from server.rooms.service import RoomService

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def create(
    service: "RoomService",
    deck: Deck,
    settings: RoomSettings,
    *,
    follows: Earlier | None = None,
    earlier_code: str | None = None,
) -> tuple[str, str]:
    """A new room on a copy of ``deck``: (code, facilitator token). A follow-up (issue 16)
    starts with the snapshot of the earlier session, linked to it when ``earlier_code``."""
    now = service.clock()
    state = new_room(deck, settings, seed=secrets.randbits(32), now=now)
    if follows is not None:
        state = state.model_copy(update={"follows": follows})
    facilitator_id = new_player_id()
    lang = settings.language or deck.language
    name = settings.facilitator_name.strip() or translate(lang, "role.facilitator_default")
    state = apply(deck, state, None, c.Join(facilitator_id, name, Role.FACILITATOR, False), now)
    state = state.model_copy(update={"version": 0})
    token = new_token()
    deck_json = json.dumps(deck.to_file(), ensure_ascii=False)
    for _ in range(20):
        code = new_code()
        try:
            created = await service.db(
                service.repo.create_room,
                code=code,
                deck=deck_json,
                state=state.model_dump_json(),
                phase=state.phase.value,
                facilitator_token=token,
                facilitator_id=facilitator_id,
                earlier_code=earlier_code,
            )
        except EarlierGone:  # erased since its link was checked: as a link that opens nothing
            raise Forbidden("earlier_forbidden") from None
        if created:
            return code, token
    raise RuntimeError("could not draw a free room code")  # pragma: no cover


async def delete(service: "RoomService", code: str) -> None:
    code = code.upper()
    await _unlink_followers(service, code)
    service.seats.forget(code)
    room = service.registry.unload(code)
    late = await service.db(service.repo.delete_room, code)
    await _clear_snapshots(service, late)  # follow-ups made while this one was being erased
    forget_pdf(code)  # a PDF laid out ahead (server/summary/render.py) goes with it
    await service.sealed.drop_code(code)
    await service.scrub(vacuum=True)  # names and notes leave the database files too
    if room is not None:
        for conn in list(room.connections):
            conn.outbox.close()
    if service.bus.shared:
        await service.bus.publish(code, {"deleted": True})


async def _unlink_followers(service: "RoomService", code: str) -> None:
    """Erasing a session erases what its follow-ups keep of it (issue 16): their snapshot
    goes (a stored, broadcast change of their state), then the links."""
    await _clear_snapshots(service, await service.db(service.repo.followers, code))
    await service.db(service.repo.unlink, code)


async def _clear_snapshots(service: "RoomService", codes: list[str]) -> None:
    for later in codes:
        try:
            room = await service.get(later)
        except NotFound:
            continue
        async with room.lock:
            if room.state.follows is not None:
                await service.commit(room, None, c.Unlink(), None)


async def expire(service: "RoomService", *, retention_days: float, lobby_days: float = 2) -> list[str]:
    """Erase rooms past the retention period (and lobbies nobody started)."""
    now = service.clock()
    codes = await service.db(
        service.repo.expired_rooms, before=now - retention_days * 86400, lobby_before=now - lobby_days * 86400
    )
    for code in codes:
        await delete(service, code)
    return codes
