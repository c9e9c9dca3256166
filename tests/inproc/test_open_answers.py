"""A vote stores only the voter's answers (a row of ``open_answers``), not the whole state;
the room read back from the database is the room in memory; any other change stores the whole
state and takes the rows in. In an anonymous session the row is sealed like the state's blob."""

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from server.core import commands as c
from server.core.deck import parse_deck
from server.core.state import RoomSettings
from server.rooms.sealed import MemoryKeyStore
from server.rooms.service import RoomService
from server.storage.engine import make_engine
from server.storage.repository import Repository
from server.storage.tables import Base
from tests.inproc.test_writer_on_loop import _conn

ROOT = Path(__file__).resolve().parent.parent.parent
DECK = parse_deck(json.loads((ROOT / "tests/fixtures/mini-deck.json").read_text()))


@pytest.mark.parametrize("anonymous", [True, False])
def test_votes_are_rows_and_the_room_reads_back_whole(tmp_path: Path, anonymous: bool) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rows.db'}")
    Base.metadata.create_all(engine)
    keys = MemoryKeyStore()  # shared by both services, as the key directory is across restarts

    def rows() -> dict[str, str]:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT player_id, body FROM open_answers")).all())  # type: ignore[arg-type]

    def stored_state() -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT state FROM rooms")).scalar())

    async def scenario() -> None:
        service = RoomService(Repository(engine), keys=keys)
        code, _ = await service.create(DECK, RoomSettings(anonymous=anonymous))
        room = await service.get(code)
        people = []
        for name in ("Ana", "Ben"):
            joined, _ = await service.join(room, name=name, token=None, conn_factory=_conn)
            people.append(joined.player.id)
        fac = room.state.players[0].id
        await service.act(room, fac, c.Start(), None)
        await service.act(room, room.state.reader_id or "", c.Draw(), None)
        card = DECK.card(room.state.current.card_id)  # type: ignore[union-attr]
        assert card is not None
        yes_no = next(q for q in card.questions if q.kind == "yes_no")
        before = stored_state()
        await service.act(room, people[0], c.Answer(card.id, yes_no.id, "yes"), "v1")
        await service.act(room, people[1], c.Answer(card.id, yes_no.id, "no"), "v2")
        await service.act(room, people[0], c.Answer(card.id, yes_no.id, "unsure"), "v3")
        assert stored_state() == before  # the state was not written again
        assert set(rows()) == set(people)
        if anonymous:  # sealed: neither the value nor the question in clear
            assert not any('"' in body for body in rows().values())  # base64, no JSON text
        else:
            assert json.loads(rows()[people[0]]) == {yes_no.id: "unsure"}
        in_memory = room.state
        await service.close()

        again = RoomService(Repository(engine), keys=keys)  # a restart: read from the database
        back = await again.get(code)
        assert back.state.version == in_memory.version
        assert back.state.current == in_memory.current
        assert back.state.model_dump(exclude={"players"}) == in_memory.model_dump(exclude={"players"})
        # a repeated vote id is still recognised after the restart
        assert await again.act(back, people[0], c.Answer(card.id, yes_no.id, "yes"), "v3") is False
        await again.act(back, fac, c.AddNote("une note"), None)  # a whole state: rows taken in
        assert rows() == {}
        assert stored_state() != before
        await again.close()

        third = RoomService(Repository(engine), keys=keys)
        last = await third.get(code)
        assert last.state.current is not None
        assert last.state.current.answers == {people[0]: {yes_no.id: "unsure"}, people[1]: {yes_no.id: "no"}}
        await third.close()

    asyncio.run(scenario())
    engine.dispose()


def test_a_sealed_row_does_not_tell_the_vote_by_its_length() -> None:
    from server.rooms.sealing import seal, unseal

    key = bytes(32)
    rows = {
        value: seal(key, json.dumps({"q1": value, "q2": "no"}).encode()) for value in ("yes", "no", "unsure")
    }
    assert len({len(blob) for blob in rows.values()}) == 1
    assert json.loads(unseal(key, rows["unsure"])) == {"q1": "unsure", "q2": "no"}
