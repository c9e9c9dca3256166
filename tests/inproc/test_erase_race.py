"""Erasing a session while a follow-up of it is being created (issue 16): the follow-up is
either linked before the erasure, and then found by it (its snapshot of the erased session is
cleared like the others'), or it finds the session gone and is refused as a link that opens
nothing (403 ``earlier_forbidden``), not a server error after 20 failed tries."""

import asyncio
import json
from pathlib import Path

import pytest

from server.core.followup import snapshot
from server.core.state import RoomSettings
from server.errors import Forbidden
from server.rooms import lifecycle
from server.rooms.service import RoomService
from server.storage.engine import make_engine
from server.storage.repository import Repository
from server.storage.tables import Base
from server.summary.model import build_summary
from tests.inproc.services import DECK


def _service(tmp_path: Path) -> RoomService:
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    Base.metadata.create_all(engine)
    return RoomService(Repository(engine))


@pytest.mark.timeout(30)
def test_a_follow_up_of_a_session_erased_meanwhile_is_refused(tmp_path: Path) -> None:
    async def scenario() -> None:
        service = _service(tmp_path)
        earlier, _ = await service.create(DECK, RoomSettings())
        room = await service.get(earlier)
        # what the follow-up's creation checked (the earlier session readable) ...
        follows = snapshot(build_summary(DECK, room.state, earlier).model_dump(mode="json"), "room")
        await lifecycle.delete(service, earlier)  # ... then the erasure ...
        with pytest.raises(Forbidden) as refused:  # ... then the link
            await service.create(DECK, RoomSettings(), follows=follows, earlier_code=earlier)
        assert refused.value.code == "earlier_forbidden"
        await service.close()

    asyncio.run(scenario())


@pytest.mark.timeout(30)
def test_the_erasure_returns_the_follow_ups_linked_when_it_ran(tmp_path: Path) -> None:
    """A follow-up linked after the erasure looked for follow-ups, before it erased the row:
    ``delete_room`` names it (read with the room's row locked), and its snapshot is cleared."""

    async def scenario() -> None:
        service = _service(tmp_path)
        earlier, _ = await service.create(DECK, RoomSettings())
        room = await service.get(earlier)
        follows = snapshot(build_summary(DECK, room.state, earlier).model_dump(mode="json"), "room")
        later, _ = await service.create(DECK, RoomSettings(), follows=follows, earlier_code=earlier)
        assert (await service.get(later)).state.follows is not None
        assert await service.db(service.repo.delete_room, earlier) == [later]
        assert await service.db(service.repo.followers, earlier) == []
        # what ``lifecycle.delete`` does with them
        await lifecycle._clear_snapshots(service, [later])
        follow_up = await service.get(later)
        assert follow_up.state.follows is None
        stored = await service.db(service.repo.load_room, later)
        assert stored is not None and json.loads(stored.state)["follows"] is None
        await service.close()

    asyncio.run(scenario())
