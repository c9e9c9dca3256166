"""A vote stores only the voter's answers (a row of ``open_answers``), not the whole state;
the room read back from the database is the room in memory; any other change stores the whole
state and takes the rows in. In an anonymous session the row is sealed like the state's blob.
The row also holds the ids of the person's votes (not a row each in ``applied_messages``): a
repeated id is recognised after a restart, and still after a whole-state write took the rows in."""

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from server.core import commands as c
from server.core.state import RoomSettings
from server.rooms.rows import ROW_MESSAGES, ROW_MESSAGES_MAX
from server.rooms.sealed import MemoryKeyStore
from server.rooms.service import RoomService
from server.storage.engine import make_engine
from server.storage.repository import Repository
from server.storage.tables import Base
from tests.inproc.services import DECK, quiet_conn


@pytest.mark.parametrize("anonymous", [True, False])
def test_votes_are_rows_and_the_room_reads_back_whole(tmp_path: Path, anonymous: bool) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rows.db'}")
    Base.metadata.create_all(engine)
    keys = MemoryKeyStore()  # shared by both services, as the key directory is across restarts

    def rows() -> dict[str, str]:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT player_id, body FROM open_answers")).all())  # type: ignore[arg-type]

    def applied() -> list[tuple[str, str]]:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT player_id, message_id FROM applied_messages"))
            return [tuple(r) for r in rows]

    def stored_state() -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT state FROM rooms")).scalar())

    def stored_row() -> tuple[object, ...]:
        with engine.connect() as conn:
            return tuple(conn.execute(text("SELECT * FROM rooms")).one())

    async def scenario() -> None:
        service = RoomService(Repository(engine), keys=keys)
        code, _ = await service.create(DECK, RoomSettings(anonymous=anonymous))
        room = await service.get(code)
        people = []
        for name in ("Ana", "Ben"):
            joined, _ = await service.join(room, name=name, token=None, conn_factory=quiet_conn)
            people.append(joined.player.id)
        fac = room.state.players[0].id
        await service.act(room, fac, c.Start(), None)
        await service.act(room, room.state.reader_id or "", c.Draw(), None)
        card = DECK.card(room.state.current.card_id)  # type: ignore[union-attr]
        assert card is not None
        yes_no = next(q for q in card.questions if q.kind == "yes_no")
        before, row_before = stored_state(), stored_row()
        await service.act(room, people[0], c.Answer(card.id, yes_no.id, "yes"), "v1")
        await service.act(room, people[1], c.Answer(card.id, yes_no.id, "no"), "v2")
        await service.act(room, people[0], c.Answer(card.id, yes_no.id, "unsure"), "v3")
        # the room's row was not written again, not even its version: the rows hold it
        assert stored_row() == row_before
        voted = room.state.version
        assert set(rows()) == set(people)
        if anonymous:  # sealed: neither the value nor the question in clear
            assert not any('"' in body for body in rows().values())  # base64, no JSON text
        else:
            assert json.loads(rows()[people[0]]) == [{yes_no.id: "unsure"}, ["v1", "v3"], voted]
            assert json.loads(rows()[people[1]]) == [{yes_no.id: "no"}, ["v2"], voted - 1]
        assert applied() == []  # the ids are in the rows
        in_memory = room.state
        await service.close()

        again = RoomService(Repository(engine), keys=keys)  # a restart: read from the database
        back = await again.get(code)
        assert back.state.version == in_memory.version == voted  # the last vote's row's
        assert back.state.current == in_memory.current
        assert back.state.model_dump(exclude={"players"}) == in_memory.model_dump(exclude={"players"})
        # a repeated vote id is still recognised after the restart
        assert await again.act(back, people[0], c.Answer(card.id, yes_no.id, "yes"), "v3") is False
        await again.act(back, fac, c.AddNote("une note"), None)  # a whole state: rows taken in
        assert rows() == {}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version FROM rooms")).scalar() == voted + 1
        assert stored_state() != before
        stored_ids = applied()
        if anonymous:  # keyed with the card's key: who sent what cannot be read
            assert len(stored_ids) == 3 and all(p == "" and len(m) == 64 for p, m in stored_ids)
        else:
            assert sorted(stored_ids) == sorted([(people[0], "v1"), (people[1], "v2"), (people[0], "v3")])
        await again.close()

        third = RoomService(Repository(engine), keys=keys)
        last = await third.get(code)
        assert last.state.current is not None
        assert last.state.current.answers == {people[0]: {yes_no.id: "unsure"}, people[1]: {yes_no.id: "no"}}
        for who, mid in ((people[0], "v1"), (people[1], "v2"), (people[0], "v3")):
            assert await third.act(last, who, c.Answer(card.id, yes_no.id, "yes"), mid) is False
        assert last.state.current.answers[people[0]] == {yes_no.id: "unsure"}
        await third.close()

    asyncio.run(scenario())
    engine.dispose()


def test_a_sealed_row_does_not_tell_the_vote_by_its_length() -> None:
    from server.rooms.sealing import seal, unseal

    key = bytes(32)
    rows = {
        value: seal(key, json.dumps({"q1": value, "q2": "no"}).encode(), "ROOM01\0p1")
        for value in ("yes", "no", "unsure")
    }
    assert len({len(blob) for blob in rows.values()}) == 1
    assert json.loads(unseal(key, rows["unsure"], "ROOM01\0p1")) == {"q1": "unsure", "q2": "no"}


@pytest.mark.parametrize("anonymous", [True, False])
def test_a_row_keeps_its_last_vote_ids_and_the_older_ones_go_to_the_table(
    tmp_path: Path, anonymous: bool
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'many.db'}")
    Base.metadata.create_all(engine)
    keys = MemoryKeyStore()

    async def scenario() -> None:
        service = RoomService(Repository(engine), keys=keys)
        code, _ = await service.create(DECK, RoomSettings(anonymous=anonymous))
        room = await service.get(code)
        joined, _ = await service.join(room, name="Ana", token=None, conn_factory=quiet_conn)
        ana = joined.player.id
        await service.act(room, room.state.players[0].id, c.Start(), None)
        await service.act(room, room.state.reader_id or "", c.Draw(), None)
        card = DECK.card(room.state.current.card_id)  # type: ignore[union-attr]
        assert card is not None
        yes_no = next(q for q in card.questions if q.kind == "yes_no")

        def in_table() -> int:
            with engine.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM applied_messages")).scalar() or 0)

        count = ROW_MESSAGES_MAX + 8
        for n in range(count):
            assert await service.act(room, ana, c.Answer(card.id, yes_no.id, ("yes", "no")[n % 2]), f"m{n}")
            if n + 1 == ROW_MESSAGES_MAX:  # up to there, every id stayed in the row
                assert in_table() == 0
        # at the next vote all but the last ROW_MESSAGES went to the table at once; the 7
        # after it stayed in the row
        assert in_table() == ROW_MESSAGES_MAX + 1 - ROW_MESSAGES
        await service.close()

        again = RoomService(Repository(engine), keys=keys)
        back = await again.get(code)
        for n in range(count):  # every one of them is still known after a restart
            assert await again.act(back, ana, c.Answer(card.id, yes_no.id, "yes"), f"m{n}") is False
        assert back.state.current is not None
        assert back.state.current.answers[ana] == {yes_no.id: "no"}
        await again.close()

    asyncio.run(scenario())
    engine.dispose()


def test_rows_of_every_format_read_back() -> None:
    from server.rooms.rows import Row, read_row, row_body

    assert read_row(json.loads(row_body('{"q1":"yes"}', ["m1"], 12))) == Row({"q1": "yes"}, ["m1"], 12)
    assert read_row([{"q1": "no"}, ["m1", "m2"]]) == Row({"q1": "no"}, ["m1", "m2"], 0)  # before versions
    assert read_row({"q1": "unsure"}) == Row({"q1": "unsure"}, [], 0)  # before vote ids
    bad_rows = ([{"q1": "no"}, ["m1"], -1], [{"q1": "no"}, ["m1"], True], [{"q1": 3}, []], [{}, [1], 2], [{}])
    for bad in bad_rows:
        with pytest.raises(TypeError):
            read_row(bad)


def test_vote_ids_encoded_step_by_step_are_the_whole_list_encoded() -> None:
    """``IdsJson`` extends the last JSON by one id; for any sequence of votes (ids with quotes,
    backslashes, accents), trims at ``ROW_MESSAGES``, replaced lists and several people, its
    text is exactly the list encoded anew."""
    import random

    from server.rooms.rows import ROW_MESSAGES, IdsJson

    rng = random.Random(15)
    made = IdsJson()
    lists: dict[str, list[str]] = {}
    for n in range(3000):
        who = rng.choice(["p1", "p2", "p3"])
        before = lists.get(who, [])
        move = rng.random()
        if move < 0.05:
            before = list(before)  # read back from the database: another list, same ids
        ids = ["m", 'q"', "b\\", "é", "\u2028"]
        # < 0.1: a vote whose id went elsewhere
        after = before if move < 0.1 else [*before, rng.choice(ids) + str(n)]
        after = after[-ROW_MESSAGES:] if len(after) > ROW_MESSAGES else after
        text = made.encode(who, before, after)
        assert text == json.dumps(after, separators=(",", ":")), (n, who)
        lists[who] = after


def test_the_sealed_format_is_the_documented_one() -> None:
    """A blob is ``2.`` + base64(nonce ‖ AES-256-GCM(SHA-256("aes-256-gcm" ‖ card key), nonce,
    text, associated data: the room and, for a vote's row, NUL and the person))
    (docs/security.md): made here with the cipher alone, it opens with ``unseal``, and
    ``seal``'s blobs open with it. A blob of the construction before (base64url(nonce ‖
    HMAC-SHA-256(mac key, nonce ‖ cipher)[:16] ‖ cipher), cipher = text XOR SHAKE-256(enc key ‖
    nonce), the keys SHA-256("enc"/"mac" ‖ card key)), written from the standard library
    alone, still opens: a card open across the upgrade keeps its answers. A changed byte, the
    wrong key, another person's or room's context or a broken text is refused; message ids
    are keyed as documented; a forgotten key leaves no keyed state."""
    import base64
    import hashlib
    import hmac

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from server.rooms import sealing

    key, text = bytes(range(32)), b'{"q1":"yes"}'.ljust(256)
    gcm = AESGCM(hashlib.sha256(b"aes-256-gcm" + key).digest())
    nonce = bytes(range(12))
    context = "ROOM01\0p1"  # a vote row's: the room and the person (``row_context``)
    assert sealing.row_context("ROOM01", "p1") == context
    blob = "2." + base64.b64encode(nonce + gcm.encrypt(nonce, text, context.encode())).decode()
    assert sealing.unseal(key, blob, context) == text
    mine = sealing.seal(key, b'{"q1":"no"}', context)
    assert mine.startswith("2.")
    raw = base64.b64decode(mine[2:])
    assert len(raw) == 12 + 256 + 16
    assert gcm.decrypt(raw[:12], raw[12:], context.encode()).rstrip() == b'{"q1":"no"}'
    # refused: a changed byte, another key, another person's row or another room, a text that
    # is not base64, a blob too short
    changed = bytearray(raw)
    changed[20] ^= 1
    for bad_key, bad_blob, bad_context in (
        (key, "2." + base64.b64encode(bytes(changed)).decode(), context),
        (bytes(32), mine, context),
        (key, mine, "ROOM01\0p2"),
        (key, mine, "ROOM02\0p1"),
        (key, "2.not base64!", context),
        (key, "2." + base64.b64encode(raw[:20]).decode(), context),
    ):
        with pytest.raises(sealing.SealError):
            sealing.unseal(bad_key, bad_blob, bad_context)
    # the construction before AES-GCM still opens
    old_nonce = bytes(16)
    enc, mac = hashlib.sha256(b"enc" + key).digest(), hashlib.sha256(b"mac" + key).digest()
    stream = hashlib.shake_256(enc + old_nonce).digest(len(text))
    cipher = bytes(a ^ b for a, b in zip(text, stream, strict=True))
    tag = hmac.new(mac, old_nonce + cipher, "sha256").digest()[:16]
    older = base64.urlsafe_b64encode(old_nonce + tag + cipher).decode()
    assert sealing.unseal(key, older, context) == text
    with pytest.raises(sealing.SealError):
        sealing.unseal(bytes(32), older, context)
    # an applied message's stored id: HMAC-SHA-256(card key, player id ‖ NUL ‖ message id)
    want = hmac.new(key, b"p1\0m1", "sha256").hexdigest()
    assert sealing.message_key(key, "p1", "m1") == want
    assert sealing.message_key(key, "p1", "m2") != want
    assert key in sealing._SUBKEYS
    sealing.forget_key(key)
    assert key not in sealing._SUBKEYS


def test_reading_back_never_mixes_two_states() -> None:
    """``SealedAnswers.open`` waits for the card's key (Redis, with several processes); a newer
    state brought in meanwhile must not get the card of the state being read back: a newer
    version with an older card's notes would pass the next write's version check and store a
    state without them (it lost an acknowledged note in tests/scale/test_multiprocess.py)."""
    from server.core.rules import apply, new_room
    from server.core.state import Role
    from server.rooms.live import LiveRoom
    from server.rooms.sealed import SealedAnswers

    now = 1_000_000.0
    state = new_room(DECK, RoomSettings(anonymous=True), seed=3, now=now)
    state = apply(DECK, state, None, c.Join("fac", "Anim", Role.FACILITATOR, False), now)
    state = apply(DECK, state, None, c.Join("ana", "Ana"), now)
    state = apply(DECK, state, "fac", c.Start(), now)
    read_back = apply(DECK, state, state.reader_id, c.Draw(), now)
    newer = apply(DECK, read_back, "ana", c.AddNote("arrivée entre-temps"), now)
    room = LiveRoom("ABC234", DECK, read_back)

    class SlowKeys(MemoryKeyStore):
        async def get(self, code: str, key_id: str) -> bytes | None:
            room.state = newer  # another process's change, adopted while the key is read
            await asyncio.sleep(0)
            return await super().get(code, key_id)

    asyncio.run(SealedAnswers(SlowKeys(), shared=True).open(room, {}))
    assert room.state.current is not None
    mixed = room.state.version == newer.version and not room.state.current.notes
    assert not mixed
    assert room.state.version == read_back.version and room.state.current.notes == ()
