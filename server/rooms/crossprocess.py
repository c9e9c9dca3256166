"""Between processes (a shared bus, docs/operations.md): publish what this process stored, and
adopt what another one stored — newer states, removals, erasures."""

import logging
from typing import TYPE_CHECKING, Any

from server.core.state import RoomState
from server.rooms.live import LiveRoom
from server.summary.render import forget as forget_pdf

if TYPE_CHECKING:
    from server.rooms.service import RoomService

log = logging.getLogger(__name__)


async def publish(
    service: "RoomService", room: LiveRoom, state: RoomState, applied: tuple[str | None, str] | None
) -> None:
    if not service.bus.shared:
        return
    try:
        await service.bus.publish(
            room.code,
            {
                "version": state.version,
                "state": room.stored_json.dump(state),  # the big fields' JSON is remembered
                "applied": list(applied) if applied else None,
            },
        )
    except Exception:  # the state is stored; other processes catch up on their next sync
        log.exception("could not publish room %s", room.code)


async def on_bus_event(service: "RoomService", event: dict[str, Any]) -> None:
    """A state stored by another process: adopt it if it is newer, and fan it out here."""
    code = str(event.get("code", ""))
    if event.get("deleted"):
        service.seats.forget(code)
        forget_pdf(code)  # nothing of an erased session stays in this process's memory either
        room = service.registry.unload(code)
        for conn in list(room.connections if room is not None else ()):
            conn.outbox.close()
        return
    room = service.registry.loaded(code)
    if room is None:
        return
    if isinstance(event.get("removed"), str):
        service.seats.forget(code, event["removed"])
        service._close_removed(room, event["removed"])
        return
    version = int(event["version"])
    applied = event.get("applied")
    if applied and applied[0]:
        room.applied.add((applied[0], applied[1]))
    if version <= room.state.version:
        return
    room.state = RoomState.model_validate_json(event["state"]).model_copy(update={"version": version})
    service._broadcast(room)
