"""A finished session's PDF is laid out ahead of its first download (issue 15): the download
then gets the very bytes laid out in the background, without laying it out again; a download
that comes while it is being laid out waits for that one; erasing the session drops it.

The PDF is kept for what the summary says, not for the room's version: people leaving at the
end of a session (a new version each) neither lay it out again nor make the next download wait;
thirty downloads at once make one layout; a room that never stays quiet is still laid out."""

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.core import commands as c
from server.core.followup import Action
from server.core.state import RoomSettings, RoomState
from server.summary import render
from tests.inproc.services import DECK as MINI_DECK
from tests.inproc.services import sqlite_service
from tests.summary.factory import big_deck, play

DECK = big_deck(3)


@pytest.fixture
def layouts() -> Iterator[list[str]]:
    """The name of the thread of each PDF layout."""
    names: list[str] = []
    real = render._lay_out_pdf

    def counting(s: Any) -> bytes:
        names.append(threading.current_thread().name)
        return real(s)

    render._lay_out_pdf = counting  # type: ignore[assignment]
    try:
        yield names
    finally:
        render._lay_out_pdf = real  # type: ignore[assignment]


def latest(state: RoomState) -> render.Latest:
    return lambda: (DECK, state)


def left(state: RoomState) -> RoomState:
    """Someone's connection dropped: a new version, the same summary."""
    first = state.players[0]
    players = (first.model_copy(update={"connected": not first.connected}), *state.players[1:])
    return state.model_copy(update={"players": players, "version": state.version + 1})


async def started(code: str) -> None:
    """The layout ahead has begun: a download now waits for it."""
    for _ in range(3000):
        await asyncio.sleep(0.01)
        if [k for k in (*render._inflight, *render._PDF_CACHE) if k[0] == code]:
            return
    raise AssertionError("the layout ahead did not begin")


async def laid_out_ahead(code: str) -> None:
    for _ in range(3000):  # 30 s: a cold first layout on a loaded machine
        await asyncio.sleep(0.01)
        working = any(t.name == "pdf-prerender" and t.is_alive() for t in threading.enumerate())
        if not render._timers.get(code) and not working:
            return
    raise AssertionError("the layout ahead did not end")


def test_the_first_download_gets_the_pdf_laid_out_ahead(layouts: list[str]) -> None:
    state = play(DECK, players=3)
    code = "PRE001"

    async def scenario() -> tuple[bytes, bytes]:
        render.prerender_later(code, latest(state), delay_s=0.01)
        render.prerender_later(code, latest(state), delay_s=0.05)  # a burst: laid out once
        await started(code)
        first, media = await render.render("pdf", DECK, state, code)  # waits for it
        again, _ = await render.render("pdf", DECK, state, code)
        assert media == "application/pdf" and first.startswith(b"%PDF")
        return first, again

    first, again = asyncio.run(asyncio.wait_for(scenario(), 50))
    assert layouts == ["pdf-prerender"], layouts  # once, in the background, never on demand
    assert first is again
    render.forget(code)
    assert not [k for k in render._PDF_CACHE if k[0] == code]
    assert not [v for v in render._keys if v[0] == code]


def test_people_leaving_do_not_lay_the_pdf_out_again(layouts: list[str]) -> None:
    state = play(DECK, players=3)
    code = "PRE002"

    async def scenario() -> None:
        render.prerender_later(code, latest(state), delay_s=0.01)
        await laid_out_ahead(code)
        first, _ = await render.render("pdf", DECK, state, code)
        gone = left(left(state))
        render.prerender_later(code, latest(gone), delay_s=0.01)  # as the service does
        await laid_out_ahead(code)
        again, _ = await render.render("pdf", DECK, gone, code)
        assert again is first
        # what the summary says changed: laid out again, ahead, and that one served
        acted = gone.model_copy(
            update={"actions": (Action(id="a1", text="Former l'équipe"),), "version": gone.version + 1}
        )
        render.prerender_later(code, latest(acted), delay_s=0.01)
        await laid_out_ahead(code)
        third, _ = await render.render("pdf", DECK, acted, code)
        assert third is not first and third.startswith(b"%PDF")

    asyncio.run(asyncio.wait_for(scenario(), 50))
    assert layouts == ["pdf-prerender", "pdf-prerender"], layouts
    render.forget(code)


def test_thirty_downloads_at_once_make_one_layout(layouts: list[str]) -> None:
    state = play(DECK, players=3)
    code = "PRE003"

    async def scenario() -> list[bytes]:
        got = await asyncio.gather(*(render.render("pdf", DECK, state, code) for _ in range(30)))
        return [body for body, _ in got]

    bodies = asyncio.run(asyncio.wait_for(scenario(), 50))
    assert len(layouts) == 1, layouts
    assert all(body is bodies[0] for body in bodies)
    render.forget(code)


def test_a_room_that_never_stays_quiet_is_laid_out_all_the_same(
    layouts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change every 20 ms with a delay of 100 ms would put it off for ever: the layout
    comes at most ``PRERENDER_MAX_WAIT_S`` after the first change, of the latest state."""
    monkeypatch.setattr(render, "PRERENDER_MAX_WAIT_S", 0.3)
    state = play(DECK, players=3)
    code = "PRE004"
    seen: list[int] = []

    async def scenario() -> None:
        current = state
        for _ in range(40):  # 0.8 s of changes
            current = left(current)
            now = current

            def give(now: RoomState = now) -> tuple[Any, RoomState]:
                seen.append(now.version)
                return DECK, now

            render.prerender_later(code, give, delay_s=0.1)
            await asyncio.sleep(0.02)
        await laid_out_ahead(code)

    asyncio.run(asyncio.wait_for(scenario(), 50))
    assert layouts and layouts[0] == "pdf-prerender"
    assert seen and seen[0] < state.version + 40  # laid out while the changes went on
    render.forget(code)


def test_a_session_erased_during_its_layout_leaves_no_pdf(layouts: list[str]) -> None:
    state = play(DECK, players=3)
    code = "PRE005"

    async def scenario() -> None:
        render.prerender_later(code, latest(state), delay_s=0)
        for _ in range(500):  # the layout has begun
            await asyncio.sleep(0.005)
            if layouts:
                break
        render.forget(code)  # as lifecycle.delete does
        await laid_out_ahead(code)

    asyncio.run(asyncio.wait_for(scenario(), 50))
    assert layouts == ["pdf-prerender"]
    assert not [k for k in render._PDF_CACHE if k[0] == code]
    assert not [v for v in render._keys if v[0] == code]


def test_a_download_under_way_when_its_session_is_erased_keeps_nothing(layouts: list[str]) -> None:
    """The erasure count is read with the room's state, on the event loop (``render``): a
    download that runs after the erasure lays the PDF out for its caller and keeps nothing."""
    state = play(DECK, players=3)
    code = "PRE006"
    read_with_the_state = render._erasures
    render.forget(code)  # as lifecycle.delete does, while the download waits for a thread
    body, _ = render._cached_pdf(DECK, state, code, read_with_the_state)
    assert body.startswith(b"%PDF") and layouts == ["MainThread"]
    assert not [k for k in render._PDF_CACHE if k[0] == code]
    assert not [v for v in render._keys if v[0] == code]


def test_a_session_that_has_just_finished_is_laid_out_at_once(layouts: list[str]) -> None:
    """Its first download comes now: the layout starts without the pause after the last
    change, and a change that follows closely (someone leaving, here 60 s of pause asked
    for) does not put it off."""
    state = play(DECK, players=3)
    code = "PRE007"

    async def scenario() -> None:
        render.prerender_later(code, latest(state), at_once=True)
        render.prerender_later(code, latest(left(state)), delay_s=60)
        await started(code)  # within 30 s: long before the 60 s
        await laid_out_ahead(code)

    asyncio.run(asyncio.wait_for(scenario(), 50))
    assert layouts == ["pdf-prerender"], layouts
    render.forget(code)


def test_the_room_service_lays_a_session_out_at_once_when_it_finishes(
    layouts: list[str], tmp_path: Path
) -> None:
    """The change that brings a session to its synthesis asks for its layout at once; the
    changes after it (actions edited, people leaving) wait for the pause as before."""
    service, engine = sqlite_service(tmp_path / "finish.db")

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        code, _ = await service.create(MINI_DECK, RoomSettings())
        room = await service.get(code)
        await service.act(room, room.state.players[0].id, c.Finish(), None)
        timer = render._timers.get(code)
        assert timer is None or timer.when() <= loop.time(), "not at once"
        await started(code)
        service._broadcast(room)  # a later change of the synthesis, as a presence change makes
        timer = render._timers.get(code)
        assert timer is not None and timer.when() >= loop.time() + render.PRERENDER_DELAY_S / 2
        render.forget(code)  # no second layout
        await laid_out_ahead(code)
        await service.close()

    try:
        asyncio.run(asyncio.wait_for(scenario(), 50))
    finally:
        engine.dispose()
    assert layouts == ["pdf-prerender"], layouts
